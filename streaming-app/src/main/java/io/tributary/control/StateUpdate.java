package io.tributary.control;

import io.tributary.sink.TableCommit;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * What the stream's commits of one table changed since the last write of its STATE item: the newest
 * positions, and the counters to add. Several updates of one table merge into one, so that a writer
 * that falls behind still writes each table once.
 */
public final class StateUpdate {
  private final String namespace;
  private final String table;
  private final long checkpointId;
  private final long snapshotId;
  private final long sourceLsn;
  private final long sourceTsMicros;
  private final long committedAtMillis;
  private final long rows;
  private final long deletes;
  private final long changes;
  private final long dataFiles;
  private final long deleteFiles;
  private final boolean streaming;
  private final String blockedReason;
  private final String notice;

  StateUpdate(
      String namespace,
      String table,
      long checkpointId,
      long snapshotId,
      long sourceLsn,
      long sourceTsMicros,
      long committedAtMillis,
      long rows,
      long deletes,
      long changes,
      long dataFiles,
      long deleteFiles,
      boolean streaming,
      String blockedReason) {
    this(
        namespace,
        table,
        checkpointId,
        snapshotId,
        sourceLsn,
        sourceTsMicros,
        committedAtMillis,
        rows,
        deletes,
        changes,
        dataFiles,
        deleteFiles,
        streaming,
        blockedReason,
        null);
  }

  StateUpdate(
      String namespace,
      String table,
      long checkpointId,
      long snapshotId,
      long sourceLsn,
      long sourceTsMicros,
      long committedAtMillis,
      long rows,
      long deletes,
      long changes,
      long dataFiles,
      long deleteFiles,
      boolean streaming,
      String blockedReason,
      String notice) {
    this.notice = notice;
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.table = Objects.requireNonNull(table, "table");
    this.checkpointId = checkpointId;
    this.snapshotId = snapshotId;
    this.sourceLsn = sourceLsn;
    this.sourceTsMicros = sourceTsMicros;
    this.committedAtMillis = committedAtMillis;
    this.rows = rows;
    this.deletes = deletes;
    this.changes = changes;
    this.dataFiles = dataFiles;
    this.deleteFiles = deleteFiles;
    this.streaming = streaming;
    this.blockedReason = blockedReason;
  }

  /**
   * The update of one commit. The commit's table is the Iceberg identifier {@code namespace.table};
   * a commit that added delete files held changes (see {@link TableCommit#deleteFiles()}), so the
   * table is streaming from then on.
   */
  public static StateUpdate of(TableCommit commit) {
    String identifier = commit.table();
    int dot = identifier.lastIndexOf('.');
    if (dot <= 0) {
      throw new IllegalArgumentException(
          "Commit of '" + identifier + "' does not name a table as namespace.table");
    }
    boolean streaming = commit.deleteFiles() > 0 || commit.deletes() > 0;
    return new StateUpdate(
        identifier.substring(0, dot),
        identifier.substring(dot + 1),
        commit.checkpointId(),
        commit.snapshotId(),
        commit.maxLsn(),
        commit.maxSourceTsMicros(),
        commit.committedAtMillis(),
        commit.rows(),
        commit.deletes(),
        streaming ? commit.rows() + commit.deletes() : 0,
        commit.dataFiles(),
        commit.deleteFiles(),
        streaming,
        commit.blockedReason(),
        commit.notice());
  }

  /** The control table's partition key of this table. */
  public String pk() {
    return ControlTable.pk(namespace, table);
  }

  public String table() {
    return table;
  }

  public long dataFiles() {
    return dataFiles;
  }

  public long deleteFiles() {
    return deleteFiles;
  }

  /** This update followed by {@code later} (a later commit of the same table). */
  public StateUpdate merge(StateUpdate later) {
    if (!pk().equals(later.pk())) {
      throw new IllegalArgumentException("Cannot merge updates of " + pk() + " and " + later.pk());
    }
    return new StateUpdate(
        namespace,
        table,
        Math.max(checkpointId, later.checkpointId),
        later.snapshotId >= 0 ? later.snapshotId : snapshotId,
        Math.max(sourceLsn, later.sourceLsn),
        Math.max(sourceTsMicros, later.sourceTsMicros),
        Math.max(committedAtMillis, later.committedAtMillis),
        rows + later.rows,
        deletes + later.deletes,
        changes + later.changes,
        dataFiles + later.dataFiles,
        deleteFiles + later.deleteFiles,
        streaming || later.streaming,
        later.blockedReason,
        later.notice);
  }

  /**
   * The one UpdateItem of the table's STATE item: positions and status are set, counters added
   * atomically (ADD), so the maintenance job may subtract what it compacted at the same time.
   */
  public UpdateItemRequest toRequest(String tableName, Instant now) {
    Map<String, String> names = new HashMap<>();
    Map<String, AttributeValue> values = new HashMap<>();
    StringBuilder set = new StringBuilder("SET ");
    set(set, names, values, ControlTable.TABLE, s(table));
    set(set, names, values, ControlTable.NAMESPACE, s(namespace));
    set(set, names, values, ControlTable.LAST_CHECKPOINT_ID, n(checkpointId));
    if (snapshotId >= 0) {
      set(set, names, values, ControlTable.LAST_SNAPSHOT_ID, n(snapshotId));
    }
    if (sourceLsn >= 0) {
      set(set, names, values, ControlTable.SOURCE_LSN, n(sourceLsn));
    }
    if (sourceTsMicros >= 0) {
      set(
          set,
          names,
          values,
          ControlTable.LAST_SOURCE_COMMIT_AT,
          s(ControlTable.time(Instant.EPOCH.plusNanos(sourceTsMicros * 1000))));
    }
    set(
        set,
        names,
        values,
        ControlTable.LAST_COMMIT_AT,
        s(ControlTable.time(Instant.ofEpochMilli(committedAtMillis))));
    set(set, names, values, ControlTable.UPDATED_AT, s(ControlTable.time(now)));
    names.put("#status", ControlTable.STATUS);
    if (blockedReason != null) {
      values.put(":status", s(ControlTable.BLOCKED));
      set.append(", #status = :status");
      set(set, names, values, ControlTable.STATUS_REASON, s(blockedReason));
    } else if (streaming) {
      values.put(":status", s(ControlTable.STREAMING));
      set.append(", #status = :status");
    } else {
      values.put(":status", s(ControlTable.SNAPSHOTTING));
      set.append(", #status = if_not_exists(#status, :status)");
    }
    StringBuilder add = new StringBuilder(" ADD ");
    add(add, names, values, ControlTable.ROWS_SINCE_START, rows);
    add(add, names, values, ControlTable.DELETES_SINCE_START, deletes);
    add(add, names, values, ControlTable.CHANGES_SINCE_START, changes);
    add(add, names, values, ControlTable.DATA_FILES_SINCE_MAINTENANCE, dataFiles);
    add(add, names, values, ControlTable.DELETE_FILES_SINCE_MAINTENANCE, deleteFiles);
    if (blockedReason == null && notice != null) {
      // The table flows, but needs the operator's attention: the status reason says why.
      set(set, names, values, ControlTable.STATUS_REASON, s(notice));
    }
    String expression = set.toString() + add;
    if (blockedReason == null && notice == null) {
      names.put("#reason", ControlTable.STATUS_REASON);
      expression += " REMOVE #reason";
    }
    return UpdateItemRequest.builder()
        .tableName(tableName)
        .key(key(pk(), ControlTable.STATE))
        .updateExpression(expression)
        .expressionAttributeNames(names)
        .expressionAttributeValues(values)
        .build();
  }

  /**
   * The update of a table's dead-letter count; a table whose newest dead letter was written because
   * it is parked ("blocked: ...") is BLOCKED with that reason.
   */
  static UpdateItemRequest deadLetters(String tableName, String pk, DeadLetterCounts.Count count) {
    Map<String, String> names = new HashMap<>();
    Map<String, AttributeValue> values = new HashMap<>();
    names.put("#deadLetters", ControlTable.DEAD_LETTERS);
    values.put(":deadLetters", n(count.count));
    String expression = "SET #deadLetters = :deadLetters";
    if (count.lastReason != null && count.lastReason.startsWith("blocked: ")) {
      names.put("#status", ControlTable.STATUS);
      names.put("#reason", ControlTable.STATUS_REASON);
      values.put(":status", s(ControlTable.BLOCKED));
      values.put(":reason", s(count.lastReason));
      expression += ", #status = :status, #reason = :reason";
    }
    return UpdateItemRequest.builder()
        .tableName(tableName)
        .key(key(pk, ControlTable.STATE))
        .updateExpression(expression)
        .expressionAttributeNames(names)
        .expressionAttributeValues(values)
        .build();
  }

  /** The key of an item. */
  public static Map<String, AttributeValue> key(String pk, String sk) {
    return ControlTable.key(pk, sk);
  }

  private static void set(
      StringBuilder expression,
      Map<String, String> names,
      Map<String, AttributeValue> values,
      String attribute,
      AttributeValue value) {
    String alias = "#" + attribute;
    names.put(alias, attribute);
    values.put(":" + attribute, value);
    if (expression.length() > "SET ".length()) {
      expression.append(", ");
    }
    expression.append(alias).append(" = :").append(attribute);
  }

  private static void add(
      StringBuilder expression,
      Map<String, String> names,
      Map<String, AttributeValue> values,
      String attribute,
      long amount) {
    String alias = "#" + attribute;
    names.put(alias, attribute);
    values.put(":" + attribute, n(amount));
    if (expression.length() > " ADD ".length()) {
      expression.append(", ");
    }
    expression.append(alias).append(" :").append(attribute);
  }

  static AttributeValue s(String value) {
    return ControlTable.s(value);
  }

  static AttributeValue n(long value) {
    return ControlTable.n(value);
  }

  @Override
  public String toString() {
    return "StateUpdate{"
        + pk()
        + ", checkpoint="
        + checkpointId
        + ", snapshot="
        + snapshotId
        + ", +"
        + dataFiles
        + " data files, +"
        + deleteFiles
        + " delete files}";
  }
}
