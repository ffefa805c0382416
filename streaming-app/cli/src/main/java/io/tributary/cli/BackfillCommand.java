package io.tributary.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tributary backfill}: the backfill Glue job on the local lake. */
@Command(
    name = "backfill",
    description =
        "Reload one table from its source while the stream runs, with Spark: --table T"
            + " [--workdir DIR] [--parallelism N] [--fetch-size N]; only the keys from K1 to K2"
            + " (inclusive, a one-column key) with [--key-from K1] [--key-to K2].")
final class BackfillCommand implements Callable<Integer> {
  @CommandLine.Unmatched List<String> arguments = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    return SparkJobs.run("backfill", arguments);
  }
}
