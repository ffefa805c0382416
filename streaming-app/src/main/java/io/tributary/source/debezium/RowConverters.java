package io.tributary.source.debezium;

import io.tributary.change.TableId;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Field;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Schema;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RowConverter} of each row schema, built once and cached, and the key columns each is
 * built with: the configured or preflight key, or a streamed record's key for the tables whose key
 * follows the source (a primary key added, dropped or renamed while the job runs).
 */
final class RowConverters implements Serializable {
  private static final long serialVersionUID = 1L;
  // Logs under the deserializer's name, as before it was split by role.
  private static final Logger LOG = LoggerFactory.getLogger(DebeziumChangeDeserializer.class);
  static final int MAX_CACHED_SCHEMAS = 4096;

  private final Map<TableId, List<String>> keyOverrides;
  private final Set<TableId> sourceKeyed;

  /** Asked with every new row schema of a table; null when nothing is checked. */
  private final ColumnCheck columnCheck;

  /** The key columns each table's latest row schema was read with. */
  private transient Map<TableId, List<String>> lastKeys;

  private transient Map<Schema, RowConverter> byIdentity;
  private transient Map<Schema, RowConverter> byValue;

  RowConverters(Map<TableId, List<String>> keyOverrides, Set<TableId> sourceKeyed) {
    this(keyOverrides, sourceKeyed, null);
  }

  /**
   * @param columnCheck asked with every new row schema instance of a table (Debezium builds one
   *     when it reads the table's columns again, after they changed): a table that got a column of
   *     a type the capture cannot carry gets a converter whose table says so ({@link
   *     io.tributary.change.SourceTable#captureProblem()}), and the writer parks it; null to check
   *     nothing
   */
  RowConverters(
      Map<TableId, List<String>> keyOverrides, Set<TableId> sourceKeyed, ColumnCheck columnCheck) {
    this.keyOverrides = new HashMap<>(keyOverrides);
    this.sourceKeyed = new HashSet<>(sourceKeyed);
    this.columnCheck = columnCheck;
  }

  RowConverter converter(TableId tableId, Schema rowSchema, SourceRecord record) {
    if (byIdentity == null) {
      byIdentity = new IdentityHashMap<>();
      byValue = new HashMap<>();
    }
    RowConverter converter = byIdentity.get(rowSchema);
    if (converter != null && keyChanged(converter, tableId, record)) {
      // Same columns, another key (a primary key added or dropped at the source): a new schema.
      byIdentity.remove(rowSchema);
      byValue.remove(rowSchema);
      converter = null;
    }
    if (converter == null) {
      converter = byValue.get(rowSchema);
      if (converter != null && keyChanged(converter, tableId, record)) {
        byValue.remove(rowSchema);
        converter = null;
      }
      if (converter == null) {
        converter = RowConverter.create(tableId, rowSchema, keyColumns(tableId, rowSchema, record));
        converter.keySchema = record == null ? null : record.keySchema();
        if (lastKeys == null) {
          lastKeys = new HashMap<>();
        }
        lastKeys.put(tableId, converter.table.keyNames());
        if (byValue.size() >= MAX_CACHED_SCHEMAS) {
          byValue.clear();
        }
        byValue.put(rowSchema, converter);
        LOG.info("Schema of {}: {}", tableId, converter.table);
      }
      String problem = columnCheck == null ? null : columnCheck.problem(tableId);
      if (problem != null) {
        // Only for this schema instance: the next one (the column dropped or converted) is
        // checked again; the table stays parked in the lake until it is recovered.
        LOG.warn("Table {} cannot be captured as it is now: {}", tableId, problem);
        converter = converter.withCaptureProblem(problem);
      }
      if (byIdentity.size() >= MAX_CACHED_SCHEMAS) {
        byIdentity.clear();
      }
      byIdentity.put(rowSchema, converter);
    }
    return converter;
  }

  /**
   * Whether a streamed record carries another key than the converter of its row schema was built
   * with (only for tables whose record key wins, see {@link
   * DebeziumChangeDeserializer#DebeziumChangeDeserializer(Map, java.util.Set, java.util.Set)}).
   */
  private boolean keyChanged(RowConverter converter, TableId tableId, SourceRecord record) {
    if (record == null || record.keySchema() == null || record.keySchema() == converter.keySchema) {
      return false;
    }
    if (!sourceKeyed.contains(tableId) && !keylessOverride(tableId)) {
      return false;
    }
    List<String> names = keyNames(record.keySchema());
    if (new HashSet<>(names).equals(new HashSet<>(converter.table.keyNames()))) {
      converter.keySchema = record.keySchema();
      return false;
    }
    LOG.info(
        "Key of {} changed at the source from {} to {} (Debezium's record key)",
        tableId,
        converter.table.keyNames(),
        names);
    return true;
  }

  private boolean keylessOverride(TableId tableId) {
    List<String> override = keyOverrides.get(tableId);
    return override == null || override.isEmpty();
  }

  private static List<String> keyNames(Schema keySchema) {
    List<String> names = new ArrayList<>();
    for (Field field : keySchema.fields()) {
      names.add(field.name());
    }
    return names;
  }

  /**
   * The key columns of a row schema: a streamed record's key when the table's key is its primary
   * key (or it had none), else the configured or preflight key; when the row schema does not have
   * those columns (a key column renamed since the start), the key the table's latest row schema was
   * read with, when the row has it.
   */
  private List<String> keyColumns(TableId tableId, Schema rowSchema, SourceRecord record) {
    List<String> override = keyOverrides.get(tableId);
    boolean keyless = override == null || override.isEmpty();
    if ((keyless || sourceKeyed.contains(tableId))
        && record != null
        && record.keySchema() != null) {
      List<String> names = keyNames(record.keySchema());
      if (!keyless
          && names.size() == override.size()
          && new HashSet<>(names).equals(new HashSet<>(override))) {
        // The same key: in the preflight's order, which snapshot rows (no record key) use too,
        // so that every change of one key is routed alike.
        return override;
      }
      if (hasColumns(rowSchema, names)) {
        return names;
      }
    }
    if (!keyless && hasColumns(rowSchema, override)) {
      return override;
    }
    List<String> last = lastKeys == null ? null : lastKeys.get(tableId);
    if (last != null && !last.isEmpty() && hasColumns(rowSchema, last)) {
      return last;
    }
    return keyless ? null : override;
  }

  private static boolean hasColumns(Schema rowSchema, List<String> names) {
    for (String name : names) {
      if (rowSchema.field(name) == null) {
        return false;
      }
    }
    return true;
  }
}
