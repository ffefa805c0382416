package io.tributary.cli;

import io.tributary.faults.FaultMatrix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary faults}: the fault matrix. */
@Command(
    name = "faults",
    description =
        "Inject faults (the job killed, the source crashed or restarted, S3, the catalog or the"
            + " source network cut) while a workload runs, one new database per fault, and check"
            + " after each that the lake equals the source: lost and duplicated rows per fault;"
            + " writes docs/reliability.md's table.")
final class FaultsCommand implements Callable<Integer> {
  @Option(
      names = "--quick",
      description = "shorter outages and a smaller snapshot (the integration test's version)")
  boolean quick;

  @Option(
      names = "--only",
      split = ",",
      description = "run only these faults (ids such as job-kill or job-kill/streaming)")
  List<String> only = new ArrayList<>();

  @Option(names = "--workdir", description = "working folder (default: a new temporary folder)")
  Path workdir;

  @Option(
      names = "--output",
      description = "write the results table to this file (e.g. docs/reliability-results.md)")
  Path output;

  @Override
  public Integer call() throws Exception {
    Path dir = workdir != null ? workdir : Files.createTempDirectory("tributary-faults");
    return FaultMatrix.run(dir, quick, only, output, System.out);
  }
}
