package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.catalog.CatalogSpec;
import io.tributary.config.TableMode;
import io.tributary.config.TableOptions;
import io.tributary.config.TableSelection;
import io.tributary.metrics.LocalMetricsReporter;
import io.tributary.sink.TableManager;
import io.tributary.source.CapturedTable;
import io.tributary.source.postgres.SourcePreflight;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
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
 * Changes of a table's key at the source while the job runs: a renamed key column is a rename of
 * the mirror's key field (no failover, the equality deletes follow the new name); a primary key
 * added to a table captured append-only is reported, the table stays append-only (also after a
 * restart), and the documented switch to a keyed mirror ends with an exact mirror.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeyChangesIT {
  @TempDir static Path workdir;
  private static ItStack it;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, "it_keys");
    it.sql(
        "CREATE TABLE orders (id int PRIMARY KEY, v text, n int)",
        "INSERT INTO orders SELECT g, 'v' || g, g FROM generate_series(1, 400) g",
        "CREATE TABLE log (id int NOT NULL, v text)",
        "ALTER TABLE log REPLICA IDENTITY FULL",
        "INSERT INTO log SELECT g, 'v' || g FROM generate_series(1, 200) g",
        "CREATE TABLE calm (id int PRIMARY KEY, v text)",
        "INSERT INTO calm SELECT g, 'v' || g FROM generate_series(1, 100) g",
        // No key and REPLICA IDENTITY DEFAULT: only its inserts can be captured.
        "CREATE TABLE feed (id int NOT NULL, v text)",
        "INSERT INTO feed SELECT g, 'v' || g FROM generate_series(1, 100) g");
    it.configure(TableSelection.builder().include("public.*").build(), Duration.ofSeconds(1), 1000);
    it.start(null);
    it.awaitEqual(4, Duration.ofMinutes(2));
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  static void awaitTableEqual(String table) {
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

  static Map<Integer, Record> rows(Table table, String key) throws Exception {
    Map<Integer, Record> rows = new HashMap<>();
    try (CloseableIterable<Record> all = IcebergGenerics.read(table).build()) {
      for (Record row : all) {
        assertThat(rows.put((Integer) row.getField(key), row)).as("duplicate key").isNull();
      }
    }
    return rows;
  }

  static List<Record> changes(Table table) throws Exception {
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> all = IcebergGenerics.read(table).build()) {
      all.forEach(rows::add);
    }
    return rows;
  }

  /** The other table keeps flowing: a new row of it reaches the lake. */
  static void calmFlows(int id) throws Exception {
    it.sql("INSERT INTO calm VALUES (" + id + ", 'later')");
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> rows(it.table("calm"), "id").containsKey(id));
    awaitTableEqual("public.calm");
  }

  private static long restarts() {
    Number n = LocalMetricsReporter.value(LocalMetricsReporter.NUM_RESTARTS);
    return n == null ? 0 : n.longValue();
  }

  @Test
  @Order(1)
  void aRenamedKeyColumnIsRenamedInPlace() throws Exception {
    int id = it.table("orders").schema().findField("id").fieldId();
    assertThat(it.table("orders").schema().identifierFieldIds()).containsExactly(id);
    long restartsBefore = restarts();
    it.sql(
        "ALTER TABLE orders RENAME COLUMN id TO order_id",
        "UPDATE orders SET v = 'after rename' WHERE order_id <= 20",
        "DELETE FROM orders WHERE order_id BETWEEN 21 AND 30",
        "INSERT INTO orders SELECT g, 'new', g FROM generate_series(1001, 1020) g");
    // More changes in later transactions and checkpoints.
    it.sql("UPDATE orders SET n = -n WHERE order_id BETWEEN 31 AND 40");
    it.sql("UPDATE orders SET order_id = order_id + 5000 WHERE order_id BETWEEN 41 AND 45");
    awaitTableEqual("public.orders");
    it.sql("UPDATE orders SET v = 'again' WHERE order_id <= 10 OR order_id > 1010");
    awaitTableEqual("public.orders");

    Table orders = it.table("orders");
    assertThat(orders.schema().findField("order_id").fieldId()).isEqualTo(id);
    assertThat(orders.schema().findField("id")).isNull();
    assertThat(orders.schema().identifierFieldIds()).containsExactly(id);
    Map<Integer, Record> rows = rows(orders, "order_id");
    assertThat(rows).hasSize(400 - 10 + 20);
    assertThat(rows.get(5).getField("v")).isEqualTo("again");
    assertThat(rows.get(15).getField("v")).isEqualTo("after rename");
    assertThat(rows.get(200).getField("v")).isEqualTo("v200");
    assertThat(rows).doesNotContainKey(25).containsKey(5043);
    assertThat(restarts()).as("restarts of the job").isEqualTo(restartsBefore);
    calmFlows(1001);
  }

  private static boolean lakeHas(String name) {
    Catalog c = it.catalog.open();
    try {
      return c.tableExists(TableIdentifier.of(it.database, name));
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }

  private static String savepoint() throws Exception {
    return it.job
        .stopWithSavepoint(
            false, workdir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
        .get(2, TimeUnit.MINUTES);
  }

  private static CapturedTable captured(List<CapturedTable> tables, String name) {
    return tables.stream().filter(t -> t.id().table().equals(name)).findFirst().orElseThrow();
  }

  @Test
  @Order(2)
  void aPrimaryKeyAddedToAnAppendOnlyTableIsReportedAndTheTableStaysAppendOnly() throws Exception {
    assertThat(lakeHas("log__changes")).isTrue();
    assertThat(lakeHas("log")).isFalse();
    it.sql(
        "ALTER TABLE log ADD PRIMARY KEY (id)",
        "INSERT INTO log SELECT g, 'after key' FROM generate_series(201, 220) g",
        "DELETE FROM log WHERE id <= 10");
    // The running job notices: the changelog table records the key.
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> it.table("log__changes").properties().get(TableManager.KEY_ADDED) != null);
    assertThat(it.table("log__changes").properties().get(TableManager.KEY_ADDED))
        .startsWith("[id] at LSN ");
    awaitTableEqual("public.log");
    assertThat(lakeHas("log")).as("no mirror table is started").isFalse();
    calmFlows(1002);

    // A keyless table under REPLICA IDENTITY DEFAULT is captured insert-only (its own insert-only
    // publication): the key is noticed, its inserts go on, and verify says what is not captured.
    it.sql(
        "ALTER TABLE feed ADD PRIMARY KEY (id)",
        "INSERT INTO feed SELECT g, 'after key' FROM generate_series(101, 110) g",
        "UPDATE feed SET v = 'updated' WHERE id <= 5",
        "DELETE FROM feed WHERE id BETWEEN 6 AND 10");
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              assertThat(it.table("feed__changes").properties().get(TableManager.KEY_ADDED))
                  .startsWith("[id] at LSN ");
              assertThat(changes(it.table("feed__changes"))).hasSize(110);
            });
    VerifyResult feed = LakeVerifier.verify(it.config, it.catalog, "public.feed").get(0);
    assertThat(feed.state()).as(feed.toString()).isEqualTo(VerifyResult.State.NOT_COMPARED);
    assertThat(feed.toString())
        .contains("it was captured insert-only")
        .contains("primary key [id] was added")
        .contains("tables.options.public.feed.mode: mirror");
    assertThat(lakeHas("feed")).as("no mirror table is started").isFalse();
    calmFlows(1005);

    // The preflight of the next start says what happens: it stays append-only, as captured.
    String savepoint = savepoint();
    Catalog lake = it.catalog.open();
    SourcePreflight preflight = new SourcePreflight(it.config.source(), it.config.tables());
    List<CapturedTable> tables;
    try {
      tables =
          preflight
              .lakeAppendOnly(TributaryJob.lakeAppendOnly(lake, it.config.sink().namespace()))
              .run();
    } finally {
      CatalogSpec.closeQuietly(lake);
    }
    CapturedTable log = captured(tables, "log");
    assertThat(log.appendOnly()).isTrue();
    assertThat(log.primaryKey()).isEmpty();
    assertThat(preflight.warnings())
        .anySatisfy(
            w ->
                assertThat(w)
                    .contains("public.log has the primary key [id] now")
                    .contains("it stays append-only")
                    .contains("mode: mirror"));
    // The insert-only table stays in its insert-only source, and the preflight says what that
    // means now that it has a key.
    CapturedTable feedTable = captured(tables, "feed");
    assertThat(feedTable.appendOnly()).isTrue();
    assertThat(feedTable.insertOnly()).isTrue();
    assertThat(preflight.warnings())
        .anySatisfy(
            w ->
                assertThat(w)
                    .contains("public.feed has the primary key [id] now")
                    .contains("append-only and insert-only")
                    .contains("its updates and deletes are not captured")
                    .contains("tables.options.public.feed.mode: mirror"))
        .noneSatisfy(w -> assertThat(w).contains("public.feed has no primary key"))
        .noneSatisfy(w -> assertThat(w).contains("public.log has no primary key"));

    it.start(savepoint);
    it.sql(
        "INSERT INTO log SELECT g, 'after restart' FROM generate_series(221, 230) g",
        "DELETE FROM log WHERE id BETWEEN 11 AND 15",
        "INSERT INTO feed VALUES (111, 'after restart')");
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> changes(it.table("feed__changes")).size() == 111);
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              VerifyResult r = LakeVerifier.verify(it.config, it.catalog, "public.log").get(0);
              assertThat(r.equal()).as(r.toString()).isTrue();
            });
    assertThat(lakeHas("log")).as("no mirror table is started").isFalse();
    assertThat(restarts()).isZero();
    calmFlows(1003);
  }

  @Test
  @Order(3)
  void theSwitchToAKeyedMirrorAsDocumentedEndsExact() throws Exception {
    // Stop with a savepoint, set mode: mirror, start from the savepoint (allowing the state of the
    // source that only this table had to go).
    String savepoint = savepoint();
    it.config =
        it.config.toBuilder()
            .tables(
                it.config.tables().toBuilder()
                    .option("public.log", TableOptions.builder().mode(TableMode.MIRROR).build())
                    .option("public.feed", TableOptions.builder().mode(TableMode.MIRROR).build())
                    .build())
            .build();
    it.start(savepoint, true);
    it.sql(
        "INSERT INTO log SELECT g, 'mirrored' FROM generate_series(231, 240) g",
        "UPDATE log SET v = 'updated' WHERE id BETWEEN 100 AND 120",
        "DELETE FROM log WHERE id BETWEEN 16 AND 20",
        "INSERT INTO feed VALUES (112, 'mirrored')",
        "UPDATE feed SET v = 'updated again' WHERE id BETWEEN 50 AND 54",
        "DELETE FROM feed WHERE id BETWEEN 60 AND 64");
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              assertThat(lakeHas("log")).isTrue();
              assertThat(lakeHas("feed")).isTrue();
              for (String table : List.of("public.log", "public.feed")) {
                VerifyResult r = LakeVerifier.verify(it.config, it.catalog, table).get(0);
                assertThat(r.equal()).as(r.toString()).isTrue();
              }
            });
    // The insert-only table's mirror holds the updates and deletes made while it was insert-only.
    Map<Integer, Record> feedRows = rows(it.table("feed"), "id");
    assertThat(feedRows).hasSize(112 - 5 - 5).doesNotContainKeys(6, 10, 60, 64);
    assertThat(feedRows.get(3).getField("v")).isEqualTo("updated");
    assertThat(feedRows.get(52).getField("v")).isEqualTo("updated again");
    assertThat(it.table("feed").schema().identifierFieldIds()).hasSize(1);
    Map<Integer, Record> rows = rows(it.table("log"), "id");
    assertThat(rows).hasSize(240 - 20);
    assertThat(rows.get(110).getField("v")).isEqualTo("updated");
    assertThat(it.table("log").schema().identifierFieldIds()).hasSize(1);
    calmFlows(1004);
    // The former source's slot is no longer read: dropped as the docs say.
    it.sql(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
            + " WHERE (slot_name LIKE '%\\_id' OR slot_name LIKE '%\\_id\\_\\_inserts')"
            + " AND NOT active");
  }
}
