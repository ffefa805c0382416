package io.tributary.metrics;

import io.tributary.sink.TableCommit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the committer's {@link TableCommit}s and publishes the per-table and job-wide metrics
 * listed in {@link MetricNames} (all but the dead letters, which the writers count). Runs as one
 * subtask after the single committer. A daemon thread polls the source and the catalog every {@link
 * MetricsSpec#pollIntervalMillis()} (see {@link SourcePoller}); it never touches the data path and
 * never fails the job. Stateless: after a restore the figures are read back from the tables'
 * snapshot history.
 */
public final class TableMetricsSink implements Sink<TableCommit> {
  private static final long serialVersionUID = 1L;

  /** Uid of this sink's operator. */
  public static final String UID = "table-metrics";

  private final MetricsSpec spec;

  public TableMetricsSink(MetricsSpec spec) {
    this.spec = spec;
  }

  @Override
  public SinkWriter<TableCommit> createWriter(WriterInitContext context) {
    return new Writer(spec, context.metricGroup());
  }

  @Override
  @SuppressWarnings("deprecation")
  public SinkWriter<TableCommit> createWriter(Sink.InitContext context) {
    return new Writer(spec, context.metricGroup());
  }

  /** Registers the metrics and keeps the tables' status. */
  static final class Writer implements SinkWriter<TableCommit> {
    private static final Logger LOG = LoggerFactory.getLogger(TableMetricsSink.class);

    private final Map<String, TableStatus> byMirror = new HashMap<>();
    private final ScheduledExecutorService poller;
    private final SourcePoller task;

    Writer(MetricsSpec spec, MetricGroup group) {
      Map<String, SlotWatermark> slots = new LinkedHashMap<>();
      Map<String, TableStatus> tables = new LinkedHashMap<>();
      for (MetricsSpec.Table table : spec.tables().values()) {
        SlotWatermark slot = slots.computeIfAbsent(table.slot(), s -> new SlotWatermark());
        TableStatus status =
            new TableStatus(
                table.source(),
                table.targetMillis(),
                slot,
                System::currentTimeMillis,
                ChangeRate.DEFAULT_WINDOW_MILLIS);
        tables.put(table.source(), status);
        byMirror.put(table.mirror(), status);
        register(MetricNames.tableGroup(group, table.source()), status);
      }
      MetricNames.jobGroup(group)
          .gauge(MetricNames.SLOT_LAG_BYTES, (Gauge<Long>) () -> slotLag(slots));
      task = new SourcePoller(spec, tables, slots);
      poller =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread thread = new Thread(r, "tributary-metrics-poller");
                thread.setDaemon(true);
                return thread;
              });
      poller.scheduleWithFixedDelay(task, 0, spec.pollIntervalMillis(), TimeUnit.MILLISECONDS);
      LOG.info(
          "Metrics of {} tables registered; polling the source every {} ms",
          tables.size(),
          spec.pollIntervalMillis());
    }

    private static void register(MetricGroup group, TableStatus status) {
      group.meter(MetricNames.CHANGES_PER_SECOND, status.changes());
      group.gauge(MetricNames.LAG_MILLIS, (Gauge<Long>) status::lagMillis);
      group.gauge(
          MetricNames.MILLIS_SINCE_LAST_COMMIT, (Gauge<Long>) status::millisSinceLastCommit);
      group.gauge(MetricNames.TABLE_BLOCKED, (Gauge<Integer>) status::blockedFlag);
      group.gauge(MetricNames.SNAPSHOT_PERCENT, (Gauge<Integer>) status::snapshotPercent);
      group.gauge(
          MetricNames.FRESHNESS_TARGET_MISSED, (Gauge<Integer>) status::freshnessTargetMissed);
    }

    private static Long slotLag(Map<String, SlotWatermark> slots) {
      long max = -1;
      for (SlotWatermark slot : slots.values()) {
        max = Math.max(max, slot.lagBytes());
      }
      return max < 0 ? null : max;
    }

    @Override
    public void write(TableCommit commit, Context context) {
      TableStatus status = byMirror.get(commit.table());
      if (status != null) { // changelog tables have no metrics of their own
        status.committed(
            commit.rows(),
            commit.deletes(),
            commit.committedAtMillis(),
            commit.maxSourceTsMicros() < 0 ? -1 : commit.maxSourceTsMicros() / 1000);
      }
    }

    @Override
    public void flush(boolean endOfInput) {}

    @Override
    public void close() throws Exception {
      poller.shutdownNow();
      if (!poller.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("The metrics poller did not stop within 10 s");
      }
      task.close();
    }
  }
}
