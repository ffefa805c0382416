package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.config.TableSelection;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database outage in the middle of the initial snapshot: every connection of the job is killed
 * after some snapshot chunks were committed. The job restarts from its last checkpoint, and the
 * lake ends equal to the source with no duplicate and no delete file written by the snapshot.
 */
class SnapshotFailureIT {
  private static final int ROWS = 300_000;

  @TempDir static Path workdir;
  private static ItStack it;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, "it_failure");
    it.sql(
        "CREATE TABLE big (id bigint PRIMARY KEY, a integer, b text, c numeric(12,2), d timestamp)",
        "INSERT INTO big SELECT g, g % 1000, md5(g::text), g / 100.0, timestamp '2024-01-01' +"
            + " g * interval '1 second' FROM generate_series(1, "
            + ROWS
            + ") g");
    it.configure(
        TableSelection.builder().include("public.big").build(), Duration.ofMillis(800), 5000);
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  private static long committedRows() {
    try {
      Table table = it.table("big");
      Snapshot s = table.currentSnapshot();
      return s == null ? 0 : Long.parseLong(s.summary().get("total-records"));
    } catch (RuntimeException e) {
      return 0;
    }
  }

  @Test
  void outageDuringSnapshotLosesAndDuplicatesNothing() throws Exception {
    it.start(null);
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> committedRows() > 0);
    long before = committedRows();
    List<Long> beforeOutage = new ArrayList<>();
    for (Snapshot s : it.table("big").snapshots()) {
      beforeOutage.add(s.snapshotId());
    }
    try (Connection c = it.stack.connect("postgres");
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'it_failure'"
              + " AND pid <> pg_backend_pid()");
    }
    // Equal, and still equal a few checkpoints later: no late commit of files from before.
    it.awaitEqualAndStayEqual(1, Duration.ofMinutes(3));
    assertThat(before).as("the outage came in the middle of the snapshot").isLessThan(ROWS);
    // Before the outage the snapshot wrote data files only; after the restore its rows are
    // upserts, whose equality deletes replace the rows of chunks that are read a second time.
    Table big = it.table("big");
    for (long id : beforeOutage) {
      assertThat(big.snapshot(id).summary()).doesNotContainKey("added-delete-files");
    }

    it.sql("UPDATE big SET a = -1 WHERE id % 1000 = 0", "DELETE FROM big WHERE id % 999 = 0");
    it.awaitEqual(1, Duration.ofMinutes(2));
  }
}
