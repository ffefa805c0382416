package io.tributary.source.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.connector.postgresql.Utils;
import io.debezium.connector.postgresql.connection.PostgresConnection;
import io.debezium.jdbc.JdbcConnection;
import io.debezium.relational.TableId;
import io.debezium.relational.history.TableChanges.TableChange;
import io.tributary.config.SslRootCert;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.cdc.connectors.base.config.JdbcSourceConfig;
import org.apache.flink.cdc.connectors.base.config.SourceConfig;
import org.apache.flink.cdc.connectors.base.relational.connection.JdbcConnectionFactory;
import org.apache.flink.cdc.connectors.base.relational.connection.JdbcConnectionPoolFactory;
import org.apache.flink.cdc.connectors.base.source.IncrementalSource;
import org.apache.flink.cdc.connectors.base.source.assigner.state.PendingSplitsState;
import org.apache.flink.cdc.connectors.base.source.meta.offset.Offset;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceRecords;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceSplitBase;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceSplitState;
import org.apache.flink.cdc.connectors.base.source.metrics.SourceReaderMetrics;
import org.apache.flink.cdc.connectors.base.source.reader.external.FetchTask;
import org.apache.flink.cdc.connectors.base.source.reader.external.JdbcSourceFetchTaskContext;
import org.apache.flink.cdc.connectors.postgres.source.PostgresConnectionPoolFactory;
import org.apache.flink.cdc.connectors.postgres.source.PostgresDialect;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder.PostgresIncrementalSource;
import org.apache.flink.cdc.connectors.postgres.source.config.PostgresSourceConfig;
import org.apache.flink.cdc.connectors.postgres.source.config.PostgresSourceConfigFactory;
import org.apache.flink.cdc.connectors.postgres.source.enumerator.PostgresSourceEnumerator;
import org.apache.flink.cdc.connectors.postgres.source.offset.PostgresOffsetFactory;
import org.apache.flink.cdc.connectors.postgres.source.reader.PostgresSourceReader;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Flink CDC's PostgreSQL incremental source with per-record costs of its reader moved off the path
 * that sets the pace of streaming. Same splits, same state, same offsets; only the work done per
 * change differs:
 *
 * <ul>
 *   <li>The record emitter ({@link BatchPositionEmitter}) records the stream position once per
 *       batch of changes instead of once per change: the position is only read at a checkpoint,
 *       which never falls inside a batch. It also recognises schema-change events by their key
 *       schema once, instead of matching a regular expression for every change.
 *   <li>The split fetcher asks for each change's position to decide whether a table is past its
 *       snapshot; once it is, it no longer compares positions. The position is now built only when
 *       it is compared ({@link LazyStreamOffset}).
 *   <li>Debezium's WAL reader looks configuration values up and matches the table against the
 *       include patterns for every change; {@link TunedFetchTaskContext} answers those once.
 * </ul>
 *
 * <p>Its enumerator splits many tables faster: the dialect reads the captured tables' schemas once
 * for all of them ({@link CapturedSchemas}) where Flink CDC reads them all again for each table,
 * and the enumerator's checkpoint state is written while its splitting thread is held off ({@link
 * EnumeratorStateLock}), which splitting at that pace needs.
 *
 * <p>One difference is about values, not cost: snapshot splits are read by {@link
 * TunedScanFetchTask}, whose rows carry the values the WAL reader produces for the same rows
 * ({@link SnapshotRowReader}), where Flink CDC's reader loses precision or fails for some types.
 *
 * <p>Measured with {@code ./tributary bench}; see docs/benchmarks.md.
 */
public final class TunedPostgresSource<T> extends PostgresIncrementalSource<T> {
  private static final long serialVersionUID = 1L;

  /** The lock of the enumerator's table splitting, in the process that runs the enumerator. */
  private final EnumeratorStateLock splittingLock = new EnumeratorStateLock();

  /** The certificate authority Debezium's {@code database.sslrootcert} names, or null. */
  private SslRootCert sslRootCert;

  private TunedPostgresSource(
      PostgresSourceConfigFactory configFactory,
      DebeziumDeserializationSchema<T> deserializer,
      PostgresOffsetFactory offsetFactory,
      PostgresDialect dialect) {
    super(configFactory, deserializer, offsetFactory, dialect);
  }

  /**
   * This source, writing the certificate authority's local file (the path its Debezium properties
   * name) in each process before the enumerator or a reader connects.
   */
  TunedPostgresSource<T> withSslRootCert(SslRootCert sslRootCert) {
    this.sslRootCert = sslRootCert;
    return this;
  }

  private void writeSslRootCert() {
    if (sslRootCert != null) {
      sslRootCert.localFile();
    }
  }

  @Override
  public PostgresSourceEnumerator createEnumerator(
      SplitEnumeratorContext<SourceSplitBase> context) {
    writeSslRootCert();
    return splittingLock.track(super.createEnumerator(context));
  }

  @Override
  public PostgresSourceEnumerator restoreEnumerator(
      SplitEnumeratorContext<SourceSplitBase> context, PendingSplitsState state) {
    writeSslRootCert();
    return splittingLock.track(super.restoreEnumerator(context, state));
  }

  /** The enumerator's state serializer, serializing while the splitting thread is held off. */
  @Override
  public SimpleVersionedSerializer<PendingSplitsState> getEnumeratorCheckpointSerializer() {
    return splittingLock.serializer(super.getEnumeratorCheckpointSerializer());
  }

  @Override
  public PostgresSourceReader createReader(SourceReaderContext context) throws Exception {
    writeSslRootCert();
    return super.createReader(context);
  }

  /**
   * The tuned equivalent of a source built by {@code PostgresSourceBuilder}, whose stream refuses
   * to start behind its slot ({@link SlotPositionCheck}).
   */
  public static <T> TunedPostgresSource<T> of(PostgresIncrementalSource<T> built) {
    return of(built, false, false);
  }

  /**
   * The tuned equivalent of a source built by {@code PostgresSourceBuilder}.
   *
   * @param allowWalGap whether the stream may start behind its slot's confirmed position ({@code
   *     source.allow-wal-gap})
   * @param slotCreatedAtStart whether this start created the slot (it did not exist)
   */
  @SuppressWarnings("unchecked")
  public static <T> TunedPostgresSource<T> of(
      PostgresIncrementalSource<T> built, boolean allowWalGap, boolean slotCreatedAtStart) {
    PostgresSourceConfigFactory configFactory =
        (PostgresSourceConfigFactory) field(built, "configFactory");
    return new TunedPostgresSource<>(
        configFactory,
        (DebeziumDeserializationSchema<T>) field(built, "deserializationSchema"),
        (PostgresOffsetFactory) field(built, "offsetFactory"),
        new TunedDialect(configFactory.create(0), allowWalGap, slotCreatedAtStart));
  }

  private static Object field(IncrementalSource<?, ?> source, String name) {
    try {
      Field field = IncrementalSource.class.getDeclaredField(name);
      field.setAccessible(true);
      Object value = field.get(source);
      if (value == null) {
        throw new IllegalStateException("Flink CDC's source has no " + name);
      }
      return value;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "This Flink CDC version's IncrementalSource has no field "
              + name
              + "; TunedPostgresSource is written for flink-connector-postgres-cdc 3.5",
          e);
    }
  }

  @Override
  protected RecordEmitter<SourceRecords, T, SourceSplitState> createRecordEmitter(
      SourceConfig sourceConfig, SourceReaderMetrics metrics) {
    return new BatchPositionEmitter<>(
        deserializationSchema, metrics, sourceConfig.isIncludeSchemaChanges(), offsetFactory);
  }

  /**
   * The dialect, whose fetch contexts are {@link TunedFetchTaskContext}s and whose snapshot splits
   * are read by {@link TunedScanFetchTask}s, and whose stream starts only after {@link
   * SlotPositionCheck}.
   */
  static final class TunedDialect extends PostgresDialect {
    private static final long serialVersionUID = 1L;

    /** What the watermark connections are for, in Debezium's terms (its "connection usage"). */
    static final String WATERMARK_CONNECTION = "tributary-watermark";

    private final PostgresSourceConfig config;
    private final boolean allowWalGap;
    private final boolean slotCreatedAtStart;

    /** The stream task, whose offsets are committed to the slot at completed checkpoints. */
    private transient CheckedStreamFetchTask streamFetchTask;

    /** The captured tables' schemas, read together (see {@link #queryTableSchema}). */
    private transient CapturedSchemas schemas;

    TunedDialect(PostgresSourceConfig config, boolean allowWalGap, boolean slotCreatedAtStart) {
      super(config);
      this.config = config;
      this.allowWalGap = allowWalGap;
      this.slotCreatedAtStart = slotCreatedAtStart;
    }

    /**
     * The schema of one captured table, for the enumerator's splitting of that table into chunks.
     *
     * <p>Flink CDC reads the schema of every captured table (one catalog query for the columns and
     * one per table for its key) to answer for one table, and keeps only that one: splitting N
     * tables took N such reads, N squared queries in all, about 1 to 3 s per table with 200 tables
     * on a busy machine, one table after the other on the enumerator's single splitting thread,
     * while the readers waited for splits. Here the first question reads them all once and keeps
     * them all; a table not among them (created since, or added to the capture) reads them all
     * again. A table's schema is thus read when the first table is split rather than when its own
     * turn comes; either way it is read before the table's rows are, and the rows and changes carry
     * the schema the reader finds when it reads them ({@link SnapshotSplitReadTask}, the stream's
     * relation messages).
     */
    @Override
    public TableChange queryTableSchema(JdbcConnection jdbc, TableId tableId) {
      if (schemas == null) {
        schemas = new CapturedSchemas(config.getDbzConnectorConfig());
      }
      return schemas.of(jdbc, tableId);
    }

    /**
     * The server's current WAL position and transaction, as Flink CDC reads them (the low watermark
     * of each snapshot split, the stream's start), on a pooled connection without Debezium's type
     * registry.
     *
     * <p>Flink CDC opens a connection with a value converter for this, and each such connection
     * loads the server's whole type catalog before it runs the two queries: with 200 tables of
     * 2,000 rows (one small split each), 30 ms on average of the 450 ms a reader spent per split, 9
     * ms this way. The queries, the commit and the offset are Flink CDC's own ({@code
     * Utils.currentOffset}); only the connection differs.
     */
    @Override
    public Offset displayCurrentOffset(JdbcSourceConfig sourceConfig) {
      PostgresConnectorConfig dbz = ((PostgresSourceConfig) sourceConfig).getDbzConnectorConfig();
      try (PostgresConnection jdbc =
          new PostgresConnection(
              dbz.getJdbcConfig(),
              null,
              WATERMARK_CONNECTION,
              new JdbcConnectionFactory(sourceConfig, getPooledDataSourceFactory()))) {
        return Utils.currentOffset(jdbc);
      }
    }

    @Override
    public JdbcSourceFetchTaskContext createFetchTaskContext(JdbcSourceConfig config) {
      return new TunedFetchTaskContext(config, this);
    }

    @Override
    public JdbcConnectionPoolFactory getPooledDataSourceFactory() {
      return new PoolFactory();
    }

    @Override
    public FetchTask<SourceSplitBase> createFetchTask(SourceSplitBase split) {
      if (split.isSnapshotSplit()) {
        return new TunedScanFetchTask(split.asSnapshotSplit());
      }
      streamFetchTask =
          new CheckedStreamFetchTask(split.asStreamSplit(), allowWalGap, slotCreatedAtStart);
      return streamFetchTask;
    }

    /**
     * Commits the completed checkpoint's stream position to the slot, and nothing else.
     *
     * <p>Flink CDC's dialect also commits when the checkpoint holds no stream position (a
     * checkpoint taken during the snapshot, whose completion is acknowledged a few checkpoints
     * later once the stream runs); its stream task then confirms the position it has read up to,
     * which no checkpoint holds. A restore from the latest checkpoint would then ask for a position
     * behind the slot, and PostgreSQL would skip the changes in between. Here such a checkpoint
     * confirms nothing; the next one that holds a position does.
     */
    @Override
    public void notifyCheckpointComplete(long checkpointId, Offset offset) throws Exception {
      if (streamFetchTask != null && offset != null) {
        streamFetchTask.commitCurrentOffset(offset);
      }
    }
  }

  /**
   * Flink CDC's connection pool (the connections of the snapshot's chunk queries and split reads),
   * with the connection settings Debezium's own connections get from the {@code database.*}
   * properties: the TLS settings ({@code sslmode}, {@code sslrootcert}; Flink CDC's pool leaves
   * them out, so its connections would use the driver's default {@code prefer}, without checking
   * the server's certificate) and the password plugin ({@link SecretPasswordPlugin}).
   */
  static final class PoolFactory extends PostgresConnectionPoolFactory {
    private static final String PREFIX = "database.";

    @Override
    public HikariDataSource createPooledDataSource(JdbcSourceConfig config) {
      HikariConfig pool = new HikariConfig();
      pool.setPoolName(CONNECTION_POOL_PREFIX + config.getHostname() + ":" + config.getPort());
      pool.setJdbcUrl(getJdbcUrl(config));
      pool.setUsername(config.getUsername());
      pool.setPassword(config.getPassword());
      pool.setMinimumIdle(MINIMUM_POOL_SIZE);
      pool.setMaximumPoolSize(config.getConnectionPoolSize());
      pool.setConnectionTimeout(config.getConnectTimeout().toMillis());
      pool.setDriverClassName(config.getDriverClassName());
      driverProperties(config.getDbzProperties()).forEach(pool::addDataSourceProperty);
      return new HikariDataSource(pool);
    }

    /** The driver properties among a source's Debezium properties that the pool must share. */
    static Map<String, String> driverProperties(Properties debezium) {
      Map<String, String> driver = new TreeMap<>();
      for (String key : debezium.stringPropertyNames()) {
        if (!key.startsWith(PREFIX)) {
          continue;
        }
        String name = key.substring(PREFIX.length());
        if (name.startsWith("ssl")
            || name.equals(SecretPasswordPlugin.CLASS_PROPERTY)
            || name.equals(SecretPasswordPlugin.SECRET_PROPERTY)) {
          driver.put(name, debezium.getProperty(key));
        }
      }
      return driver;
    }
  }
}
