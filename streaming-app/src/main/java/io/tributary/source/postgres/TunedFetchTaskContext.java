package io.tributary.source.postgres;

import io.debezium.connector.postgresql.connection.PostgresReplicationConnection;
import io.debezium.connector.postgresql.connection.ReplicationConnection;
import io.debezium.pipeline.EventDispatcher;
import io.debezium.relational.RelationalDatabaseSchema;
import io.debezium.relational.Tables.TableFilter;
import io.debezium.schema.DataCollectionFilters.DataCollectionFilter;
import java.lang.reflect.Field;
import org.apache.flink.cdc.connectors.base.config.JdbcSourceConfig;
import org.apache.flink.cdc.connectors.base.source.meta.offset.Offset;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceSplitBase;
import org.apache.flink.cdc.connectors.postgres.source.PostgresDialect;
import org.apache.flink.cdc.connectors.postgres.source.fetch.PostgresSourceFetchTaskContext;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.source.SourceRecord;

/**
 * Flink CDC's fetch context for PostgreSQL splits, with the per-change lookups of Debezium's WAL
 * reader answered once per table or once per configuration:
 *
 * <ul>
 *   <li>the stream and snapshot tasks get a {@link TunedConnectorConfig} (same properties);
 *   <li>the schema and the event dispatcher that Flink CDC built for the split keep their own table
 *       filters, wrapped in a {@link CachedTableFilter};
 *   <li>each change's stream position is built only when compared ({@link LazyStreamOffset});
 *   <li>a snapshot split's context closes without dropping a backfill slot that was never made
 *       ({@link #close}).
 * </ul>
 */
final class TunedFetchTaskContext extends PostgresSourceFetchTaskContext {
  private static final Field SCHEMA_FILTER = field(RelationalDatabaseSchema.class, "tableFilter");
  private static final Field DISPATCHER_FILTER = field(EventDispatcher.class, "filter");

  /** Whether the split configured last is a snapshot split. */
  private boolean snapshotSplit;

  TunedFetchTaskContext(JdbcSourceConfig config, PostgresDialect dialect) {
    super(config, dialect);
  }

  @Override
  public void configure(SourceSplitBase split) {
    snapshotSplit = split.isSnapshotSplit();
    super.configure(split);
    setDbzConnectorConfig(new TunedConnectorConfig(getDbzConnectorConfig().getConfig()));
    cacheFilter(SCHEMA_FILTER, getDatabaseSchema());
    cacheFilter(DISPATCHER_FILTER, getEventDispatcher());
  }

  /**
   * Closes the split's connections. After a snapshot split, the replication connection is closed
   * without dropping its slot: the source skips the snapshot's backfill (the low watermark is the
   * high watermark), so a snapshot split never connects for replication and never creates the
   * backfill slot that Flink CDC's context drops here, on a new connection of its own, once per
   * split. After a stream split everything is as Flink CDC closes it.
   */
  @Override
  public void close() throws Exception {
    ReplicationConnection replication = getReplicationConnection();
    if (!snapshotSplit || !(replication instanceof PostgresReplicationConnection)) {
      super.close();
      return;
    }
    try {
      if (getConnection() != null) {
        getConnection().close();
      }
    } finally {
      ((PostgresReplicationConnection) replication).close(false);
    }
  }

  @Override
  public Offset getStreamOffset(SourceRecord record) {
    return new LazyStreamOffset(record);
  }

  /** Wraps the table filter held in {@code field} of {@code owner} in a cache. */
  static void cacheFilter(Field field, Object owner) {
    try {
      Object filter = field.get(owner);
      if (filter instanceof TableFilter) {
        field.set(owner, CachedTableFilter.of((TableFilter) filter));
      }
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("Cannot replace Debezium's " + field, e);
    }
  }

  static Field schemaFilterField() {
    return SCHEMA_FILTER;
  }

  static Field dispatcherFilterField() {
    return DISPATCHER_FILTER;
  }

  private static Field field(Class<?> owner, String name) {
    try {
      Field field = owner.getDeclaredField(name);
      if (!TableFilter.class.isAssignableFrom(field.getType())
          && !DataCollectionFilter.class.isAssignableFrom(field.getType())) {
        throw new NoSuchFieldException(name + " is a " + field.getType());
      }
      field.setAccessible(true);
      return field;
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(
          "Debezium's "
              + owner.getName()
              + " has no table filter field '"
              + name
              + "'; TunedFetchTaskContext is written for Debezium 1.9 in"
              + " flink-connector-postgres-cdc 3.5",
          e);
    }
  }
}
