package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.config.TableSelection;
import io.tributary.deadletter.DeadLetters;
import io.tributary.metrics.LocalMetricsReporter;
import io.tributary.metrics.MetricNames;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A value the lake cannot hold ({@code NaN} and {@code ±Infinity} in a {@code numeric(p,s)}
 * column): the change goes to the dead letters with the reason, the job and every other row keep
 * flowing, and the next change of the row at the source applies as usual.
 */
class UnstorableValuesIT {
  @TempDir static Path workdir;
  private static ItStack it;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, "it_unstorable");
    it.sql(
        "CREATE TABLE readings (id int PRIMARY KEY, v numeric(10,2), w numeric)",
        "INSERT INTO readings VALUES (1, 1.5, 1.50), (2, 'NaN', 'NaN'), (3, 2.25, 2.250)",
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
  void unstorableValuesGoToDeadLettersAndTheRowRecoversWithItsNextChange() throws Exception {
    // The snapshot's NaN row is a dead letter; the others are written.
    awaitRows(Map.of(1, "1.50", 3, "2.25"));
    awaitDeadLetters(1);
    // Streamed: NaN again (PostgreSQL allows no infinity in numeric(p,s)), turned into a number
    // later, a delete of a row never written, and changes of another table in the same
    // transactions.
    it.sql(
        "INSERT INTO readings VALUES (4, 'NaN', '-1.0'), (5, 'NaN', '2.5000')",
        "INSERT INTO notes VALUES (2, 'b')");
    it.sql("UPDATE readings SET v = 7.125 WHERE id = 5", "DELETE FROM readings WHERE id = 4");
    it.sql("UPDATE readings SET w = w WHERE id = 3", "INSERT INTO notes VALUES (3, 'c')");
    // Infinities in the unconstrained column are stored as text (Debezium 1.9's own log decoder
    // failed on them).
    it.sql("INSERT INTO readings VALUES (6, 1, 'Infinity'), (7, 2, '-Infinity')");
    awaitRows(Map.of(1, "1.50", 3, "2.25", 5, "7.13", 6, "1.00", 7, "2.00"));
    List<String> lines = awaitDeadLetters(3);
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("\"id\":2")
                    .contains("\"v\":\"NaN\"")
                    .contains("holds NaN, which the lake's decimal(10, 2) cannot hold"));
    assertThat(lines)
        .anySatisfy(l -> assertThat(l).contains("\"id\":4").contains("\"w\":\"-1.0\""));
    assertThat(lines)
        .anySatisfy(l -> assertThat(l).contains("\"id\":5").contains("\"w\":\"2.5000\""));
    assertThat(LocalMetricsReporter.count("public.readings", MetricNames.DEAD_LETTERS))
        .isEqualTo(3L);
    // notes never stopped; readings differs from its source in exactly the dead-lettered row.
    assertThat(verify("public.notes").equal()).isTrue();
    VerifyResult readings = verify("public.readings");
    assertThat(readings.equal()).isFalse();
    assertThat(readings.toString()).contains("id=2").doesNotContain("id=1:").doesNotContain("id=3");
    // The row's next change at the source applies as usual: the lake equals the source again,
    // with the unconstrained column's NaN and scale kept.
    it.sql("UPDATE readings SET v = 0 WHERE id = 2");
    it.awaitEqual(2, Duration.ofMinutes(1));
    assertThat(rows().get(2).getField("w")).isEqualTo("NaN");
    assertThat(rows().get(6).getField("w")).isEqualTo("Infinity");
    assertThat(rows().get(7).getField("w")).isEqualTo("-Infinity");
    assertThat(rows().get(1).getField("w")).isEqualTo("1.50");
  }

  private static VerifyResult verify(String table) throws Exception {
    List<VerifyResult> results = LakeVerifier.verify(it.config, it.catalog, table);
    assertThat(results).hasSize(1);
    return results.get(0);
  }

  private static Map<Integer, Record> rows() throws Exception {
    Map<Integer, Record> rows = new HashMap<>();
    try (CloseableIterable<Record> all = IcebergGenerics.read(it.table("readings")).build()) {
      for (Record row : all) {
        rows.put((Integer) row.getField("id"), row);
      }
    }
    return rows;
  }

  private static void awaitRows(Map<Integer, String> expected) {
    await()
        .atMost(Duration.ofMinutes(1))
        .ignoreExceptionsInstanceOf(NoSuchTableException.class)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              Map<Integer, String> actual = new HashMap<>();
              for (Map.Entry<Integer, Record> row : rows().entrySet()) {
                actual.put(
                    row.getKey(), ((BigDecimal) row.getValue().getField("v")).toPlainString());
              }
              assertThat(actual).isEqualTo(expected);
            });
  }

  private static List<String> awaitDeadLetters(int count) {
    List<String> lines = new ArrayList<>();
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              lines.clear();
              try (FileIO io = it.catalog.openFileIo()) {
                for (DeadLetters.DeadLetterFile file :
                    DeadLetters.list(io, it.catalog.warehouse(), "public.readings")) {
                  lines.addAll(DeadLetters.read(io, file.path()));
                }
              }
              assertThat(lines).hasSize(count);
            });
    return lines;
  }
}
