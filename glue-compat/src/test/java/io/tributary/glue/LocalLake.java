package io.tributary.glue;

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
import io.tributary.job.TributaryJob;
import io.tributary.local.LocalStack;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointConfigOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.spark.sql.SparkSession;

/**
 * Test fixture: the embedded local stack with one source database, the streaming job on a
 * MiniCluster capturing it, and a Spark session on the same lake.
 */
public final class LocalLake implements AutoCloseable {
  private final Path workdir;
  private final String database;
  private final LocalStack stack;
  private final TributaryConfig config;
  private final CatalogSpec catalogSpec;
  private final Catalog catalog;
  private JobClient job;
  private SparkSession spark;

  private final int parallelism;

  private LocalLake(
      Path workdir,
      String database,
      TableSelection tables,
      int parallelism,
      Duration checkpointInterval)
      throws Exception {
    this.workdir = workdir;
    this.parallelism = parallelism;
    this.database = database;
    this.stack = LocalStack.start(workdir.resolve("stack"));
    stack.ensureDatabase(database);
    this.config =
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
                    .snapshotChunkSize(1000)
                    .build())
            .tables(tables)
            .sink(stack.sink(database))
            .job(
                JobConfig.builder()
                    .checkpointInterval(checkpointInterval)
                    .parallelism(parallelism)
                    .build())
            .control(stack.control().orElse(null))
            .build();
    this.catalogSpec = CatalogSpecs.from(config.sink());
    this.catalog = catalogSpec.open();
  }

  /** Starts the stack with an empty source database. */
  public static LocalLake start(Path workdir, String database, TableSelection tables)
      throws Exception {
    return new LocalLake(workdir, database, tables, 1, Duration.ofSeconds(1));
  }

  /** Starts the stack with an empty source database; the stream runs with this parallelism. */
  public static LocalLake start(
      Path workdir, String database, TableSelection tables, int parallelism) throws Exception {
    return new LocalLake(workdir, database, tables, parallelism, Duration.ofSeconds(1));
  }

  /**
   * Starts the stack with an empty source database; the stream runs with this parallelism and
   * checkpoint interval.
   */
  public static LocalLake start(
      Path workdir,
      String database,
      TableSelection tables,
      int parallelism,
      Duration checkpointInterval)
      throws Exception {
    return new LocalLake(workdir, database, tables, parallelism, checkpointInterval);
  }

  public LocalStack stack() {
    return stack;
  }

  public TributaryConfig config() {
    return config;
  }

  public CatalogSpec catalogSpec() {
    return catalogSpec;
  }

  public String namespace() {
    return config.sink().namespace();
  }

  /** Runs statements in one source transaction. */
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

  /** Starts the streaming job, from a savepoint or checkpoint when given. */
  public void startStream(String restoreFrom) throws Exception {
    Configuration flink = new Configuration();
    flink.set(
        CheckpointingOptions.CHECKPOINTS_DIRECTORY,
        workdir.resolve("checkpoints").toUri().toString());
    if (restoreFrom != null) {
      flink.set(SavepointConfigOptions.SAVEPOINT_PATH, restoreFrom);
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    env.setParallelism(parallelism);
    TributaryJob.build(env, config, TributaryJob.preflight(config));
    job = env.executeAsync("glue-compat-it");
  }

  /** Whether the streaming job was started and has not stopped. */
  public boolean streamRunning() throws Exception {
    return job != null && !job.getJobStatus().get().isTerminalState();
  }

  /** Stops the streaming job with a savepoint and returns its location. */
  public String stopStream() throws Exception {
    String savepoint =
        job.stopWithSavepoint(
                false,
                workdir.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL)
            .get(2, TimeUnit.MINUTES);
    job = null;
    return savepoint;
  }

  /** Waits until every captured table equals its source. */
  public void awaitLakeEqualsSource(int tables) {
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              List<VerifyResult> results = LakeVerifier.verify(config, catalogSpec, null);
              assertThat(results).hasSize(tables);
              assertThat(results).allSatisfy(r -> assertThat(r.equal()).as(r.toString()).isTrue());
            });
  }

  /** Waits until the named mirror table (lake name) equals its source. */
  public void awaitTableEqualsSource(String name) {
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () ->
                assertThat(LakeVerifier.verify(config, catalogSpec, null))
                    .filteredOn(r -> r.table().endsWith("." + name))
                    .singleElement()
                    .satisfies(r -> assertThat(r.equal()).as(r.toString()).isTrue()));
  }

  /** Loads a mirror table through the catalog (not Spark). */
  public Table table(String name) {
    return catalog.loadTable(TableIdentifier.of(namespace(), name));
  }

  /**
   * The data file of the named table holding the most rows: the one a test removes to damage the
   * mirror. The snapshot may commit over several checkpoints, and a file of a few rows would make
   * the damage too small to tell a repair from a coincidence.
   */
  public DataFile largestDataFile(String name) throws IOException {
    DataFile largest = null;
    try (CloseableIterable<FileScanTask> tasks = table(name).newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        if (largest == null || task.file().recordCount() > largest.recordCount()) {
          largest = task.file();
        }
      }
    }
    if (largest == null) {
      throw new IllegalStateException("table " + name + " has no data file");
    }
    return largest;
  }

  /** The Spark session on this lake, created on first use. */
  public SparkSession spark() {
    if (spark == null) {
      System.setProperty("spark.master", "local[2]");
      System.setProperty("spark.ui.enabled", "false");
      spark = SparkSessions.create("glue-compat-it", catalogSpec);
    }
    return spark;
  }

  /**
   * Writes the streaming job's YAML for this lake, as a user of a JDBC catalog would pass it with
   * {@code --config}; the S3 secret key goes to a file next to it.
   */
  public Path writeConfigFile() throws Exception {
    Path secret = workdir.resolve("s3-secret");
    Files.writeString(secret, config.sink().s3().secretAccessKey().resolve());
    String yaml =
        "source:\n"
            + "  host: 127.0.0.1\n"
            + "  port: "
            + stack.postgresPort()
            + "\n"
            + "  database: "
            + database
            + "\n"
            + "  user: "
            + stack.superuser()
            + "\n"
            + "  ssl-mode: disable\n"
            + "tables:\n"
            + "  include: [\"public.*\"]\n"
            + "sink:\n"
            + "  warehouse: "
            + config.sink().warehouse()
            + "\n"
            + "  namespace: "
            + namespace()
            + "\n"
            + "  catalog:\n"
            + "    type: jdbc\n"
            + "    uri: "
            + config.sink().catalog().uri()
            + "\n"
            + "    user: "
            + config.sink().catalog().user()
            + "\n"
            + "  s3:\n"
            + "    endpoint: "
            + config.sink().s3().endpoint()
            + "\n"
            + "    path-style-access: true\n"
            + "    region: us-east-1\n"
            + "    access-key-id: "
            + config.sink().s3().accessKeyId()
            + "\n"
            + "    secret-access-key:\n"
            + "      file: "
            + secret
            + "\n";
    Path file = workdir.resolve("tributary.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Override
  public void close() throws Exception {
    if (spark != null) {
      spark.stop();
    }
    if (job != null && !job.getJobStatus().get().isTerminalState()) {
      job.cancel().get();
    }
    CatalogSpec.closeQuietly(catalog);
    stack.close();
  }
}
