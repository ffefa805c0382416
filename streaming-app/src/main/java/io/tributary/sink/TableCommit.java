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
  private final int dataFiles;
  private final int deleteFiles;
  private final String blockedReason;
  private final String notice;

  public TableCommit(
      String table,
      long checkpointId,
      long snapshotId,
      long rows,
      long deletes,
      long maxLsn,
      long maxSourceTsMicros,
      long committedAtMillis) {
    this(
        table,
        checkpointId,
        snapshotId,
        rows,
        deletes,
        maxLsn,
        maxSourceTsMicros,
        committedAtMillis,
        0,
        0,
        null);
  }

  /**
   * A commit with the files it added and, when the table is parked, why.
   *
   * @param dataFiles data files added by this commit's snapshots
   * @param deleteFiles delete files added by this commit's snapshots
   * @param blockedReason the table's blocked property after the commit, or null
   */
  public TableCommit(
      String table,
      long checkpointId,
      long snapshotId,
      long rows,
      long deletes,
      long maxLsn,
      long maxSourceTsMicros,
      long committedAtMillis,
      int dataFiles,
      int deleteFiles,
      String blockedReason) {
    this(
        table,
        checkpointId,
        snapshotId,
        rows,
        deletes,
        maxLsn,
        maxSourceTsMicros,
        committedAtMillis,
        dataFiles,
        deleteFiles,
        blockedReason,
        null);
  }

  /**
   * A commit as above, with a notice about the table that needs the operator's attention (see
   * {@link #notice()}).
   */
  public TableCommit(
      String table,
      long checkpointId,
      long snapshotId,
      long rows,
      long deletes,
      long maxLsn,
      long maxSourceTsMicros,
      long committedAtMillis,
      int dataFiles,
      int deleteFiles,
      String blockedReason,
      String notice) {
    this.notice = notice;
    this.table = table;
    this.checkpointId = checkpointId;
    this.snapshotId = snapshotId;
    this.rows = rows;
    this.deletes = deletes;
    this.maxLsn = maxLsn;
    this.maxSourceTsMicros = maxSourceTsMicros;
    this.committedAtMillis = committedAtMillis;
    this.dataFiles = dataFiles;
    this.deleteFiles = deleteFiles;
    this.blockedReason = blockedReason;
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

  /** Data files this commit added. */
  public int dataFiles() {
    return dataFiles;
  }

  /**
   * Delete files this commit added; changes are written as upserts with equality deletes, rows of
   * an uninterrupted initial snapshot without, so a commit without delete files held only snapshot
   * rows.
   */
  public int deleteFiles() {
    return deleteFiles;
  }

  /** Why the table is parked (its changes go to dead letters), or null. */
  public String blockedReason() {
    return blockedReason;
  }

  /**
   * Something about the table that needs the operator's attention although it flows (a primary key
   * added at the source to a table captured append-only), or null.
   */
  public String notice() {
    return notice;
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
