package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.config.TableSelection;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change that goes to dead letters (a value the lake cannot store) is the row's newest version at
 * the source: the row's next update, which leaves out its unchanged TOASTed value, must take that
 * value from the dead-lettered version, not from the version before it (or null for a dead-lettered
 * insert).
 */
class DeadLetteredToastIT {
  /** About 13 kB of random hex: stored out of line. */
  private static final String BIG_TEXT =
      "(SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 400))";

  @TempDir static Path workdir;
  private static ItStack it;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, "it_dead_toast");
    it.sql(
        "CREATE TABLE docs (id int PRIMARY KEY, v numeric(10,2), body text)",
        "INSERT INTO docs SELECT g, 1, " + BIG_TEXT + " FROM generate_series(1, 5) g",
        "CREATE TABLE notes (id int PRIMARY KEY, t text)",
        "INSERT INTO notes VALUES (1, 'a')");
    it.configure(TableSelection.builder().include("public.*").build(), Duration.ofSeconds(1), 1000);
    it.start(null);
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  @Test
  void theNextUpdateTakesUnchangedValuesFromTheDeadLetteredVersion() throws Exception {
    it.awaitEqual(2, Duration.ofMinutes(2));
    // Dead letters: an update that also changes the large value, and an insert.
    it.sql(
        "UPDATE docs SET v = 'NaN', body = " + BIG_TEXT + " WHERE id IN (1, 2)",
        "INSERT INTO docs VALUES (10, 'NaN', " + BIG_TEXT + ")",
        "INSERT INTO notes VALUES (2, 'b')");
    awaitNotes(2);
    // Id 2 recovers within one checkpoint of its dead letter, ids 1 and 10 after others passed.
    it.sql("UPDATE docs SET v = 2 WHERE id = 2", "INSERT INTO notes VALUES (3, 'c')");
    awaitNotes(3);
    it.sql("UPDATE docs SET v = 3 WHERE id IN (1, 10)", "INSERT INTO notes VALUES (4, 'd')");
    it.awaitEqual(2, Duration.ofMinutes(2));
    awaitNotes(4);
  }

  private static void awaitNotes(int rows) {
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              int n = 0;
              try (CloseableIterable<Record> all =
                  IcebergGenerics.read(it.table("notes")).build()) {
                for (Record ignored : all) {
                  n++;
                }
              }
              assertThat(n).isEqualTo(rows);
            });
  }
}
