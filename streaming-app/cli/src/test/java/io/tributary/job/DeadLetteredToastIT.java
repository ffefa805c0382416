package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.config.TableMode;
import io.tributary.config.TableOptions;
import io.tributary.config.TableSelection;
import io.tributary.deadletter.DeadLetters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change that goes to dead letters (a value the lake cannot store) is the row's newest version at
 * the source: the row's next update, which leaves out its unchanged TOASTed value, must take that
 * value from the dead-lettered version, not from the version before it (or null for a dead-lettered
 * insert).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
        "INSERT INTO notes VALUES (1, 'a')",
        // Append-only although it has a key, under REPLICA IDENTITY DEFAULT.
        "CREATE TABLE events (id int PRIMARY KEY, n int, body text)",
        "INSERT INTO events SELECT g, 0, " + BIG_TEXT + " FROM generate_series(1, 3) g");
    it.configure(
        TableSelection.builder()
            .include("public.*")
            .option("public.events", TableOptions.builder().mode(TableMode.APPEND_ONLY).build())
            .build(),
        Duration.ofSeconds(1),
        1000);
    it.start(null);
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  @Test
  @Order(1)
  void theNextUpdateTakesUnchangedValuesFromTheDeadLetteredVersion() throws Exception {
    it.awaitEqual(3, Duration.ofMinutes(2));
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
    it.awaitEqual(3, Duration.ofMinutes(2));
    awaitNotes(4);
  }

  /**
   * An append-only table has no stored rows: an update that leaves its large value out goes to dead
   * letters with the way on, never to the changelog with a null; an update carrying every value is
   * appended.
   */
  @Test
  @Order(2)
  void anAppendOnlyTableDeadLettersAnUpdateWithoutItsLargeValue() throws Exception {
    it.sql(
        "UPDATE events SET n = 1 WHERE id = 1",
        "UPDATE events SET n = 2, body = 'small now' WHERE id = 2",
        "INSERT INTO notes VALUES (5, 'e')");
    awaitNotes(5);
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              List<String> lines = new ArrayList<>();
              try (FileIO io = it.catalog.openFileIo()) {
                for (DeadLetters.DeadLetterFile file :
                    DeadLetters.list(io, it.catalog.warehouse(), "public.events")) {
                  lines.addAll(DeadLetters.read(io, file.path()));
                }
              }
              assertThat(lines)
                  .singleElement()
                  .asString()
                  .contains("\"id\":1", "REPLICA IDENTITY FULL");
            });
    Map<Integer, List<Record>> byId = new HashMap<>();
    try (CloseableIterable<Record> all =
        IcebergGenerics.read(it.table("events__changes")).build()) {
      for (Record r : all) {
        byId.computeIfAbsent((Integer) r.getField("id"), k -> new ArrayList<>()).add(r);
      }
    }
    assertThat(byId.get(1)).as("the update of id 1 is not appended").hasSize(1);
    assertThat(byId.get(2)).hasSize(2);
    assertThat(byId.get(2)).anySatisfy(r -> assertThat(r.getField("body")).isEqualTo("small now"));
    for (List<Record> versions : byId.values()) {
      assertThat(versions).allSatisfy(r -> assertThat(r.getField("body")).isNotNull());
    }
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
