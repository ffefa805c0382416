package io.tributary.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;

/**
 * A Flink metric reporter for jobs on a MiniCluster in this JVM (the local runner and the tests):
 * keeps the job's own metrics ({@link MetricNames}) and Flink's checkpoint figures where {@code
 * tributary local} prints them and tests read them. Values are read when asked, from the metric
 * objects themselves; counters of several subtasks add up, gauges give their largest value.
 */
public final class LocalMetricsReporter implements MetricReporter {

  /** Flink's job metric: duration of the last completed checkpoint, in milliseconds. */
  public static final String LAST_CHECKPOINT_DURATION = "lastCheckpointDuration";

  /** Flink's job metric: how often the job restarted (failed over) since it was submitted. */
  public static final String NUM_RESTARTS = "numRestarts";

  private static final List<String> FLINK_METRICS =
      List.of(LAST_CHECKPOINT_DURATION, "numberOfCompletedCheckpoints", NUM_RESTARTS);

  private static final String TABLE_VARIABLE = "<" + MetricNames.TABLE + ">";

  private static final Map<String, List<Metric>> METRICS = new ConcurrentHashMap<>();

  /** Adds this reporter to the configuration of a MiniCluster. */
  public static void configure(Configuration flink) {
    flink.setString(
        "metrics.reporter.tributary.factory.class", LocalMetricsReporterFactory.class.getName());
  }

  /**
   * The value of a metric of one table, or null when it is not registered or has no value yet. A
   * {@link Meter} gives its rate; use {@link #count} for its count.
   */
  public static Number value(String table, String name) {
    return valueOf(METRICS.get(key(table, name)), false);
  }

  /** The value of a job-wide metric, or null. */
  public static Number value(String name) {
    return valueOf(METRICS.get(key(null, name)), false);
  }

  /** The count of a per-table counter or meter, or null. */
  public static Number count(String table, String name) {
    return valueOf(METRICS.get(key(table, name)), true);
  }

  private static Number valueOf(List<Metric> metrics, boolean count) {
    if (metrics == null || metrics.isEmpty()) {
      return null;
    }
    Number result = null;
    for (Metric metric : metrics) {
      Number v = single(metric, count);
      if (v == null) {
        continue;
      }
      if (result == null) {
        result = v;
      } else if (metric instanceof Counter || (count && metric instanceof Meter)) {
        result = result.longValue() + v.longValue();
      } else if (v.doubleValue() > result.doubleValue()) {
        result = v;
      }
    }
    return result;
  }

  private static Number single(Metric metric, boolean count) {
    if (metric instanceof Counter) {
      return ((Counter) metric).getCount();
    }
    if (metric instanceof Meter) {
      Meter meter = (Meter) metric;
      return count ? (Number) meter.getCount() : (Number) meter.getRate();
    }
    if (metric instanceof Gauge) {
      Object v = ((Gauge<?>) metric).getValue();
      return v instanceof Number ? (Number) v : null;
    }
    return null;
  }

  private static String key(String table, String name) {
    return table == null ? name : table + "\t" + name;
  }

  private static String keyOf(String name, MetricGroup group) {
    if (FLINK_METRICS.contains(name)) {
      return key(null, name);
    }
    if (!MetricNames.ALL.contains(name)) {
      return null;
    }
    return key(group.getAllVariables().get(TABLE_VARIABLE), name);
  }

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
    String key = keyOf(name, group);
    if (key != null) {
      METRICS.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(metric);
    }
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    String key = keyOf(name, group);
    if (key != null) {
      METRICS.computeIfPresent(
          key,
          (k, list) -> {
            list.remove(metric);
            return list.isEmpty() ? null : list;
          });
    }
  }
}
