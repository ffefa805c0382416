package io.tributary.cli;

import io.tributary.config.SinkConfig;
import io.tributary.local.CommitBenchmark;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary bench-commit}: the commit benchmark of a checkpoint touching many tables. */
@Command(
    name = "bench-commit",
    description =
        "Measure the commit of one checkpoint that changes many tables, with a delay in front of"
            + " each table commit of the local catalog (a slow catalog such as Glue), with one"
            + " commit thread and with --threads in the same run; writes its section of"
            + " docs/benchmarks.md.")
final class BenchCommitCommand implements Callable<Integer> {
  @Option(
      names = "--tables",
      defaultValue = "500",
      description = "tables the checkpoint changes (default: ${DEFAULT-VALUE})")
  int tables;

  @Option(
      names = "--delay-ms",
      defaultValue = "300",
      description = "milliseconds slept in front of each table commit (default: ${DEFAULT-VALUE})")
  long delayMs;

  @Option(
      names = "--threads",
      defaultValue = "" + SinkConfig.DEFAULT_COMMIT_THREADS,
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
    return CommitBenchmark.run(tables, delayMs, threads, repeat, output, System.out);
  }
}
