package io.tributary.source.postgres;

import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.jdbc.JdbcConnection;
import io.debezium.relational.Table;
import io.debezium.relational.TableId;
import io.debezium.relational.Tables;
import io.debezium.relational.history.TableChanges.TableChange;
import io.debezium.relational.history.TableChanges.TableChangeType;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schemas of all tables a source captures, read from the database's catalog in one pass and
 * kept, so that the enumerator's splitting of N tables reads the catalog once instead of once per
 * table (see {@link TunedPostgresSource.TunedDialect#queryTableSchema}).
 */
final class CapturedSchemas {
  private static final Logger LOG = LoggerFactory.getLogger(CapturedSchemas.class);

  private final PostgresConnectorConfig config;
  private final Map<TableId, TableChange> schemas = new HashMap<>();

  CapturedSchemas(PostgresConnectorConfig config) {
    this.config = config;
  }

  /**
   * The schema of a captured table: the kept one, else all captured tables' schemas read again.
   *
   * @throws IllegalStateException when the table is not in the catalog (or no longer captured)
   */
  synchronized TableChange of(JdbcConnection jdbc, TableId id) {
    TableChange kept = schemas.get(id);
    if (kept != null) {
      return kept;
    }
    readAll(jdbc);
    TableChange read = schemas.get(id);
    if (read == null) {
      throw new IllegalStateException(
          "Table "
              + id
              + " is not in the database's catalog among the captured tables: it was dropped or"
              + " renamed before its snapshot was split");
    }
    return read;
  }

  private void readAll(JdbcConnection jdbc) {
    long started = System.nanoTime();
    Tables tables = new Tables();
    try {
      jdbc.readSchema(
          tables,
          config.databaseName(),
          null,
          config.getTableFilters().dataCollectionFilter(),
          null,
          false);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Reading the schemas of the captured tables of database "
              + config.databaseName()
              + " failed: "
              + e.getMessage(),
          e);
    }
    schemas.clear();
    for (TableId id : tables.tableIds()) {
      Table table = tables.forTable(id);
      schemas.put(id, new TableChange(TableChangeType.CREATE, table));
    }
    LOG.info(
        "Read the schemas of {} captured tables for splitting their snapshots in {} ms",
        schemas.size(),
        (System.nanoTime() - started) / 1_000_000);
  }
}
