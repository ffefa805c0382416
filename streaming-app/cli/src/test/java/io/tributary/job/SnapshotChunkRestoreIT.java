package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.config.TableSelection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Snapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job stopped during the initial snapshot and restored from its newest checkpoint, while rows
 * already in the lake are deleted and updated at the source: afterwards the lake equals the source.
 *
 * <p>A chunk of the snapshot reaches the reader in several batches. Were a checkpoint to fall
 * between two of them, the lake would commit part of the chunk while the checkpoint still counts
 * the chunk as unread; after a restore the chunk is read again from a later position, and the
 * changes between the two reads of rows of the first part (here: deletes) would never be applied.
 * So every commit during the snapshot must hold whole chunks: with keys 1..n and chunks of {@code
 * CHUNK} keys, each snapshot of the table holds a multiple of {@code CHUNK} rows.
 */
class SnapshotChunkRestoreIT {
  private static final int ROWS = 100_000;
  private static final int CHUNK = 10_000;

  @TempDir static Path workdir;
  private static ItStack it;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, "it_chunkrestore");
    it.sql(
        "CREATE TABLE big (id int PRIMARY KEY, v text, n int)",
        "INSERT INTO big SELECT g, 'value ' || g, g FROM generate_series(1, " + ROWS + ") g",
        // With statistics, Flink CDC splits evenly distributed keys into chunks of exactly CHUNK.
        "ANALYZE big",
        "CREATE TABLE small (id int PRIMARY KEY, v text)",
        "INSERT INTO small SELECT g, 's' || g FROM generate_series(1, 50) g");
    it.configure(
        TableSelection.builder().include("public.*").build(), Duration.ofMillis(300), CHUNK);
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  private static long committedRows() {
    try {
      Snapshot snapshot = it.table("big").currentSnapshot();
      return snapshot == null
          ? 0
          : Long.parseLong(snapshot.summary().getOrDefault("total-records", "0"));
    } catch (RuntimeException e) {
      return 0; // not created yet
    }
  }

  private static List<Long> committedRowCounts() {
    List<Long> counts = new ArrayList<>();
    for (Snapshot snapshot : it.table("big").snapshots()) {
      counts.add(Long.parseLong(snapshot.summary().getOrDefault("total-records", "0")));
    }
    return counts;
  }

  private static String newestCheckpointPath() throws Exception {
    Path dir = workdir.resolve("checkpoints").resolve(it.job.getJobID().toString());
    long newest = it.newestCheckpoint();
    assertThat(newest).as("a completed checkpoint").isPositive();
    Path checkpoint = dir.resolve("chk-" + newest);
    assertThat(Files.exists(checkpoint.resolve("_metadata"))).isTrue();
    return checkpoint.toUri().toString();
  }

  @Test
  void aRestoreDuringTheSnapshotAppliesTheChangesOfRowsAlreadyCommitted() throws Exception {
    it.start(null);
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> committedRows() > 0);
    // Stop as a crash would, keeping the newest checkpoint; the snapshot is not over.
    it.job.cancel().get();
    long committed = committedRows();
    assertThat(committed).as("rows committed when the job stopped").isLessThan(ROWS);
    List<Long> counts = committedRowCounts();
    assertThat(counts)
        .as("rows of each commit during the snapshot, in chunks of %d", CHUNK)
        .allSatisfy(count -> assertThat(count % CHUNK).as("rows %d", count).isZero());

    // Changes to rows already in the lake, and to rows not read yet, while the job is down.
    it.sql(
        "DELETE FROM big WHERE id % 7 = 0",
        "UPDATE big SET n = -n, v = v || '!' WHERE id % 11 = 0",
        "INSERT INTO big SELECT g, 'late ' || g, g FROM generate_series("
            + (ROWS + 1)
            + ", "
            + (ROWS + 100)
            + ") g",
        "DELETE FROM small WHERE id <= 10");
    it.start(newestCheckpointPath());
    // And while the restored job reads the rest of the snapshot.
    it.sql("DELETE FROM big WHERE id % 13 = 0", "UPDATE small SET v = 'u' WHERE id > 40");
    it.awaitEqualAndStayEqual(2, Duration.ofMinutes(4));
    assertThat(committedRowCounts())
        .as("rows of each commit, in chunks of %d, until the first change", CHUNK)
        .startsWith(counts.toArray(new Long[0]));
  }
}
