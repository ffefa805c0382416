package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.config.TableSelection;
import io.tributary.sink.TableManager;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A column renamed at the source while the table's initial snapshot is still being read (many small
 * chunks, committed over many checkpoints): the mirror ends with one renamed field holding every
 * row's value, not a dropped old field plus a new one that is null for the rows read before the
 * rename.
 */
class RenameDuringSnapshotIT {
  private static final int ROWS = 40_000;

  @TempDir static Path workdir;
  private static ItStack it;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, "it_snaprename");
    it.sql(
        "CREATE TABLE big (id int PRIMARY KEY, a int, b text, n int)",
        "INSERT INTO big SELECT g, g, 'b' || g, g FROM generate_series(1, " + ROWS + ") g",
        "CREATE TABLE calm (id int PRIMARY KEY, v text)",
        "INSERT INTO calm SELECT g, 'v' || g FROM generate_series(1, 100) g");
    // Small chunks: the snapshot of big takes many chunks and checkpoints.
    it.configure(TableSelection.builder().include("public.*").build(), Duration.ofSeconds(1), 400);
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  private static long committedRows(String name) {
    try {
      Snapshot snapshot = it.table(name).currentSnapshot();
      return snapshot == null
          ? 0
          : Long.parseLong(snapshot.summary().getOrDefault("total-records", "0"));
    } catch (RuntimeException e) {
      return 0; // not created yet
    }
  }

  private static void awaitTableEqual(String table) {
    await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              List<VerifyResult> results = LakeVerifier.verify(it.config, it.catalog, table);
              assertThat(results).hasSize(1);
              assertThat(results.get(0).equal()).as(results.get(0).toString()).isTrue();
            });
  }

  @Test
  void aRenameWhileTheSnapshotRunsIsOneRenamedField() throws Exception {
    it.start(null);
    // Rename once part of the snapshot is committed.
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> committedRows("big") > 0);
    it.sql("ALTER TABLE big RENAME COLUMN b TO b_renamed");
    long atRename = committedRows("big");
    assertThat(atRename).as("rows committed when the column was renamed").isLessThan(ROWS);
    it.sql(
        "UPDATE big SET b_renamed = b_renamed || '!' WHERE id % 1000 = 0",
        "UPDATE big SET n = -n WHERE id % 1000 = 1",
        "INSERT INTO big VALUES (" + (ROWS + 1) + ", 1, 'new', 1)",
        "INSERT INTO calm VALUES (1000, 'later')");
    awaitTableEqual("public.big");
    awaitTableEqual("public.calm");

    Table big = it.table("big");
    int fieldId = big.schema().findField("b_renamed").fieldId();
    assertThat(big.schema().findField("b")).isNull();
    assertThat(TableManager.droppedColumns(big.properties())).isEmpty();
    assertThat(TableManager.renamedColumns(big.properties())).containsEntry("b", fieldId);
    Map<Integer, Record> some = new HashMap<>();
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(big).where(Expressions.in("id", 1, 2000, 2001, ROWS - 1)).build()) {
      for (Record row : rows) {
        some.put((Integer) row.getField("id"), row);
      }
    }
    // Read with the first chunk, before the rename.
    assertThat(some.get(1).getField("b_renamed")).isEqualTo("b1");
    assertThat(some.get(2000).getField("b_renamed")).isEqualTo("b2000!");
    assertThat(some.get(2001).getField("n")).isEqualTo(-2001);
    // Read with the last chunks, after the rename.
    assertThat(some.get(ROWS - 1).getField("b_renamed")).isEqualTo("b" + (ROWS - 1));
    // The other table kept flowing.
    it.sql("INSERT INTO calm VALUES (1001, 'after')");
    awaitTableEqual("public.calm");
    assertThat(committedRows("calm")).isGreaterThanOrEqualTo(102);
  }
}
