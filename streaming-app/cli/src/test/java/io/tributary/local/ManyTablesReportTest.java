package io.tributary.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.local.ManyTablesBenchmark.Run;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManyTablesReportTest {
  private static Run run(double snapshot, double stream, double heap, int threads, double... cp) {
    Run r = new Run();
    r.snapshotSeconds = snapshot;
    r.streamSeconds = stream;
    r.equal = true;
    r.idleHeapMb = heap;
    r.idleThreads = threads;
    for (double c : cp) {
      r.idleCheckpointMillis.add(c);
    }
    return r;
  }

  @Test
  void eachRoundHasItsRatiosAndItsIdleFigures() {
    Run many = run(40, 20, 612.4, 180, 30, 50, 90);
    Run one = run(8, 4, 210.0, 95);
    String md =
        new ManyTablesReport(
                1000,
                200,
                2000,
                1,
                Duration.ofSeconds(2),
                new double[] {0.5, 8.0},
                new double[] {10.0, 1.0})
            .markdown("m", List.<Run[]>of(new Run[] {many, one}), List.of("1.0, 2.0, 3.0"));
    assertThat(md)
        .contains("| 1 | 5,000 rows/s (40.0 s) | 25,000 rows/s (8.0 s) | 5.00x |")
        .contains(
            "Mean of the rounds' ratios (time for 1000 tables / time for one table):"
                + " snapshot 5.00x, changes 5.00x.")
        .contains("each job stayed idle for 20 s")
        .contains("| 1 | 50 / 90 (3) | - (0) | 612 MB | 210 MB | 180 | 95 |");
  }
}
