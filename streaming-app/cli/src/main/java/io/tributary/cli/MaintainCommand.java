package io.tributary.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tributary maintain}: the maintenance Glue job on the local lake. */
@Command(
    name = "maintain",
    description =
        "Run table maintenance (compaction applying deletes, manifest rewrite, snapshot expiry,"
            + " orphan cleanup) on the local lake with Spark: [--workdir DIR] [--table T]"
            + " [--target-file-size-bytes N] [--snapshot-retention-hours H]"
            + " [--snapshot-retention-min-count N] [--orphan-min-age-hours H]; all tables"
            + " without --table.")
final class MaintainCommand implements Callable<Integer> {
  @CommandLine.Unmatched List<String> arguments = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    return SparkJobs.run("maintain", arguments);
  }
}
