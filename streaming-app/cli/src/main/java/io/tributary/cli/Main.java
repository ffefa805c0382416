package io.tributary.cli;

import io.tributary.catalog.CatalogSpec;
import io.tributary.catalog.CatalogSpecs;
import io.tributary.config.ConfigException;
import io.tributary.config.ConfigLoader;
import io.tributary.config.TributaryConfig;
import io.tributary.deadletter.DeadLetters;
import io.tributary.job.FlinkMain;
import io.tributary.local.LocalQuery;
import io.tributary.local.LocalRunner;
import io.tributary.local.LocalStack;
import io.tributary.source.SourceNotReadyException;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code tributary} command line, and the job's entry point on Amazon Managed Service for
 * Apache Flink, where it runs with no arguments and reads the application's runtime properties.
 */
@Command(
    name = "tributary",
    mixinStandardHelpOptions = true,
    version = "tributary 0.1.0",
    description = "Moves every change of a PostgreSQL database into Apache Iceberg tables.",
    subcommands = {
      Main.Run.class,
      Main.Local.class,
      Main.Verify.class,
      Main.Preflight.class,
      Main.DeadLetterList.class,
      Main.Query.class,
      Main.Bench.class,
      Main.BenchToast.class,
      Main.BenchCommit.class,
      Main.BenchTables.class,
      Main.Faults.class,
      Main.Maintain.class,
      Main.Backfill.class,
      Main.Orchestrate.class,
      Main.Status.class,
      Main.Rehearse.class,
      SoakCommand.class
    })
public final class Main implements Callable<Integer> {
  /** The default working folder of the local stack. */
  static final String DEFAULT_WORKDIR = ".tributary";

  public static void main(String[] args) throws Exception {
    if (args.length == 0 && System.getenv("TRIBUTARY_CLI") == null) {
      // Managed Flink starts the jar's main class without arguments.
      FlinkMain.main(args);
      return;
    }
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line, with {@code --help} (and {@code --version}) on every subcommand: help wins
   * over a subcommand's required options and exits 0.
   */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main()).setExecutionExceptionHandler(Main::handle);
    for (CommandLine sub : cli.getSubcommands().values()) {
      sub.getCommandSpec().mixinStandardHelpOptions(true);
    }
    return cli;
  }

  private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    if (e instanceof ConfigException
        || e instanceof SourceNotReadyException
        || e instanceof IllegalArgumentException
        || e instanceof io.tributary.local.LocalStackInUseException) {
      cmd.getErr().println("error: " + e.getMessage());
      return 2;
    }
    cmd.getErr().println("error: " + e);
    e.printStackTrace(cmd.getErr());
    return 1;
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  /** {@code tributary run}: the production entry point with a YAML configuration. */
  @Command(name = "run", description = "Run the capture job with a configuration file.")
  static final class Run implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "YAML configuration file")
    Path config;

    @Override
    public Integer call() throws Exception {
      FlinkMain.run(ConfigLoader.fromYaml(config));
      return 0;
    }
  }

  /** {@code tributary preflight}: the source checks the job runs at start, on their own. */
  @Command(
      name = "preflight",
      description =
          "Check that the source can be captured (logical replication, privileges, tables, keys,"
              + " publications, lossy column types); one line per finding, exit code 1 on a"
              + " blocking one. Creates the publications when they are absent, as the job does.")
  static final class Preflight implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "YAML configuration file")
    Path config;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      TributaryConfig c = ConfigLoader.fromYaml(config);
      io.tributary.source.postgres.SourcePreflight preflight =
          new io.tributary.source.postgres.SourcePreflight(c.source(), c.tables());
      java.io.PrintWriter out = spec.commandLine().getOut();
      org.apache.iceberg.catalog.Catalog lake = io.tributary.job.TributaryJob.openLake(c);
      try {
        List<io.tributary.source.CapturedTable> tables =
            preflight
                .lakeAppendOnly(
                    io.tributary.job.TributaryJob.lakeAppendOnly(lake, c.sink().namespace()))
                .run();
        for (String warning : preflight.warnings()) {
          out.println("warning: " + warning);
        }
        for (String reason : refusals(preflight)) {
          out.println("refused: " + reason);
        }
        out.println(
            "ok: "
                + tables.size()
                + " tables can be captured: "
                + tables
                + (preflight.refused().isEmpty()
                    ? ""
                    : "; not captured: " + preflight.refused().keySet()));
        return 0;
      } catch (SourceNotReadyException e) {
        for (String warning : preflight.warnings()) {
          out.println("warning: " + warning);
        }
        java.util.Set<String> refusals = refusals(preflight);
        if (!e.problems().containsAll(refusals)) {
          // Problems of the server or the user: the refusals come on top of them (when no table
          // is left, the refusals are the problems, printed once, below).
          for (String reason : refusals) {
            out.println("refused: " + reason);
          }
        }
        for (String problem : e.problems()) {
          out.println("error: " + problem);
        }
        return 1;
      } finally {
        io.tributary.catalog.CatalogSpec.closeQuietly(lake);
        out.flush();
      }
    }

    /** Every reason a table was refused, once (a name collision refuses two tables for one). */
    private static java.util.Set<String> refusals(
        io.tributary.source.postgres.SourcePreflight preflight) {
      java.util.Set<String> reasons = new java.util.LinkedHashSet<>();
      preflight.refused().values().forEach(reasons::addAll);
      return reasons;
    }
  }

  /** {@code tributary local}: the job on the embedded local stack. */
  @Command(
      name = "local",
      description =
          "Run the job on a local MiniCluster with embedded PostgreSQL, S3 and catalog; resumes"
              + " where the last run stopped.")
  static final class Local implements Callable<Integer> {
    @Option(
        names = "--workdir",
        description = "working folder (default: ${DEFAULT-VALUE})",
        defaultValue = DEFAULT_WORKDIR)
    Path workdir;

    @Option(names = "--config", description = "capture this source (its sink is the local lake)")
    Path config;

    @Option(
        names = "--duration",
        description =
            "stop after SECONDS: stop the demo workload, wait until the lake caught up, then stop with a savepoint")
    Long duration;

    @Option(names = "--no-demo", description = "do not run the demo workload")
    boolean noDemo;

    @Override
    public Integer call() throws Exception {
      return new LocalRunner(workdir, config, duration, !noDemo, System.out).run();
    }
  }

  /** {@code tributary verify}: compares sources with mirror tables. */
  @Command(
      name = "verify",
      description =
          "Compare every captured table with its mirror table (row count and a hash of every row);"
              + " exit code 0 only when all are equal, 1 when a table differs, 2 when a table could"
              + " not be compared or none matched.")
  static final class Verify implements Callable<Integer> {
    @CommandLine.Mixin LakeTarget target;

    @Option(names = "--table", description = "check only this table (schema.table or lake name)")
    String table;

    @Override
    public Integer call() throws Exception {
      List<VerifyResult> results =
          target.apply((c, catalog) -> LakeVerifier.verify(c, catalog, table));
      for (VerifyResult result : results) {
        System.out.println(result);
      }
      System.out.println(LakeVerifier.summary(results));
      return LakeVerifier.exitCode(results);
    }
  }

  /** {@code tributary dead-letters}: the changes that could not be written, with the reason. */
  @Command(
      name = "dead-letters",
      description =
          "List the dead letters (changes that could not be written, with table, position, reason"
              + " and values) under <warehouse>/_dead_letters.")
  static final class DeadLetterList implements Callable<Integer> {
    @CommandLine.Mixin LakeTarget target;

    @Option(names = "--table", description = "only this source table (schema.table)")
    String table;

    @Option(names = "--files", description = "list the files only, not their lines")
    boolean filesOnly;

    @Override
    public Integer call() throws Exception {
      target.apply(
          (c, catalog) -> {
            print(catalog);
            return null;
          });
      return 0;
    }

    private void print(CatalogSpec catalog) {
      try (org.apache.iceberg.io.FileIO fileIo = catalog.openFileIo()) {
        List<DeadLetters.DeadLetterFile> files =
            DeadLetters.list(fileIo, catalog.warehouse(), table);
        long lines = 0;
        for (DeadLetters.DeadLetterFile file : files) {
          if (filesOnly) {
            System.out.println(file);
            continue;
          }
          for (String line : DeadLetters.read(fileIo, file.path())) {
            System.out.println(line);
            lines++;
          }
        }
        System.out.println(
            files.isEmpty()
                ? "No dead letters" + (table == null ? "." : " for " + table + ".")
                : files.size() + " files" + (filesOnly ? "." : ", " + lines + " dead letters."));
      }
    }
  }

  /** {@code tributary query}: SQL over the lake of a local stack. */
  @Command(
      name = "query",
      description = "Run SQL over the lake tables of the local stack and print the result.")
  static final class Query implements Callable<Integer> {
    @Option(
        names = "--workdir",
        description = "local stack working folder (default: ${DEFAULT-VALUE})",
        defaultValue = DEFAULT_WORKDIR)
    Path workdir;

    @Parameters(
        index = "0",
        description = "the SQL, e.g. \"SELECT status, count(*) FROM orders GROUP BY status\"")
    String sql;

    @Override
    public Integer call() throws Exception {
      try (LocalStack stack = LocalStack.attachOrStart(workdir)) {
        TributaryConfig c = LocalRunner.localConfigFor(stack, workdir);
        LocalQuery.run(CatalogSpecs.from(c.sink()), c.sink().namespace(), sql, System.out);
      }
      return 0;
    }
  }

  /** {@code tributary bench}: the benchmark program. */
  @Command(
      name = "bench",
      description =
          "Measure snapshot rows/s, streaming changes/s and commit-to-visible latency on the local"
              + " stack, against pg_recvlogical decoding the same WAL; writes docs/benchmarks.md.")
  static final class Bench implements Callable<Integer> {
    @Option(
        names = "--rows",
        defaultValue = "500000",
        description = "rows loaded before the snapshot (default: ${DEFAULT-VALUE})")
    int rows;

    @Option(
        names = "--changes",
        defaultValue = "200000",
        description = "mixed changes while streaming (default: ${DEFAULT-VALUE})")
    int changes;

    @Option(
        names = "--repeat",
        defaultValue = "2",
        description =
            "measured rounds after the warm-up round; each figure is the best round's"
                + " (default: ${DEFAULT-VALUE})")
    int repeat;

    @Option(
        names = "--output",
        defaultValue = "docs/benchmarks.md",
        description = "results file (default: ${DEFAULT-VALUE})")
    Path output;

    @Override
    public Integer call() throws Exception {
      return io.tributary.local.Benchmark.run(rows, changes, repeat, output, System.out);
    }
  }

  /** {@code tributary bench-toast}: the memory benchmark of the writer's stored rows. */
  @Command(
      name = "bench-toast",
      description =
          "Measure the heap while the pipeline snapshots a table with a large text column stored"
              + " out of line, and the cost of updates that leave that column out; against the"
              + " previous behaviour (snapshot rows kept) and REPLICA IDENTITY FULL in the same"
              + " run.")
  static final class BenchToast implements Callable<Integer> {
    @Option(
        names = "--rows",
        defaultValue = "1000000",
        description = "rows loaded before the snapshot (default: ${DEFAULT-VALUE})")
    int rows;

    @Option(
        names = "--updates",
        defaultValue = "100000",
        description = "updates leaving the text column out (default: ${DEFAULT-VALUE})")
    int updates;

    @Option(
        names = "--text-bytes",
        defaultValue = "2048",
        description = "bytes of the text column (default: ${DEFAULT-VALUE})")
    int textBytes;

    @Override
    public Integer call() throws Exception {
      return io.tributary.local.ToastBenchmark.run(rows, updates, textBytes, System.out);
    }
  }

  /** {@code tributary bench-commit}: the commit benchmark of a checkpoint touching many tables. */
  @Command(
      name = "bench-commit",
      description =
          "Measure the commit of one checkpoint that changes many tables, with a delay in front of"
              + " each table commit of the local catalog (a slow catalog such as Glue), with one"
              + " commit thread and with --threads in the same run; writes its section of"
              + " docs/benchmarks.md.")
  static final class BenchCommit implements Callable<Integer> {
    @Option(
        names = "--tables",
        defaultValue = "500",
        description = "tables the checkpoint changes (default: ${DEFAULT-VALUE})")
    int tables;

    @Option(
        names = "--delay-ms",
        defaultValue = "300",
        description =
            "milliseconds slept in front of each table commit (default: ${DEFAULT-VALUE})")
    long delayMs;

    @Option(
        names = "--threads",
        defaultValue = "" + io.tributary.config.SinkConfig.DEFAULT_COMMIT_THREADS,
        description =
            "commit threads measured against one thread (default: ${DEFAULT-VALUE}, the default"
                + " of sink.commit-threads)")
    int threads;

    @Option(
        names = "--repeat",
        defaultValue = "1",
        description =
            "rounds, each committing one checkpoint with 1 thread and one with --threads"
                + " (default: ${DEFAULT-VALUE})")
    int repeat;

    @Option(
        names = "--output",
        defaultValue = "docs/benchmarks.md",
        description = "results file, whose commit section is replaced (default: ${DEFAULT-VALUE})")
    Path output;

    @Override
    public Integer call() throws Exception {
      return io.tributary.local.CommitBenchmark.run(
          tables, delayMs, threads, repeat, output, System.out);
    }
  }

  /** {@code tributary bench-tables}: many small tables against one table of the same rows. */
  @Command(
      name = "bench-tables",
      description =
          "Measure the snapshot of many small tables and changes spread over all of them, against"
              + " one table of the same rows and changes, by the same job in the same run; writes"
              + " its section of docs/benchmarks.md.")
  static final class BenchTables implements Callable<Integer> {
    @Option(
        names = "--tables",
        defaultValue = "200",
        description = "small tables (default: ${DEFAULT-VALUE})")
    int tables;

    @Option(
        names = "--rows-per-table",
        defaultValue = "2000",
        description = "rows of each small table (default: ${DEFAULT-VALUE})")
    int rowsPerTable;

    @Option(
        names = "--changes",
        defaultValue = "100000",
        description = "mixed changes after the snapshot, in all (default: ${DEFAULT-VALUE})")
    int changes;

    @Option(
        names = "--checkpoint-seconds",
        defaultValue = "2",
        description = "checkpoint interval (default: ${DEFAULT-VALUE})")
    int checkpointSeconds;

    @Option(
        names = "--repeat",
        defaultValue = "2",
        description = "measured rounds after the warm-up round (default: ${DEFAULT-VALUE})")
    int repeat;

    @Option(
        names = "--output",
        defaultValue = "docs/benchmarks.md",
        description =
            "results file, whose many-tables section is replaced (default: ${DEFAULT-VALUE})")
    Path output;

    @Override
    public Integer call() throws Exception {
      return io.tributary.local.ManyTablesBenchmark.run(
          tables,
          rowsPerTable,
          changes,
          repeat,
          java.time.Duration.ofSeconds(checkpointSeconds),
          output,
          System.out);
    }
  }

  /** {@code tributary faults}: the fault matrix. */
  @Command(
      name = "faults",
      description =
          "Inject faults (the job killed, the source crashed or restarted, S3, the catalog or the"
              + " source network cut) while a workload runs, one new database per fault, and check"
              + " after each that the lake equals the source: lost and duplicated rows per fault;"
              + " writes docs/reliability.md's table.")
  static final class Faults implements Callable<Integer> {
    @Option(
        names = "--quick",
        description = "shorter outages and a smaller snapshot (the integration test's version)")
    boolean quick;

    @Option(
        names = "--only",
        split = ",",
        description = "run only these faults (ids such as job-kill or job-kill/streaming)")
    List<String> only = new java.util.ArrayList<>();

    @Option(names = "--workdir", description = "working folder (default: a new temporary folder)")
    Path workdir;

    @Option(
        names = "--output",
        description = "write the results table to this file (e.g. docs/reliability-results.md)")
    Path output;

    @Override
    public Integer call() throws Exception {
      Path dir =
          workdir != null ? workdir : java.nio.file.Files.createTempDirectory("tributary-faults");
      return io.tributary.faults.FaultMatrix.run(dir, quick, only, output, System.out);
    }
  }

  /** {@code tributary rehearse}: the AWS deployment against AWS API emulation on this machine. */
  @Command(
      name = "rehearse",
      description =
          "Rehearse the AWS deployment on 127.0.0.1: the deployable jar on a Flink cluster of its"
              + " own processes and the Glue jobs and state machines, configured as Terraform"
              + " configures them, against moto_server (Glue, S3, DynamoDB, Secrets Manager);"
              + " prints one line per stage. Needs moto_server (pip install \"moto[server]\").")
  static final class Rehearse implements Callable<Integer> {
    @Option(
        names = "--log",
        description = "file for the whole output (default: .tributary/logs/rehearsal.log)")
    Path log;

    @Option(names = "--offline", description = "run Maven offline (-o)")
    boolean offline;

    @Override
    public Integer call() throws Exception {
      Path file =
          log != null ? log : SparkJobs.repositoryRoot().resolve(".tributary/logs/rehearsal.log");
      return Rehearsal.run(file, offline, System.out);
    }
  }

  /** {@code tributary maintain}: the maintenance Glue job on the local lake. */
  @Command(
      name = "maintain",
      description =
          "Run table maintenance (compaction applying deletes, manifest rewrite, snapshot expiry,"
              + " orphan cleanup) on the local lake with Spark: [--workdir DIR] [--table T]"
              + " [--target-file-size-bytes N] [--snapshot-retention-hours H]"
              + " [--snapshot-retention-min-count N] [--orphan-min-age-hours H]; all tables"
              + " without --table.")
  static final class Maintain implements Callable<Integer> {
    @CommandLine.Unmatched List<String> arguments = new java.util.ArrayList<>();

    @Override
    public Integer call() throws Exception {
      return SparkJobs.run("maintain", arguments);
    }
  }

  /** {@code tributary backfill}: the backfill Glue job on the local lake. */
  @Command(
      name = "backfill",
      description =
          "Reload one table from its source while the stream runs, with Spark: --table T"
              + " [--workdir DIR] [--parallelism N] [--fetch-size N]; only the keys from K1 to K2"
              + " (inclusive, a one-column key) with [--key-from K1] [--key-to K2].")
  static final class Backfill implements Callable<Integer> {
    @CommandLine.Unmatched List<String> arguments = new java.util.ArrayList<>();

    @Override
    public Integer call() throws Exception {
      return SparkJobs.run("backfill", arguments);
    }
  }

  /**
   * {@code tributary orchestrate}: a state machine of infra/stepfunctions, run locally against the
   * local stack.
   */
  @Command(
      name = "orchestrate",
      description =
          "Run a Step Functions state machine of infra/stepfunctions locally against the local"
              + " stack (running or stopped): maintenance selects the tables whose control-table"
              + " state needs it and maintains them; backfill takes the table's lock, backfills"
              + " and releases it. Glue job runs are the local Spark jobs, notifications go to"
              + " <workdir>/control/notifications.jsonl.")
  static final class Orchestrate implements Callable<Integer> {
    @Parameters(index = "0", description = "maintenance or backfill")
    String machine;

    @Option(
        names = "--workdir",
        description = "local stack working folder (default: ${DEFAULT-VALUE})",
        defaultValue = DEFAULT_WORKDIR)
    Path workdir;

    @Option(names = "--table", description = "the table to backfill (name in the lake)")
    String table;

    @Option(
        names = "--min-data-files",
        defaultValue = "100",
        description =
            "maintain a table once this many data files were added (default: ${DEFAULT-VALUE})")
    long minDataFiles;

    @Option(
        names = "--min-delete-files",
        defaultValue = "20",
        description =
            "maintain a table once this many delete files were added (default: ${DEFAULT-VALUE})")
    long minDeleteFiles;

    @Option(
        names = "--max-concurrency",
        defaultValue = "1",
        description = "tables maintained at the same time (default: ${DEFAULT-VALUE})")
    int maxConcurrency;

    @Override
    public Integer call() throws Exception {
      if (!machine.equals("maintenance") && !machine.equals("backfill")) {
        throw new IllegalArgumentException(
            "no state machine '" + machine + "': use maintenance or backfill");
      }
      if (machine.equals("backfill") && table == null) {
        throw new IllegalArgumentException("orchestrate backfill needs --table T");
      }
      Path wd = workdir.toAbsolutePath();
      try (LocalStack stack = LocalStack.attachOrStart(wd)) {
        stack.writeEndpoints(); // the Spark jobs attach to this stack
        TributaryConfig c = LocalRunner.localConfigFor(stack, wd);
        io.tributary.config.ControlConfig control =
            c.control()
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "the local stack has no control table: run 'npm ci' in infra/local"
                                + " (./tributary does this when Node.js is installed)"));
        io.tributary.local.LocalStepFunctions sfn =
            new io.tributary.local.LocalStepFunctions(
                wd,
                control,
                c.sink().namespace(),
                (job, args) -> {
                  List<String> jobArgs = new java.util.ArrayList<>();
                  jobArgs.add("--workdir");
                  jobArgs.add(wd.toString());
                  args.forEach(
                      (k, v) -> {
                        jobArgs.add(k);
                        jobArgs.add(v);
                      });
                  String command =
                      job.equals(io.tributary.local.LocalStepFunctions.MAINTENANCE_JOB)
                          ? "maintain"
                          : "backfill";
                  int code = SparkJobs.run(command, jobArgs);
                  if (code != 0) {
                    throw new IllegalStateException(
                        "tributary " + command + " " + jobArgs + " ended with exit code " + code);
                  }
                },
                io.tributary.local.LocalStepFunctions.Settings.defaults()
                    .minDataFiles(minDataFiles)
                    .minDeleteFiles(minDeleteFiles)
                    .maxConcurrency(maxConcurrency));
        com.fasterxml.jackson.databind.node.ObjectNode input =
            new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        if (machine.equals("backfill")) {
          input.put("table", table);
        } else {
          input.put("trigger", "orchestrate");
        }
        io.tributary.local.LocalStepFunctions.Execution execution = sfn.run(machine, input);
        System.out.println(
            machine
                + " "
                + execution.status()
                + (execution.error() == null
                    ? ""
                    : ": " + execution.error() + ": " + execution.cause()));
        System.out.println();
        io.tributary.control.TableStates.print(
            io.tributary.control.TableStates.scan(control), java.time.Instant.now(), System.out);
        return execution.status().equals("SUCCEEDED") ? 0 : 1;
      }
    }
  }

  /** {@code tributary status}: the control table, one line per table. */
  @Command(
      name = "status",
      description =
          "Print the control table: per table its status, rows and changes, last commit, files"
              + " and delete files since the last maintenance, dead letters, last maintenance and"
              + " lock.")
  static final class Status implements Callable<Integer> {
    @CommandLine.Mixin LakeTarget target;

    @Override
    public Integer call() throws Exception {
      return target.apply(
          (c, catalog) -> {
            io.tributary.config.ControlConfig control =
                c.control()
                    .orElseThrow(
                        () ->
                            new IllegalArgumentException(
                                "no control table: configure control.table-name (locally: run"
                                    + " 'npm ci' in infra/local)"));
            io.tributary.control.TableStates.print(
                io.tributary.control.TableStates.scan(control),
                java.time.Instant.now(),
                System.out);
            return 0;
          });
    }
  }

  /**
   * The lake a command works on: a deployed capture's configuration file, or the local stack of a
   * working folder (running or stopped).
   */
  static final class LakeTarget {
    @Option(
        names = "--workdir",
        description = "local stack working folder (default: ${DEFAULT-VALUE})",
        defaultValue = DEFAULT_WORKDIR)
    Path workdir;

    @Option(names = "--config", description = "configuration file of a deployed capture")
    Path config;

    /** What a command does with the configuration and the lake's catalog. */
    interface Action<T> {
      T apply(TributaryConfig config, CatalogSpec catalog) throws Exception;
    }

    <T> T apply(Action<T> action) throws Exception {
      if (config != null) {
        TributaryConfig c = ConfigLoader.fromYaml(config);
        return action.apply(c, CatalogSpecs.from(c.sink()));
      }
      try (LocalStack stack = LocalStack.attachOrStart(workdir)) {
        TributaryConfig c = LocalRunner.localConfigFor(stack, workdir);
        return action.apply(c, CatalogSpecs.from(c.sink()));
      }
    }
  }
}
