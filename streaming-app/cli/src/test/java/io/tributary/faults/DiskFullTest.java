package io.tributary.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.local.CheckpointFailures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DiskFullTest {
  @Test
  void theCellFindsTheLineTheJobPrintsForAFullDiskAfterTheInjection() {
    String before = "Checkpoint 2 failed: Checkpoint expired. Nothing of it was committed.\n";
    String full =
        CheckpointFailures.describe(
            9, "Failure to finalize checkpoint.", 8, Path.of("/c/flink/checkpoints"), 0);
    String output = "Job abc running\n" + before + "INFO something\n" + full + "\nmore\n";
    assertThat(DiskFull.fullDiskLine(output, 0)).isEqualTo(full);
    assertThat(DiskFull.fullDiskLine(output, output.indexOf(full) + full.length())).isNull();
    assertThat(DiskFull.fullDiskLine("Job abc running\n" + before, 0)).isNull();
  }

  @Test
  void theCheckpointFolderIsTheOneTheCellsJobWritesTo() {
    assertThat(DiskFull.folder(Path.of("/w/cells/c1")))
        .isEqualTo(Path.of("/w/cells/c1/flink/checkpoints"));
  }
}
