package io.tributary.cli;

import io.tributary.local.LocalRunner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary local}: the job on the embedded local stack. */
@Command(
    name = "local",
    description =
        "Run the job on a local MiniCluster with embedded PostgreSQL, S3 and catalog; resumes"
            + " where the last run stopped.")
final class LocalCommand implements Callable<Integer> {
  @Option(
      names = "--workdir",
      description = "working folder (default: ${DEFAULT-VALUE})",
      defaultValue = Main.DEFAULT_WORKDIR)
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
