package io.tributary.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.config.TableOptions;
import io.tributary.config.TableSelection;
import io.tributary.glue.JobMarkers;
import io.tributary.glue.LakeSettings;
import io.tributary.glue.LocalLake;
import io.tributary.glue.SparkSessions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maintenance on tables the streaming job writes: on an idle stream no delete file stays live and
 * the lake still equals the source, orphans older than the minimum age go, the stream resumes
 * correctly from its savepoint afterwards; and while the stream runs, maintenance commits never
 * change what a query of the table returns.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MaintenanceIT {
  private static final String DB = "maint_shop";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path workdir;
  private static LocalLake lake;
  private static String savepoint;

  @BeforeAll
  static void start() throws Exception {
    lake =
        LocalLake.start(
            workdir,
            DB,
            TableSelection.builder()
                .include("public.*")
                .option("public.orders", TableOptions.builder().partitionSpec("region").build())
                .build());
    lake.sql(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, name text, balance numeric(12,2))",
        "CREATE TABLE orders (id bigint PRIMARY KEY, region text NOT NULL, amount"
            + " numeric(10,2))",
        "INSERT INTO accounts SELECT g, 'name ' || g, g * 1.5 FROM generate_series(1, 2000) g",
        "INSERT INTO orders SELECT g, (ARRAY['US','EU','APAC'])[1 + g % 3], g * 0.25 FROM"
            + " generate_series(1, 2000) g");
  }

  @AfterAll
  static void stop() throws Exception {
    if (lake != null) {
      lake.close();
    }
  }

  private static final AtomicInteger NEXT_KEY = new AtomicInteger(10_000);

  private static void changeBatch(int i) throws Exception {
    int first = NEXT_KEY.getAndAdd(50);
    lake.sql(
        "UPDATE accounts SET balance = balance + 1, name = name || '.' WHERE id % 7 = " + i,
        "DELETE FROM accounts WHERE id % 53 = " + i,
        "INSERT INTO accounts SELECT g, 'new', g FROM generate_series("
            + first
            + ", "
            + (first + 49)
            + ") g",
        // moves rows between partitions: global equality deletes
        "UPDATE orders SET region = 'EU', amount = amount + 1 WHERE region = 'US' AND id % 5 = "
            + i,
        "DELETE FROM orders WHERE id % 41 = " + i);
  }

  @Test
  @Order(1)
  void idleTableEndsWithoutLiveDeleteFilesAndStillEqualsSource() throws Exception {
    lake.startStream(null);
    lake.awaitLakeEqualsSource(2);
    for (int i = 0; i < 3; i++) {
      changeBatch(i);
      lake.awaitLakeEqualsSource(2);
    }
    savepoint = lake.stopStream();
    Table accounts = lake.table("accounts");
    Table orders = lake.table("orders");
    assertThat(TableStats.of(accounts).equalityDeleteFiles()).isPositive();
    assertThat(TableStats.of(orders).equalityDeleteFiles()).isPositive();
    long streamSnapshot =
        StreamSnapshots.lastStreamCommit(accounts).orElseThrow().snapshot().snapshotId();

    Path dataDir = localPath(accounts.location()).resolve("data");
    Path oldOrphan = dataDir.resolve("orphan-old.parquet");
    Path freshOrphan = dataDir.resolve("orphan-fresh.parquet");
    Files.writeString(oldOrphan, "left by a failed write long ago");
    Files.writeString(freshOrphan, "maybe a commit in progress");
    Files.setLastModifiedTime(oldOrphan, FileTime.from(Instant.now().minus(Duration.ofDays(4))));

    // One table through the job's entry point, with Glue's own arguments mixed in.
    MaintenanceJob.main(
        new String[] {
          "--JOB_NAME", "tributary-maintenance",
          "--config", lake.writeConfigFile().toString(),
          "--table", "accounts",
          "--snapshot-retention-hours", "0",
          "--snapshot-retention-min-count", "1",
          "--orphan-min-age-hours", "24",
          "--job-bookmark-option", "job-bookmark-disable",
          "--control-table", "tributary-control",
          "--control-endpoint", lake.stack().control().orElseThrow().endpoint()
        });
    // Every table, through the API that returns the reports.
    List<JsonNode> reports =
        runAll(
            new MaintenanceOptions(null, true, 64L << 20, Duration.ZERO, 1, Duration.ofHours(24)));

    assertThat(reports).hasSize(2);
    for (JsonNode report : reports) {
      assertThat(report.get("status").asText()).isEqualTo("ok");
      assertThat(report.at("/after/positionDeleteFiles").asLong()).as(report.toString()).isZero();
      assertThat(report.at("/after/equalityDeleteFiles").asLong()).as(report.toString()).isZero();
    }
    JsonNode ordersReport = reports.get(1);
    assertThat(ordersReport.get("table").asText()).isEqualTo(DB + ".orders");
    assertThat(ordersReport.at("/before/equalityDeleteFiles").asLong()).isPositive();
    assertThat(ordersReport.get("expiredSnapshots").asLong()).isPositive();
    // Expiry keeps the stream's last snapshot and what came after it, and nothing older.
    Table maintainedOrders = lake.table("orders");
    Snapshot ordersStream =
        maintainedOrders.snapshot(ordersReport.get("keptStreamSnapshotId").asLong());
    assertThat(ordersStream).isNotNull();
    for (Snapshot snapshot : maintainedOrders.snapshots()) {
      assertThat(snapshot.sequenceNumber()).isGreaterThanOrEqualTo(ordersStream.sequenceNumber());
    }
    accounts.refresh();
    assertThat(TableStats.of(accounts).deleteFiles()).isZero();
    assertThat(TableStats.of(lake.table("orders")).deleteFiles()).isZero();
    assertThat(accounts.snapshot(streamSnapshot))
        .as("the stream's last snapshot is kept")
        .isNotNull();
    assertThat(oldOrphan).doesNotExist();
    assertThat(freshOrphan).exists();
    lake.awaitLakeEqualsSource(2);

    // The stream resumes from its savepoint on the maintained tables.
    lake.startStream(savepoint);
    changeBatch(3);
    lake.awaitLakeEqualsSource(2);
  }

  @Test
  @Order(2)
  void maintenanceWhileTheStreamRunsNeverChangesWhatAQueryReturns() throws Exception {
    if (!lake.streamRunning()) {
      lake.startStream(savepoint);
    }
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong transactions = new AtomicLong();
    List<Throwable> errors = new ArrayList<>();
    Thread workload =
        new Thread(
            () -> {
              int i = 0;
              while (running.get()) {
                try {
                  changeBatch(4 + i % 40);
                  transactions.incrementAndGet();
                  i++;
                  Thread.sleep(150);
                } catch (Throwable t) {
                  errors.add(t);
                  return;
                }
              }
            },
            "workload");
    workload.start();
    try {
      MaintenanceOptions keepHistory =
          new MaintenanceOptions(
              null, true, 64L << 20, Duration.ofHours(24), 1, Duration.ofHours(24));
      List<JsonNode> first = runAll(keepHistory);
      List<JsonNode> second = runAll(keepHistory);
      assertThat(first).allSatisfy(r -> assertThat(r.get("status").asText()).isEqualTo("ok"));
      assertThat(second).allSatisfy(r -> assertThat(r.get("status").asText()).isEqualTo("ok"));
    } finally {
      running.set(false);
      workload.join();
    }
    assertThat(errors).isEmpty();
    assertThat(transactions.get()).isPositive();
    lake.awaitLakeEqualsSource(2);

    // Each maintenance commit shows exactly the rows of the snapshot it was committed on.
    for (String name : List.of("accounts", "orders")) {
      Table table = lake.table(name);
      int checked = 0;
      for (Snapshot snapshot : table.snapshots()) {
        if (!snapshot.summary().containsKey(JobMarkers.MAINTENANCE)
            || snapshot.parentId() == null
            || table.snapshot(snapshot.parentId()) == null) {
          continue;
        }
        assertThat(contentHash(name, snapshot.snapshotId()))
            .as(name + " " + snapshot.summary().get(JobMarkers.MAINTENANCE))
            .isEqualTo(contentHash(name, snapshot.parentId()));
        checked++;
      }
      assertThat(checked).as("maintenance commits of " + name).isPositive();
    }
  }

  @Test
  @Order(3)
  void dataFilesThatCannotBeRewrittenAreReportedAsLeft() throws Exception {
    // Changes give every data file of accounts deletes to apply; then the files vanish from
    // storage (an operator's mistake), so every rewrite group fails.
    for (int i = 0; i < 3; i++) {
      changeBatch(50 + i);
    }
    lake.awaitLakeEqualsSource(2);
    String savepoint = lake.stopStream();
    assertThat(savepoint).isNotNull();
    int removed = 0;
    try (CloseableIterable<FileScanTask> tasks = lake.table("accounts").newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        if (Files.deleteIfExists(localPath(task.file().location()))) {
          removed++;
        }
      }
    }
    assertThat(removed).isPositive();

    List<JsonNode> reports =
        runAll(
            new MaintenanceOptions(
                "accounts", false, 64L << 20, Duration.ofHours(24), 1, Duration.ofHours(24)));

    assertThat(reports).hasSize(1);
    JsonNode report = reports.get(0);
    assertThat(report.get("status").asText()).as(report.toString()).isEqualTo("partial");
    assertThat(report.get("dataFilesLeft").asInt()).as(report.toString()).isPositive();
    assertThat(report.get("message").asText()).contains("data files were not rewritten");
    // The other steps still ran.
    assertThat(report.get("after").isNull()).isFalse();
  }

  private static String contentHash(String table, long snapshotId) {
    Row row =
        lake.spark()
            .read()
            .option("snapshot-id", snapshotId)
            .table(SparkSessions.tableName(DB, table))
            .selectExpr("count(*)", "sum(cast(hash(*) AS bigint))")
            .first();
    return row.get(0) + "/" + row.get(1);
  }

  private static List<JsonNode> runAll(MaintenanceOptions options) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      MaintenanceJob.run(lake.spark(), LakeSettings.of(lake.config()), options, out);
    }
    List<JsonNode> reports = new ArrayList<>();
    for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith(MaintenanceJob.REPORT_PREFIX)) {
        reports.add(JSON.readTree(line.substring(MaintenanceJob.REPORT_PREFIX.length())));
      }
    }
    return reports;
  }

  private static Path localPath(String s3Location) {
    String key = s3Location.substring("s3://".length());
    return lake.stack().workdir().resolve("s3").resolve(key);
  }
}
