package io.tributary.local;

import io.tributary.catalog.CatalogSpec;
import io.tributary.catalog.CatalogSpecs;
import io.tributary.config.ConfigLoader;
import io.tributary.config.JobConfig;
import io.tributary.config.Secret;
import io.tributary.config.SourceConfig;
import io.tributary.config.SslMode;
import io.tributary.config.TributaryConfig;
import io.tributary.job.TributaryJob;
import io.tributary.metrics.LocalMetricsReporter;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointConfigOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Runs the Tributary job on a Flink MiniCluster against the embedded local stack: the command
 * {@code tributary local}. Resumes from the newest savepoint or retained checkpoint in its working
 * folder, stops with a savepoint on Ctrl-C or after {@code --duration}.
 */
public final class LocalRunner {
  private static final Logger LOG = LoggerFactory.getLogger(LocalRunner.class);

  private final Path workdir;
  private final Path configFile;
  private final Long durationSeconds;
  private final boolean demo;
  private final PrintStream out;
  private volatile JobClient job;
  private volatile DemoWorkload workload;
  private volatile boolean stopping;

  public LocalRunner(
      Path workdir, Path configFile, Long durationSeconds, boolean demo, PrintStream out) {
    this.workdir = workdir.toAbsolutePath();
    this.configFile = configFile;
    this.durationSeconds = durationSeconds;
    this.demo = demo;
    this.out = out;
  }

  /** The configuration of a local run: the demo, or a file whose sink is the local lake. */
  static TributaryConfig localConfig(LocalStack stack, Path configFile) {
    if (configFile != null) {
      TributaryConfig file = ConfigLoader.fromYaml(configFile);
      return file.toBuilder()
          .sink(stack.sink(file.sink().namespace()))
          .control(stack.control().orElse(null))
          .build();
    }
    return TributaryConfig.builder()
        .source(
            SourceConfig.builder()
                .type(SourceConfig.TYPE_POSTGRES)
                .host("127.0.0.1")
                .port(stack.postgresPort())
                .database(DemoDatabase.DATABASE)
                .user(stack.superuser())
                .password(Secret.none())
                .sslMode(SslMode.DISABLE)
                .build())
        .tables(DemoDatabase.selection())
        .sink(stack.sink(DemoDatabase.DATABASE))
        .job(
            JobConfig.builder()
                .checkpointInterval(Duration.ofSeconds(5))
                .parallelism(2)
                // The progress lines show the slot's lag: poll the local server often enough that
                // it moves with the workload (production polls every 30 s).
                .sourcePollInterval(Duration.ofSeconds(2))
                .build())
        .control(stack.control().orElse(null))
        .build();
  }

  /**
   * The configuration that {@code verify} and {@code query} use for a working folder: the file the
   * last {@code local --config} run used, else the demo.
   */
  public static TributaryConfig localConfigFor(LocalStack stack, Path workdir) throws IOException {
    Path recorded = workdir.toAbsolutePath().resolve("config-file");
    Path file = null;
    if (Files.exists(recorded)) {
      file = Path.of(Files.readString(recorded).trim());
    }
    return localConfig(stack, file);
  }

  /** Runs until stopped; returns the process exit code. */
  public int run() throws Exception {
    try (LocalStack stack = LocalStack.start(workdir)) {
      stack.writeEndpoints();
      TributaryConfig config = localConfig(stack, configFile);
      Path recorded = workdir.resolve("config-file");
      if (configFile != null) {
        Files.writeString(recorded, configFile.toAbsolutePath().toString());
      } else {
        Files.deleteIfExists(recorded);
      }
      if (configFile == null) {
        stack.ensureDatabase(DemoDatabase.DATABASE);
        try (Connection c = stack.connect(DemoDatabase.DATABASE)) {
          if (DemoDatabase.create(c, 10)) {
            out.println("Created the demo database '" + DemoDatabase.DATABASE + "'.");
          }
        }
      }
      TributaryJob.Start checked = TributaryJob.check(config);
      Configuration flink = flinkConfiguration(config.job());
      Optional<Path> resume = resumePoint();
      resume.ifPresent(
          p -> {
            flink.set(SavepointConfigOptions.SAVEPOINT_PATH, p.toUri().toString());
            out.println("Resuming from " + p);
          });
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
      env.setParallelism(config.job().parallelism());
      TributaryJob.build(env, config, checked.tables(), checked.refused());
      job = env.executeAsync(config.job().name());
      out.println(
          "Flink web UI: http://127.0.0.1:"
              + flink.get(RestOptions.PORT)
              + "  (job "
              + job.getJobID()
              + ")");
      out.println("Local state: " + workdir + "   Stop with Ctrl-C (a savepoint is taken).");
      if (demo && configFile == null) {
        workload =
            new DemoWorkload(
                () -> {
                  try {
                    return stack.connect(DemoDatabase.DATABASE);
                  } catch (SQLException e) {
                    throw new IllegalStateException(e);
                  }
                },
                20);
        workload.start();
      }
      CatalogSpec catalog = CatalogSpecs.from(config.sink());
      Progress progress = new Progress(catalog, config, checked.tables(), out);
      CheckpointFailures failures =
          new CheckpointFailures(
              flink.get(RestOptions.PORT), job.getJobID().toHexString(), checkpointDir(), out);
      // Ctrl-C and SIGTERM ask the loop below to stop: the savepoint is taken while the JVM still
      // runs normally (Iceberg's worker pool is shut down by a JVM shutdown hook, so a commit made
      // from a shutdown hook fails).
      AtomicBoolean interrupted = new AtomicBoolean();
      Thread main = Thread.currentThread();
      for (String name : new String[] {"INT", "TERM"}) {
        Signal.handle(
            new Signal(name),
            signal -> {
              if (!interrupted.getAndSet(true)) {
                main.interrupt();
              }
            });
      }
      try {
        long deadline =
            durationSeconds == null
                ? Long.MAX_VALUE
                : System.nanoTime() + durationSeconds * 1_000_000_000L;
        while (jobRunning() && !stopping) {
          if (interrupted.get()) {
            Thread.interrupted(); // clear the flag so that stopping can wait
            stop("interrupted");
            break;
          }
          if (System.nanoTime() >= deadline) {
            if (workload != null) {
              workload.close();
              out.println(
                  "Demo workload stopped after "
                      + workload.transactions()
                      + " transactions; waiting for the lake to catch up.");
            }
            waitUntilCaughtUp(config, catalog);
            // The table as the lake ends, under the messages (the last one drawn was older).
            progress.detach();
            progress.print();
            stop("duration reached");
            break;
          }
          if (failures.poll()) {
            progress.detach(); // the table goes on under the message
          }
          progress.print();
          try {
            TimeUnit.SECONDS.sleep(2);
          } catch (InterruptedException e) {
            // Ctrl-C: handled at the top of the loop
          }
        }
        if (!stopping && job.getJobStatus().get().isTerminalState()) {
          job.getJobExecutionResult().get();
        }
      } finally {
        progress.close();
      }
      return 0;
    }
  }

  /** Whether the job still runs; an interrupt (Ctrl-C) while asking only repeats the question. */
  private boolean jobRunning() throws Exception {
    while (true) {
      try {
        return !job.getJobStatus().get().isTerminalState();
      } catch (InterruptedException e) {
        // asked again below; the loop handles the Ctrl-C
      }
    }
  }

  private void waitUntilCaughtUp(TributaryConfig config, CatalogSpec catalog) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      List<VerifyResult> results = LakeVerifier.verify(config, catalog, null);
      if (results.stream().allMatch(VerifyResult::equal)) {
        out.println("The lake has caught up: every table equals its source.");
        return;
      }
      if (results.stream().noneMatch(VerifyResult::different)) {
        // A table verify cannot compare (an append-only table after updates) never turns equal.
        out.println("The lake has caught up: every table verify can compare equals its source.");
        return;
      }
      TimeUnit.SECONDS.sleep(2);
    }
    out.println("The lake did not catch up within 5 minutes; stopping anyway.");
  }

  private synchronized void stop(String why) {
    if (stopping) {
      return;
    }
    stopping = true;
    if (workload != null) {
      workload.close();
    }
    JobClient client = job;
    if (client == null) {
      return;
    }
    try {
      if (client.getJobStatus().get().isTerminalState()) {
        return;
      }
      out.println("Stopping (" + why + ") with a savepoint...");
      String savepoint =
          client
              .stopWithSavepoint(
                  false, savepointDir().toUri().toString(), SavepointFormatType.CANONICAL)
              .get(5, TimeUnit.MINUTES);
      Files.writeString(workdir.resolve("flink/last-savepoint"), savepoint);
      out.println("Savepoint: " + savepoint + "  (the next start resumes from it)");
    } catch (Exception e) {
      LOG.warn("Stop with savepoint failed; the next start resumes from the last checkpoint", e);
    }
  }

  private Path savepointDir() {
    return workdir.resolve("flink/savepoints");
  }

  private Path checkpointDir() {
    return workdir.resolve("flink/checkpoints");
  }

  Configuration flinkConfiguration(JobConfig job) throws IOException {
    Files.createDirectories(savepointDir());
    Files.createDirectories(checkpointDir());
    Configuration flink = new Configuration();
    // Every server of the MiniCluster on the loopback address: the REST endpoint, and the blob
    // server and the data exchange, which bind to the JobManager's and TaskManager's bind hosts
    // (the wildcard address by default).
    flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    flink.set(RestOptions.ADDRESS, "127.0.0.1");
    flink.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
    flink.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
    flink.set(TaskManagerOptions.HOST, "127.0.0.1");
    flink.set(RestOptions.PORT, LocalStack.freePort());
    flink.set(TaskManagerOptions.NUM_TASK_SLOTS, Math.max(1, job.parallelism()));
    flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir().toUri().toString());
    flink.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, savepointDir().toUri().toString());
    flink.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 3);
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
    flink.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(64));
    TributaryJob.configure(flink, job);
    LocalMetricsReporter.configure(flink);
    flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir().toUri().toString());
    return flink;
  }

  /** The newest of the last savepoint and the retained checkpoints, if any. */
  Optional<Path> resumePoint() throws IOException {
    return resumePoint(workdir);
  }

  /**
   * The newest readable one of the last savepoint and the retained checkpoints of a working folder
   * laid out as {@code tributary local} lays it out ({@code flink/checkpoints}, {@code
   * flink/last-savepoint}); see {@link ResumePoints}.
   */
  public static Optional<Path> resumePoint(Path workdir) throws IOException {
    return ResumePoints.newest(workdir, LocalRunner.class.getClassLoader());
  }
}
