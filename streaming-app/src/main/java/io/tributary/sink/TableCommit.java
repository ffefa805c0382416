package io.tributary.sink;

import java.io.Serializable;

/** What one commit of one table held; emitted by the committer for progress and control state. */
public final class TableCommit implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String table;
  private final long checkpointId;
  private final long snapshotId;
  private final long rows;
  private final long deletes;
  private final long maxLsn;
  private final long maxSourceTsMicros;
  private final long committedAtMillis;

  public TableCommit(
      String table,
      long checkpointId,
      long snapshotId,
      long rows,
      long deletes,
      long maxLsn,
      long maxSourceTsMicros,
      long committedAtMillis) {
    this.table = table;
    this.checkpointId = checkpointId;
    this.snapshotId = snapshotId;
    this.rows = rows;
    this.deletes = deletes;
    this.maxLsn = maxLsn;
    this.maxSourceTsMicros = maxSourceTsMicros;
    this.committedAtMillis = committedAtMillis;
  }

  public String table() {
    return table;
  }

  public long checkpointId() {
    return checkpointId;
  }

  public long snapshotId() {
    return snapshotId;
  }

  public long rows() {
    return rows;
  }

  public long deletes() {
    return deletes;
  }

  public long maxLsn() {
    return maxLsn;
  }

  public long maxSourceTsMicros() {
    return maxSourceTsMicros;
  }

  public long committedAtMillis() {
    return committedAtMillis;
  }

  @Override
  public String toString() {
    return "TableCommit{"
        + table
        + ", checkpoint="
        + checkpointId
        + ", snapshot="
        + snapshotId
        + "}";
  }
}
