package io.tributary.cli;

import io.tributary.local.Benchmark;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary bench}: the benchmark program. */
@Command(
    name = "bench",
    description =
        "Measure snapshot rows/s, streaming changes/s and commit-to-visible latency on the local"
            + " stack, against pg_recvlogical decoding the same WAL; writes docs/benchmarks.md.")
final class BenchCommand implements Callable<Integer> {
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
    return Benchmark.run(rows, changes, repeat, output, System.out);
  }
}
