package io.tributary.athena;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.config.TableOptions;
import io.tributary.config.TableSelection;
import io.tributary.glue.LakeSettings;
import io.tributary.glue.LocalLake;
import io.tributary.maintenance.DanglingDeletes;
import io.tributary.maintenance.MaintenanceJob;
import io.tributary.maintenance.MaintenanceOptions;
import io.tributary.maintenance.MaintenanceReport;
import io.tributary.maintenance.TableStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Athena engine version 3 is built on Trino: Trino's Iceberg connector, on the same JDBC catalog
 * and S3 server as the streaming job, returns exactly the source's rows from tables with updates
 * and deletes (equality deletes, global ones on a table partitioned outside its key), as of earlier
 * snapshots too, and again after maintenance and after new changes on the maintained tables.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AthenaCompatibilityIT {
  private static final Logger LOG = LoggerFactory.getLogger(AthenaCompatibilityIT.class);
  private static final String DB = "athena_shop";
  private static final Map<String, String> COLUMNS =
      Map.of(
          "accounts", "id, name, balance, active, opened, updated_at, score",
          "orders", "id, region, amount, qty, placed_at, note");

  @TempDir static Path workdir;
  private static LocalLake lake;
  private static CompletableFuture<TrinoServer> trino;
  private static Connection trinoConnection;
  private static String savepoint;

  @BeforeAll
  static void start() throws Exception {
    lake =
        LocalLake.start(
            workdir.resolve("lake"),
            DB,
            TableSelection.builder()
                .include("public.*")
                .option("public.orders", TableOptions.builder().partitionSpec("region").build())
                .build());
    lake.sql(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, name text, balance numeric(12,2),"
            + " active boolean, opened date, updated_at timestamptz, score double precision)",
        "CREATE TABLE orders (id bigint PRIMARY KEY, region text NOT NULL, amount numeric(10,2),"
            + " qty integer, placed_at timestamp, note varchar(20))",
        "INSERT INTO accounts SELECT g, 'name ' || g, g * 1.5, g % 2 = 0, DATE '2024-01-01' + g,"
            + " TIMESTAMPTZ '2024-01-01 00:00:00.123456+02' + g * INTERVAL '1 minute', g / 7.0"
            + " FROM generate_series(1, 1500) g",
        "INSERT INTO orders SELECT g, (ARRAY['US','EU','APAC'])[1 + g % 3], g * 0.25, g % 11,"
            + " TIMESTAMP '2024-03-01 10:00:00.654321' + g * INTERVAL '1 second',"
            + " CASE WHEN g % 4 = 0 THEN NULL ELSE 'note ' || g END FROM generate_series(1, 1500) g");
    // Trino starts while the stream loads and changes the tables; the first query waits for it.
    trino =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return TrinoServer.start(
                    workdir.resolve("trino"), lake.stack(), lake.config().sink());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
  }

  /** The JDBC connection to Trino, once it has started. */
  private static Connection trinoConnection() throws SQLException {
    if (trinoConnection == null) {
      long waiting = System.nanoTime();
      TrinoServer server = trino.join();
      LOG.info("Waited {} ms for Trino", (System.nanoTime() - waiting) / 1_000_000);
      trinoConnection = server.connect(lake.namespace());
    }
    return trinoConnection;
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (trinoConnection != null) {
        trinoConnection.close();
      }
      if (trino != null) {
        TrinoServer server = trino.exceptionally(e -> null).join();
        if (server != null) {
          server.close();
        }
      }
    } finally {
      if (lake != null) {
        lake.close();
      }
    }
  }

  private static void changeBatch(int i) throws SQLException {
    lake.sql(
        "UPDATE accounts SET balance = balance + 1, name = name || '.', active = NOT active,"
            + " updated_at = updated_at + INTERVAL '1 day' WHERE id % 7 = "
            + i,
        "DELETE FROM accounts WHERE id % 53 = " + i,
        "INSERT INTO accounts SELECT g, 'new ' || g, g, true, DATE '2025-06-30', now(), -g FROM"
            + " generate_series("
            + (10_000 + i * 50)
            + ", "
            + (10_049 + i * 50)
            + ") g",
        // Moves rows to another partition: the delete carries only the key, so it is global.
        "UPDATE orders SET region = 'EU', amount = amount + 1, note = NULL WHERE region = 'US'"
            + " AND id % 5 = "
            + i,
        "UPDATE orders SET qty = qty + 100 WHERE region = 'APAC' AND id % 9 = " + i,
        "DELETE FROM orders WHERE id % 41 = " + i);
  }

  @Test
  @Order(1)
  void trinoReturnsTheSourceRowsOfTablesWithEqualityDeletes() throws Exception {
    lake.startStream(null);
    lake.awaitLakeEqualsSource(2);
    Map<String, Long> snapshotBeforeChanges = new HashMap<>();
    Map<String, List<List<Object>>> rowsBeforeChanges = new HashMap<>();
    for (String table : COLUMNS.keySet()) {
      snapshotBeforeChanges.put(table, lake.table(table).currentSnapshot().snapshotId());
      rowsBeforeChanges.put(table, sourceRows(table));
    }
    for (int i = 0; i < 3; i++) {
      changeBatch(i);
      lake.awaitLakeEqualsSource(2);
    }
    savepoint = lake.stopStream();

    Table orders = lake.table("orders");
    List<DeleteFile> ordersDeletes =
        DanglingDeletes.liveDeleteFiles(orders, orders.currentSnapshot());
    assertThat(ordersDeletes)
        .as("global equality deletes of the table partitioned outside its key")
        .anySatisfy(
            f -> {
              assertThat(f.content()).isEqualTo(FileContent.EQUALITY_DELETES);
              assertThat(orders.specs().get(f.specId()).isUnpartitioned()).isTrue();
            });
    for (String table : COLUMNS.keySet()) {
      TableStats stats = TableStats.of(lake.table(table));
      assertThat(stats.equalityDeleteFiles()).as(table).isPositive();
      Map<Integer, Long> files = filesByContent(table);
      assertThat(files.get(2))
          .as("Trino's " + table + "$files")
          .isEqualTo(stats.equalityDeleteFiles());
      assertThat(files.getOrDefault(1, 0L))
          .as("Trino's " + table + "$files")
          .isEqualTo(stats.positionDeleteFiles());
      assertTrinoEqualsSource(table);
      // Time travel to the snapshot before any change: the rows the source had then.
      assertThat(
              trinoRows(
                  "SELECT "
                      + COLUMNS.get(table)
                      + " FROM "
                      + table
                      + " FOR VERSION AS OF "
                      + snapshotBeforeChanges.get(table)
                      + " ORDER BY id"))
          .as(table + " as of snapshot " + snapshotBeforeChanges.get(table))
          .containsExactlyElementsOf(rowsBeforeChanges.get(table));
    }
    // The freshness queries of docs/athena.md.
    assertLastSourceCommitReadable("orders");
    assertThat(
            trinoRows(
                "SELECT max(_source_ts) AS last_source_commit, max(_ingested_at) AS"
                    + " last_ingested, date_diff('second', max(_source_ts), current_timestamp) AS"
                    + " lag_seconds FROM orders"))
        .singleElement()
        .satisfies(row -> assertThat(row).doesNotContainNull());
    // The metadata columns read as documented: every kind of row version, each with its times.
    assertThat(
            trinoRows(
                "SELECT _op, count(*) = count(_source_ts) AND count(*) = count(_ingested_at)"
                    + " FROM accounts GROUP BY _op ORDER BY _op"))
        .containsExactly(List.of("c", true), List.of("r", true), List.of("u", true));
  }

  @Test
  @Order(2)
  void afterMaintenanceAndNewChangesTrinoStillReturnsTheSourceRows() throws Exception {
    List<MaintenanceReport> reports =
        MaintenanceJob.run(
            lake.spark(),
            LakeSettings.of(lake.config()),
            new MaintenanceOptions(null, true, 64L << 20, Duration.ZERO, 1, Duration.ofHours(24)),
            System.out);
    assertThat(reports).hasSize(2);
    for (MaintenanceReport report : reports) {
      assertThat(report.status()).as(report.toJson()).isEqualTo("ok");
      assertThat(report.before().equalityDeleteFiles()).as(report.table()).isPositive();
      assertThat(report.after().deleteFiles()).as(report.table()).isZero();
    }
    for (String table : COLUMNS.keySet()) {
      assertThat(filesByContent(table)).as("Trino's " + table + "$files").containsOnlyKeys(0);
      assertTrinoEqualsSource(table);
      // The "last commits" query of docs/athena.md: maintenance's commit is the latest, and the
      // stream's last commit is kept.
      List<List<Object>> commits =
          trinoRows(
              "SELECT committed_at, snapshot_id, operation,"
                  + " element_at(summary, 'tributary.checkpoint-id') AS checkpoint,"
                  + " element_at(summary, 'tributary.round') AS round,"
                  + " element_at(summary, 'tributary.maintenance') AS maintenance,"
                  + " element_at(summary, 'added-data-files') AS added_data_files,"
                  + " element_at(summary, 'added-delete-files') AS added_delete_files"
                  + " FROM \""
                  + lake.namespace()
                  + "\".\""
                  + table
                  + "$snapshots\" ORDER BY committed_at DESC LIMIT 20");
      assertThat(commits.get(0).get(5)).as(table + " latest commit").isNotNull();
      assertThat(commits).as(table).anySatisfy(row -> assertThat(row.get(3)).isNotNull());
      assertLastSourceCommitReadable(table);
    }

    // New equality deletes on top of the rewritten files.
    lake.startStream(savepoint);
    changeBatch(3);
    lake.awaitLakeEqualsSource(2);
    for (String table : COLUMNS.keySet()) {
      assertThat(filesByContent(table)).as(table).containsKey(2);
      assertTrinoEqualsSource(table);
    }
  }

  /** The first freshness query of docs/athena.md: the stream's newest source commit time. */
  private static void assertLastSourceCommitReadable(String table) throws SQLException {
    List<List<Object>> lastCommit =
        trinoRows(
            "SELECT committed_at,"
                + " from_unixtime(CAST(element_at(summary, 'tributary.max-source-ts-us') AS bigint)"
                + " / 1e6) AS last_source_commit,"
                + " date_diff('second', committed_at, current_timestamp) AS seconds_since_commit"
                + " FROM \""
                + table
                + "$snapshots\" WHERE element_at(summary, 'tributary.max-source-ts-us') IS NOT NULL"
                + " ORDER BY committed_at DESC LIMIT 1");
    assertThat(lastCommit)
        .as(table)
        .singleElement()
        .satisfies(
            row -> {
              assertThat((Instant) row.get(1)).isBefore((Instant) row.get(0));
              assertThat((Long) row.get(2)).isNotNegative();
            });
  }

  private static void assertTrinoEqualsSource(String table) throws SQLException {
    String sql = "SELECT " + COLUMNS.get(table) + " FROM " + table + " ORDER BY id";
    List<List<Object>> source = sourceRows(table);
    assertThat(source).as(table + " in the source").hasSizeGreaterThan(1000);
    assertThat(trinoRows(sql)).as(table + " read by Trino").containsExactlyElementsOf(source);
  }

  private static List<List<Object>> sourceRows(String table) throws SQLException {
    try (Connection c = lake.stack().connect(DB)) {
      return rows(c, "SELECT " + COLUMNS.get(table) + " FROM public." + table + " ORDER BY id");
    }
  }

  private static List<List<Object>> trinoRows(String sql) throws SQLException {
    return rows(trinoConnection(), sql);
  }

  /**
   * Trino's count of live files by content (0 data, 1 position deletes, 2 equality deletes), with
   * the query of docs/athena.md.
   */
  private static Map<Integer, Long> filesByContent(String table) throws SQLException {
    Map<Integer, Long> counts = new LinkedHashMap<>();
    for (List<Object> row :
        trinoRows(
            "SELECT content, count(*) AS files, sum(record_count) AS records,"
                + " sum(file_size_in_bytes) AS total_bytes FROM \""
                + table
                + "$files\" GROUP BY content ORDER BY content")) {
      counts.put(((Number) row.get(0)).intValue(), ((Number) row.get(1)).longValue());
    }
    return counts;
  }

  private static List<List<Object>> rows(Connection connection, String sql) throws SQLException {
    return TrinoServer.whileNodesMissing(() -> rowsOnce(connection, sql));
  }

  private static List<List<Object>> rowsOnce(Connection connection, String sql)
      throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>(columns);
        for (int i = 1; i <= columns; i++) {
          row.add(comparable(rs.getObject(i)));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /**
   * Both drivers' values in one form: instants for timestamps (both drivers read a timestamp
   * without zone in the JVM's zone), local dates for dates; everything else as returned.
   */
  private static Object comparable(Object value) {
    if (value instanceof Timestamp t) {
      return t.toInstant();
    }
    if (value instanceof ZonedDateTime t) {
      return t.toInstant();
    }
    if (value instanceof OffsetDateTime t) {
      return t.toInstant();
    }
    if (value instanceof Date d) {
      return d.toLocalDate();
    }
    return value;
  }
}
