package io.tributary.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.config.TableSelection;
import io.tributary.glue.JobMarkers;
import io.tributary.glue.LakeSettings;
import io.tributary.glue.LocalLake;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backfill that loads more rows than the mirror's files hold while the stream commits nothing to
 * the table (as in the second backfill of a parked table whose last changes went to the dead
 * letters): Iceberg refuses a rewrite that adds more records than it removes ({@code Invalid
 * REPLACE operation}), so the rows beyond the replaced files' records are added with a new sequence
 * number in the same transaction; the lake then equals the source, and the stream's changes apply
 * on top.
 */
class BackfillGrowthIT {
  private static final String DB = "fill_grow";

  @TempDir static Path workdir;
  private static LocalLake lake;

  @BeforeAll
  static void start() throws Exception {
    lake = LocalLake.start(workdir, DB, TableSelection.builder().include("public.*").build());
    lake.sql(
        "CREATE TABLE grows (id bigint PRIMARY KEY, v text, n integer)",
        "INSERT INTO grows SELECT g, 'row ' || g, 0 FROM generate_series(1, 100) g");
  }

  @AfterAll
  static void stop() throws Exception {
    if (lake != null) {
      lake.close();
    }
  }

  @Test
  void moreRowsThanTheFilesHoldAreCommittedInOneTransaction() throws Exception {
    lake.startStream(null);
    lake.awaitLakeEqualsSource(1);
    lake.sql("UPDATE grows SET n = 1 WHERE id <= 10");
    lake.awaitLakeEqualsSource(1);
    // The stream commits nothing while the source gains rows.
    String savepoint = lake.stopStream();
    lake.sql(
        "INSERT INTO grows SELECT g, 'new ' || g, 2 FROM generate_series(1001, 1150) g",
        "DELETE FROM grows WHERE id % 10 = 5");
    Snapshot base = lake.table("grows").currentSnapshot();
    long records = 0;
    try (CloseableIterable<FileScanTask> tasks = lake.table("grows").newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        records += file.recordCount();
      }
    }
    assertThat(records).as("records in the mirror's files").isEqualTo(110);

    BackfillReport report = backfill();

    assertThat(report.rows()).isEqualTo(225);
    assertThat(report.baseSnapshotId()).isEqualTo(base.snapshotId());
    // At least 115 rows beyond the 110 records; the stream committed nothing, so none superseded.
    assertThat(report.appendedRows()).isGreaterThanOrEqualTo(115);
    assertThat(report.supersededRows()).isZero();
    Snapshot committed = lake.table("grows").currentSnapshot();
    assertThat(committed.operation()).isEqualTo(DataOperations.REPLACE);
    Snapshot added = lake.table("grows").snapshot(committed.parentId());
    assertThat(added.summary()).containsKey(JobMarkers.BACKFILL);
    assertThat(added.parentId()).isEqualTo(base.snapshotId());
    VerifyResult verified = LakeVerifier.verify(lake.config(), lake.catalogSpec(), null).get(0);
    assertThat(verified.equal()).as(verified.toString()).isTrue();

    // The stream replays the changes made while it was stopped, then writes new ones on top.
    lake.startStream(savepoint);
    lake.sql("UPDATE grows SET n = 3 WHERE id > 1100", "DELETE FROM grows WHERE id <= 5");
    lake.awaitLakeEqualsSource(1);
  }

  private static BackfillReport backfill() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      return BackfillJob.run(
          lake.spark(),
          LakeSettings.of(lake.config()),
          new BackfillOptions("grows", null, null, 2, 500),
          SourceAccess.of(lake.config().source()),
          out);
    }
  }
}
