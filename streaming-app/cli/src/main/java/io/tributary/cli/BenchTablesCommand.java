package io.tributary.cli;

import io.tributary.local.ManyTablesBenchmark;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary bench-tables}: many small tables against one table of the same rows. */
@Command(
    name = "bench-tables",
    description =
        "Measure the snapshot of many small tables and changes spread over all of them, against"
            + " one table of the same rows and changes, by the same job in the same run; writes"
            + " its section of docs/benchmarks.md.")
final class BenchTablesCommand implements Callable<Integer> {
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
    return ManyTablesBenchmark.run(
        tables,
        rowsPerTable,
        changes,
        repeat,
        Duration.ofSeconds(checkpointSeconds),
        output,
        System.out);
  }
}
