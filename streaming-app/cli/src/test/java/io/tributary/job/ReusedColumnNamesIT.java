package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.config.TableOptions;
import io.tributary.config.TableSelection;
import io.tributary.sink.TableManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A column name reused at the source for a new column, after a rename ({@code RENAME COLUMN x TO
 * x_old; ADD COLUMN x}, the usual way to change a column's type by hand) or a drop ({@code DROP
 * COLUMN a; ADD COLUMN a}): the new column gets a new field, rows not changed since read null in it
 * (as at the source), and the old values stay in the old field. Once in one transaction, once with
 * a restart between the first change and the reuse of the name.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReusedColumnNamesIT {
  @TempDir static Path workdir;
  private static ItStack it;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, "it_reused");
    it.sql(
        "CREATE TABLE ren (id int PRIMARY KEY, x text, y int, z text)",
        "INSERT INTO ren SELECT g, 'x' || g, g, 'z' || g FROM generate_series(1, 300) g",
        "CREATE TABLE dro (id int PRIMARY KEY, a int, b text, c text)",
        "INSERT INTO dro SELECT g, g, 'b' || g, 'c' || g FROM generate_series(1, 300) g",
        "CREATE TABLE calm (id int PRIMARY KEY, v text)",
        "INSERT INTO calm SELECT g, 'v' || g FROM generate_series(1, 100) g");
    it.configure(
        TableSelection.builder()
            .include("public.*")
            // A changelog table, where a commit replayed after the restore would show.
            .option("public.calm", TableOptions.builder().changelog(true).build())
            .build(),
        Duration.ofSeconds(1),
        1000);
    it.start(null);
    it.awaitEqual(3, Duration.ofMinutes(2));
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  private static Map<Integer, Record> rows(Table table) throws Exception {
    Map<Integer, Record> rows = new HashMap<>();
    try (CloseableIterable<Record> all = IcebergGenerics.read(table).build()) {
      for (Record row : all) {
        rows.put((Integer) row.getField("id"), row);
      }
    }
    return rows;
  }

  private static int fieldId(String table, String column) {
    return it.table(table).schema().findField(column).fieldId();
  }

  @Test
  @Order(1)
  void reusedNamesInOneTransactionGetNewColumns() throws Exception {
    int x = fieldId("ren", "x");
    int a = fieldId("dro", "a");
    it.sql(
        "ALTER TABLE ren RENAME COLUMN x TO x_old",
        "ALTER TABLE ren ADD COLUMN x text",
        "UPDATE ren SET x = 'new' || id, x_old = x_old || '!' WHERE id <= 20",
        "UPDATE ren SET x = 'only new' || id WHERE id BETWEEN 21 AND 30",
        "ALTER TABLE dro DROP COLUMN a",
        "ALTER TABLE dro ADD COLUMN a int",
        "UPDATE dro SET a = -id WHERE id <= 20",
        "UPDATE dro SET c = 'c changed' WHERE id BETWEEN 21 AND 30",
        "INSERT INTO dro (id, a, b, c) SELECT g, g * 10, 'new', 'new' FROM"
            + " generate_series(1001, 1010) g",
        "INSERT INTO calm SELECT g, 'later' FROM generate_series(101, 150) g");
    it.awaitEqual(3, Duration.ofMinutes(2));

    Table ren = it.table("ren");
    assertThat(ren.schema().findField("x_old").fieldId()).isEqualTo(x);
    assertThat(ren.schema().findField("x").fieldId()).isNotEqualTo(x);
    assertThat(TableManager.droppedColumns(ren.properties())).isEmpty();
    Map<Integer, Record> renRows = rows(ren);
    assertThat(renRows.get(5).getField("x_old")).isEqualTo("x5!");
    assertThat(renRows.get(5).getField("x")).isEqualTo("new5");
    assertThat(renRows.get(25).getField("x_old")).isEqualTo("x25");
    assertThat(renRows.get(25).getField("x")).isEqualTo("only new25");
    // Rows not changed since: the new column is null, the old values are under the old column.
    assertThat(renRows.get(200).getField("x")).isNull();
    assertThat(renRows.get(200).getField("x_old")).isEqualTo("x200");

    Table dro = it.table("dro");
    assertThat(dro.schema().findField("a").fieldId()).isNotEqualTo(a);
    assertThat(dro.schema().findField(a).name()).isEqualTo("a__dropped_" + a);
    assertThat(TableManager.droppedColumns(dro.properties())).containsExactly(a);
    Map<Integer, Record> droRows = rows(dro);
    assertThat(droRows.get(5).getField("a")).isEqualTo(-5);
    assertThat(droRows.get(25).getField("a")).isNull();
    assertThat(droRows.get(25).getField("c")).isEqualTo("c changed");
    assertThat(droRows.get(200).getField("a")).isNull();
    // The dropped values stay readable under the name they were moved aside to.
    assertThat(droRows.get(200).getField("a__dropped_" + a)).isEqualTo(200);
    assertThat(droRows.get(1005).getField("a")).isEqualTo(10050);
    assertThat(droRows.get(1005).getField("a__dropped_" + a)).isNull();
    assertThat(rows(it.table("calm"))).hasSize(150);
  }

  @Test
  @Order(2)
  void reusedNamesAcrossARestartGetNewColumns() throws Exception {
    int y = fieldId("ren", "y");
    int b = fieldId("dro", "b");
    // The rename and the drop reach the lake before the restart...
    it.sql(
        "ALTER TABLE ren RENAME COLUMN y TO y_old",
        "UPDATE ren SET y_old = y_old + 1000 WHERE id <= 5",
        "ALTER TABLE dro DROP COLUMN b",
        "UPDATE dro SET c = 'before restart' WHERE id <= 5");
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                it.table("ren").schema().findField("y_old") != null
                    && TableManager.droppedColumns(it.table("dro").properties()).contains(b));
    it.awaitEqual(3, Duration.ofMinutes(2));
    assertThat(TableManager.renamedColumns(it.table("ren").properties())).containsEntry("y", y);
    String savepoint =
        it.job
            .stopWithSavepoint(
                false,
                workdir.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL)
            .get(2, TimeUnit.MINUTES);
    // ...the names are reused while the job is stopped...
    it.sql(
        "ALTER TABLE ren ADD COLUMN y bigint",
        "UPDATE ren SET y = id * 2 WHERE id <= 10",
        "ALTER TABLE dro ADD COLUMN b text",
        "UPDATE dro SET b = 'again' || id WHERE id <= 10",
        "INSERT INTO dro (id, a, c, b) VALUES (2000, 1, 'c', 'b2000')",
        "INSERT INTO calm SELECT g, 'while stopped' FROM generate_series(151, 170) g");
    // ...and reach it after the restore.
    it.start(savepoint);
    it.awaitEqualAndStayEqual(3, Duration.ofMinutes(2));

    Table ren = it.table("ren");
    assertThat(ren.schema().findField("y_old").fieldId()).isEqualTo(y);
    assertThat(ren.schema().findField("y").fieldId()).isNotEqualTo(y);
    Map<Integer, Record> renRows = rows(ren);
    assertThat(renRows.get(3).getField("y_old")).isEqualTo(1003);
    assertThat(renRows.get(3).getField("y")).isEqualTo(6L);
    assertThat(renRows.get(200).getField("y")).isNull();
    assertThat(renRows.get(200).getField("y_old")).isEqualTo(200);
    assertThat(renRows.get(200).getField("x_old")).isEqualTo("x200");

    Table dro = it.table("dro");
    assertThat(dro.schema().findField("b").fieldId()).isNotEqualTo(b);
    assertThat(dro.schema().findField(b).name()).isEqualTo("b__dropped_" + b);
    assertThat(TableManager.droppedColumns(dro.properties())).contains(b);
    Map<Integer, Record> droRows = rows(dro);
    assertThat(droRows.get(7).getField("b")).isEqualTo("again7");
    assertThat(droRows.get(200).getField("b")).isNull();
    assertThat(droRows.get(200).getField("b__dropped_" + b)).isEqualTo("b200");
    assertThat(droRows.get(2000).getField("b")).isEqualTo("b2000");
    assertThat(rows(it.table("calm"))).hasSize(170);
  }
}
