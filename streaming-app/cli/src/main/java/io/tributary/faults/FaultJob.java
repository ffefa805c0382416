package io.tributary.faults;

import io.tributary.config.JobConfig;
import io.tributary.config.Secret;
import io.tributary.config.SourceConfig;
import io.tributary.config.SslMode;
import io.tributary.config.TableOptions;
import io.tributary.config.TableSelection;
import io.tributary.config.TributaryConfig;
import io.tributary.job.TributaryJob;
import io.tributary.local.CheckpointFailures;
import io.tributary.local.LocalRunner;
import io.tributary.local.LocalStack;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job of one cell of the fault matrix, in a process of its own so that the matrix can kill it:
 * the production pipeline on a MiniCluster, talking to the source, the catalog and S3 through the
 * matrix's forwarders, resuming from the newest retained checkpoint of its folder on every start,
 * with the restart strategy Flink applies to a checkpointed job when the cluster sets none
 * (exponential delay, unlimited attempts).
 */
public final class FaultJob {
  static final String SETTINGS = "job.properties";

  /** A file whose appearance makes the job kill one of its task managers. */
  static final String KILL_TASK_MANAGER = "kill-task-manager";

  private FaultJob() {}

  /** Writes the settings a cell's job reads from its folder. */
  static void writeSettings(Path workdir, Properties settings) throws IOException {
    Files.createDirectories(workdir);
    try (Writer w = Files.newBufferedWriter(workdir.resolve(SETTINGS))) {
      settings.store(w, "Fault matrix cell");
    }
  }

  /** The configuration of a cell: its database, slot and namespace, through the forwarders. */
  static TributaryConfig config(Properties p) {
    String database = p.getProperty("database");
    return TributaryConfig.builder()
        .source(
            SourceConfig.builder()
                .type(SourceConfig.TYPE_POSTGRES)
                .host("127.0.0.1")
                .port(Integer.parseInt(p.getProperty("source.port")))
                .database(database)
                .user(SourceServer.SUPERUSER)
                .password(Secret.none())
                .sslMode(SslMode.DISABLE)
                .slotName("tributary_" + database)
                .publicationName("tributary_" + database)
                .snapshotChunkSize(Integer.parseInt(p.getProperty("chunk-size", "8096")))
                .build())
        .tables(
            TableSelection.builder()
                .include("public.*")
                // Changelog tables, where a commit applied twice would show as a repeated change.
                .option("public.hot", TableOptions.builder().changelog(true).build())
                .option("public.docs", TableOptions.builder().changelog(true).build())
                .build())
        .sink(
            LocalStack.sinkAt(
                database,
                Integer.parseInt(p.getProperty("catalog.port")),
                Integer.parseInt(p.getProperty("s3.port"))))
        .job(
            JobConfig.builder()
                .name("faults-" + database)
                .checkpointInterval(Duration.ofSeconds(3))
                .parallelism(2)
                .sourcePollInterval(Duration.ofSeconds(2))
                .build())
        .build();
  }

  public static void main(String[] args) throws Exception {
    Path workdir = Path.of(args[0]).toAbsolutePath();
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(workdir.resolve(SETTINGS))) {
      p.load(r);
    }
    TributaryConfig config = config(p);
    TributaryJob.Start checked = TributaryJob.check(config);
    Path checkpoints = workdir.resolve("flink/checkpoints");
    Files.createDirectories(checkpoints);
    Configuration flink = new Configuration();
    flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    flink.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 3);
    flink.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(64));
    flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    flink.set(RestOptions.ADDRESS, "127.0.0.1");
    flink.set(RestOptions.PORT, LocalStack.freePort());
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
    flink.set(
        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
        Duration.ofSeconds(1));
    flink.set(
        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
        Duration.ofSeconds(10));
    TributaryJob.configure(flink, config.job());
    flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    Optional<Path> resume = LocalRunner.resumePoint(workdir);
    resume.ifPresent(r -> System.out.println("Resuming from " + r));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    env.setParallelism(2);
    TributaryJob.build(env, config, checked.tables(), checked.refused());
    JobGraph graph = env.getStreamGraph().getJobGraph();
    resume.ifPresent(
        r ->
            graph.setSavepointRestoreSettings(
                SavepointRestoreSettings.forPath(r.toUri().toString(), false)));
    // Two task managers of one slot each, as a small cluster: the matrix kills one of them, and a
    // replacement starts a few seconds later (as a cluster's resource manager would provide).
    MiniClusterConfiguration cluster =
        new MiniClusterConfiguration.Builder()
            .setConfiguration(flink)
            .setNumTaskManagers(2)
            .setNumSlotsPerTaskManager(1)
            .build();
    Path killTaskManager = workdir.resolve(KILL_TASK_MANAGER);
    try (MiniCluster mini = new MiniCluster(cluster)) {
      mini.start();
      JobID id = mini.submitJob(graph).get().getJobID();
      System.out.println("Job " + id + " running");
      CheckpointFailures failures =
          new CheckpointFailures(
              flink.get(RestOptions.PORT), id.toHexString(), checkpoints, System.out);
      for (int round = 0; !mini.getJobStatus(id).get().isGloballyTerminalState(); round++) {
        if (round % 5 == 0) {
          failures.poll();
        }
        if (Files.exists(killTaskManager)) {
          Files.delete(killTaskManager);
          System.out.println("Killing task manager 0");
          mini.terminateTaskManager(0).get();
          Thread.sleep(5000);
          System.out.println("Starting a replacement task manager");
          mini.startTaskManager();
        }
        Thread.sleep(200);
      }
      System.out.println("Job ended: " + mini.getJobStatus(id).get());
      mini.requestJobResult(id).get().toJobExecutionResult(FaultJob.class.getClassLoader());
    }
  }
}
