package io.tributary.sink;

import io.tributary.change.SourceTable;
import io.tributary.change.TableId;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.UpdatePartitionSpec;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NoSuchTableException;
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
   * Makes the table's schema follow the source schema seen at source position {@code lsn}: see
   * {@link SchemaEvolution#apply}.
   *
   * @throws SchemaChangeException when the change cannot be applied (see there)
   */
  public Table ensureColumns(Table table, SourceTable source, long lsn) {
    return SchemaEvolution.apply(table, source, lsn);
  }

  /** The field ids of columns dropped at the source (kept in the table, no longer filled). */
  public static Set<Integer> droppedColumns(Map<String, String> properties) {
    Set<Integer> ids = new HashSet<>();
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
