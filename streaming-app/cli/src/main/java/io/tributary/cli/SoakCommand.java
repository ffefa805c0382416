package io.tributary.cli;

import io.tributary.local.Soak;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary soak}: the demo workload at full rate for a while, heap and lag per minute. */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description =
        "Run the demo workload as fast as its connections commit it against the job on the local"
            + " stack, and print per minute the heap after a full collection, checkpoint durations"
            + " and end-to-end lag (p50, p99); at the end the lake must equal the source. Exit code"
            + " 0 when it does.")
final class SoakCommand implements Callable<Integer> {
  @Option(
      names = "--minutes",
      description = "how long the workload runs (default: ${DEFAULT-VALUE})")
  int minutes = 10;

  @Option(
      names = "--window-seconds",
      description = "length of one reported window (default: ${DEFAULT-VALUE})")
  int windowSeconds = 60;

  @Option(
      names = "--connections",
      description =
          "connections the workload runs on at once, each unthrottled (default: ${DEFAULT-VALUE})")
  int connections = 1;

  @Option(names = "--workdir", description = "working folder (default: a new temporary folder)")
  Path workdir;

  @Option(
      names = "--output",
      description = "write the figures into this page's soak section (e.g. docs/reliability.md)")
  Path output;

  @Override
  public Integer call() throws Exception {
    if (minutes < 1 || windowSeconds < 5 || connections < 1 || connections > 64) {
      System.err.println(
          "soak: --minutes must be at least 1, --window-seconds at least 5 and --connections"
              + " from 1 to 64");
      return 2;
    }
    Path dir = workdir != null ? workdir : Files.createTempDirectory("tributary-soak");
    return Soak.run(dir, minutes, windowSeconds, connections, output, System.out);
  }
}
