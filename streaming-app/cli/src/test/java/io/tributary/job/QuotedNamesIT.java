package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.catalog.CatalogSpec;
import io.tributary.config.TableSelection;
import io.tributary.local.LocalQuery;
import io.tributary.source.postgres.NewTableWatcher;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.types.Row;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types.NestedField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names of real databases: capitals, spaces, a dot, double quotes and symbols in column names,
 * non-ASCII letters in schema and table names, arrays in a composite key table; the tables whose
 * names Flink CDC cannot carry (a space, a {@code $}, a non-ASCII letter), whose key type its
 * snapshot cannot split on (an {@code interval}, an enum), whose key Iceberg cannot hold (a {@code
 * real}) or with a column the capture cannot read exactly (a {@code refcursor}, a {@code date[]})
 * are refused while the others are captured, snapshot and stream, and compared by verify.
 */
class QuotedNamesIT {
  private static final String DB = "it_names";

  /**
   * Refused at preflight: names the capture cannot carry, keys whose type the initial snapshot
   * cannot split on, a column it cannot read.
   */
  private static final List<String> REFUSED =
      List.of(
          "public.Order Lines",
          "public.a$b",
          "Sales.Größe",
          "public.Größe2",
          "public.Spans",
          "Sales.moods",
          "public.cursors",
          "public.ratios",
          "public.dated");

  @TempDir static Path workdir;
  private static ItStack it;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, DB);
    it.sql(
        "CREATE SCHEMA \"Sales\"",
        "CREATE TABLE \"Orders\" (\"Order Id\" text, \"At\" timestamptz, \"Nums\" int[],"
            + " \"Tags\" text[], \"Total (EUR)\" numeric(10,2), \"Unit.Price\" numeric(10,2),"
            + " \"Say \"\"Hi\"\"\" text, PRIMARY KEY (\"Order Id\", \"At\"))",
        "INSERT INTO \"Orders\" SELECT 'O-' || g, timestamptz '2026-01-01 00:00+00' + g *"
            + " interval '1 hour', ARRAY[g, -g], ARRAY['a ' || g, 'b\"' || g], g * 1.5, g * 0.5,"
            + " 'hi \"' || g FROM generate_series(1, 120) g",
        // Keys the initial snapshot cannot split on, and a column it cannot read.
        "CREATE TABLE \"Spans\" (s interval PRIMARY KEY, v text)",
        "INSERT INTO \"Spans\" SELECT g * interval '1 minute', 'v' || g FROM generate_series(1, 30) g",
        "CREATE TYPE \"Sales\".mood AS ENUM ('sad', 'ok', 'happy')",
        "CREATE TABLE \"Sales\".moods (m \"Sales\".mood PRIMARY KEY, v text)",
        "INSERT INTO \"Sales\".moods VALUES ('sad', 'a'), ('happy', 'b')",
        "CREATE TABLE ratios (id int, r real, PRIMARY KEY (id, r))",
        "INSERT INTO ratios SELECT g, g / 3.0 FROM generate_series(1, 10) g",
        "CREATE TABLE dated (id int PRIMARY KEY, days date[])",
        "INSERT INTO dated SELECT g, ARRAY[date '2024-01-01' + g] FROM generate_series(1, 10) g",
        "CREATE TABLE cursors (id int PRIMARY KEY, c refcursor)",
        "INSERT INTO cursors SELECT g, ('c' || g)::refcursor FROM generate_series(1, 10) g",
        "CREATE TABLE \"Sales\".\"Größe\" (id int PRIMARY KEY, \"Wert\" text)",
        "INSERT INTO \"Sales\".\"Größe\" SELECT g, 'w' || g FROM generate_series(1, 40) g",
        "CREATE TABLE \"a$b\" (id int PRIMARY KEY, v text)",
        "INSERT INTO \"a$b\" SELECT g, 'v' || g FROM generate_series(1, 30) g",
        "CREATE TABLE \"Sales\".\"Items\" (id int PRIMARY KEY, v text)",
        "INSERT INTO \"Sales\".\"Items\" SELECT g, 'v' || g FROM generate_series(1, 30) g",
        "CREATE TABLE \"Größe2\" (id int PRIMARY KEY, v text)",
        "INSERT INTO \"Größe2\" SELECT g, 'v' || g FROM generate_series(1, 30) g",
        "CREATE TABLE \"Lines2026\" (id int PRIMARY KEY, v text)",
        "INSERT INTO \"Lines2026\" SELECT g, 'v' || g FROM generate_series(1, 30) g",
        "CREATE TABLE \"Order Lines\" (id int PRIMARY KEY, v text)",
        "INSERT INTO \"Order Lines\" SELECT g, 'v' || g FROM generate_series(1, 10) g");
    it.configure(
        TableSelection.builder().include("public.*", "Sales.*").build(), Duration.ofSeconds(1), 50);
    it.start(null);
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  @Test
  void oddNamesAreCapturedAndTheOneFlinkCdcCannotCarryIsRefusedWhileTheOthersFlow()
      throws Exception {
    awaitCapturedEqual();
    it.sql(
        "INSERT INTO \"Orders\" VALUES ('O new', now(), ARRAY[7], ARRAY['x'], 1.00, 2.00, 'new')",
        "UPDATE \"Orders\" SET \"Tags\" = ARRAY['changed'], \"Total (EUR)\" = 0 WHERE \"Order Id\""
            + " IN ('O-1', 'O-2')",
        "UPDATE \"Orders\" SET \"Unit.Price\" = 9.99, \"Say \"\"Hi\"\"\" = 'bye' WHERE"
            + " \"Order Id\" = 'O-5'",
        "INSERT INTO \"Spans\" VALUES (interval '1 day', 'not captured')",
        "INSERT INTO cursors VALUES (11, 'not captured')",
        "INSERT INTO ratios VALUES (11, 0.5)",
        "UPDATE \"Orders\" SET \"Order Id\" = 'O moved' WHERE \"Order Id\" = 'O-3'",
        "DELETE FROM \"Orders\" WHERE \"Order Id\" = 'O-4'",
        "UPDATE \"Sales\".\"Größe\" SET \"Wert\" = 'größer' WHERE id <= 5",
        "INSERT INTO \"Sales\".\"Größe\" VALUES (100, 'neu')",
        "DELETE FROM \"Lines2026\" WHERE id = 1",
        "UPDATE \"Sales\".\"Items\" SET v = 'x' WHERE id = 2",
        "UPDATE \"Größe2\" SET v = 'x' WHERE id = 2",
        "INSERT INTO \"Lines2026\" VALUES (31, 'new')",
        "INSERT INTO \"a$b\" VALUES (31, 'not captured')",
        "INSERT INTO \"Order Lines\" VALUES (11, 'not captured')");
    awaitCapturedEqual();

    assertThat(lakeTables()).containsExactly("lines2026", "orders", "sales_items");
    Map<String, Object> moved = row("orders", "order id", "O moved");
    assertThat(moved).isNotNull();
    assertThat(moved).as(moved.toString()).containsKey("total (eur)");
    assertThat(moved.get("total (eur)").toString()).isEqualTo("4.50");
    Map<String, Object> updated = row("orders", "order id", "O-5");
    assertThat(updated).as("%s", updated).containsEntry("say \"hi\"", "bye");
    assertThat(updated.get("unit.price").toString()).isEqualTo("9.99");
    // tributary query reads such columns by their lake names in back-quotes.
    List<Row> queried =
        LocalQuery.run(
            it.catalog,
            DB,
            "SELECT `unit.price`, `say \"hi\"`, `total (eur)` FROM orders WHERE `order id` ="
                + " 'O-5'",
            new PrintStream(new ByteArrayOutputStream()));
    assertThat(queried).hasSize(1);
    assertThat(queried.get(0).getField(0).toString()).isEqualTo("9.99");
    assertThat(queried.get(0).getField(1)).isEqualTo("bye");
    assertThat(queried.get(0).getField(2).toString()).isEqualTo("7.50");
    assertThat(row("orders", "order id", "O-4")).isNull();

    // The running job reports new tables, not the ones the preflight refused at its start.
    TributaryJob.Start checked = TributaryJob.check(it.config);
    assertThat(checked.refused()).containsAll(REFUSED);
    it.sql("CREATE TABLE \"Fresh\" (id int PRIMARY KEY)");
    try {
      NewTableWatcher watcher =
          new NewTableWatcher(
              it.config.source(), it.config.tables(), checked.tables(), checked.refused());
      assertThat(watcher.check(it.config.tables())).containsExactly("public.Fresh");
    } finally {
      it.sql("DROP TABLE \"Fresh\"");
    }
  }

  private static void awaitCapturedEqual() {
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              List<VerifyResult> results = new ArrayList<>();
              for (VerifyResult r : LakeVerifier.verify(it.config, it.catalog, null)) {
                if (REFUSED.contains(r.table())) {
                  // Refused at preflight: said so, never EQUAL.
                  assertThat(r.state()).isEqualTo(VerifyResult.State.NOT_COMPARED);
                  assertThat(r.differences().get(0)).contains("is not captured");
                } else {
                  results.add(r);
                }
              }
              assertThat(results).hasSize(3);
              assertThat(results).allSatisfy(r -> assertThat(r.equal()).as(r.toString()).isTrue());
            });
  }

  private static List<String> lakeTables() {
    Catalog catalog = it.catalog.open();
    try {
      List<String> names = new ArrayList<>();
      for (TableIdentifier id : catalog.listTables(Namespace.of(DB))) {
        names.add(id.name());
      }
      names.sort(null);
      return names;
    } finally {
      CatalogSpec.closeQuietly(catalog);
    }
  }

  private static Map<String, Object> row(String table, String column, String value)
      throws Exception {
    try (CloseableIterable<Record> rows = IcebergGenerics.read(it.table(table)).build()) {
      for (Record r : rows) {
        if (value.equals(r.getField(column))) {
          Map<String, Object> fields = new TreeMap<>();
          for (NestedField f : r.struct().fields()) {
            fields.put(f.name(), r.getField(f.name()));
          }
          return fields;
        }
      }
    }
    return null;
  }
}
