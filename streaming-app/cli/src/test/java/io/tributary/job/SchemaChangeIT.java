package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.config.ControlConfig;
import io.tributary.config.TableSelection;
import io.tributary.control.TableStates;
import io.tributary.deadletter.DeadLetters;
import io.tributary.metrics.LocalMetricsReporter;
import io.tributary.metrics.MetricNames;
import io.tributary.sink.TableManager;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema changes at the source while the job runs: added, dropped and renamed columns, widened
 * types in place, and a change Iceberg cannot apply, which parks only that table.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchemaChangeIT {
  @TempDir static Path workdir;
  private static ItStack it;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, "it_schema");
    it.sql(
        "CREATE TABLE evo (id int PRIMARY KEY, a smallint, b real, c numeric(8,2), d varchar(10),"
            + " e text, f text)",
        "INSERT INTO evo SELECT g, g, g / 4.0, g * 1.25, 'd' || g, 'e' || g, 'f' || g FROM"
            + " generate_series(1, 500) g",
        "CREATE TABLE bad (id int PRIMARY KEY, v text)",
        "INSERT INTO bad SELECT g, g::text FROM generate_series(1, 100) g");
    it.configure(TableSelection.builder().include("public.*").build(), Duration.ofSeconds(1), 1000);
    it.start(null);
    it.awaitEqual(2, Duration.ofMinutes(2));
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  private static void awaitTableEqual(String table) {
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              List<VerifyResult> results = LakeVerifier.verify(it.config, it.catalog, table);
              assertThat(results).hasSize(1);
              assertThat(results.get(0).equal()).as(results.get(0).toString()).isTrue();
            });
  }

  private static Map<Integer, Record> rows(Table table) throws Exception {
    Map<Integer, Record> rows = new HashMap<>();
    try (CloseableIterable<Record> all = IcebergGenerics.read(table).build()) {
      for (Record row : all) {
        // id is widened to bigint by typesAreWidenedInPlace; the keys read here fit an int.
        rows.put(((Number) row.getField("id")).intValue(), row);
      }
    }
    return rows;
  }

  @Test
  @Order(1)
  void addedColumnsNullableWithDefaultAndNotNull() throws Exception {
    it.sql(
        "ALTER TABLE evo ADD COLUMN n1 text",
        "ALTER TABLE evo ADD COLUMN n2 integer DEFAULT 7",
        "ALTER TABLE evo ADD COLUMN n3 text NOT NULL DEFAULT 'x'",
        "INSERT INTO evo (id, a, n1, n2, n3) VALUES (1001, 1, 'one', 1, 'y')",
        "UPDATE evo SET n1 = 'upd' WHERE id <= 10");
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                rows(it.table("evo")).containsKey(1001)
                    && it.table("evo").schema().findField("n3") != null);
    Table evo = it.table("evo");
    assertThat(evo.schema().findField("n3").isOptional()).isTrue();
    // Rows not changed since the column was added read as null, not as the source default.
    Map<Integer, Record> rows = rows(evo);
    assertThat(rows.get(400).getField("n2")).isNull();
    assertThat(rows.get(5).getField("n2")).isEqualTo(7);
    assertThat(rows.get(1001).getField("n3")).isEqualTo("y");
    // Verify compares the rows written before the add: they differ in the defaulted columns.
    VerifyResult before = LakeVerifier.verify(it.config, it.catalog, "public.evo").get(0);
    assertThat(before.different()).as(before.toString()).isTrue();
    assertThat(before.differences())
        .hasSize(10)
        .allSatisfy(d -> assertThat(d).matches("id=\\d+: values differ in \\[n2, n3\\]"));
    // Once every row changed, the lake equals the source.
    it.sql("UPDATE evo SET a = a WHERE id > 10");
    awaitTableEqual("public.evo");
  }

  @Test
  @Order(2)
  void aDroppedColumnStaysUnfilled() throws Exception {
    int fieldId = it.table("evo").schema().findField("f").fieldId();
    it.sql("ALTER TABLE evo DROP COLUMN f", "UPDATE evo SET a = a + 1 WHERE id <= 5");
    it.sql("INSERT INTO evo (id, a) VALUES (1002, 2)");
    awaitTableEqual("public.evo");
    Table evo = it.table("evo");
    assertThat(evo.schema().findField("f")).isNotNull();
    assertThat(TableManager.droppedColumns(evo.properties())).contains(fieldId);
    Map<Integer, Record> rows = rows(evo);
    assertThat(rows.get(300).getField("f")).isEqualTo("f300");
    assertThat(rows.get(1002).getField("f")).isNull();
  }

  @Test
  @Order(3)
  void aRenamedColumnKeepsItsFieldAndHistory() throws Exception {
    Table before = it.table("evo");
    int fieldId = before.schema().findField("d").fieldId();
    long snapshotBefore = before.currentSnapshot().snapshotId();
    it.sql("ALTER TABLE evo RENAME COLUMN d TO d_renamed", "UPDATE evo SET a = a + 1 WHERE id = 7");
    awaitTableEqual("public.evo");
    Table evo = it.table("evo");
    Types.NestedField renamed = evo.schema().findField("d_renamed");
    assertThat(renamed).isNotNull();
    assertThat(renamed.fieldId()).isEqualTo(fieldId);
    assertThat(evo.schema().findField("d")).isNull();
    // Rows written before the rename (in files that name the column d) read under the new name.
    assertThat(rows(evo).get(42).getField("d_renamed")).isEqualTo("d42");
    // Time travel to before the rename reads with the schema of that time.
    try (CloseableIterable<Record> old =
        IcebergGenerics.read(evo).useSnapshot(snapshotBefore).select("id", "d").build()) {
      List<Object> values = new ArrayList<>();
      for (Record row : old) {
        if (Integer.valueOf(42).equals(row.getField("id"))) {
          values.add(row.getField("d"));
        }
      }
      assertThat(values).containsExactly("d42");
    }
  }

  @Test
  @Order(4)
  void aDropAndAnAddAreNotARename() throws Exception {
    int eId = it.table("evo").schema().findField("e").fieldId();
    it.sql(
        "ALTER TABLE evo DROP COLUMN e",
        "ALTER TABLE evo ADD COLUMN e_new text",
        "UPDATE evo SET e_new = 'new' || id WHERE id <= 3");
    // Rows not changed since are compared as written before the drop and the add.
    awaitTableEqual("public.evo");
    Table evo = it.table("evo");
    assertThat(evo.schema().findField("e").fieldId()).isEqualTo(eId);
    assertThat(evo.schema().findField("e_new").fieldId()).isNotEqualTo(eId);
    assertThat(TableManager.droppedColumns(evo.properties())).contains(eId);
  }

  @Test
  @Order(5)
  void typesAreWidenedInPlace() throws Exception {
    it.sql(
        "ALTER TABLE evo ALTER COLUMN a TYPE integer",
        "UPDATE evo SET a = 100000 WHERE id = 1",
        "ALTER TABLE evo ALTER COLUMN a TYPE bigint",
        "ALTER TABLE evo ALTER COLUMN b TYPE double precision",
        "ALTER TABLE evo ALTER COLUMN c TYPE numeric(14,2)",
        "ALTER TABLE evo ALTER COLUMN d_renamed TYPE text",
        "UPDATE evo SET a = 9000000000, b = 1.0000000001, c = 123456789012.34,"
            + " d_renamed = repeat('z', 50) WHERE id = 2",
        // The key widened between changes of the same negative keys in one transaction, so in
        // one checkpoint: each key must reach the same writer before and after (an int and a long
        // of one value hash alike), or its insert and its update would both stay.
        "INSERT INTO evo (id, e_new) SELECT -g, 'narrow' FROM generate_series(1, 40) g",
        "ALTER TABLE evo ALTER COLUMN id TYPE bigint",
        "UPDATE evo SET e_new = 'wide' WHERE id < 0",
        "DELETE FROM evo WHERE id IN (-1, -2)",
        "INSERT INTO evo (id, e_new) VALUES (-5000000000, 'beyond int')");
    // Rows written before the widening are compared as stored, read with the wider types.
    awaitTableEqual("public.evo");
    Types.StructType struct = it.table("evo").schema().asStruct();
    assertThat(struct.field("a").type()).isEqualTo(Types.LongType.get());
    assertThat(struct.field("b").type()).isEqualTo(Types.DoubleType.get());
    assertThat(struct.field("c").type()).isEqualTo(Types.DecimalType.of(14, 2));
    assertThat(struct.field("id").type()).isEqualTo(Types.LongType.get());
    Map<Integer, Record> rows = rows(it.table("evo"));
    assertThat(rows).doesNotContainKeys(-1, -2).containsKey(-40);
    assertThat(rows.get(-40).getField("e_new")).isEqualTo("wide");
  }

  @Test
  @Order(6)
  void anIncompatibleChangeParksOnlyThatTable() throws Exception {
    it.sql(
        "ALTER TABLE bad ALTER COLUMN v TYPE integer USING v::integer",
        "UPDATE bad SET v = v + 1 WHERE id <= 3",
        "INSERT INTO bad VALUES (1000, 5)");
    // The other table keeps flowing.
    it.sql("INSERT INTO evo (id, a) VALUES (2000, 1)", "UPDATE evo SET a = a + 1 WHERE id = 9");
    awaitTableEqual("public.evo");
    await()
        .atMost(Duration.ofMinutes(1))
        .untilAsserted(
            () ->
                assertThat(it.table("bad").properties().get(TableManager.BLOCKED))
                    .startsWith("blocked: ")
                    .contains("'v'"));
    List<String> lines = new ArrayList<>();
    await()
        .atMost(Duration.ofMinutes(1))
        .untilAsserted(
            () -> {
              lines.clear();
              try (FileIO io = it.catalog.openFileIo()) {
                for (DeadLetters.DeadLetterFile file :
                    DeadLetters.list(io, it.catalog.warehouse(), "public.bad")) {
                  lines.addAll(DeadLetters.read(io, file.path()));
                }
              }
              assertThat(lines).hasSize(4);
            });
    assertThat(lines).allSatisfy(l -> assertThat(l).contains("\"reason\":\"blocked: "));
    assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"id\":1000").contains("\"v\":5"));
    // Nothing of the parked table was written after the change.
    assertThat(rows(it.table("bad"))).doesNotContainKey(1000);
    // Its metrics say so; the other table's do not.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(LocalMetricsReporter.value("public.bad", MetricNames.TABLE_BLOCKED))
                  .isEqualTo(1);
              assertThat(LocalMetricsReporter.count("public.bad", MetricNames.DEAD_LETTERS))
                  .isEqualTo(4L);
            });
    assertThat(LocalMetricsReporter.value("public.evo", MetricNames.TABLE_BLOCKED)).isEqualTo(0);
    assertThat(LocalMetricsReporter.count("public.evo", MetricNames.DEAD_LETTERS)).isNull();
    // The control table says so, with the reason and the dead letters.
    ControlConfig control = it.stack.control().orElseThrow();
    await()
        .atMost(Duration.ofSeconds(75))
        .untilAsserted(
            () -> {
              var bad =
                  TableStates.states(TableStates.scan(control)).stream()
                      .filter(i -> TableStates.text(i, "table").equals("bad"))
                      .findFirst()
                      .orElseThrow();
              assertThat(TableStates.status(bad)).isEqualTo("BLOCKED");
              assertThat(TableStates.text(bad, "statusReason"))
                  .startsWith("blocked: ")
                  .contains("'v'");
              assertThat(TableStates.number(bad, "deadLetters")).isEqualTo(4);
            });
  }
}
