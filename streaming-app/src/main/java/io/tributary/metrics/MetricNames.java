package io.tributary.metrics;

import java.util.List;
import org.apache.flink.metrics.MetricGroup;

/**
 * The names of the job's own metrics and of the groups they are registered under: the contract with
 * the CloudWatch alarms ({@code local.flink_metric_names} in infra/terraform/monitoring.tf, which
 * infra/checks compares with the string constants of this class).
 *
 * <p>On Managed Service for Apache Flink only metrics registered under the group {@link #GROUP}
 * reach CloudWatch (namespace {@code AWS/KinesisAnalytics}); each key/value group below it becomes
 * a dimension, so per-table metrics carry the dimension {@link #TABLE} with the source table's
 * {@code schema.table} name.
 */
public final class MetricNames {

  /** The metric group Managed Flink publishes to CloudWatch. */
  public static final String GROUP = "kinesisanalytics";

  /** The key of the per-table group: the CloudWatch dimension of per-table metrics. */
  public static final String TABLE = "table";

  /** Per table: changes (rows and deletes, snapshot rows included) committed per second. */
  public static final String CHANGES_PER_SECOND = "tributaryChangesPerSecond";

  /**
   * Per table: now minus the source time up to which the table is known to be complete (the source
   * commit time of its last committed change, or later when the source is caught up).
   */
  public static final String LAG_MILLIS = "tributaryLagMillis";

  /** Per table: now minus the time of the table's last commit. */
  public static final String MILLIS_SINCE_LAST_COMMIT = "tributaryMillisSinceLastCommit";

  /** Per table: changes sent to the dead-letter location since the job started. */
  public static final String DEAD_LETTERS = "tributaryDeadLetters";

  /** Per table: 1 while the table is blocked (its changes go to dead letters), else 0. */
  public static final String TABLE_BLOCKED = "tributaryTableBlocked";

  /** Per table: rows committed as a percentage of the source's row estimate, at most 100. */
  public static final String SNAPSHOT_PERCENT = "tributarySnapshotPercent";

  /** Per table: 1 while the table's lag exceeds its freshness target, else 0. */
  public static final String FRESHNESS_TARGET_MISSED = "tributaryFreshnessTargetMissed";

  /** Job-wide: WAL bytes the job's replication slots hold back (the largest over its slots). */
  public static final String SLOT_LAG_BYTES = "tributarySlotLagBytes";

  /** Every metric name above, in documentation order. */
  public static final List<String> ALL =
      List.of(
          CHANGES_PER_SECOND,
          LAG_MILLIS,
          MILLIS_SINCE_LAST_COMMIT,
          DEAD_LETTERS,
          TABLE_BLOCKED,
          SNAPSHOT_PERCENT,
          FRESHNESS_TARGET_MISSED,
          SLOT_LAG_BYTES);

  private MetricNames() {}

  /** The group of one table's metrics under {@code parent}: {@code kinesisanalytics/table=name}. */
  public static MetricGroup tableGroup(MetricGroup parent, String schemaDotTable) {
    return parent.addGroup(GROUP).addGroup(TABLE, schemaDotTable);
  }

  /** The group of the job-wide metrics under {@code parent}. */
  public static MetricGroup jobGroup(MetricGroup parent) {
    return parent.addGroup(GROUP);
  }
}
