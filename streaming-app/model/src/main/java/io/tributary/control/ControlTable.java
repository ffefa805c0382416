package io.tributary.control;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The key design and attribute names of the control table (docs/control-plane.md): partition key
 * {@code pk = TABLE#<namespace>.<table>}, sort key {@code STATE}, {@code LOCK}, {@code
 * MAINT#<time>} or {@code BACKFILL#<time>}. The state machines in infra/stepfunctions use the same
 * names.
 */
public final class ControlTable {
  private ControlTable() {}

  /** Partition key attribute. */
  public static final String PK = "pk";

  /** Sort key attribute. */
  public static final String SK = "sk";

  /** Sort key of a table's state item, written by the stream after each checkpoint. */
  public static final String STATE = "STATE";

  /** Sort key of a table's backfill lock. */
  public static final String LOCK = "LOCK";

  /** Sort key prefix of a maintenance report or failure. */
  public static final String MAINT_PREFIX = "MAINT#";

  /** Sort key prefix of a backfill outcome. */
  public static final String BACKFILL_PREFIX = "BACKFILL#";

  // ---- attributes of the STATE item ----

  /** The table's name inside the namespace (what the Glue jobs take as --table). */
  public static final String TABLE = "table";

  public static final String NAMESPACE = "namespace";

  /** SNAPSHOTTING, STREAMING or BLOCKED, written by the stream. */
  public static final String STATUS = "status";

  /** Why the table is blocked; removed when it is not. */
  public static final String STATUS_REASON = "statusReason";

  public static final String LAST_SNAPSHOT_ID = "lastSnapshotId";
  public static final String LAST_CHECKPOINT_ID = "lastCheckpointId";
  public static final String SOURCE_LSN = "sourceLsn";
  public static final String LAST_SOURCE_COMMIT_AT = "lastSourceCommitAt";
  public static final String LAST_COMMIT_AT = "lastCommitAt";
  public static final String ROWS_SINCE_START = "rowsSinceStart";
  public static final String DELETES_SINCE_START = "deletesSinceStart";
  public static final String CHANGES_SINCE_START = "changesSinceStart";
  public static final String DATA_FILES_SINCE_MAINTENANCE = "dataFilesSinceMaintenance";
  public static final String DELETE_FILES_SINCE_MAINTENANCE = "deleteFilesSinceMaintenance";
  public static final String DEAD_LETTERS = "deadLetters";
  public static final String UPDATED_AT = "updatedAt";
  public static final String LAST_MAINTENANCE_AT = "lastMaintenanceAt";
  public static final String LAST_MAINTENANCE_STATUS = "lastMaintenanceStatus";
  public static final String BACKFILL_STATUS = "backfillStatus";
  public static final String BACKFILL_AT = "backfillAt";

  // ---- attributes of MAINT# and BACKFILL# items ----

  /**
   * Time to live (a number, epoch seconds): DynamoDB deletes the item some time after it. Set on
   * MAINT# and BACKFILL# items and on a LOCK left behind, never on STATE.
   */
  public static final String EXPIRES_AT = "expiresAt";

  /** SUCCEEDED or FAILED (MAINT#, BACKFILL#), RUNNING (BACKFILL# while the job runs). */
  public static final String OUTCOME_STATUS = "status";

  public static final String REPORT = "report";
  public static final String ERROR = "error";
  public static final String CAUSE = "cause";

  /** Status values. */
  public static final String SNAPSHOTTING = "SNAPSHOTTING";

  public static final String STREAMING = "STREAMING";
  public static final String BLOCKED = "BLOCKED";
  public static final String BACKFILLING = "BACKFILLING";
  public static final String RUNNING = "RUNNING";
  public static final String SUCCEEDED = "SUCCEEDED";
  public static final String FAILED = "FAILED";

  /** The partition key of a mirror table. */
  public static String pk(String namespace, String table) {
    return "TABLE#" + namespace + "." + table;
  }

  /**
   * An instant as the control table writes times: ISO-8601 in UTC with exactly three decimals, so
   * that sort keys made of times sort in time order.
   */
  public static String time(Instant instant) {
    return TIME.format(instant);
  }

  /** The key of an item. */
  public static Map<String, AttributeValue> key(String pk, String sk) {
    return Map.of(PK, s(pk), SK, s(sk));
  }

  /** A string attribute value. */
  public static AttributeValue s(String value) {
    return AttributeValue.builder().s(value).build();
  }

  /** A number attribute value. */
  public static AttributeValue n(long value) {
    return AttributeValue.builder().n(Long.toString(value)).build();
  }

  /** The {@link #EXPIRES_AT} value of an item recording {@code at}, kept for {@code retention}. */
  public static long expiresAt(Instant at, Duration retention) {
    return at.plus(retention).getEpochSecond();
  }

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
}
