package io.tributary.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.catalog.CatalogSpec;
import io.tributary.config.TableSelection;
import io.tributary.glue.LakeSettings;
import io.tributary.glue.LocalLake;
import io.tributary.sink.IcebergWriterOperator;
import io.tributary.sink.TableManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parked table dropped while the job is stopped: the writers restored from the savepoint know it
 * was parked (their checkpointed state), rebuild it parked instead of writing it, and the recovery
 * ends with an exact mirror.
 */
class ParkedRestartIT {
  private static final String DB = "park_restart";

  @TempDir static Path workdir;
  private static LocalLake lake;

  @BeforeAll
  static void start() throws Exception {
    lake = LocalLake.start(workdir, DB, TableSelection.builder().include("public.*").build(), 2);
    lake.sql(
        "CREATE TABLE bad (id bigint PRIMARY KEY, v text, n integer)",
        "INSERT INTO bad SELECT g, (g % 50)::text, 0 FROM generate_series(1, 200) g",
        "CREATE TABLE good (id bigint PRIMARY KEY, v integer)",
        "INSERT INTO good SELECT g, g FROM generate_series(1, 200) g");
  }

  @AfterAll
  static void stop() throws Exception {
    if (lake != null) {
      lake.close();
    }
  }

  @Test
  void aRestartAfterTheDropRebuildsTheTableParked() throws Exception {
    lake.startStream(null);
    lake.awaitLakeEqualsSource(2);
    lake.sql(
        "ALTER TABLE bad ALTER COLUMN v TYPE integer USING v::integer",
        "UPDATE bad SET v = v + 1, n = 1 WHERE id <= 100");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> blocked() != null && blocked().startsWith("blocked: Cannot apply"));
    lake.sql("UPDATE bad SET n = 2 WHERE id % 3 = 0", "UPDATE good SET v = v + 1");
    Thread.sleep(3000); // a few checkpoints with the table parked on every writer
    String savepoint = lake.stopStream();

    Catalog catalog = lake.catalogSpec().open();
    try {
      assertThat(catalog.dropTable(TableIdentifier.of(lake.namespace(), "bad"), false)).isTrue();
    } finally {
      CatalogSpec.closeQuietly(catalog);
    }
    lake.sql("UPDATE bad SET n = 3 WHERE id % 4 = 0", "INSERT INTO good VALUES (1000, 1)");

    lake.startStream(savepoint);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> blocked() != null && blocked().startsWith("blocked: rebuilt"));
    assertThat(lake.table("bad").currentSnapshot()).as("no writer writes it").isNull();
    lake.sql("UPDATE bad SET n = 4 WHERE id % 5 = 0", "DELETE FROM bad WHERE id % 7 = 0");

    backfill();
    assertThat(blocked()).isNull();
    lake.sql("UPDATE bad SET n = 5 WHERE id % 6 = 0", "INSERT INTO bad VALUES (5000, 5, 5)");
    backfill();
    assertThat(lake.table("bad").properties()).doesNotContainKey(IcebergWriterOperator.RESUMING);
    lake.sql("UPDATE bad SET n = 6 WHERE id % 8 = 0", "UPDATE good SET v = v + 1");
    lake.awaitLakeEqualsSource(2);
  }

  /**
   * Runs the backfill as the runbook says: when Iceberg refuses its commit because the stream has
   * not yet committed rows inserted meanwhile ({@code Invalid REPLACE operation}), again a little
   * later (at most five times).
   */
  private static void backfill() throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        backfillOnce();
        return;
      } catch (IllegalArgumentException e) {
        if (attempt >= 5 || !String.valueOf(e.getMessage()).startsWith("Invalid REPLACE")) {
          throw e;
        }
        Thread.sleep(3000);
      }
    }
  }

  private static void backfillOnce() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      BackfillJob.run(
          lake.spark(),
          LakeSettings.of(lake.config()),
          new BackfillOptions("bad", null, null, 2, 500),
          SourceAccess.of(lake.config().source()),
          out);
    }
  }

  private static String blocked() {
    try {
      return lake.table("bad").properties().get(TableManager.BLOCKED);
    } catch (NoSuchTableException e) {
      return null;
    }
  }
}
