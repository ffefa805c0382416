package io.tributary.sink;

import io.tributary.change.Column;
import io.tributary.change.SourceTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.UpdateProperties;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evolves a mirror table's schema in place to follow its source table: adds, widens, renames and
 * marks dropped columns, telling a rename from a drop and an add, and a name reused for a new
 * column from the column that had it. The decisions are recorded in the table's properties ({@link
 * TableManager#DROPPED_COLUMNS}, {@link TableManager#RENAMED_PREFIX}, {@link
 * TableManager#SCHEMA_LSN}), so that every writer and every restart decides alike. Safe to use from
 * several writers at once: each change is retried against the latest table metadata.
 */
final class SchemaEvolution {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaEvolution.class);

  private static final int MAX_ATTEMPTS = 20;

  private SchemaEvolution() {}

  /**
   * Makes the table's schema follow the source schema seen with a change at source position {@code
   * lsn} (for snapshot rows: the position read right after the schema, see {@link
   * io.tributary.change.ChangeEvent#schemaLsn()}; -1 when unknown): adds missing columns as
   * optional, widens types Iceberg can widen, renames a column in place, and marks columns the
   * source dropped (they stay in the table, unfilled). Returns the table, refreshed when it
   * changed.
   *
   * <p>Source columns are matched to the table's live (not dropped) columns by {@link ColumnMatch}:
   * by name or former name, in the order of both sides, so a name reused for a new column (after a
   * rename or a drop of the column that had it) is not taken for the old column. Between two
   * matched columns (or after the last one), the unmatched source columns and the unmatched live
   * columns are renames when they are as many, each at the position of the other, with the same or
   * a wider type. After the last matched column, more source columns than live ones are renames of
   * the live ones followed by added columns when one of them has the name of one of those live
   * columns (the name was reused right after the rename). Everything else is a drop (live column
   * missing from the source) plus an add (source column unknown). A schema seen at a position older
   * than the last schema applied (a writer still busy with rows from before the change, or a change
   * streamed from before the position a snapshot split read a newer schema at) never drops or
   * renames.
   *
   * <p>A column added with the name of a column kept for history (dropped at the source, or dropped
   * with this change) gets a new field; the old field is renamed aside to {@link #asideName}, so
   * both stay readable and the old values never read as the new column's.
   *
   * @throws SchemaChangeException when a column's type changed in a way Iceberg cannot apply, or
   *     the source cannot capture the table as it is now ({@link SourceTable#captureProblem()}: a
   *     column of a type the capture cannot carry, added while the job runs)
   */
  static Table apply(Table table, SourceTable source, long lsn) {
    if (source.captureProblem() != null) {
      throw new SchemaChangeException(source.id(), source.captureProblem());
    }
    List<String> names = new ArrayList<>();
    for (Column column : source.columns()) {
      names.add(IcebergSchemas.fieldName(column.name()));
    }
    for (int attempt = 1; ; attempt++) {
      Schema schema = table.schema();
      Map<String, String> props = table.properties();
      Set<Integer> dropped = TableManager.droppedColumns(props);
      Map<String, Integer> renamed = TableManager.renamedColumns(props);
      long appliedLsn = Long.parseLong(props.getOrDefault(TableManager.SCHEMA_LSN, "-1"));
      boolean current = lsn >= 0 && lsn >= appliedLsn;
      List<Types.NestedField> all = dataFields(schema);
      List<Types.NestedField> live = new ArrayList<>();
      for (Types.NestedField field : all) {
        if (!dropped.contains(field.fieldId())) {
          live.add(field);
        }
      }
      Types.NestedField[] matched;
      Set<Integer> claimed = new HashSet<>();
      // Field id -> its new name (renamed at the source, or moved aside for a reused name).
      Map<Integer, String> renames = new LinkedHashMap<>();
      List<Types.NestedField> drops = new ArrayList<>();
      if (current) {
        // A former name stops applying once a live column has that name again.
        Map<String, Integer> former = new HashMap<>(renamed);
        for (Types.NestedField field : live) {
          former.remove(field.name());
        }
        matched = ColumnMatch.match(live, former, names);
        pairRenames(source, names, live, matched);
        for (Types.NestedField field : matched) {
          if (field != null) {
            claimed.add(field.fieldId());
          }
        }
        for (Types.NestedField field : live) {
          if (!claimed.contains(field.fieldId())) {
            drops.add(field);
          }
        }
        for (int i = 0; i < matched.length; i++) {
          if (matched[i] != null && !matched[i].name().equals(names.get(i))) {
            renames.put(matched[i].fieldId(), names.get(i));
          }
        }
        // Fields kept for history that hold a name a source column has now: moved aside.
        Set<String> taken = new HashSet<>(names);
        taken.addAll(IcebergSchemas.METADATA_COLUMNS);
        List<Types.NestedField> aside = new ArrayList<>();
        for (Types.NestedField field : all) {
          if (claimed.contains(field.fieldId())) {
            continue;
          }
          if (names.contains(field.name())) {
            aside.add(field);
          } else {
            taken.add(field.name());
          }
        }
        for (Types.NestedField field : aside) {
          String name = asideName(field.name(), field.fieldId(), taken);
          taken.add(name);
          renames.put(field.fieldId(), name);
        }
      } else {
        matched = ColumnMatch.match(all, renamed, names);
        for (Types.NestedField field : matched) {
          if (field != null) {
            claimed.add(field.fieldId());
          }
        }
        for (int i = 0; i < matched.length; i++) {
          Types.NestedField byName = schema.findField(names.get(i));
          if (matched[i] != null
              || byName == null
              || IcebergSchemas.METADATA_COLUMNS.contains(byName.name())) {
            continue;
          }
          if (claimed.contains(byName.fieldId())) {
            throw new SchemaChangeException(
                source.id(),
                "column '"
                    + source.columns().get(i).name()
                    + "' of a change from before the last applied schema change (position "
                    + lsn
                    + ", last applied "
                    + appliedLsn
                    + ") matches no column of the lake table, and its name is taken by another"
                    + " column; backfill the table");
          }
          matched[i] = byName;
          claimed.add(byName.fieldId());
        }
      }
      List<String> missing = new ArrayList<>();
      List<String> widened = new ArrayList<>();
      for (int i = 0; i < matched.length; i++) {
        Column column = source.columns().get(i);
        Type wanted = IcebergSchemas.icebergType(column.type());
        Types.NestedField field = matched[i];
        if (field == null) {
          missing.add(names.get(i));
        } else if (!field.type().equals(wanted)) {
          if (IcebergSchemas.canPromote(field.type(), wanted)) {
            widened.add(field.name());
          } else if (!IcebergSchemas.canPromote(wanted, field.type())) {
            throw new SchemaChangeException(
                source.id(),
                "column '"
                    + column.name()
                    + "' changed from "
                    + field.type()
                    + " to "
                    + wanted
                    + ", which Iceberg cannot apply in place");
          }
          // A narrower source type than the table's (after a widening elsewhere) needs no change.
        }
      }
      if (missing.isEmpty() && widened.isEmpty() && renames.isEmpty() && drops.isEmpty()) {
        return table;
      }
      try {
        Transaction tx = table.newTransaction();
        if (!renames.isEmpty()) {
          // Renames first, in an update of their own: a column added below may take a name a
          // renamed column gave up.
          UpdateSchema update = tx.updateSchema();
          for (Map.Entry<Integer, String> rename : renames.entrySet()) {
            update.renameColumn(schema.findField(rename.getKey()).name(), rename.getValue());
          }
          update.commit();
        }
        if (!missing.isEmpty() || !widened.isEmpty()) {
          UpdateSchema update = tx.updateSchema();
          for (int i = 0; i < matched.length; i++) {
            Type wanted = IcebergSchemas.icebergType(source.columns().get(i).type());
            if (matched[i] == null) {
              update.addColumn(names.get(i), wanted);
            } else if (widened.contains(matched[i].name())) {
              update.updateColumn(finalName(matched[i], renames), wanted.asPrimitiveType());
            }
          }
          // In source order: before the column of the next matched source column, else last
          // before the metadata columns.
          for (int i = 0; i < matched.length; i++) {
            if (matched[i] == null) {
              String before = IcebergSchemas.OP;
              for (int k = i + 1; k < matched.length; k++) {
                if (matched[k] != null) {
                  before = finalName(matched[k], renames);
                  break;
                }
              }
              update.moveBefore(names.get(i), before);
            }
          }
          update.commit();
        }
        UpdateProperties properties = tx.updateProperties();
        for (Map.Entry<Integer, String> rename : renames.entrySet()) {
          properties.set(
              TableManager.RENAMED_PREFIX + schema.findField(rename.getKey()).name(),
              Integer.toString(rename.getKey()));
        }
        if (!drops.isEmpty()) {
          Set<Integer> allDropped = new TreeSet<>(dropped);
          for (Types.NestedField field : drops) {
            allDropped.add(field.fieldId());
          }
          StringBuilder ids = new StringBuilder();
          for (Integer id : allDropped) {
            ids.append(ids.length() == 0 ? "" : ",").append(id);
          }
          properties.set(TableManager.DROPPED_COLUMNS, ids.toString());
        }
        if (lsn > appliedLsn) {
          properties.set(TableManager.SCHEMA_LSN, Long.toString(lsn));
        }
        properties.commit();
        tx.commitTransaction();
        List<String> dropNames = new ArrayList<>();
        for (Types.NestedField field : drops) {
          dropNames.add(field.name());
        }
        LOG.info(
            "Evolved schema of {}: added {}, widened {}, renamed (field id -> new name) {},"
                + " dropped at the source {}",
            table.name(),
            missing,
            widened,
            renames,
            dropNames);
        table.refresh();
        return table;
      } catch (CommitFailedException e) {
        if (attempt >= MAX_ATTEMPTS) {
          throw e;
        }
        table.refresh();
      } catch (IllegalArgumentException | ValidationException e) {
        // Another writer changed the same column concurrently (the update then names a column
        // that is gone, or gives two fields one name): refresh and look again.
        if (attempt >= MAX_ATTEMPTS) {
          throw e;
        }
        table.refresh();
      }
    }
  }

  /** The table's columns other than the metadata columns, in table order. */
  private static List<Types.NestedField> dataFields(Schema schema) {
    List<Types.NestedField> fields = new ArrayList<>();
    for (Types.NestedField field : schema.columns()) {
      if (!IcebergSchemas.METADATA_COLUMNS.contains(field.name())) {
        fields.add(field);
      }
    }
    return fields;
  }

  private static String finalName(Types.NestedField field, Map<Integer, String> renames) {
    return renames.getOrDefault(field.fieldId(), field.name());
  }

  /**
   * The name a field kept for history moves to when a source column takes its name: {@code
   * <name>__dropped_<field id>}, followed by {@code _2}, {@code _3}, ... while that is taken.
   */
  static String asideName(String name, int fieldId, Set<String> taken) {
    String base = name + "__dropped_" + fieldId;
    String candidate = base;
    for (int n = 2; taken.contains(candidate); n++) {
      candidate = base + "_" + n;
    }
    return candidate;
  }

  /**
   * Pairs the unmatched source columns with the unmatched live columns between two matched ones
   * (see {@link #apply}), setting the renamed ones in {@code matched}.
   */
  private static void pairRenames(
      SourceTable source,
      List<String> names,
      List<Types.NestedField> live,
      Types.NestedField[] matched) {
    Map<Integer, Integer> positions = new HashMap<>();
    for (int j = 0; j < live.size(); j++) {
      positions.put(live.get(j).fieldId(), j);
    }
    int previousSource = -1;
    int previousLive = -1;
    for (int i = 0; i <= matched.length; i++) {
      if (i < matched.length && matched[i] == null) {
        continue;
      }
      boolean tail = i == matched.length;
      int j = tail ? live.size() : positions.get(matched[i].fieldId());
      int sources = i - previousSource - 1;
      List<Types.NestedField> gone = live.subList(previousLive + 1, j);
      int pairs = 0;
      if (!gone.isEmpty() && sources == gone.size()) {
        pairs = sources;
      } else if (!gone.isEmpty() && tail && sources > gone.size()) {
        for (int k = previousSource + 1; k < i && pairs == 0; k++) {
          for (Types.NestedField field : gone) {
            if (field.name().equals(names.get(k))) {
              pairs = gone.size();
            }
          }
        }
      }
      boolean compatible = pairs > 0;
      for (int k = 0; k < pairs; k++) {
        Type wanted =
            IcebergSchemas.icebergType(source.columns().get(previousSource + 1 + k).type());
        compatible &= IcebergSchemas.canPromote(gone.get(k).type(), wanted);
      }
      if (compatible) {
        for (int k = 0; k < pairs; k++) {
          matched[previousSource + 1 + k] = gone.get(k);
        }
      }
      previousSource = i;
      previousLive = j;
    }
  }
}
