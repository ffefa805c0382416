package io.tributary.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.backfill.BackfillJob;
import io.tributary.backfill.BackfillOptions;
import io.tributary.backfill.SourceAccess;
import io.tributary.config.ControlConfig;
import io.tributary.config.TableSelection;
import io.tributary.glue.LakeSettings;
import io.tributary.glue.LocalLake;
import io.tributary.local.LocalStepFunctions;
import io.tributary.local.LocalStepFunctions.Execution;
import io.tributary.maintenance.MaintenanceJob;
import io.tributary.maintenance.MaintenanceOptions;
import io.tributary.maintenance.MaintenanceReport;
import io.tributary.maintenance.TableStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * The control plane as one system, on the local stack: the stream records each table's state in the
 * control table (dynalite) until a table crosses the maintenance threshold; the maintenance state
 * machine of infra/stepfunctions, run by aws-local-stepfunctions, selects exactly the tables that
 * need it, runs the maintenance job in Spark and records the report, and a job that fails is
 * retried, then caught, recorded and notified; the backfill state machine takes over a stale lock,
 * runs the backfill and releases the lock, while a second request for the table is refused. The
 * lake equals its source at the end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControlPlaneIT {
  private static final String DB = "ctl_shop";
  private static final int MIN_DELETE_FILES = 3;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path workdir;
  private static LocalLake lake;
  private static ControlConfig control;
  private static DynamoDbClient dynamo;

  /** The Glue job runs of the state machines: the real jobs, in Spark here. */
  private static volatile CountDownLatch backfillGate = new CountDownLatch(0);

  private static final List<String> jobRuns = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void start() throws Exception {
    lake = LocalLake.start(workdir, DB, TableSelection.builder().include("public.*").build());
    control = lake.stack().control().orElseThrow();
    dynamo = ControlClients.open(control);
    lake.sql(
        "CREATE TABLE busy (id bigint PRIMARY KEY, name text, amount numeric(12,2))",
        "CREATE TABLE quiet (id bigint PRIMARY KEY, label text)",
        "INSERT INTO busy SELECT g, 'name ' || g, g * 1.5 FROM generate_series(1, 2000) g",
        "INSERT INTO quiet SELECT g, 'label ' || g FROM generate_series(1, 300) g");
  }

  @AfterAll
  static void stop() throws Exception {
    if (dynamo != null) {
      dynamo.close();
    }
    if (lake != null) {
      lake.close();
    }
  }

  private static Map<String, AttributeValue> item(String table, String sk) {
    return dynamo
        .getItem(
            GetItemRequest.builder()
                .tableName(control.tableName())
                .key(StateUpdate.key(ControlTable.pk(DB, table), sk))
                .consistentRead(true)
                .build())
        .item();
  }

  private static Map<String, AttributeValue> state(String table) {
    return item(table, ControlTable.STATE);
  }

  private static LocalStepFunctions stepFunctions() {
    return new LocalStepFunctions(
        workdir.resolve("stack"),
        control,
        DB,
        ControlPlaneIT::runGlueJob,
        LocalStepFunctions.Settings.defaults()
            .minDataFiles(1000)
            .minDeleteFiles(MIN_DELETE_FILES)
            .maxConcurrency(1)
            // Retries wait 120 s in AWS; here they follow at once.
            .retryInterval("RunMaintenanceJob", 0)
            .retryInterval("RecordFailure", 0)
            .retryInterval("NotifyFailure", 0));
  }

  private static void runGlueJob(String job, Map<String, String> arguments) throws Exception {
    String table = arguments.get("--table");
    jobRuns.add(job + " " + table);
    LakeSettings settings = LakeSettings.of(lake.config());
    if (job.equals(LocalStepFunctions.MAINTENANCE_JOB)) {
      List<MaintenanceReport> reports =
          MaintenanceJob.run(
              lake.spark(),
              settings,
              new MaintenanceOptions(
                  table, false, 64L << 20, Duration.ZERO, 1, Duration.ofHours(24)),
              System.out);
      MaintenanceJobFailed.check(reports);
    } else {
      if (!backfillGate.await(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the test did not open the backfill gate");
      }
      BackfillJob.run(
          lake.spark(),
          settings,
          new BackfillOptions(table, null, null, 2, 500),
          SourceAccess.of(lake.config().source()),
          System.out);
    }
  }

  /** Fails a maintenance run whose report says it did not succeed. */
  private static final class MaintenanceJobFailed {
    static void check(List<MaintenanceReport> reports) {
      for (MaintenanceReport report : reports) {
        if (!report.succeeded()) {
          throw new IllegalStateException("Maintenance failed for " + report.table());
        }
      }
    }
  }

  @Test
  @Order(1)
  void streamRecordsEachTablesStateUntilATableNeedsMaintenance() throws Exception {
    lake.startStream(null);
    lake.awaitLakeEqualsSource(2);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(TableStates.number(state("quiet"), ControlTable.ROWS_SINCE_START))
                  .isEqualTo(300);
              assertThat(TableStates.number(state("busy"), ControlTable.ROWS_SINCE_START))
                  .isEqualTo(2000);
            });
    assertThat(TableStates.text(state("quiet"), ControlTable.STATUS)).isEqualTo("SNAPSHOTTING");
    assertThat(TableStates.number(state("quiet"), ControlTable.DELETE_FILES_SINCE_MAINTENANCE))
        .isZero();

    // A workload on one table, a transaction per round, until it needs maintenance.
    int round = 0;
    while (TableStates.number(state("busy"), ControlTable.DELETE_FILES_SINCE_MAINTENANCE)
        < MIN_DELETE_FILES) {
      assertThat(round).as("rounds of changes before busy needs maintenance").isLessThan(40);
      lake.sql(
          "UPDATE busy SET amount = amount + 1 WHERE id % 10 = " + (round % 10),
          "DELETE FROM busy WHERE id = " + (round + 1),
          "INSERT INTO busy VALUES (" + (10_000 + round) + ", 'new', 1)");
      long before = TableStates.number(state("busy"), ControlTable.LAST_CHECKPOINT_ID);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> TableStates.number(state("busy"), ControlTable.LAST_CHECKPOINT_ID) > before);
      round++;
    }
    lake.awaitLakeEqualsSource(2);
    Map<String, AttributeValue> busy = state("busy");
    assertThat(TableStates.text(busy, ControlTable.STATUS)).isEqualTo("STREAMING");
    assertThat(TableStates.number(busy, ControlTable.CHANGES_SINCE_START)).isPositive();
    assertThat(TableStates.number(busy, ControlTable.LAST_SNAPSHOT_ID))
        .isEqualTo(lake.table("busy").currentSnapshot().snapshotId());
    assertThat(TableStates.number(busy, ControlTable.SOURCE_LSN)).isPositive();
    assertThat(TableStates.text(busy, ControlTable.LAST_COMMIT_AT)).isNotEmpty();
  }

  @Test
  @Order(2)
  void maintenanceSelectsTheTablesThatNeedItRetriesAndRecordsAFailure() throws Exception {
    // A table the control table knows but the lake no longer has: its job fails every time.
    dynamo.putItem(
        PutItemRequest.builder()
            .tableName(control.tableName())
            .item(
                Map.of(
                    "pk", AttributeValue.fromS(ControlTable.pk(DB, "ghost")),
                    "sk", AttributeValue.fromS(ControlTable.STATE),
                    "table", AttributeValue.fromS("ghost"),
                    "dataFilesSinceMaintenance", AttributeValue.fromN("1"),
                    "deleteFilesSinceMaintenance", AttributeValue.fromN("50")))
            .build());
    long busyDeletes =
        TableStates.number(state("busy"), ControlTable.DELETE_FILES_SINCE_MAINTENANCE);
    assertThat(TableStats.of(lake.table("busy")).deleteFiles()).isPositive();
    jobRuns.clear();

    Execution run = stepFunctions().run("maintenance", JSON.createObjectNode());

    assertThat(run.status()).as(run.toString()).isEqualTo("FAILED");
    assertThat(run.error()).isEqualTo("Tributary.MaintenanceFailed");
    // Exactly the tables over a threshold, the failing one twice (Retry), then caught and notified.
    assertThat(jobRuns)
        .containsExactlyInAnyOrder(
            "tributary-maintenance busy",
            "tributary-maintenance ghost",
            "tributary-maintenance ghost");
    assertThat(run.events())
        .anySatisfy(
            e -> {
              assertThat(e.path("event").asText()).isEqualTo("StateRetried");
              assertThat(e.path("state").asText()).isEqualTo("RunMaintenanceJob");
            });
    assertThat(run.entered("NotifyFailure")).isTrue();
    List<String> notifications =
        Files.readAllLines(LocalStepFunctions.notifications(workdir.resolve("stack")));
    assertThat(notifications).hasSize(1);
    assertThat(notifications.get(0)).contains("Tributary maintenance failed").contains("ghost");

    // The report of the maintained table, and its counters reset; the failure recorded.
    List<Map<String, AttributeValue>> items = TableStates.scan(control);
    Map<String, AttributeValue> report =
        items.stream()
            .filter(i -> TableStates.text(i, "pk").equals(ControlTable.pk(DB, "busy")))
            .filter(i -> TableStates.text(i, "sk").startsWith(ControlTable.MAINT_PREFIX))
            .findFirst()
            .orElseThrow();
    assertThat(TableStates.text(report, "status")).isEqualTo("SUCCEEDED");
    assertThat(JSON.readTree(TableStates.text(report, "report")).path("status").asText())
        .isEqualTo("ok");
    Map<String, AttributeValue> busy = state("busy");
    assertThat(busyDeletes).isGreaterThanOrEqualTo(MIN_DELETE_FILES);
    assertThat(TableStates.number(busy, ControlTable.DELETE_FILES_SINCE_MAINTENANCE)).isZero();
    assertThat(TableStates.number(busy, ControlTable.DATA_FILES_SINCE_MAINTENANCE)).isZero();
    assertThat(TableStates.text(busy, ControlTable.LAST_MAINTENANCE_STATUS)).isEqualTo("SUCCEEDED");
    assertThat(TableStats.of(lake.table("busy")).deleteFiles()).isZero();
    assertThat(
            items.stream()
                .filter(i -> TableStates.text(i, "pk").equals(ControlTable.pk(DB, "ghost")))
                .filter(i -> TableStates.text(i, "sk").startsWith(ControlTable.MAINT_PREFIX))
                .filter(i -> TableStates.text(i, "error").equals("States.TaskFailed"))
                .filter(i -> TableStates.text(i, "execution").equals(run.arn())))
        .hasSize(1);
    assertThat(TableStates.text(state("quiet"), ControlTable.LAST_MAINTENANCE_AT)).isEmpty();
    lake.awaitLakeEqualsSource(2);
  }

  @Test
  @Order(3)
  void backfillTakesTheLockRunsAndReleasesItWhileASecondRequestIsRefused() throws Exception {
    // A lock left by an execution that no longer exists: stale, so it is taken over.
    dynamo.putItem(
        PutItemRequest.builder()
            .tableName(control.tableName())
            .item(
                Map.of(
                    "pk", AttributeValue.fromS(ControlTable.pk(DB, "quiet")),
                    "sk", AttributeValue.fromS(ControlTable.LOCK),
                    "owner",
                        AttributeValue.fromS(
                            "arn:aws:states:us-east-1:000000000000:execution:tributary-backfill:gone"),
                    "purpose", AttributeValue.fromS("BACKFILL")))
            .build());
    backfillGate = new CountDownLatch(1);
    jobRuns.clear();
    LocalStepFunctions sfn = stepFunctions();
    ObjectNode input = JSON.createObjectNode().put("table", "quiet");
    CompletableFuture<Execution> first =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return sfn.run("backfill", input);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    // The first execution holds the lock and waits in its job run.
    await().atMost(Duration.ofSeconds(60)).until(() -> !jobRuns.isEmpty());
    String owner = TableStates.text(item("quiet", ControlTable.LOCK), "owner");
    assertThat(owner).contains(":execution:tributary-backfill:backfill-");
    assertThat(TableStates.text(item("quiet", ControlTable.LOCK), "tookOverFrom"))
        .endsWith(":gone");

    Execution second = sfn.run("backfill", input);
    assertThat(second.status()).as(second.toString()).isEqualTo("FAILED");
    assertThat(second.error()).isEqualTo("Tributary.TableLocked");
    assertThat(TableStates.text(item("quiet", ControlTable.LOCK), "owner")).isEqualTo(owner);

    lake.sql("UPDATE quiet SET label = 'changed while backfilling' WHERE id <= 10");
    backfillGate.countDown();
    Execution done = first.get(3, TimeUnit.MINUTES);
    assertThat(done.status()).as(done.toString()).isEqualTo("SUCCEEDED");
    assertThat(done.arn()).isEqualTo(owner);
    assertThat(jobRuns).containsExactly("tributary-backfill quiet");
    assertThat(item("quiet", ControlTable.LOCK)).isEmpty();
    Map<String, AttributeValue> quiet = state("quiet");
    assertThat(TableStates.text(quiet, ControlTable.BACKFILL_STATUS)).isEqualTo("SUCCEEDED");
    assertThat(TableStates.text(quiet, "backfillReport")).contains("quiet");
    assertThat(
            TableStates.scan(control).stream()
                .filter(i -> TableStates.text(i, "pk").equals(ControlTable.pk(DB, "quiet")))
                .filter(i -> TableStates.text(i, "sk").startsWith(ControlTable.BACKFILL_PREFIX))
                .filter(i -> TableStates.text(i, "status").equals("SUCCEEDED")))
        .hasSize(1);

    // verify: every table equals its source.
    lake.awaitLakeEqualsSource(2);
  }
}
