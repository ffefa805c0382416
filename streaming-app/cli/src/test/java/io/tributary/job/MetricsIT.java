package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.config.JobConfig;
import io.tributary.config.TableOptions;
import io.tributary.config.TableSelection;
import io.tributary.metrics.LocalMetricsReporter;
import io.tributary.metrics.MetricNames;
import io.tributary.source.CapturedTable;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's metrics with data: read through a metric reporter in the MiniCluster, they count the
 * changes made at the source, show a small lag once the lake caught up (also for a table that never
 * changes), report no blocked table, apply per-table freshness targets, and report the replication
 * slot's lag, which grows with a burst of changes and drops once they are committed.
 */
class MetricsIT {
  private static final String DB = "it_metrics";
  private static final String ITEMS = "public.items";
  private static final String IDLE = "public.idle";
  private static final int BURST = 20_000;

  @TempDir static Path workdir;

  private static ItStack it;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, DB);
    try (Connection c = it.stack.connect(DB);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE items (id int PRIMARY KEY, v text)");
      st.execute("CREATE TABLE idle (id int PRIMARY KEY, v text)");
      st.execute("INSERT INTO idle SELECT g, 'row ' || g FROM generate_series(1, 10) g");
      st.execute("ANALYZE idle");
    }
    it.configure(
        TableSelection.builder()
            .include("public.*")
            .freshnessTarget(Duration.ofMinutes(10))
            .option(IDLE, TableOptions.builder().freshnessTarget(Duration.ofMillis(1)).build())
            .build(),
        Duration.ofSeconds(1),
        1000);
    // The heartbeat lets the slot confirm WAL that other databases of the server write (here the
    // catalog's), which is what moves the slot watermark while the captured tables are idle.
    it.config =
        it.config.toBuilder()
            .source(it.config.source().toBuilder().heartbeatInterval(Duration.ofSeconds(1)).build())
            .job(
                JobConfig.builder()
                    .checkpointInterval(Duration.ofSeconds(1))
                    .parallelism(2)
                    .sourcePollInterval(Duration.ofMillis(300))
                    .build())
            .build();

    List<CapturedTable> tables = TributaryJob.preflight(it.config);
    Configuration flink = new Configuration();
    flink.set(
        CheckpointingOptions.CHECKPOINTS_DIRECTORY,
        workdir.resolve("checkpoints").toUri().toString());
    LocalMetricsReporter.configure(flink);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    env.setParallelism(2);
    TributaryJob.build(env, it.config, tables);
    it.job = env.executeAsync(DB);
  }

  @AfterAll
  static void stop() throws Exception {
    if (it != null) {
      it.close();
    }
  }

  private static long longValue(Number n) {
    return n == null ? -1 : n.longValue();
  }

  @Test
  void metricsFollowTheChangesOfTheSource() throws Exception {
    // The snapshot of the idle table is committed; the slot is polled.
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(LocalMetricsReporter.count(IDLE, MetricNames.CHANGES_PER_SECOND))
                  .isEqualTo(10L);
              assertThat(LocalMetricsReporter.value(MetricNames.SLOT_LAG_BYTES)).isNotNull();
            });
    assertThat(LocalMetricsReporter.value(IDLE, MetricNames.SNAPSHOT_PERCENT)).isEqualTo(100);

    // A burst of changes in one transaction: the slot holds it back until it is committed. The
    // slot is polled every 300 ms; on a machine too loaded to poll while the burst is read, the
    // burst is repeated (every row updated), at most three times in all.
    AtomicLong maxSlotLag = new AtomicLong();
    long changes = 0;
    for (int round = 0; round < 3 && maxSlotLag.get() <= 1 << 20; round++) {
      if (round == 0) {
        it.sql(
            "INSERT INTO items SELECT g, repeat('x', 200) FROM generate_series(1, "
                + BURST
                + ") g");
        it.sql(
            "UPDATE items SET v = 'updated' WHERE id <= 100", "DELETE FROM items WHERE id > 19950");
        changes += BURST + 100 + 50;
      } else {
        it.sql("UPDATE items SET v = repeat('" + round + "', 200)");
        changes += BURST - 50;
      }
      long expected = changes;
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .untilAsserted(
              () -> {
                maxSlotLag.accumulateAndGet(
                    longValue(LocalMetricsReporter.value(MetricNames.SLOT_LAG_BYTES)), Math::max);
                assertThat(LocalMetricsReporter.count(ITEMS, MetricNames.CHANGES_PER_SECOND))
                    .isEqualTo(expected);
              });
    }
    long caughtUp = System.currentTimeMillis();
    assertThat(maxSlotLag.get())
        .as("largest slot lag seen during the burst")
        .isGreaterThan(1 << 20);
    it.awaitEqual(2, Duration.ofSeconds(30));

    // Caught up: the slot lag drops, the lag is small, nothing is blocked.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(longValue(LocalMetricsReporter.value(MetricNames.SLOT_LAG_BYTES)))
                  .isBetween(0L, 64L * 1024);
              assertThat(longValue(LocalMetricsReporter.value(ITEMS, MetricNames.LAG_MILLIS)))
                  .as(
                      "lag of items, slot lag %s",
                      LocalMetricsReporter.value(MetricNames.SLOT_LAG_BYTES))
                  .isBetween(0L, 8_000L);
            });
    assertThat(LocalMetricsReporter.value(ITEMS, MetricNames.TABLE_BLOCKED)).isEqualTo(0);
    assertThat(LocalMetricsReporter.value(IDLE, MetricNames.TABLE_BLOCKED)).isEqualTo(0);
    assertThat(LocalMetricsReporter.value(ITEMS, MetricNames.CHANGES_PER_SECOND).doubleValue())
        .isPositive();
    // No commit since the burst, which was committed when the counter reached its count.
    assertThat(longValue(LocalMetricsReporter.value(ITEMS, MetricNames.MILLIS_SINCE_LAST_COMMIT)))
        .isBetween(0L, System.currentTimeMillis() - caughtUp + 5_000);
    assertThat(LocalMetricsReporter.count(ITEMS, MetricNames.DEAD_LETTERS)).isNull();

    // Idle tables (one never changed since its snapshot, one not since the burst) are as fresh as
    // the slot that would carry their changes: their lag stays small.
    await()
        .during(Duration.ofSeconds(10))
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(longValue(LocalMetricsReporter.value(IDLE, MetricNames.LAG_MILLIS)))
                  .isBetween(0L, 8_000L);
              assertThat(longValue(LocalMetricsReporter.value(ITEMS, MetricNames.LAG_MILLIS)))
                  .as(
                      "lag of items, slot lag %s",
                      LocalMetricsReporter.value(MetricNames.SLOT_LAG_BYTES))
                  .isBetween(0L, 8_000L);
            });
    // Longer than the lag bound: the items table is fresher than its last change.
    assertThat(System.currentTimeMillis() - caughtUp).isGreaterThan(10_000L);

    // Targets per table: 10 minutes by default, 1 ms for the idle table.
    assertThat(LocalMetricsReporter.value(ITEMS, MetricNames.FRESHNESS_TARGET_MISSED)).isEqualTo(0);
    assertThat(LocalMetricsReporter.value(IDLE, MetricNames.FRESHNESS_TARGET_MISSED)).isEqualTo(1);
  }
}
