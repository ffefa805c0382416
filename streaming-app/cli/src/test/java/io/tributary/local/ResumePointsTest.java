package io.tributary.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.MasterState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResumePointsTest {
  private static final ClassLoader LOADER = ResumePointsTest.class.getClassLoader();

  @TempDir Path workdir;

  @Test
  void aCheckpointWhoseMetadataWasCutShortIsPassedOverForTheNextOlderOne() throws IOException {
    Path older = checkpoint("job1/chk-7", metadata(7), 1_000);
    byte[] whole = metadata(8);
    checkpoint("job1/chk-8", Arrays.copyOf(whole, whole.length / 2), 2_000);
    checkpoint("job1/chk-9", new byte[0], 3_000);

    assertThat(ResumePoints.newest(workdir, LOADER)).contains(older);
    assertThat(ResumePoints.unreadable(older.resolve("_metadata"), LOADER)).isNull();
    assertThat(
            ResumePoints.unreadable(
                workdir.resolve("flink/checkpoints/job1/chk-8/_metadata"), LOADER))
        .contains("EOFException");
  }

  @Test
  void theNewestReadableOfSavepointAndCheckpointsWins() throws IOException {
    checkpoint("job1/chk-3", metadata(3), 1_000);
    Path savepoint = workdir.resolve("flink/savepoints/savepoint-1");
    Files.createDirectories(savepoint);
    Files.write(savepoint.resolve("_metadata"), metadata(4));
    Files.setLastModifiedTime(savepoint.resolve("_metadata"), FileTime.fromMillis(2_000));
    Files.writeString(workdir.resolve("flink/last-savepoint"), savepoint.toUri().toString());
    assertThat(ResumePoints.newest(workdir, LOADER)).contains(savepoint);

    Path newer = checkpoint("job2/chk-1", metadata(1), 3_000);
    assertThat(ResumePoints.newest(workdir, LOADER)).contains(newer);
  }

  @Test
  void nothingReadableMeansAFreshStart() throws IOException {
    assertThat(ResumePoints.newest(workdir, LOADER)).isEmpty();
    checkpoint("job1/chk-1", new byte[] {1, 2, 3}, 1_000);
    assertThat(ResumePoints.newest(workdir, LOADER)).isEmpty();
  }

  /** A checkpoint's metadata as Flink writes it, with one master state so it has a body. */
  private static byte[] metadata(long id) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Checkpoints.storeCheckpointMetadata(
        new CheckpointMetadata(
            id, List.of(), List.of(new MasterState("coordinator", new byte[256], 1))),
        new DataOutputStream(bytes));
    return bytes.toByteArray();
  }

  private Path checkpoint(String name, byte[] metadata, long modified) throws IOException {
    Path dir = workdir.resolve("flink/checkpoints").resolve(name);
    Files.createDirectories(dir);
    Files.write(dir.resolve("_metadata"), metadata);
    Files.setLastModifiedTime(dir.resolve("_metadata"), FileTime.fromMillis(modified));
    return dir;
  }
}
