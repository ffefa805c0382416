package io.tributary.source.debezium;

import io.tributary.change.ChangeEvent;
import io.tributary.change.ChangeEventTypeInfo;
import io.tributary.change.SourceTable;
import io.tributary.change.TableId;
import io.tributary.source.BinlogPosition;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Field;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Schema;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Struct;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.source.SourceRecord;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns Debezium change records into {@link ChangeEvent}s, of PostgreSQL and of MySQL (whose binlog
 * position becomes the event's position as {@link io.tributary.source.BinlogPosition} says). The
 * row schema is read from the record itself, so a column added at the source is seen with the first
 * change after it. Converters are built once per schema version and cached.
 *
 * <p>An update that changes the key becomes a delete of the old key followed by an insert of the
 * new row, so that every change of one key is handled by the writer that owns that key.
 */
public final class DebeziumChangeDeserializer
    implements DebeziumDeserializationSchema<ChangeEvent> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(DebeziumChangeDeserializer.class);

  /** The header Debezium puts on the create record of an update that changed the primary key. */
  static final String OLD_KEY_HEADER = "__debezium.oldkey";

  private final Set<TableId> fullIdentity;
  private final RowConverters converters;

  /**
   * The before-image of the last delete of a {@link #fullIdentity} table: a primary-key change
   * arrives as that delete and then a create at the same position, whose unchanged TOASTed values
   * are taken from it.
   */
  private transient Object[] lastDeleteValues;

  private transient RowConverter lastDeleteConverter;
  private transient long lastDeleteLsn;
  private transient Map<Schema, Envelope> envelopes;
  private transient Map<TableId, SourceTable> truncatedTables;

  /**
   * @param keyOverrides the key columns of each table; a table absent here uses the record key
   */
  public DebeziumChangeDeserializer(Map<TableId, List<String>> keyOverrides) {
    this(keyOverrides, Set.of());
  }

  /**
   * @param keyOverrides the key columns of each table; a table absent here uses the record key
   * @param fullIdentity the tables with {@code REPLICA IDENTITY FULL}: their updates carry the
   *     whole previous row, from which the values an update leaves out (unchanged TOASTed values)
   *     are filled here, so the writer never looks them up
   */
  public DebeziumChangeDeserializer(
      Map<TableId, List<String>> keyOverrides, Set<TableId> fullIdentity) {
    this(keyOverrides, fullIdentity, Set.of());
  }

  /**
   * @param keyOverrides the key columns of each table, as the preflight check found them
   * @param fullIdentity see {@link #DebeziumChangeDeserializer(Map, java.util.Set)}
   * @param sourceKeyed the tables whose key is their primary key, or that had no key at all: for
   *     them the key of a streamed record (Debezium's key schema, the primary key as the source has
   *     it now) wins over {@code keyOverrides}, so that a renamed key column, or a primary key
   *     added while the job runs, is followed
   */
  public DebeziumChangeDeserializer(
      Map<TableId, List<String>> keyOverrides,
      Set<TableId> fullIdentity,
      Set<TableId> sourceKeyed) {
    this(keyOverrides, fullIdentity, sourceKeyed, null);
  }

  /**
   * @param keyOverrides see {@link #DebeziumChangeDeserializer(Map, java.util.Set, java.util.Set)}
   * @param fullIdentity see {@link #DebeziumChangeDeserializer(Map, java.util.Set)}
   * @param sourceKeyed see {@link #DebeziumChangeDeserializer(Map, java.util.Set, java.util.Set)}
   * @param columnCheck asked with each new row schema of a table whether it got a column of a type
   *     the capture cannot carry; its changes then carry the reason, and the writer parks the
   *     table; null to check nothing
   */
  public DebeziumChangeDeserializer(
      Map<TableId, List<String>> keyOverrides,
      Set<TableId> fullIdentity,
      Set<TableId> sourceKeyed,
      ColumnCheck columnCheck) {
    this.fullIdentity = new HashSet<>(fullIdentity);
    this.converters = new RowConverters(keyOverrides, sourceKeyed, columnCheck);
  }

  @Override
  public void deserialize(SourceRecord record, Collector<ChangeEvent> out) {
    Object rawValue = record.value();
    if (!(rawValue instanceof Struct)) {
      return; // tombstone or non-data record
    }
    Struct value = (Struct) rawValue;
    Envelope envelope = envelope(value.schema());
    if (envelope == null) {
      return; // heartbeat, transaction or watermark record
    }
    String op = (String) value.get(envelope.op);
    Struct source = (Struct) value.get(envelope.source);
    long lsn = -1L;
    if (envelope.lsn != null && source.get(envelope.lsn) instanceof Number) {
      lsn = ((Number) source.get(envelope.lsn)).longValue();
    } else if (envelope.binlogFile != null
        && envelope.binlogPos != null
        && source.get(envelope.binlogPos) instanceof Number) {
      lsn =
          BinlogPosition.encode(
              (String) source.get(envelope.binlogFile),
              ((Number) source.get(envelope.binlogPos)).longValue());
    }
    Object tsMs = envelope.tsMs == null ? null : source.get(envelope.tsMs);
    long tsMicros = tsMs instanceof Number ? ((Number) tsMs).longValue() * 1000L : -1L;
    Struct before = envelope.before == null ? null : (Struct) value.get(envelope.before);
    Struct after = envelope.after == null ? null : (Struct) value.get(envelope.after);
    TableId tableId =
        new TableId((String) source.get(envelope.schema), (String) source.get(envelope.table));
    switch (op) {
      case "r":
        // A PostgreSQL snapshot row has no position of its own: the position it carries is the
        // one read right after its split's schema (see SnapshotSplitReadTask), which tells the
        // writer only how new that schema is.
        boolean postgres = envelope.lsn != null;
        emit(
            out,
            tableId,
            record,
            ChangeEvent.Op.SNAPSHOT,
            after,
            postgres ? -1L : lsn,
            lsn,
            tsMicros);
        break;
      case "c":
        if (record.headers() != null
            && record.headers().lastWithName(OLD_KEY_HEADER) != null
            && after != null) {
          insertOfKeyChange(out, tableId, record, after, lsn, tsMicros);
        } else {
          emit(out, tableId, record, ChangeEvent.Op.INSERT, after, lsn, tsMicros);
        }
        break;
      case "u":
        {
          RowConverter afterConverter = converter(tableId, after.schema(), record);
          boolean[] unchanged = new boolean[afterConverter.fields.length];
          Object[] afterValues = afterConverter.convert(after, unchanged);
          if (before != null) {
            RowConverter beforeConverter = converter(tableId, before.schema(), record);
            boolean[] beforeUnchanged = new boolean[beforeConverter.fields.length];
            Object[] beforeValues = beforeConverter.convert(before, beforeUnchanged);
            if (fullIdentity.contains(tableId)) {
              RowConverter.fillFromBefore(
                  afterConverter,
                  afterValues,
                  unchanged,
                  beforeConverter,
                  beforeValues,
                  beforeUnchanged);
            }
            if (keyChanged(beforeConverter.table, beforeValues, afterValues)) {
              out.collect(
                  new ChangeEvent(
                      beforeConverter.table, ChangeEvent.Op.DELETE, beforeValues, lsn, tsMicros));
              // The new row keeps the unchanged (TOASTed) values the source did not send: the
              // writer takes them from the row stored under the previous key.
              Object[] previousKey = new Object[afterConverter.table.keySize()];
              for (int k = 0; k < previousKey.length; k++) {
                previousKey[k] = beforeValues[beforeConverter.table.keyIndex(k)];
              }
              out.collect(
                  new ChangeEvent(
                      afterConverter.table,
                      ChangeEvent.Op.INSERT,
                      afterValues,
                      lsn,
                      tsMicros,
                      unchanged,
                      previousKey));
              break;
            }
          }
          out.collect(
              new ChangeEvent(
                  afterConverter.table,
                  ChangeEvent.Op.UPDATE,
                  afterValues,
                  lsn,
                  tsMicros,
                  unchanged));
          break;
        }
      case "d":
        if (before != null && fullIdentity.contains(tableId)) {
          lastDeleteConverter = converter(tableId, before.schema(), record);
          lastDeleteValues = lastDeleteConverter.convert(before, null);
          lastDeleteLsn = lsn;
        }
        emit(out, tableId, record, ChangeEvent.Op.DELETE, before, lsn, tsMicros);
        break;
      case "t":
        // Handled by the writer, as tables.truncate says (apply or ignore).
        out.collect(
            new ChangeEvent(
                truncated(tableId), ChangeEvent.Op.TRUNCATE, new Object[0], lsn, tsMicros));
        break;
      default:
        LOG.debug("Ignoring change record with operation '{}' on {}", op, tableId);
    }
  }

  private void emit(
      Collector<ChangeEvent> out,
      TableId tableId,
      SourceRecord record,
      ChangeEvent.Op op,
      Struct row,
      long lsn,
      long tsMicros) {
    emit(out, tableId, record, op, row, lsn, lsn, tsMicros);
  }

  private void emit(
      Collector<ChangeEvent> out,
      TableId tableId,
      SourceRecord record,
      ChangeEvent.Op op,
      Struct row,
      long lsn,
      long schemaLsn,
      long tsMicros) {
    if (row == null) {
      throw new IllegalStateException(
          "Change record for "
              + tableId
              + " with operation "
              + op
              + " has no row image. For deletes this means the table's REPLICA IDENTITY sends"
              + " nothing: give the table a primary key or set REPLICA IDENTITY FULL.");
    }
    RowConverter converter = converter(tableId, row.schema(), record);
    out.collect(
        new ChangeEvent(converter.table, op, converter.convert(row, null), lsn, tsMicros)
            .withSchemaLsn(schemaLsn));
  }

  /**
   * The insert of the new row of an update that changed the key (Debezium sends such an update as a
   * delete of the old key and a create whose header holds the old key). Unchanged TOASTed values
   * arrive as placeholders here too: they are flagged, and the event carries the old key, so that
   * the writer takes them from the row stored under it.
   */
  private void insertOfKeyChange(
      Collector<ChangeEvent> out,
      TableId tableId,
      SourceRecord record,
      Struct after,
      long lsn,
      long tsMicros) {
    RowConverter converter = converter(tableId, after.schema(), record);
    boolean[] unchanged = new boolean[converter.fields.length];
    Object[] values = converter.convert(after, unchanged);
    if (lastDeleteValues != null
        && lastDeleteLsn == lsn
        && lastDeleteConverter.table.id().equals(tableId)) {
      // REPLICA IDENTITY FULL: the delete just before held the whole previous row.
      RowConverter.fillFromBefore(
          converter,
          values,
          unchanged,
          lastDeleteConverter,
          lastDeleteValues,
          new boolean[lastDeleteConverter.fields.length]);
    }
    lastDeleteValues = null;
    lastDeleteConverter = null;
    Object oldKey = record.headers().lastWithName(OLD_KEY_HEADER).value();
    Object[] previousKey = null;
    if (oldKey instanceof Struct) {
      Struct key = (Struct) oldKey;
      previousKey = new Object[converter.table.keySize()];
      for (int k = 0; k < previousKey.length; k++) {
        int index = converter.table.keyIndex(k);
        Field field = key.schema().field(converter.fields[index].name());
        Object raw = field == null ? null : key.get(field);
        previousKey[k] = raw == null ? null : converter.converters[index].convert(raw);
        if (previousKey[k] == null) {
          previousKey = null; // a configured key that is not the table's primary key
          break;
        }
      }
    }
    out.collect(
        new ChangeEvent(
            converter.table, ChangeEvent.Op.INSERT, values, lsn, tsMicros, unchanged, previousKey));
  }

  /** The schema a truncate event carries: the table without columns. */
  private SourceTable truncated(TableId tableId) {
    if (truncatedTables == null) {
      truncatedTables = new HashMap<>();
    }
    return truncatedTables.computeIfAbsent(
        tableId, id -> new SourceTable(id, Collections.emptyList(), new int[0]));
  }

  private static boolean keyChanged(SourceTable table, Object[] before, Object[] after) {
    boolean beforeHasKey = false;
    for (int i = 0; i < table.keySize(); i++) {
      beforeHasKey |= before[table.keyIndex(i)] != null;
    }
    // A before-image without the key (REPLICA IDENTITY NOTHING) cannot tell: treat as unchanged.
    if (!beforeHasKey) {
      return false;
    }
    for (int i = 0; i < table.keySize(); i++) {
      if (!valueEquals(before[table.keyIndex(i)], after[table.keyIndex(i)])) {
        return true;
      }
    }
    return false;
  }

  private static boolean valueEquals(Object a, Object b) {
    if (a instanceof byte[] && b instanceof byte[]) {
      return Arrays.equals((byte[]) a, (byte[]) b);
    }
    return Objects.equals(a, b);
  }

  /** The envelope of a record schema, or null for records that are not changes of a row. */
  private Envelope envelope(Schema schema) {
    if (envelopes == null) {
      envelopes = new IdentityHashMap<>();
    }
    return Envelope.of(envelopes, schema);
  }

  private RowConverter converter(TableId tableId, Schema rowSchema, SourceRecord record) {
    return converters.converter(tableId, rowSchema, record);
  }

  @Override
  public TypeInformation<ChangeEvent> getProducedType() {
    return ChangeEventTypeInfo.INSTANCE;
  }
}
