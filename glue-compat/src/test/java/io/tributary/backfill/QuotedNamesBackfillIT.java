package io.tributary.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.config.TableSelection;
import io.tributary.glue.LakeSettings;
import io.tributary.glue.LocalLake;
import io.tributary.maintenance.MaintenanceJob;
import io.tributary.maintenance.MaintenanceOptions;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Glue jobs on a table whose names need quotes: a capitalized schema and table, column names
 * with capitals, spaces, a double quote, a dot and parentheses, a composite text key and an array.
 * The mirror loses rows, the backfill reads them back from the source, maintenance compacts the
 * table while the stream keeps writing, and the lake equals the source after each step.
 */
class QuotedNamesBackfillIT {
  private static final String DB = "fill_names";

  /** The lake name of {@code "Sales"."OrderLines"}. */
  private static final String LAKE_TABLE = "sales_orderlines";

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path workdir;
  private static LocalLake lake;

  @BeforeAll
  static void start() throws Exception {
    lake = LocalLake.start(workdir, DB, TableSelection.builder().include("Sales.*").build());
    lake.sql(
        "CREATE SCHEMA \"Sales\"",
        "CREATE TABLE \"Sales\".\"OrderLines\" (\"Order Id\" text, \"Line\" int, \"Qty\" int,"
            + " \"Total (EUR)\" numeric(10,2), \"Note \"\"x\"\"\" text, \"Tags\" text[],"
            + " \"Unit.Price\" numeric(10,2), PRIMARY KEY (\"Order Id\", \"Line\"))",
        "INSERT INTO \"Sales\".\"OrderLines\" SELECT 'O-' || (g / 4), g % 4, g % 10, g * 1.25,"
            + " 'n \"' || g, ARRAY['t ' || g, NULL], g * 0.5 FROM generate_series(1, 2000) g");
  }

  @AfterAll
  static void stop() throws Exception {
    if (lake != null) {
      lake.close();
    }
  }

  private static VerifyResult verify() throws Exception {
    List<VerifyResult> results = LakeVerifier.verify(lake.config(), lake.catalogSpec(), null);
    assertThat(results).hasSize(1);
    return results.get(0);
  }

  @Test
  void backfillAndMaintenanceOfQuotedNamesEndEqual() throws Exception {
    lake.startStream(null);
    lake.awaitLakeEqualsSource(1);

    // Rows lost from the mirror by a commit outside the stream.
    Table damaged = lake.table(LAKE_TABLE);
    DataFile lost = lake.largestDataFile(LAKE_TABLE);
    assertThat(lost.recordCount()).as("rows of the lost file").isGreaterThan(3);
    damaged.newDelete().deleteFile(lost).commit();
    VerifyResult broken = verify();
    assertThat(broken.state()).as(broken.toString()).isEqualTo(VerifyResult.State.DIFFERENT);
    assertThat(broken.differences()).anyMatch(d -> d.contains(": missing in the lake"));

    // Changes the stream writes meanwhile, to rows lost or not.
    lake.sql(
        "UPDATE \"Sales\".\"OrderLines\" SET \"Qty\" = \"Qty\" + 100, \"Note \"\"x\"\"\" ="
            + " 'changed', \"Unit.Price\" = \"Unit.Price\" + 1 WHERE \"Line\" = 1",
        "DELETE FROM \"Sales\".\"OrderLines\" WHERE \"Order Id\" = 'O-7'");

    // Key ranges by a hash of the composite text key: the read quotes every name.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BackfillReport report;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      report =
          BackfillJob.run(
              lake.spark(),
              LakeSettings.of(lake.config()),
              // Named by its source name, as an operator copies it from the database.
              new BackfillOptions("Sales.OrderLines", null, null, 2, 500),
              SourceAccess.of(lake.config().source()),
              out);
    }
    assertThat(report.sourceTable()).isEqualTo("Sales.OrderLines");
    assertThat(report.rows()).isEqualTo(1996);
    lake.awaitLakeEqualsSource(1);

    // Equality deletes of the stream's updates, then maintenance while the stream runs.
    for (int i = 0; i < 3; i++) {
      lake.sql(
          "UPDATE \"Sales\".\"OrderLines\" SET \"Total (EUR)\" = \"Total (EUR)\" + 1,"
              + " \"Tags\" = ARRAY['u"
              + i
              + "'] WHERE \"Line\" = "
              + (i % 4));
      lake.awaitLakeEqualsSource(1);
    }
    List<JsonNode> reports =
        maintain(
            new MaintenanceOptions(
                LAKE_TABLE, false, 64L << 20, Duration.ofHours(24), 1, Duration.ofHours(24)));
    assertThat(reports).hasSize(1);
    JsonNode maintained = reports.get(0);
    assertThat(maintained.get("status").asText()).as(maintained.toString()).isEqualTo("ok");
    assertThat(maintained.at("/before/equalityDeleteFiles").asLong()).isPositive();
    assertThat(maintained.at("/after/equalityDeleteFiles").asLong())
        .as(maintained.toString())
        .isZero();
    lake.awaitLakeEqualsSource(1);

    // The stream goes on writing the maintained table.
    lake.sql(
        "INSERT INTO \"Sales\".\"OrderLines\" VALUES ('O new', 1, 1, 9.99, 'new \"', ARRAY['n'],"
            + " 0.01)",
        "UPDATE \"Sales\".\"OrderLines\" SET \"Qty\" = -1, \"Unit.Price\" = NULL WHERE \"Line\" ="
            + " 3");
    lake.awaitLakeEqualsSource(1);
  }

  private static List<JsonNode> maintain(MaintenanceOptions options) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      MaintenanceJob.run(lake.spark(), LakeSettings.of(lake.config()), options, out);
    }
    List<JsonNode> reports = new ArrayList<>();
    for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith(MaintenanceJob.REPORT_PREFIX)) {
        reports.add(JSON.readTree(line.substring(MaintenanceJob.REPORT_PREFIX.length())));
      }
    }
    return reports;
  }
}
