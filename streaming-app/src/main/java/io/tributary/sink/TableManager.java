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
    TableIdentifier id = TableNames.mirror(namespace, source.id());
    Table table;
    try {
      table = catalog.loadTable(id);
    } catch (NoSuchTableException e) {
      return create(id, source);
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
   * Makes the table's schema hold every column of the source schema: adds missing columns as
   * optional and widens types Iceberg can widen. Returns the table, refreshed when it changed.
   *
   * @throws SchemaChangeException when a column's type changed in a way Iceberg cannot apply
   */
  public Table ensureColumns(Table table, SourceTable source) {
    for (int attempt = 1; ; attempt++) {
      List<String> missing = new ArrayList<>();
      List<String> widened = new ArrayList<>();
      Schema schema = table.schema();
      for (Column column : source.columns()) {
        String name = IcebergSchemas.fieldName(column.name());
        Types.NestedField field = schema.findField(name);
        Type wanted = IcebergSchemas.icebergType(column.type());
        if (field == null) {
          missing.add(name);
        } else if (!field.type().equals(wanted)) {
          if (IcebergSchemas.canPromote(field.type(), wanted)) {
            widened.add(name);
          } else if (!IcebergSchemas.canPromote(wanted, field.type())) {
            throw new SchemaChangeException(
                source.id(),
                "column '"
                    + name
                    + "' changed from "
                    + field.type()
                    + " to "
                    + wanted
                    + ", which Iceberg cannot apply in place");
          }
          // A narrower source type than the table's (after a widening elsewhere) needs no change.
        }
      }
      if (missing.isEmpty() && widened.isEmpty()) {
        return table;
      }
      try {
        UpdateSchema update = table.updateSchema();
        for (Column column : source.columns()) {
          String name = IcebergSchemas.fieldName(column.name());
          Type wanted = IcebergSchemas.icebergType(column.type());
          if (missing.contains(name)) {
            update.addColumn(name, wanted);
          } else if (widened.contains(name)) {
            update.updateColumn(name, wanted.asPrimitiveType());
          }
        }
        // Keep the metadata columns last.
        for (String name : missing) {
          update.moveBefore(name, IcebergSchemas.OP);
        }
        update.commit();
        LOG.info("Evolved schema of {}: added {}, widened {}", table.name(), missing, widened);
        table.refresh();
        return table;
      } catch (CommitFailedException e) {
        if (attempt >= MAX_ATTEMPTS) {
          throw e;
        }
        table.refresh();
      } catch (IllegalArgumentException e) {
        // Another writer added the same column concurrently: refresh and look again.
        if (attempt >= MAX_ATTEMPTS) {
          throw e;
        }
        table.refresh();
      }
    }
  }
}
