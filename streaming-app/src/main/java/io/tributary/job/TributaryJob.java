package io.tributary.job;

import io.tributary.catalog.CatalogSpec;
import io.tributary.catalog.CatalogSpecs;
import io.tributary.change.ChangeEvent;
import io.tributary.change.TableId;
import io.tributary.config.JobConfig;
import io.tributary.config.TableOptions;
import io.tributary.config.TributaryConfig;
import io.tributary.config.TruncateMode;
import io.tributary.control.ControlTableSink;
import io.tributary.metrics.MetricsSpec;
import io.tributary.metrics.TableMetricsSink;
import io.tributary.sink.IcebergCommitterOperator;
import io.tributary.sink.IcebergWriterOperator;
import io.tributary.sink.SinkSpec;
import io.tributary.sink.TableCommit;
import io.tributary.sink.TableCommitSerializer;
import io.tributary.sink.TableNames;
import io.tributary.sink.WriteBatch;
import io.tributary.sink.WriteBatchSerializer;
import io.tributary.source.CapturedTable;
import io.tributary.source.ChangeSource;
import io.tributary.source.postgres.PostgresChangeSource;
import io.tributary.source.postgres.SourcePreflight;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Tributary Flink job: CDC sources, then events keyed by table and key into one Iceberg
 * writer operator, then a single committer, whose per-table commits end in the control table when
 * one is configured.
 *
 * <p>Operator uids ({@code postgres-source*} or {@code mysql-source}, {@code iceberg-writer},
 * {@code iceberg-committer}, and the stateless {@code new-table-watcher} of PostgreSQL) are part of
 * the savepoint format: changing one drops that operator's state on restore. The committer's
 * commits also go to {@code table-metrics}, which publishes the job's metrics, and to {@code
 * commit-events}, which writes the control table; both hold no state.
 */
public final class TributaryJob {
  /** Uid of the writer operator. */
  public static final String WRITER_UID = "iceberg-writer";

  /** Uid of the committer operator. */
  public static final String COMMITTER_UID = "iceberg-committer";

  /** Uid of the operator that looks for new source tables while the job runs (PostgreSQL). */
  public static final String NEW_TABLE_WATCHER_UID = PostgresChangeSource.NEW_TABLE_WATCHER_UID;

  private static final Logger LOG = LoggerFactory.getLogger(TributaryJob.class);

  private TributaryJob() {}

  /**
   * Names the captured tables that have no lake table yet, when others have: tables created at the
   * source since the last run, which are captured from this start (snapshot, then changes).
   */
  private static void logNewTables(
      CatalogSpec catalogSpec, String namespace, List<CapturedTable> tables) {
    Catalog catalog = catalogSpec.open();
    try {
      List<TableId> fresh = new ArrayList<>();
      for (CapturedTable table : tables) {
        TableIdentifier lake =
            table.appendOnly()
                ? TableNames.changelog(namespace, table.id())
                : TableNames.mirror(namespace, table.id());
        if (!catalog.tableExists(lake)) {
          fresh.add(table.id());
        }
      }
      if (!fresh.isEmpty() && fresh.size() < tables.size()) {
        LOG.info(
            "Capturing {} tables new since the last run from this start (initial snapshot, then"
                + " changes): {}",
            fresh.size(),
            fresh);
      }
    } catch (RuntimeException e) {
      LOG.debug("Could not list the lake's tables", e);
    } finally {
      CatalogSpec.closeQuietly(catalog);
    }
  }

  /**
   * Checks the source (see {@link ChangeSource#check}; for PostgreSQL {@link SourcePreflight},
   * which creates the replication slots that do not exist yet) and returns the tables to capture.
   * Only for starting a job.
   */
  public static List<CapturedTable> preflight(TributaryConfig config) {
    return check(config).tables();
  }

  /**
   * What a start captures: the tables the preflight accepted (slots created) and the names of those
   * it refused, which the running job does not report as new tables.
   */
  public static final class Start {
    private final List<CapturedTable> tables;
    private final Set<String> refused;

    Start(List<CapturedTable> tables, Set<String> refused) {
      this.tables = List.copyOf(tables);
      this.refused = Collections.unmodifiableSet(refused);
    }

    /** The tables to capture. */
    public List<CapturedTable> tables() {
      return tables;
    }

    /** Qualified names of the tables the preflight refused. */
    public Set<String> refused() {
      return refused;
    }
  }

  /** Like {@link #preflight}, also returning the tables the preflight refused. */
  public static Start check(TributaryConfig config) {
    ChangeSource.Plan plan;
    Catalog lake = openLake(config);
    try {
      plan =
          ChangeSource.of(config.source())
              .check(config, lakeAppendOnly(lake, config.sink().namespace()));
    } finally {
      CatalogSpec.closeQuietly(lake);
    }
    return new Start(plan.tables(), new TreeSet<>(plan.refused()));
  }

  /** The lake's catalog, or null when it cannot be opened (the check then does without it). */
  public static Catalog openLake(TributaryConfig config) {
    try {
      return CatalogSpecs.from(config.sink()).open();
    } catch (RuntimeException e) {
      LOG.warn(
          "Could not open the lake's catalog to check how tables were captured: {}", e.toString());
      return null;
    }
  }

  /**
   * Whether the lake holds a source table as captured append-only: its changelog table exists and
   * its mirror table does not (see {@link SourcePreflight#lakeAppendOnly}).
   */
  public static Predicate<TableId> lakeAppendOnly(Catalog catalog, String namespace) {
    return id -> {
      if (catalog == null) {
        return false;
      }
      try {
        return catalog.tableExists(TableNames.changelog(namespace, id))
            && !catalog.tableExists(TableNames.mirror(namespace, id));
      } catch (RuntimeException e) {
        LOG.warn("Could not look up the lake tables of {}: {}", id, e.toString());
        return false;
      }
    };
  }

  /** Applies the job's checkpoint settings to a Flink configuration (local runs only). */
  public static void configure(Configuration flink, JobConfig job) {
    flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, job.checkpointInterval());
    if (job.checkpointDir() != null) {
      flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, job.checkpointDir());
    }
  }

  /**
   * Exactly-once, aligned checkpoints that are retained on cancel, whatever the cluster's defaults
   * say.
   */
  static void configureCheckpoints(StreamExecutionEnvironment env, JobConfig job) {
    env.enableCheckpointing(job.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    CheckpointConfig checkpoints = env.getCheckpointConfig();
    checkpoints.setExternalizedCheckpointRetention(
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    checkpoints.setMinPauseBetweenCheckpoints(
        Math.min(1000, job.checkpointInterval().toMillis() / 2));
    checkpoints.setTolerableCheckpointFailureNumber(3);
    // The writer's rounds and the committer's state assume aligned barriers: every change before
    // a barrier is in that checkpoint's files. Unaligned checkpoints (which a cluster or Managed
    // Flink configuration may turn on) would put in-flight changes into channel state instead.
    checkpoints.enableUnalignedCheckpoints(false);
  }

  /** Adds the pipeline to the environment. */
  public static void build(
      StreamExecutionEnvironment env, TributaryConfig config, List<CapturedTable> tables) {
    build(env, config, tables, Set.of());
  }

  /**
   * The parallelism argument of {@link #build(StreamExecutionEnvironment, TributaryConfig, List,
   * java.util.Set, int)} that leaves the source and the writers at the environment's parallelism:
   * on Managed Flink the service's, which autoscaling changes (code that sets a parallelism
   * overrides the service's setting).
   */
  public static final int SERVICE_PARALLELISM = 0;

  /**
   * Adds the pipeline to the environment; {@code refused} names the tables the preflight refused.
   * The source and the writers run at {@code job.parallelism}.
   */
  public static void build(
      StreamExecutionEnvironment env,
      TributaryConfig config,
      List<CapturedTable> tables,
      Set<String> refused) {
    build(env, config, tables, refused, config.job().parallelism());
  }

  /**
   * Adds the pipeline to the environment; {@code refused} names the tables the preflight refused.
   * The source and the writers run at {@code parallelism}, or at the environment's with {@link
   * #SERVICE_PARALLELISM}; the committer and the operators that must run once keep parallelism 1.
   */
  public static void build(
      StreamExecutionEnvironment env,
      TributaryConfig config,
      List<CapturedTable> tables,
      Set<String> refused,
      int parallelism) {
    JobConfig job = config.job();
    configureCheckpoints(env, job);
    forbidGenericTypes(env);

    DataStream<ChangeEvent> events =
        ChangeSource.of(config.source()).addTo(env, config, tables, refused, parallelism);

    Map<TableId, List<String>> partitionTerms = new HashMap<>();
    Set<TableId> changelogs = new HashSet<>();
    Set<TableId> appendOnly = new HashSet<>();
    Set<TableId> keyless = new HashSet<>();
    Set<TableId> truncateIgnored = new HashSet<>();
    for (CapturedTable table : tables) {
      String name = table.id().qualified();
      TableOptions options = config.tables().optionsFor(name);
      if (table.appendOnly()) {
        appendOnly.add(table.id());
        if (table.primaryKey().isEmpty()) {
          keyless.add(table.id());
        }
      } else if (!options.partitionSpec().isEmpty()) {
        partitionTerms.put(table.id(), options.partitionSpec());
      }
      if (options.changelog()) {
        changelogs.add(table.id());
      }
      if (config.tables().truncateFor(name) == TruncateMode.IGNORE) {
        truncateIgnored.add(table.id());
      }
    }
    CatalogSpec catalog = CatalogSpecs.from(config.sink());
    catalog.prepare(config.sink().namespace());
    logNewTables(catalog, config.sink().namespace(), tables);
    SinkSpec sink =
        new SinkSpec(
                catalog,
                config.sink().namespace(),
                partitionTerms,
                changelogs,
                appendOnly,
                truncateIgnored,
                keyless,
                UUID.randomUUID().toString())
            .withCommitThreads(config.sink().commitThreads());

    SingleOutputStreamOperator<WriteBatch> writers =
        events
            .keyBy((KeySelector<ChangeEvent, Integer>) ChangeEvent::routingHash)
            .transform(WRITER_UID, WriteBatchSerializer.typeInfo(), new IcebergWriterOperator(sink))
            .uid(WRITER_UID);
    if (parallelism > 0) {
      writers.setParallelism(parallelism);
    }
    DataStream<TableCommit> commits =
        writers
            .transform(
                COMMITTER_UID, TableCommitSerializer.typeInfo(), new IcebergCommitterOperator(sink))
            .uid(COMMITTER_UID)
            // Never chained to a writer (as it would be at parallelism 1): a writer may wait for
            // the committer to commit a checkpoint (see StoredRows).
            .startNewChain()
            .setParallelism(1)
            .setMaxParallelism(1);
    commits
        .sinkTo(new TableMetricsSink(MetricsSpec.of(config, tables, catalog)))
        .uid(TableMetricsSink.UID)
        .name(TableMetricsSink.UID)
        .setParallelism(1);
    // The commits end in the control table when one is configured (stateless either way).
    (config.control().isPresent()
            ? commits.sinkTo(
                new ControlTableSink(config.control().get(), catalog, config.sink().namespace()))
            : commits.sinkTo(new DiscardingSink<>()))
        .uid("commit-events")
        .setParallelism(1)
        .name("commit-events");
  }

  /**
   * Every record that travels between the job's operators has its own serializer ({@code
   * ChangeEvent}, {@code WriteBatch}, {@code TableCommit}). A type without one would fall back to
   * Kryo silently, in a format that changes with the class; with generic types off, building the
   * job fails instead and names the type.
   */
  public static void forbidGenericTypes(StreamExecutionEnvironment env) {
    Configuration noGenericTypes = new Configuration();
    noGenericTypes.set(PipelineOptions.GENERIC_TYPES, false);
    env.configure(noGenericTypes);
  }
}
