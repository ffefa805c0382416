package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.catalog.CatalogSpec;
import io.tributary.catalog.CatalogSpecs;
import io.tributary.config.JobConfig;
import io.tributary.config.Secret;
import io.tributary.config.ServerIdRange;
import io.tributary.config.SourceConfig;
import io.tributary.config.TableSelection;
import io.tributary.config.TributaryConfig;
import io.tributary.local.LocalStack;
import io.tributary.metrics.LocalMetricsReporter;
import io.tributary.sink.IcebergSchemas;
import io.tributary.source.BinlogPosition;
import io.tributary.source.SourceNotReadyException;
import io.tributary.source.mysql.MySqlPreflight;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointConfigOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
 * A MariaDB 10.11 server captured into the lake: the preflight's findings, the initial snapshot of
 * tables of several column types (a composite key of text and number among them), then inserts,
 * updates, deletes and key changes while the job streams the binlog, a stop with savepoint, changes
 * while stopped and a restore; each stage ends with {@code verify} EQUAL, and streamed rows carry
 * their binlog position in {@code _source_lsn}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MySqlCaptureIT {
  private static final String DATABASE = "shop";
  private static final String NAMESPACE = "mysql_lake";
  private static final String USER = "tributary";
  private static final String PASSWORD = "capture-secret";

  @TempDir static Path workdir;
  private static MariaDbServer mariadb;
  private static LocalStack stack;
  private static TributaryConfig config;
  private static CatalogSpec catalog;
  private static JobClient job;

  @BeforeAll
  static void start() throws Exception {
    mariadb = MariaDbServer.start(workdir.resolve("mariadb"));
    stack = LocalStack.start(workdir.resolve("stack"));
    mariadb.createCaptureUser(USER, PASSWORD);
    mariadb.sql(
        "mysql",
        "CREATE DATABASE shop",
        "CREATE TABLE shop.items (id int PRIMARY KEY, qty bigint NOT NULL, price decimal(12,2),"
            + " name varchar(100) CHARACTER SET utf8mb4, note text, created datetime(6), updated"
            + " timestamp(3) NULL DEFAULT NULL, day date, payload blob, attrs json, status"
            + " enum('new','paid','shipped') NOT NULL DEFAULT 'new')",
        // A composite key of text and number.
        "CREATE TABLE shop.events (kind varchar(20) NOT NULL, seq bigint NOT NULL, amount"
            + " decimal(30,10), at datetime, PRIMARY KEY (kind, seq))",
        // No primary key: refused by the preflight, the other tables are captured.
        "CREATE TABLE shop.notes (body text)",
        "INSERT INTO shop.notes VALUES ('kept out')");
    try (Connection c = mariadb.connectAsRoot(DATABASE);
        Statement st = c.createStatement()) {
      for (int i = 1; i <= 300; i++) {
        st.addBatch(
            "INSERT INTO items VALUES ("
                + i
                + ", "
                + (i * 10_000_000_000L)
                + ", "
                + (i % 7 == 0 ? "NULL" : i + ".25")
                + ", 'item "
                + i
                + " \u00e9\u00e8', "
                + (i % 5 == 0 ? "NULL" : "REPEAT('n', " + i + ")")
                + ", '2024-01-0"
                + (1 + i % 9)
                + " 10:11:12.123456', '2024-02-03 04:05:06.789', '2023-12-"
                + (10 + i % 20)
                + "', "
                + (i % 3 == 0 ? "NULL" : "UNHEX('00FF" + String.format("%04X", i) + "')")
                + ", '{\"n\": "
                + i
                + "}', '"
                + (i % 2 == 0 ? "paid" : "new")
                + "')");
      }
      for (int i = 1; i <= 200; i++) {
        st.addBatch(
            "INSERT INTO events VALUES ('"
                + (i % 2 == 0 ? "order" : "refund")
                + "', "
                + i
                + ", "
                + i
                + ".0123456789, '2024-03-04 05:06:07')");
      }
      st.executeBatch();
    }
    config =
        TributaryConfig.builder()
            .source(
                SourceConfig.builder()
                    .type(SourceConfig.TYPE_MYSQL)
                    .host("127.0.0.1")
                    .port(mariadb.port())
                    .database(DATABASE)
                    .user(USER)
                    .password(Secret.ofValue(PASSWORD))
                    .serverId(new ServerIdRange(5400, 5401))
                    .snapshotChunkSize(50)
                    .build())
            .tables(TableSelection.builder().include("shop.*").build())
            .sink(stack.sink(NAMESPACE))
            .job(
                JobConfig.builder()
                    .checkpointInterval(Duration.ofSeconds(1))
                    .parallelism(2)
                    .sourcePollInterval(Duration.ofSeconds(1))
                    .build())
            .build();
    catalog = CatalogSpecs.from(config.sink());
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (job != null && !job.getJobStatus().get().isTerminalState()) {
        job.cancel().get();
      }
    } catch (IllegalStateException e) {
      // The job ended already, and its local cluster with it.
    } finally {
      if (stack != null) {
        stack.close();
      }
      if (mariadb != null) {
        mariadb.close();
      }
    }
  }

  @Test
  @Order(1)
  void thePreflightReportsTheServerAndRefusesWhatItCannotCapture() throws Exception {
    MySqlPreflight preflight = new MySqlPreflight(config.source(), config.tables());
    assertThat(preflight.run())
        .extracting(t -> t.id().qualified())
        .containsExactly("shop.events", "shop.items");
    assertThat(preflight.server()).startsWith("MariaDB 10.11.");
    assertThat(preflight.refused().values())
        .singleElement()
        .asString()
        .contains("`shop`.`notes`", "no primary key", "ADD PRIMARY KEY");

    // Findings of the server and of the user, each with the statement that fixes it.
    mariadb.sql(
        "mysql",
        "SET GLOBAL binlog_row_image = 'MINIMAL'",
        "CREATE USER 'reader'@'%' IDENTIFIED BY 'pw'",
        "GRANT SELECT ON *.* TO 'reader'@'%'");
    try {
      SourceConfig reader =
          config.source().toBuilder().user("reader").password(Secret.ofValue("pw")).build();
      assertThatThrownBy(() -> new MySqlPreflight(reader, config.tables()).run())
          .isInstanceOf(SourceNotReadyException.class)
          .satisfies(
              e ->
                  assertThat(((SourceNotReadyException) e).problems())
                      .containsExactly(
                          "binlog_row_image is MINIMAL, the capture needs FULL (whole rows before"
                              + " and after each change): SET GLOBAL binlog_row_image = 'FULL';"
                              + " and binlog_row_image=FULL in the server's configuration file",
                          "User reader lacks REPLICATION SLAVE and REPLICATION CLIENT on *.*,"
                              + " which reading the binlog needs: GRANT REPLICATION SLAVE,"
                              + " REPLICATION CLIENT ON *.* TO 'reader'@'<host>';"));
      SourceConfig sameId = config.source().toBuilder().serverId(new ServerIdRange(1, 2)).build();
      assertThatThrownBy(() -> new MySqlPreflight(sameId, config.tables()).run())
          .isInstanceOf(SourceNotReadyException.class)
          .hasMessageContaining("holds the server's own server_id 1");
    } finally {
      mariadb.sql("mysql", "SET GLOBAL binlog_row_image = 'FULL'");
    }
  }

  @Test
  @Order(2)
  void theSnapshotReachesTheLakeEqual() throws Exception {
    startJob(null);
    awaitEqual();

    Map<Integer, Record> items = rows("shop_items", "id");
    assertThat(items).hasSize(300);
    Record seven = items.get(7);
    assertThat(seven.getField("qty")).isEqualTo(70_000_000_000L);
    assertThat(seven.getField("price")).isNull();
    assertThat(seven.getField("name")).isEqualTo("item 7 \u00e9\u00e8");
    assertThat(seven.getField("created"))
        .isEqualTo(LocalDateTime.parse("2024-01-08T10:11:12.123456"));
    assertThat(seven.getField("day")).isEqualTo(LocalDate.parse("2023-12-17"));
    assertThat((ByteBuffer) seven.getField("payload"))
        .isEqualTo(ByteBuffer.wrap(new byte[] {0, (byte) 0xFF, 0, 7}));
    assertThat(seven.getField("attrs")).isEqualTo("{\"n\": 7}");
    assertThat(seven.getField("status")).isEqualTo("new");
    assertThat(items.get(8).getField("price")).isEqualTo(new BigDecimal("8.25"));
  }

  @Test
  @Order(3)
  void changesWhileStreamingReachTheLakeEqual() throws Exception {
    try (Connection c = mariadb.connectAsRoot(DATABASE);
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute(
          "INSERT INTO items (id, qty, price, name, created, updated, day, payload, attrs,"
              + " status) VALUES (1001, -5, 99999999.99, 'new one', '2030-06-07 08:09:10.5',"
              + " '2030-06-07 08:09:10.125', '2030-06-07', UNHEX('DEADBEEF'), '[1, 2]',"
              + " 'shipped')");
      st.execute("UPDATE items SET qty = qty + 1, status = 'shipped' WHERE id BETWEEN 10 AND 40");
      st.execute("DELETE FROM items WHERE id BETWEEN 50 AND 59");
      c.commit();
      // Later transactions: a key change, nulls, a composite key change, deletes.
      st.execute("UPDATE items SET id = id + 5000 WHERE id BETWEEN 1 AND 5");
      c.commit();
      st.execute("UPDATE items SET note = NULL, payload = NULL, attrs = NULL WHERE id = 100");
      st.execute("UPDATE events SET kind = 'void', amount = -amount WHERE seq BETWEEN 1 AND 9");
      st.execute("DELETE FROM events WHERE seq > 190");
      st.execute("INSERT INTO events VALUES ('order', 1000, 0.0000000001, NULL)");
      c.commit();
    }
    awaitEqual();

    Map<Integer, Record> items = rows("shop_items", "id");
    assertThat(items).hasSize(300 + 1 - 10).doesNotContainKeys(1, 5, 55).containsKeys(5001, 5005);
    assertThat(items.get(5003).getField("name")).isEqualTo("item 3 \u00e9\u00e8");
    assertThat(items.get(20).getField("status")).isEqualTo("shipped");
    assertThat(items.get(100).getField("attrs")).isNull();
    assertThat(items.get(1001).getField("price")).isEqualTo(new BigDecimal("99999999.99"));

    // Streamed rows carry their binlog position: in the current binlog file, before its end.
    long position = (Long) items.get(1001).getField(IcebergSchemas.SOURCE_LSN);
    try (Connection c = mariadb.connectAsRoot(DATABASE);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
      rs.next();
      long end = BinlogPosition.encode(rs.getString("File"), rs.getLong("Position"));
      assertThat(BinlogPosition.sequence(position)).isEqualTo(BinlogPosition.sequence(end));
      assertThat(position).isPositive().isLessThan(end);
    }
    assertThat((Long) items.get(5001).getField(IcebergSchemas.SOURCE_LSN))
        .as("a later transaction has a later position")
        .isGreaterThan(position);
  }

  @Test
  @Order(4)
  void aStopWithSavepointAndARestoreLoseAndRepeatNothing() throws Exception {
    String savepoint =
        job.stopWithSavepoint(
                false,
                workdir.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL)
            .get(2, TimeUnit.MINUTES);
    // Changes while the job is stopped are read from the binlog after the restore.
    mariadb.sql(
        DATABASE,
        "INSERT INTO items (id, qty, status) VALUES (2001, 1, 'new')",
        "UPDATE items SET qty = 0 WHERE id BETWEEN 200 AND 210",
        "DELETE FROM events WHERE seq BETWEEN 100 AND 110");
    startJob(savepoint);
    mariadb.sql(DATABASE, "UPDATE items SET name = 'after restore' WHERE id = 2001");
    awaitEqual();

    Map<Integer, Record> items = rows("shop_items", "id");
    assertThat(items).hasSize(300 + 1 - 10 + 1);
    assertThat(items.get(2001).getField("name")).isEqualTo("after restore");
    assertThat(items.get(205).getField("qty")).isEqualTo(0L);
  }

  /** Starts the job, from a savepoint when given. */
  private static void startJob(String savepoint) throws Exception {
    TributaryJob.Start checked = TributaryJob.check(config);
    assertThat(checked.refused()).containsExactly("shop.notes");
    Configuration flink = new Configuration();
    flink.set(
        CheckpointingOptions.CHECKPOINTS_DIRECTORY,
        workdir.resolve("checkpoints").toUri().toString());
    if (savepoint != null) {
      flink.set(SavepointConfigOptions.SAVEPOINT_PATH, savepoint);
    }
    LocalMetricsReporter.configure(flink);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    env.setParallelism(2);
    TributaryJob.build(env, config, checked.tables(), checked.refused());
    job = env.executeAsync("mysql-capture");
  }

  private static void awaitEqual() {
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              List<VerifyResult> results = LakeVerifier.verify(config, catalog, null);
              assertThat(results).hasSize(3);
              for (VerifyResult result : results) {
                if (result.table().equals("shop.notes")) {
                  assertThat(result.state()).isEqualTo(VerifyResult.State.NOT_COMPARED);
                } else {
                  assertThat(result.equal()).as(result.toString()).isTrue();
                }
              }
            });
  }

  private static Map<Integer, Record> rows(String table, String key) throws Exception {
    Catalog c = catalog.open();
    try {
      Table loaded = c.loadTable(TableIdentifier.of(NAMESPACE, table));
      Map<Integer, Record> rows = new HashMap<>();
      try (CloseableIterable<Record> all = IcebergGenerics.read(loaded).build()) {
        for (Record row : all) {
          assertThat(rows.put((Integer) row.getField(key), row)).as("duplicate key").isNull();
        }
      }
      return rows;
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }
}
