package io.tributary.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.config.TableSelection;
import io.tributary.glue.LakeSettings;
import io.tributary.glue.LocalLake;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backfill loads the values the stream writes for the same source rows: {@code money} of 1,000
 * and more, intervals in ISO 8601, infinite and BC dates and timestamps, unconstrained {@code
 * numeric} with its scale; a row holding {@code NaN} in a {@code numeric(p,s)} column is left out,
 * as the stream dead-letters its change.
 */
class BackfillValuesIT {
  private static final String DB = "backfill_values";
  @TempDir static Path workdir;
  private static LocalLake lake;

  @BeforeAll
  static void start() throws Exception {
    lake = LocalLake.start(workdir, DB, TableSelection.builder().include("public.*").build());
    lake.sql(
        "CREATE TABLE kinds (id int PRIMARY KEY, m money, iv interval, d date, ts timestamp, tstz"
            + " timestamptz, n numeric(10,2), w numeric)",
        "INSERT INTO kinds VALUES (1, 1234567.89, '1 year 2 mons 3 days 04:05:06.78', 'infinity',"
            + " '-infinity', 'infinity', 1.50, '1.500'), (2, -1000, '-1 day', '4713-01-01 BC',"
            + " '1500-06-30 12:00:00.123456', '0100-01-01 00:00:00+00', 2.25, 'NaN'), (3, 0,"
            + " '00:00:01', '2024-02-29', '2024-02-29 12:34:56.654321', '2024-02-29"
            + " 12:34:56.654321+05:30', 3, '3.0')");
  }

  @AfterAll
  static void stop() throws Exception {
    if (lake != null) {
      lake.close();
    }
  }

  @Test
  void backfilledRowsEqualTheStreamedOnes() throws Exception {
    lake.startStream(null);
    lake.awaitLakeEqualsSource(1);
    // Lose every row, then reload them.
    Table damaged = lake.table("kinds");
    try (CloseableIterable<FileScanTask> tasks = damaged.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        damaged.newDelete().deleteFile(file).commit();
      }
    }
    assertThat(verify().equal()).isFalse();
    backfill();
    assertThat(verify().equal()).as(verify().toString()).isTrue();

    // NaN in numeric(p,s): the stream dead-letters the change; the backfill leaves the row out.
    lake.sql("UPDATE kinds SET n = 'NaN' WHERE id = 3");
    backfill();
    VerifyResult result = verify();
    assertThat(result.equal()).isFalse();
    assertThat(result.toString()).contains("id=3").doesNotContain("id=1").doesNotContain("id=2");
    // The row's next change brings it back.
    lake.sql("UPDATE kinds SET n = 4 WHERE id = 3");
    lake.awaitLakeEqualsSource(1);
  }

  private static VerifyResult verify() throws Exception {
    List<VerifyResult> results = LakeVerifier.verify(lake.config(), lake.catalogSpec(), null);
    assertThat(results).hasSize(1);
    return results.get(0);
  }

  private static void backfill() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      BackfillJob.run(
          lake.spark(),
          LakeSettings.of(lake.config()),
          new BackfillOptions("kinds", null, null, 2, 500),
          SourceAccess.of(lake.config().source()),
          out);
    }
    assertThat(bytes.toString(StandardCharsets.UTF_8)).startsWith(BackfillJob.REPORT_PREFIX);
  }
}
