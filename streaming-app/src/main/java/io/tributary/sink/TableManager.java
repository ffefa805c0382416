package io.tributary.sink;

import io.tributary.change.Column;
import io.tributary.change.SourceTable;
import io.tributary.change.TableId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.UpdatePartitionSpec;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates mirror tables on first sight and evolves their schema in place when the source adds
 * columns or widens types. Safe to use from several writers at once: every change is retried
 * against the latest table metadata and is idempotent.
 */
public final class TableManager {
  private static final Logger LOG = LoggerFactory.getLogger(TableManager.class);

  /** Table property: the run whose initial snapshot created the table (see the writer). */
  public static final String INITIAL_LOAD_RUN = "tributary.initial-load-run";

  /** Table property: the source table this mirror table was created from. */
  public static final String SOURCE_TABLE = "tributary.source-table";

  /** Table property: field ids of columns dropped at the source, comma-separated. */
  public static final String DROPPED_COLUMNS = "tributary.dropped-columns";

  /** Table property prefix: {@code tributary.renamed.<old name>} = the field id it now names. */
  public static final String RENAMED_PREFIX = "tributary.renamed.";

  /** Table property: the source position of the latest change whose schema was applied. */
  public static final String SCHEMA_LSN = "tributary.schema-lsn";

  /** Table property: why the table is parked (its changes go to dead letters); absent if not. */
  public static final String BLOCKED = StreamMarkers.BLOCKED;

  /**
   * Table property of the changelog table of an append-only table: the primary key the source table
   * gained while it was captured without one, and the source position where it was seen ({@code
   * [id] at LSN 123}). The table stays append-only (see the preflight check).
   */
  public static final String KEY_ADDED = "tributary.key-added";

  private static final int MAX_ATTEMPTS = 20;

  private final Catalog catalog;
  private final String namespace;
  private final Map<TableId, List<String>> partitionTerms;
  private final String runId;

  public TableManager(
      Catalog catalog, String namespace, Map<TableId, List<String>> partitionTerms, String runId) {
    this.catalog = catalog;
    this.namespace = namespace;
    this.partitionTerms = new HashMap<>(partitionTerms);
    this.runId = runId;
  }

  /** Loads the mirror table of a source table, creating it when absent. */
  public Table loadOrCreate(SourceTable source) {
    return loadOrCreate(source, Map.of());
  }

  /**
   * Loads the mirror table of a source table, creating it when absent with {@code schemaLsn} (when
   * known) as the position of its schema ({@link #SCHEMA_LSN}): a table first created from snapshot
   * rows read after a column was added then knows that changes streamed from before that lack the
   * column are older than its schema (see {@link #ensureColumns(Table, SourceTable, long)}).
   */
  public Table loadOrCreate(SourceTable source, long schemaLsn) {
    return loadOrCreate(
        source, schemaLsn >= 0 ? Map.of(SCHEMA_LSN, Long.toString(schemaLsn)) : Map.of());
  }

  /**
   * Loads the mirror table of a source table, creating it when absent with these table properties
   * in addition to the usual ones (set in the creating commit, so no reader sees the table without
   * them).
   */
  public Table loadOrCreate(SourceTable source, Map<String, String> properties) {
    TableIdentifier id = TableNames.mirror(namespace, source.id());
    Table table;
    try {
      table = catalog.loadTable(id);
    } catch (NoSuchTableException e) {
      return create(
          id,
          source,
          IcebergSchemas.mirrorSchema(source),
          partitionTerms.getOrDefault(source.id(), Collections.emptyList()),
          properties);
    }
    List<String> terms = partitionTerms.getOrDefault(source.id(), Collections.emptyList());
    if (!terms.isEmpty() && table.spec().isUnpartitioned() && table.specs().size() == 1) {
      // Loaded between another writer's creation and its partitioning: finish the partitioning.
      ensureSpec(table, PartitionTerms.parse(id.toString(), terms, table.schema()), terms);
    }
    return table;
  }

  /**
   * Loads the append-only changelog table of a source table, creating it when absent: every change
   * as a row, partitioned by the day of its source commit time.
   */
  public Table loadOrCreateChangelog(SourceTable source) {
    TableIdentifier id = TableNames.changelog(namespace, source.id());
    try {
      Table table = catalog.loadTable(id);
      List<String> terms = List.of("day(" + IcebergSchemas.SOURCE_TS + ")");
      ensureSpec(table, PartitionTerms.parse(id.toString(), terms, table.schema()), terms);
      return table;
    } catch (NoSuchTableException e) {
      return create(
          id,
          source,
          IcebergSchemas.changelogSchema(source),
          List.of("day(" + IcebergSchemas.SOURCE_TS + ")"));
    }
  }

  private Table create(TableIdentifier id, SourceTable source) {
    return create(
        id,
        source,
        IcebergSchemas.mirrorSchema(source),
        partitionTerms.getOrDefault(source.id(), Collections.emptyList()));
  }

  private Table create(TableIdentifier id, SourceTable source, Schema schema, List<String> terms) {
    return create(id, source, schema, terms, Map.of());
  }

  private Table create(
      TableIdentifier id,
      SourceTable source,
      Schema schema,
      List<String> terms,
      Map<String, String> extra) {
    ensureNamespace();
    List<PartitionTerms.Parsed> parsed = PartitionTerms.parse(id.toString(), terms, schema);
    Map<String, String> props = new HashMap<>();
    props.put(TableProperties.FORMAT_VERSION, "2");
    props.put(TableProperties.PARQUET_COMPRESSION, "zstd");
    props.put(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true");
    props.put(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "100");
    props.put(TableProperties.DEFAULT_WRITE_METRICS_MODE, "truncate(16)");
    props.put(INITIAL_LOAD_RUN, runId);
    props.put(SOURCE_TABLE, source.id().qualified());
    props.putAll(extra);
    Table table;
    try {
      // Created unpartitioned first, so that the unpartitioned spec exists: equality deletes
      // written under it apply to every partition (see DeltaWriter).
      table = catalog.createTable(id, schema, PartitionSpec.unpartitioned(), props);
      LOG.info("Created Iceberg table {} for {} with key {}", id, source.id(), source.keyNames());
    } catch (AlreadyExistsException e) {
      table = catalog.loadTable(id);
    } catch (RuntimeException e) {
      // Another writer created it at the same moment; the JDBC catalog reports that as a SQL error.
      if (!catalog.tableExists(id)) {
        throw e;
      }
      table = catalog.loadTable(id);
    }
    ensureSpec(table, parsed, terms);
    table.refresh();
    return table;
  }

  /**
   * Gives a table that was created unpartitioned (and never partitioned since) its configured
   * partition spec. Every writer that creates or first loads the table runs this, so none writes
   * with the creation's unpartitioned spec by mistake; concurrent attempts are retried and the
   * first one wins.
   */
  private static void ensureSpec(
      Table table, List<PartitionTerms.Parsed> parsed, List<String> terms) {
    if (parsed.isEmpty()) {
      return;
    }
    for (int attempt = 1; ; attempt++) {
      try {
        table.refresh();
        if (!table.spec().isUnpartitioned() || table.specs().size() > 1) {
          return;
        }
        UpdatePartitionSpec update = table.updateSpec();
        for (PartitionTerms.Parsed term : parsed) {
          update.addField(term.term());
        }
        update.commit();
        LOG.info("Partitioned {} by {}", table.name(), terms);
      } catch (CommitFailedException e) {
        if (attempt >= MAX_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private void ensureNamespace() {
    if (catalog instanceof SupportsNamespaces) {
      SupportsNamespaces namespaces = (SupportsNamespaces) catalog;
      Namespace ns = Namespace.of(namespace);
      if (!namespaces.namespaceExists(ns)) {
        try {
          namespaces.createNamespace(ns);
        } catch (RuntimeException e) {
          // Created concurrently (the JDBC catalog reports that as a SQL error).
          if (!namespaces.namespaceExists(ns)) {
            throw e;
          }
        }
      }
    }
  }

  /**
   * Makes the table's schema hold every column of the source schema. See {@link
   * #ensureColumns(Table, SourceTable, long)}; a schema without a known position only adds and
   * widens.
   */
  public Table ensureColumns(Table table, SourceTable source) {
    return ensureColumns(table, source, -1L);
  }

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
  public Table ensureColumns(Table table, SourceTable source, long lsn) {
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
      java.util.Set<Integer> dropped = droppedColumns(props);
      Map<String, Integer> renamed = renamedColumns(props);
      long appliedLsn = Long.parseLong(props.getOrDefault(SCHEMA_LSN, "-1"));
      boolean current = lsn >= 0 && lsn >= appliedLsn;
      List<Types.NestedField> all = dataFields(schema);
      List<Types.NestedField> live = new ArrayList<>();
      for (Types.NestedField field : all) {
        if (!dropped.contains(field.fieldId())) {
          live.add(field);
        }
      }
      Types.NestedField[] matched;
      java.util.Set<Integer> claimed = new java.util.HashSet<>();
      // Field id -> its new name (renamed at the source, or moved aside for a reused name).
      Map<Integer, String> renames = new java.util.LinkedHashMap<>();
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
        java.util.Set<String> taken = new java.util.HashSet<>(names);
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
        org.apache.iceberg.Transaction tx = table.newTransaction();
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
        org.apache.iceberg.UpdateProperties properties = tx.updateProperties();
        for (Map.Entry<Integer, String> rename : renames.entrySet()) {
          properties.set(
              RENAMED_PREFIX + schema.findField(rename.getKey()).name(),
              Integer.toString(rename.getKey()));
        }
        if (!drops.isEmpty()) {
          java.util.Set<Integer> allDropped = new java.util.TreeSet<>(dropped);
          for (Types.NestedField field : drops) {
            allDropped.add(field.fieldId());
          }
          StringBuilder ids = new StringBuilder();
          for (Integer id : allDropped) {
            ids.append(ids.length() == 0 ? "" : ",").append(id);
          }
          properties.set(DROPPED_COLUMNS, ids.toString());
        }
        if (lsn > appliedLsn) {
          properties.set(SCHEMA_LSN, Long.toString(lsn));
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
  static String asideName(String name, int fieldId, java.util.Set<String> taken) {
    String base = name + "__dropped_" + fieldId;
    String candidate = base;
    for (int n = 2; taken.contains(candidate); n++) {
      candidate = base + "_" + n;
    }
    return candidate;
  }

  /**
   * Pairs the unmatched source columns with the unmatched live columns between two matched ones
   * (see {@link #ensureColumns(Table, SourceTable, long)}), setting the renamed ones in {@code
   * matched}.
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

  /** The field ids of columns dropped at the source (kept in the table, no longer filled). */
  public static java.util.Set<Integer> droppedColumns(Map<String, String> properties) {
    java.util.Set<Integer> ids = new java.util.HashSet<>();
    String value = properties.get(DROPPED_COLUMNS);
    if (value != null && !value.isEmpty()) {
      for (String id : value.split(",")) {
        ids.add(Integer.parseInt(id.trim()));
      }
    }
    return ids;
  }

  /** Former column names and the field id each now names. */
  public static Map<String, Integer> renamedColumns(Map<String, String> properties) {
    Map<String, Integer> renamed = new HashMap<>();
    for (Map.Entry<String, String> e : properties.entrySet()) {
      if (e.getKey().startsWith(RENAMED_PREFIX)) {
        renamed.put(e.getKey().substring(RENAMED_PREFIX.length()), Integer.parseInt(e.getValue()));
      }
    }
    return renamed;
  }
}
