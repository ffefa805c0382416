package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.catalog.CatalogSpec;
import io.tributary.catalog.CatalogSpecs;
import io.tributary.config.JobConfig;
import io.tributary.config.Secret;
import io.tributary.config.SourceConfig;
import io.tributary.config.SslMode;
import io.tributary.config.TableSelection;
import io.tributary.config.TributaryConfig;
import io.tributary.local.LocalStack;
import io.tributary.metrics.LocalMetricsReporter;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointConfigOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/** An embedded stack, a source database and a job on a MiniCluster, for integration tests. */
public final class ItStack implements AutoCloseable {
  public final LocalStack stack;
  final String database;
  final Path workdir;
  public TributaryConfig config;
  public CatalogSpec catalog;
  JobClient job;

  public ItStack(Path workdir, String database) throws Exception {
    this.workdir = workdir;
    this.database = database;
    this.stack = LocalStack.start(workdir.resolve("stack"));
    stack.ensureDatabase(database);
  }

  /** Configures the capture of the selected tables with a checkpoint interval and chunk size. */
  public void configure(TableSelection tables, Duration checkpointInterval, int chunkSize) {
    config =
        TributaryConfig.builder()
            .source(
                SourceConfig.builder()
                    .type(SourceConfig.TYPE_POSTGRES)
                    .host("127.0.0.1")
                    .port(stack.postgresPort())
                    .database(database)
                    .user(stack.superuser())
                    .password(Secret.none())
                    .sslMode(SslMode.DISABLE)
                    .snapshotChunkSize(chunkSize)
                    .build())
            .tables(tables)
            .sink(stack.sink(database))
            .job(
                JobConfig.builder()
                    .checkpointInterval(checkpointInterval)
                    .parallelism(2)
                    .sourcePollInterval(Duration.ofSeconds(1))
                    .build())
            .control(stack.control().orElse(null))
            .build();
    catalog = CatalogSpecs.from(config.sink());
  }

  public JobClient start(String restoreFrom) throws Exception {
    return start(restoreFrom, false);
  }

  /**
   * Starts the job, from a savepoint when given; {@code allowNonRestoredState} lets the restore
   * skip state of operators the job no longer has (a source group left without tables).
   */
  JobClient start(String restoreFrom, boolean allowNonRestoredState) throws Exception {
    TributaryJob.Start checked = TributaryJob.check(config);
    Configuration flink = new Configuration();
    flink.set(
        CheckpointingOptions.CHECKPOINTS_DIRECTORY,
        workdir.resolve("checkpoints").toUri().toString());
    if (restoreFrom != null) {
      flink.set(SavepointConfigOptions.SAVEPOINT_PATH, restoreFrom);
      flink.set(SavepointConfigOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, allowNonRestoredState);
    }
    LocalMetricsReporter.configure(flink);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    env.setParallelism(2);
    TributaryJob.build(env, config, checked.tables(), checked.refused());
    job = env.executeAsync(database);
    return job;
  }

  /** Stops the running job with a savepoint under the work directory and returns its path. */
  public String stopWithSavepoint() throws Exception {
    return job.stopWithSavepoint(
            false, workdir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
        .get(2, TimeUnit.MINUTES);
  }

  public void sql(String... statements) throws SQLException {
    try (Connection c = stack.connect(database)) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        for (String s : statements) {
          st.execute(s);
        }
      }
      c.commit();
    }
  }

  public void awaitEqual(int tables, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              List<VerifyResult> results = LakeVerifier.verify(config, catalog, null);
              assertThat(results).hasSize(tables);
              assertThat(results).allSatisfy(r -> assertThat(r.equal()).as(r.toString()).isTrue());
            });
  }

  /**
   * After a restart: waits until the lake equals the source (changelog tables included, where a
   * replayed commit shows as a change held twice), then lets a few more checkpoints complete and
   * verifies once more, so that a late replay or a commit of stale files after the first EQUAL is
   * caught too.
   */
  void awaitEqualAndStayEqual(int tables, Duration atMost) throws Exception {
    awaitEqual(tables, atMost);
    long first = newestCheckpoint();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> newestCheckpoint() >= first + 3);
    List<VerifyResult> results = LakeVerifier.verify(config, catalog, null);
    assertThat(results).hasSize(tables);
    assertThat(results)
        .allSatisfy(r -> assertThat(r.equal()).as("3 checkpoints later: " + r).isTrue());
  }

  /** The number of the newest completed checkpoint of the running job, or 0. */
  long newestCheckpoint() throws Exception {
    Path dir = workdir.resolve("checkpoints").resolve(job.getJobID().toString());
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(name -> name.startsWith("chk-"))
          .filter(name -> Files.exists(dir.resolve(name).resolve("_metadata")))
          .mapToLong(name -> Long.parseLong(name.substring(4)))
          .max()
          .orElse(0);
    }
  }

  Table table(String name) {
    Catalog c = catalog.open();
    try {
      return c.loadTable(TableIdentifier.of(database, name));
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      if (job != null && !job.getJobStatus().get().isTerminalState()) {
        job.cancel().get();
      }
    } catch (IllegalStateException e) {
      // The job ended already, and its local cluster with it.
    } finally {
      stack.close();
    }
  }
}
