package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.config.TableSelection;
import io.tributary.deadletter.DeadLetters;
import io.tributary.sink.TableManager;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A column of a type the capture cannot carry, added to a captured table while the job runs: the
 * table is parked (its changes in the dead letters, with a reason naming the column, its type and
 * what to do), every other table keeps flowing, and verify says the table was not compared, never
 * that it differs (also once the column is dropped again, while the table is still parked). One
 * type Debezium sends with the change ({@code refcursor}), one it leaves out of the change ({@code
 * bytea[]}), one whose values arrive changed ({@code int[][]}).
 */
class UncapturableColumnIT {
  @TempDir static Path workdir;
  private static ItStack it;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, "it_uncapturable");
    it.sql(
        "CREATE TABLE keep (id int PRIMARY KEY, v text)",
        "INSERT INTO keep SELECT g, 'k' || g FROM generate_series(1, 200) g",
        "CREATE TABLE curs (id int PRIMARY KEY, v text)",
        "INSERT INTO curs SELECT g, 'c' || g FROM generate_series(1, 100) g",
        "CREATE TABLE arr (id int PRIMARY KEY, v text)",
        "INSERT INTO arr SELECT g, 'a' || g FROM generate_series(1, 100) g",
        "CREATE TABLE grid (id int PRIMARY KEY, v text)",
        "INSERT INTO grid SELECT g, 'g' || g FROM generate_series(1, 100) g");
    it.configure(TableSelection.builder().include("public.*").build(), Duration.ofSeconds(1), 1000);
    it.start(null);
    it.awaitEqual(4, Duration.ofMinutes(2));
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  private static List<String> deadLetters(String table) throws Exception {
    List<String> lines = new ArrayList<>();
    try (FileIO io = it.catalog.openFileIo()) {
      for (DeadLetters.DeadLetterFile file : DeadLetters.list(io, it.catalog.warehouse(), table)) {
        lines.addAll(DeadLetters.read(io, file.path()));
      }
    }
    return lines;
  }

  private static Set<Integer> keys(String table) throws Exception {
    Set<Integer> keys = new HashSet<>();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(it.table(table)).build()) {
      for (Record row : rows) {
        keys.add((Integer) row.getField("id"));
      }
    }
    return keys;
  }

  @Test
  void anAddedUncapturableColumnParksOnlyItsTable() throws Exception {
    it.sql(
        "ALTER TABLE curs ADD COLUMN c refcursor",
        "UPDATE curs SET c = ('cursor_' || id)::refcursor, v = 'changed' WHERE id <= 3",
        "INSERT INTO curs VALUES (1000, 'new', 'cursor_new')",
        "ALTER TABLE arr ADD COLUMN b bytea[]",
        "UPDATE arr SET b = ARRAY['\\x01'::bytea], v = 'changed' WHERE id <= 2",
        "INSERT INTO arr VALUES (1000, 'new', ARRAY['\\x02'::bytea])",
        "ALTER TABLE grid ADD COLUMN m int[][]",
        "UPDATE grid SET m = '{{1,2},{3,4}}', v = 'changed' WHERE id = 1",
        "INSERT INTO grid VALUES (1000, 'new', '{{5,6},{7,8}}')");
    // The other table keeps flowing, after the changes of the parked ones.
    it.sql("INSERT INTO keep VALUES (1000, 'new')", "UPDATE keep SET v = 'changed' WHERE id <= 50");

    Map<String, String> types = Map.of("curs", "refcursor", "arr", "bytea[]", "grid", "integer[]");
    Map<String, String> columns = Map.of("curs", "\"c\"", "arr", "\"b\"", "grid", "\"m\"");
    Map<String, Integer> changes = Map.of("curs", 4, "arr", 3, "grid", 2);
    for (String table : types.keySet()) {
      await()
          .atMost(Duration.ofMinutes(1))
          .untilAsserted(
              () ->
                  assertThat(it.table(table).properties().get(TableManager.BLOCKED))
                      .startsWith("blocked: ")
                      .contains("public." + table)
                      .contains("column " + columns.get(table) + " is of type " + types.get(table))
                      .contains("DROP COLUMN " + columns.get(table))
                      .contains("recovering-a-parked-table"));
      List<String> lines = new ArrayList<>();
      await()
          .atMost(Duration.ofMinutes(1))
          .untilAsserted(
              () -> {
                lines.clear();
                lines.addAll(deadLetters("public." + table));
                assertThat(lines).hasSize(changes.get(table));
              });
      assertThat(lines)
          .allSatisfy(
              l ->
                  assertThat(l)
                      .contains("\"reason\":\"blocked: ")
                      .contains("is of type " + types.get(table)));
      assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"id\":1000"));
      // Nothing of the parked table was written after the column was added.
      assertThat(keys(table)).doesNotContain(1000).hasSize(100);
    }

    // The other table is equal; the parked ones are not compared, with the reason, never DIFFERENT.
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              Map<String, VerifyResult> results =
                  LakeVerifier.verify(it.config, it.catalog, null).stream()
                      .collect(Collectors.toMap(VerifyResult::table, Function.identity()));
              assertThat(results).hasSize(4);
              VerifyResult keep =
                  results.values().stream()
                      .filter(r -> r.table().endsWith("keep"))
                      .findFirst()
                      .orElseThrow();
              assertThat(keep.equal()).as(keep.toString()).isTrue();
              for (String table : types.keySet()) {
                VerifyResult result = results.get("public." + table);
                assertThat(result).as(results.toString()).isNotNull();
                assertThat(result.state()).isEqualTo(VerifyResult.State.NOT_COMPARED);
                assertThat(result.differences())
                    .singleElement()
                    .asString()
                    .contains(columns.get(table))
                    .contains(types.get(table));
              }
            });
    assertThat(keys("keep")).contains(1000).hasSize(201);

    // The operator drops the bad column (the first recovery step): the preflight would take the
    // table again, but it is still parked and its changes are in the dead letters, so verify says
    // that, not DIFFERENT.
    it.sql("ALTER TABLE grid DROP COLUMN m", "UPDATE grid SET v = 'after' WHERE id = 2");
    List<VerifyResult> grid = LakeVerifier.verify(it.config, it.catalog, "public.grid");
    assertThat(grid)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.state()).as(r.toString()).isEqualTo(VerifyResult.State.NOT_COMPARED);
              assertThat(r.differences())
                  .singleElement()
                  .asString()
                  .startsWith("parked, its changes go to the dead letters: blocked: ")
                  .contains("recovering-a-parked-table");
            });
  }
}
