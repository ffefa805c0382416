package io.tributary.cli;

import io.tributary.local.ToastBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary bench-toast}: the memory benchmark of the writer's stored rows. */
@Command(
    name = "bench-toast",
    description =
        "Measure the heap while the pipeline snapshots a table with a large text column stored"
            + " out of line, and the cost of updates that leave that column out; against the"
            + " previous behaviour (snapshot rows kept) and REPLICA IDENTITY FULL in the same"
            + " run.")
final class BenchToastCommand implements Callable<Integer> {
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
    return ToastBenchmark.run(rows, updates, textBytes, System.out);
  }
}
