package io.tributary.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short version of {@code tributary faults}: the job's process halted at the worst moment of a
 * commit (after the first table of a checkpoint, before the others), and the disk of the checkpoint
 * folder full until the job's process is killed (and started again once there is space), each while
 * the workload streams; after each, the lake equals the source (checked twice, a few checkpoints
 * apart, changelog tables included), with nothing lost or duplicated.
 */
class FaultMatrixIT {
  @TempDir Path dir;

  @Test
  void aJobHaltedMidCommitAndAFullDiskLoseAndDuplicateNothing() throws Exception {
    List<CellResult> results =
        FaultMatrix.results(
            dir,
            true,
            List.of("job-halt-commit/streaming", "disk-full-crash/streaming"),
            System.out);

    assertThat(results).hasSize(2);
    // The disk-full cell mounts a small file system, which needs root: elsewhere it says why it
    // did not run (the build machines run as root).
    boolean root = "root".equals(System.getProperty("user.name"));
    assertThat(results)
        .filteredOn(r -> root || r.notRun == null)
        .allSatisfy(
            r -> {
              assertThat(r.clean()).as(FaultReport.line(r) + "\n" + r.differences).isTrue();
              assertThat(r.recoverMillis).as("a commit after the fault").isPositive();
              assertThat(r.transactions).as("the workload ran").isGreaterThan(100);
            });
    assertThat(results.get(0).jobStarts).as("the halted job was started again").isEqualTo(2);
    CellResult diskFull = results.get(1);
    if (diskFull.notRun == null) {
      assertThat(diskFull.said)
          .as("the job named the full disk and its folder")
          .contains("is full (")
          .contains("/cells/cell2_disk_full_crash_s/flink/checkpoints");
      assertThat(diskFull.jobStarts).as("started again after the kill").isEqualTo(2);
    } else {
      assertThat(diskFull.notRun).contains("needs root");
    }
  }
}
