package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.config.TableSelection;
import io.tributary.sink.IcebergCommitterOperator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two commit-ordering traps, with checkpoints long enough that everything of a step lands in
 * one checkpoint: snapshot rows and changes of the same keys, and rows written before and after a
 * column is added. In both, a key written by one writer segment and changed by the next must end as
 * one row. With eight more small tables, checkpoints that change many tables are committed by
 * several commit threads at once (the default {@code sink.commit-threads}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CommitOrderingIT {
  private static final int SIDE_TABLES = 8;
  private static final int TABLES = 2 + SIDE_TABLES;

  @TempDir static Path workdir;
  private static ItStack it;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, "it_ordering");
    it.sql(
        "CREATE TABLE hot (id bigint PRIMARY KEY, v integer, note text)",
        "INSERT INTO hot SELECT g, 0, 'seed' FROM generate_series(1, 20000) g",
        "CREATE TABLE evolving (id bigint PRIMARY KEY, a integer)");
    for (int i = 0; i < SIDE_TABLES; i++) {
      it.sql(
          "CREATE TABLE side_" + i + " (id bigint PRIMARY KEY, v integer)",
          "INSERT INTO side_" + i + " SELECT g, 0 FROM generate_series(1, 50) g");
    }
    it.configure(
        TableSelection.builder().include("public.*").build(), Duration.ofSeconds(20), 4000);
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  private static List<Map<String, String>> summaries(Table table) {
    List<Map<String, String>> summaries = new ArrayList<>();
    for (Snapshot snapshot : table.snapshots()) {
      summaries.add(snapshot.summary());
    }
    return summaries;
  }

  @Test
  @Order(1)
  void snapshotRowsAndTheirUpdatesInOneCheckpointEndAsOneRowEach() throws Exception {
    it.start(null);
    // Once the snapshot is read and the WAL is streamed (the slot is active), and before the first
    // (long) checkpoint: change every key twice and delete some, so that snapshot rows and their
    // changes share a checkpoint.
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () -> {
              try (var c = it.stack.connect(it.database);
                  var st = c.createStatement();
                  var rs =
                      st.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE active")) {
                rs.next();
                return rs.getInt(1) > 0;
              }
            });
    it.sql("UPDATE hot SET v = v + 1, note = 'first'");
    it.sql("UPDATE hot SET v = v + 1, note = 'second' WHERE id % 2 = 0");
    it.sql("DELETE FROM hot WHERE id % 7 = 0");
    it.awaitEqual(TABLES, Duration.ofMinutes(2));
    // The first commit holds snapshot rows only: no delete file. (Whether the changes share the
    // first checkpoint depends on timing here; OrderedCommitTest covers that case
    // deterministically.)
    List<Map<String, String>> summaries = summaries(it.table("hot"));
    assertThat(summaries.get(0)).doesNotContainKey("added-delete-files");
  }

  @Test
  @Order(2)
  void rowsBeforeAndAfterAnAddedColumnInOneCheckpointEndAsOneRowEach() throws Exception {
    it.sql("INSERT INTO evolving SELECT g, g FROM generate_series(1, 5000) g");
    it.sql(
        "ALTER TABLE evolving ADD COLUMN b text",
        "UPDATE evolving SET b = 'after ' || id, a = a + 1 WHERE id <= 4000",
        "DELETE FROM evolving WHERE id > 4500");
    it.awaitEqual(TABLES, Duration.ofMinutes(2));
    Table evolving = it.table("evolving");
    assertThat(evolving.schema().findField("b")).isNotNull();
    List<Map<String, String>> summaries = summaries(evolving);
    assertThat(summaries)
        .as("the insert and the update after ALTER TABLE shared a checkpoint (then: two rounds)")
        .anySatisfy(s -> assertThat(s).containsEntry(IcebergCommitterOperator.ROUND, "1"));
  }

  @Test
  @Order(3)
  void aHotKeyUpdatedThousandsOfTimesInOneCheckpoint() throws Exception {
    for (int i = 0; i < 50; i++) {
      List<String> batch = new ArrayList<>();
      for (int j = 0; j < 40; j++) {
        batch.add("UPDATE hot SET v = v + 1 WHERE id = 1");
      }
      it.sql(batch.toArray(new String[0]));
    }
    it.awaitEqual(TABLES, Duration.ofMinutes(2));
    await().until(() -> it.table("hot").currentSnapshot() != null);
  }

  @Test
  @Order(4)
  void oneTransactionChangingEveryTableCommitsToAllOfThemOnce() throws Exception {
    List<String> statements = new ArrayList<>();
    statements.add("UPDATE hot SET v = v + 10 WHERE id % 3 = 0");
    statements.add("UPDATE evolving SET a = a + 10, b = 'all' WHERE id % 5 = 0");
    for (int i = 0; i < SIDE_TABLES; i++) {
      statements.add("UPDATE side_" + i + " SET v = v + 1 WHERE id % 2 = 0");
      statements.add("DELETE FROM side_" + i + " WHERE id % 10 = 0");
      statements.add(
          "INSERT INTO side_" + i + " SELECT g, " + i + " FROM generate_series(51, 60) g");
    }
    it.sql(statements.toArray(new String[0]));
    it.awaitEqual(TABLES, Duration.ofMinutes(2));
    // The checkpoints that committed to several tables, each table once per checkpoint.
    Map<String, Integer> tablesPerCheckpoint = new HashMap<>();
    List<String> names = new ArrayList<>(List.of("hot", "evolving"));
    for (int i = 0; i < SIDE_TABLES; i++) {
      names.add("side_" + i);
    }
    for (String name : names) {
      Set<String> checkpoints = new HashSet<>();
      for (Map<String, String> summary : summaries(it.table(name))) {
        String key =
            summary.get(IcebergCommitterOperator.SESSION)
                + "/"
                + summary.get(IcebergCommitterOperator.CHECKPOINT_ID);
        String round = summary.get(IcebergCommitterOperator.ROUND);
        assertThat(checkpoints.add(key + "/" + round))
            .as("%s: round %s of checkpoint %s committed once", name, round, key)
            .isTrue();
        if ("0".equals(round)) {
          tablesPerCheckpoint.merge(key, 1, Integer::sum);
        }
      }
    }
    assertThat(tablesPerCheckpoint.values())
        .as("a checkpoint committed to several tables")
        .anySatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(SIDE_TABLES));
  }
}
