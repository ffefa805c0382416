package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.catalog.CatalogSpec;
import io.tributary.config.ControlConfig;
import io.tributary.config.Secret;
import io.tributary.config.TableMode;
import io.tributary.config.TableOptions;
import io.tributary.config.TableSelection;
import io.tributary.config.TributaryConfig;
import io.tributary.control.TableStates;
import io.tributary.local.LocalQuery;
import io.tributary.local.LocalStack;
import io.tributary.sink.IcebergCommitterOperator;
import io.tributary.sink.IcebergSchemas;
import io.tributary.source.SourceNotReadyException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.types.Row;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The core pipeline end to end on the embedded stack: snapshot, then every kind of change, then a
 * stop with savepoint, changes while stopped, and a restore. After each step the lake must equal
 * the source, row for row over all columns (checked with the same verifier as {@code tributary
 * verify}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineIT {
  private static final String DB = "it_shop";

  @TempDir static Path workdir;

  private static ItStack it;
  private static LocalStack stack;
  private static TributaryConfig config;
  private static CatalogSpec catalogSpec;
  private static JobClient job;
  private static String savepoint;

  @BeforeAll
  static void startStack() throws Exception {
    it = new ItStack(workdir, DB);
    stack = it.stack;
    try (Connection c = stack.connect(DB);
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE accounts (id bigint PRIMARY KEY, name text, balance numeric(12,2),"
              + " updated timestamptz)");
      st.execute(
          "CREATE TABLE orders (id bigint PRIMARY KEY, region text NOT NULL, amount numeric(10,2),"
              + " ordered_at timestamp)");
      st.execute(
          "CREATE TABLE all_types (id int PRIMARY KEY, c_int2 smallint, c_int4 integer, c_int8"
              + " bigint, c_num numeric(20,6), c_real real, c_double double precision, c_bool"
              + " boolean, c_text text, c_varchar varchar(20), c_char char(4), c_date date, c_time"
              + " time, c_ts timestamp, c_tstz timestamptz, c_uuid uuid, c_json json, c_jsonb"
              + " jsonb, c_bytea bytea)");
      st.execute("CREATE TABLE nokey (event_id uuid NOT NULL, v integer)");
      st.execute("ALTER TABLE nokey REPLICA IDENTITY FULL");
      st.execute(
          "INSERT INTO accounts SELECT g, 'name ' || g, g * 1.5, now() FROM generate_series(1,"
              + " 3000) g");
      st.execute(
          "INSERT INTO orders SELECT g, (ARRAY['US','EU','APAC'])[1 + g % 3], g * 0.25,"
              + " timestamp '2024-01-01 10:00:00.123456' + g * interval '1 hour' FROM"
              + " generate_series(1, 3000) g");
      st.execute(
          "INSERT INTO all_types VALUES (1, -32768, -2147483648, -9223372036854775808,"
              + " -12345678901234.123456, 3.25, 2.718281828459045, true, 'Grüße ✓', 'abc',"
              + " 'ab', '0001-01-01', '23:59:59.999', '2024-02-29 12:34:56.654321',"
              + " '2024-02-29 12:34:56.654321+05:30', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',"
              + " '{\"a\": [1, 2]}', '{\"b\": {\"c\": null}}', '\\x00ff10')");
      st.execute("INSERT INTO all_types (id) VALUES (2)");
      st.execute("INSERT INTO nokey SELECT gen_random_uuid(), g FROM generate_series(1, 500) g");
    }
    it.configure(
        TableSelection.builder()
            .include("public.*")
            .option("public.orders", TableOptions.builder().partitionSpec("region").build())
            .option("public.accounts", TableOptions.builder().changelog(true).build())
            .option("public.nokey", TableOptions.builder().keyColumns("event_id").build())
            .build(),
        Duration.ofMillis(1500),
        1000);
    config = it.config;
    catalogSpec = it.catalog;
  }

  @AfterAll
  static void stopStack() throws Exception {
    if (it != null) {
      it.close();
    }
  }

  private static JobClient startJob(String restoreFrom) throws Exception {
    return it.start(restoreFrom);
  }

  private static void awaitLakeEqualsSource() {
    it.awaitEqual(4, Duration.ofSeconds(90));
  }

  private static void sql(String... statements) throws SQLException {
    it.sql(statements);
  }

  private static Table table(String name) {
    return it.table(name);
  }

  @Test
  @Order(1)
  void snapshotCopiesEveryTableWithoutDeleteFiles() throws Exception {
    job = startJob(null);
    awaitLakeEqualsSource();
    for (String name : List.of("accounts", "orders", "all_types", "nokey")) {
      Table table = table(name);
      long deleteFiles = 0;
      List<Map<String, String>> all = new ArrayList<>();
      for (Snapshot snapshot : table.snapshots()) {
        all.add(snapshot.summary());
        Map<String, String> summary = snapshot.summary();
        assertThat(summary).containsKey(IcebergCommitterOperator.CHECKPOINT_ID);
        deleteFiles += Long.parseLong(summary.getOrDefault("added-delete-files", "0"));
      }
      assertThat(deleteFiles)
          .as("delete files written by the snapshot of " + name + ": " + all)
          .isZero();
    }
    assertThat(table("all_types").schema().findField("c_time").type().toString()).isEqualTo("time");
    assertThat(table("accounts").schema().identifierFieldNames()).containsExactly("id");
    assertThat(table("nokey").schema().identifierFieldNames()).containsExactly("event_id");
  }

  @Test
  @Order(2)
  void everyKindOfChangeIsApplied() throws Exception {
    List<String> hotKey = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      hotKey.add("UPDATE accounts SET balance = balance + 1 WHERE id = 7");
    }
    sql(
        "INSERT INTO accounts SELECT g, 'new ' || g, g, now() FROM generate_series(5001, 5500) g",
        "UPDATE accounts SET name = name || ' updated' WHERE id % 10 = 0",
        "DELETE FROM accounts WHERE id % 17 = 0",
        // update of the key column
        "UPDATE accounts SET id = id + 100000 WHERE id BETWEEN 20 AND 40",
        // delete then re-insert the same key
        "DELETE FROM accounts WHERE id = 3",
        "INSERT INTO accounts VALUES (3, 'reborn', 3.33, now())",
        // an update that moves rows to another partition (partitioned on a non-key column)
        "UPDATE orders SET region = 'EU', amount = amount + 1 WHERE region = 'US' AND id < 1500",
        "DELETE FROM orders WHERE id % 11 = 0",
        "UPDATE all_types SET c_text = NULL, c_num = 0.000001, c_bool = false WHERE id = 1",
        "UPDATE all_types SET c_int2 = 5, c_bytea = '\\xdeadbeef', c_tstz = now() WHERE id = 2",
        "UPDATE nokey SET v = v + 1000 WHERE v % 3 = 0",
        "DELETE FROM nokey WHERE v % 5 = 0");
    sql(hotKey.toArray(new String[0]));
    for (int i = 0; i < 5; i++) {
      sql("UPDATE accounts SET balance = balance * 2 WHERE id = 8");
      TimeUnit.MILLISECONDS.sleep(700);
    }
    awaitLakeEqualsSource();

    // The changelog table holds every change of a key, in order, deletes included.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<String> ops = new ArrayList<>();
              Table changes = table("accounts__changes");
              try (var rows =
                  IcebergGenerics.read(changes).where(Expressions.equal("id", 3L)).build()) {
                List<Record> list = new ArrayList<>();
                rows.forEach(list::add);
                list.sort(
                    Comparator.comparing(
                        r -> (Long) r.getField(IcebergSchemas.SOURCE_LSN),
                        Comparator.nullsFirst(Comparator.naturalOrder())));
                list.forEach(r -> ops.add((String) r.getField(IcebergSchemas.OP)));
              }
              assertThat(ops).containsExactly("r", "d", "c");
            });

    // The control table holds each table's state as of its last commit.
    ControlConfig control = stack.control().orElseThrow();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Map<String, Map<String, AttributeValue>> states = new HashMap<>();
              for (var item : TableStates.states(TableStates.scan(control))) {
                states.put(TableStates.text(item, "table"), item);
              }
              assertThat(states).containsKeys("accounts", "orders", "all_types", "nokey");
              var accounts = states.get("accounts");
              assertThat(TableStates.text(accounts, "status")).isEqualTo("STREAMING");
              assertThat(TableStates.number(accounts, "lastSnapshotId"))
                  .isEqualTo(table("accounts").currentSnapshot().snapshotId());
              assertThat(TableStates.number(accounts, "rowsSinceStart"))
                  .isGreaterThanOrEqualTo(3000);
              assertThat(TableStates.number(accounts, "deleteFilesSinceMaintenance")).isPositive();
            });
  }

  @Test
  @Order(3)
  void queryReadsTheLakeWithFlinkSql() throws Exception {
    long sourceCount;
    try (Connection c = stack.connect(DB);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM orders WHERE region = 'EU'")) {
      rs.next();
      sourceCount = rs.getLong(1);
    }
    // orders is partitioned on a non-key column, so its deletes are global ones.
    List<Row> rows =
        LocalQuery.run(
            catalogSpec,
            DB,
            "SELECT count(*) AS n FROM orders WHERE region = 'EU'",
            new PrintStream(new ByteArrayOutputStream()));
    assertThat(rows).hasSize(1);
    assertThat(((Number) rows.get(0).getField(0)).longValue()).isEqualTo(sourceCount);
  }

  @Test
  @Order(4)
  void stopWithSavepointChangeWhileStoppedAndRestore() throws Exception {
    savepoint =
        job.stopWithSavepoint(
                false,
                workdir.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL)
            .get(2, TimeUnit.MINUTES);
    sql(
        "INSERT INTO accounts SELECT g, 'while stopped', g, now() FROM generate_series(9001, 9300) g",
        "UPDATE orders SET region = 'APAC' WHERE id BETWEEN 100 AND 200",
        "DELETE FROM accounts WHERE id BETWEEN 100 AND 150");
    job = startJob(savepoint);
    // accounts__changes holds every change once: a commit replayed by the restore would show there.
    it.awaitEqualAndStayEqual(4, Duration.ofSeconds(90));
  }

  @Test
  @Order(5)
  void cancelWithoutSavepointWhileWritingAndRestoreFromCheckpoint() throws Exception {
    sql(
        "INSERT INTO accounts SELECT g, 'before cancel', g, now() FROM generate_series(20001, 21000) g");
    // Let a few checkpoints complete, with writes in flight, then cancel without a savepoint.
    TimeUnit.SECONDS.sleep(4);
    sql("UPDATE accounts SET balance = balance + 7 WHERE id > 20000");
    job.cancel().get(1, TimeUnit.MINUTES);
    sql(
        "INSERT INTO accounts SELECT g, 'after cancel', g, now() FROM generate_series(30001, 30500) g");
    Path latest = latestCheckpoint(workdir.resolve("checkpoints"));
    assertThat(latest).as("a retained checkpoint").isNotNull();
    job = startJob(latest.toUri().toString());
    it.awaitEqualAndStayEqual(4, Duration.ofSeconds(90));
  }

  @Test
  @Order(6)
  void preflightNamesEveryProblemAndWhatToDo() throws Exception {
    sql(
        "CREATE TABLE bad_nokey (a int, b text)",
        "CREATE ROLE weak LOGIN PASSWORD 'weak'",
        "GRANT SELECT ON accounts TO weak");
    TributaryConfig noKey =
        config.toBuilder()
            .tables(
                TableSelection.builder()
                    .include("public.bad_nokey")
                    .option(
                        "public.bad_nokey", TableOptions.builder().mode(TableMode.MIRROR).build())
                    .build())
            .build();
    assertThatThrownBy(() -> TributaryJob.preflight(noKey))
        .isInstanceOf(SourceNotReadyException.class)
        .hasMessageContaining(
            "Table public.bad_nokey is configured with mode mirror but has no primary key"
                + " (REPLICA IDENTITY DEFAULT)")
        .hasMessageContaining("add a primary key");
    TributaryConfig weak =
        config.toBuilder()
            .source(
                config.source().toBuilder().user("weak").password(Secret.ofValue("weak")).build())
            .tables(TableSelection.builder().include("public.accounts").build())
            .build();
    assertThatThrownBy(() -> TributaryJob.preflight(weak))
        .isInstanceOf(SourceNotReadyException.class)
        .hasMessageContaining(
            "User weak may not use logical replication: run ALTER ROLE weak WITH REPLICATION;");
    TributaryConfig nothing =
        config.toBuilder().tables(TableSelection.builder().include("nosuch.*").build()).build();
    assertThatThrownBy(() -> TributaryJob.preflight(nothing))
        .isInstanceOf(SourceNotReadyException.class)
        .hasMessageContaining("No table of database it_shop matches tables.include [nosuch.*]");
  }

  private static Path latestCheckpoint(Path root) throws Exception {
    if (!Files.isDirectory(root)) {
      return null;
    }
    try (var files = Files.walk(root, 3)) {
      return files
          .filter(p -> p.getFileName().toString().equals("_metadata"))
          .max(
              (a, b) -> {
                try {
                  return Files.getLastModifiedTime(a).compareTo(Files.getLastModifiedTime(b));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              })
          .map(Path::getParent)
          .orElse(null);
    }
  }
}
