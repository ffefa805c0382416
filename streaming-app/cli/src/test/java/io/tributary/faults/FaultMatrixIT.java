package io.tributary.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short version of {@code tributary faults}: the job's process halted at the worst moment of a
 * commit (after the first table of a checkpoint, before the others), and the source's postmaster
 * killed with SIGKILL, while the workload streams; after each, the lake equals the source (checked
 * twice, a few checkpoints apart, changelog tables included), with nothing lost or duplicated.
 */
class FaultMatrixIT {
  @TempDir Path dir;

  @Test
  void aJobHaltedMidCommitAndACrashedSourceLoseAndDuplicateNothing() throws Exception {
    List<CellResult> results =
        FaultMatrix.results(
            dir, true, List.of("job-halt-commit/streaming", "source-crash/streaming"), System.out);

    assertThat(results).hasSize(2);
    assertThat(results)
        .allSatisfy(
            r -> {
              assertThat(r.clean()).as(FaultReport.line(r) + "\n" + r.differences).isTrue();
              assertThat(r.recoverMillis).as("a commit after the fault").isPositive();
              assertThat(r.transactions).as("the workload ran").isGreaterThan(100);
            });
    assertThat(results.get(0).jobStarts).as("the halted job was started again").isEqualTo(2);
  }
}
