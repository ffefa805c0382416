package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.config.TableOptions;
import io.tributary.config.TableSelection;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unchanged TOASTed values under {@code REPLICA IDENTITY DEFAULT}: PostgreSQL does not send them
 * with an update of another column, and the mirror must keep the stored value, whether the row was
 * written in the same checkpoint, committed before, or committed before a restore.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ToastIT {
  /** About 13 kB of random hex, and 6.4 kB of random bytes: too large to stay in the row. */
  private static final String BIG_TEXT =
      "(SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 400 + 0 * %s))";

  private static final String BIG_BYTES =
      "(SELECT decode(string_agg(md5(random()::text), ''), 'hex') FROM generate_series(1, 400 + 0"
          + " * %s))";

  @TempDir static Path workdir;
  private static ItStack it;

  private static String insert(String range) {
    return "INSERT INTO docs SELECT g, 0, "
        + String.format(BIG_TEXT, "g")
        + ", "
        + String.format(BIG_BYTES, "g")
        + ", jsonb_build_object('body', "
        + String.format(BIG_TEXT, "g")
        + "), 'small' FROM generate_series("
        + range
        + ") g";
  }

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, "it_toast");
    it.sql(
        "CREATE TABLE docs (id int PRIMARY KEY, counter int, body text, blob bytea, meta jsonb,"
            + " note text)",
        insert("1, 40"),
        // REPLICA IDENTITY FULL: updates carry the whole previous row, TOASTed values inline.
        "CREATE TABLE docs_full (LIKE docs INCLUDING ALL)",
        "ALTER TABLE docs_full REPLICA IDENTITY FULL",
        insert("1, 40").replace("INTO docs", "INTO docs_full"));
    it.configure(
        TableSelection.builder()
            .include("public.docs", "public.docs_full")
            // A changelog table, where a commit replayed after the restore would show.
            .option("public.docs_full", TableOptions.builder().changelog(true).build())
            .build(),
        Duration.ofSeconds(1),
        1000);
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  @Test
  @Order(1)
  void theValuesAreStoredOutOfLine() throws Exception {
    try (Connection c = it.stack.connect(it.database);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT min(pg_column_size(body)), min(length(body)),"
                    + " (SELECT relreplident FROM pg_class WHERE relname = 'docs') FROM docs")) {
      rs.next();
      assertThat(rs.getInt(2)).isGreaterThan(10_000);
      // Stored compressed at most a little: random hex does not compress to below the limit.
      assertThat(rs.getInt(1)).isGreaterThan(2_000);
      assertThat(rs.getString(3)).isEqualTo("d");
    }
  }

  @Test
  @Order(2)
  void updatesOfOtherColumnsKeepSnapshotRowsValues() throws Exception {
    it.start(null);
    it.awaitEqual(2, Duration.ofMinutes(2));
    it.sql("UPDATE docs SET counter = counter + 1 WHERE id <= 20");
    it.awaitEqual(2, Duration.ofMinutes(2));
    assertNoPlaceholder();
  }

  @Test
  @Order(3)
  void rowsWrittenAndUpdatedInOneCheckpoint() throws Exception {
    it.sql(
        insert("41, 60"),
        "UPDATE docs SET counter = counter + 1 WHERE id > 40",
        "UPDATE docs SET note = 'second' WHERE id > 50");
    it.sql("UPDATE docs SET counter = counter + 10 WHERE id > 45");
    it.awaitEqual(2, Duration.ofMinutes(2));
    assertNoPlaceholder();
  }

  @Test
  @Order(4)
  void repeatedUpdatesAcrossCheckpointsAndAChangedBody() throws Exception {
    for (int round = 0; round < 5; round++) {
      it.sql("UPDATE docs SET counter = counter + 1 WHERE id % 3 = " + (round % 3));
      if (round == 2) {
        it.sql("UPDATE docs SET body = 'short now' WHERE id = 3");
      }
    }
    it.sql("DELETE FROM docs WHERE id = 4", insert("4, 4"), "UPDATE docs SET note = 'x'");
    it.awaitEqual(2, Duration.ofMinutes(2));
    assertNoPlaceholder();
  }

  @Test
  @Order(5)
  void updatesAfterARestore() throws Exception {
    String savepoint =
        it.job
            .stopWithSavepoint(
                false,
                workdir.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL)
            .get();
    it.sql("UPDATE docs SET counter = counter + 100 WHERE id % 2 = 0");
    it.start(savepoint);
    it.sql(
        "UPDATE docs SET counter = counter + 1000 WHERE id % 5 = 0",
        "UPDATE docs_full SET counter = counter + 1000 WHERE id % 5 = 0");
    it.awaitEqualAndStayEqual(2, Duration.ofMinutes(2));
    assertNoPlaceholder();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(countLakeRows()).isEqualTo(60));
  }

  /**
   * An update that changes the key arrives as a delete of the old key and an insert of the new row,
   * in which the unchanged TOASTed values are placeholders: the new row takes them from the row
   * stored under the old key, and later updates of the new key keep them.
   */
  @Test
  @Order(6)
  void keyChangesKeepUnchangedValues() throws Exception {
    it.sql("UPDATE docs SET id = id + 1000 WHERE id IN (7, 8, 9, 10, 11, 12)");
    it.awaitEqual(2, Duration.ofMinutes(2));
    assertNoPlaceholder();
    assertBodyNotNull(1007);
    it.sql("UPDATE docs SET counter = counter + 1 WHERE id > 1000");
    it.awaitEqual(2, Duration.ofMinutes(2));
    // A key changed twice, the second time with a changed body.
    it.sql(
        "UPDATE docs SET id = 2007 WHERE id = 1007", "UPDATE docs SET id = 3008 WHERE id = 1008");
    it.sql("UPDATE docs SET id = 4008, body = 'moved and changed' WHERE id = 3008");
    it.awaitEqual(2, Duration.ofMinutes(2));
    assertNoPlaceholder();
    assertBodyNotNull(2007);
  }

  /**
   * Under {@code REPLICA IDENTITY FULL} the values an update leaves out are taken from the previous
   * row the update carries, for updates of other columns and for key changes alike.
   */
  @Test
  @Order(7)
  void fullIdentityUpdatesAndKeyChangesKeepUnchangedValues() throws Exception {
    it.sql(
        "UPDATE docs_full SET counter = counter + 1 WHERE id <= 20",
        insert("41, 50").replace("INTO docs", "INTO docs_full"),
        "UPDATE docs_full SET note = 'same checkpoint' WHERE id > 40",
        "UPDATE docs_full SET id = id + 1000 WHERE id IN (7, 8, 45)");
    it.awaitEqual(2, Duration.ofMinutes(2));
    it.sql(
        "UPDATE docs_full SET counter = counter + 1 WHERE id > 1000",
        "UPDATE docs_full SET id = 2007, body = 'moved and changed' WHERE id = 1007");
    it.awaitEqual(2, Duration.ofMinutes(2));
    assertNoPlaceholder("docs_full");
    assertBodyNotNull("docs_full", 1008);
    assertBodyNotNull("docs_full", 1045);
  }

  private static void assertBodyNotNull(int id) throws Exception {
    assertBodyNotNull("docs", id);
  }

  private static void assertBodyNotNull(String table, int id) throws Exception {
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(it.table(table)).where(Expressions.equal("id", id)).build()) {
      int n = 0;
      for (Record row : rows) {
        assertThat(row.getField("body")).as("body of id " + id).isNotNull();
        n++;
      }
      assertThat(n).as("rows of id " + id).isEqualTo(1);
    }
  }

  private static long countLakeRows() throws Exception {
    long n = 0;
    try (CloseableIterable<Record> rows = IcebergGenerics.read(it.table("docs")).build()) {
      for (Record ignored : rows) {
        n++;
      }
    }
    return n;
  }

  private static void assertNoPlaceholder() throws Exception {
    assertNoPlaceholder("docs");
  }

  private static void assertNoPlaceholder(String table) throws Exception {
    try (CloseableIterable<Record> rows = IcebergGenerics.read(it.table(table)).build()) {
      for (Record row : rows) {
        assertThat(String.valueOf(row.getField("body"))).doesNotContain("__debezium");
        assertThat(row.getField("blob")).isNotNull();
        assertThat(row.getField("meta")).isNotNull();
      }
    }
  }
}
