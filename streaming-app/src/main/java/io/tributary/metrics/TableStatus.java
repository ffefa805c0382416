package io.tributary.metrics;

import java.util.function.LongSupplier;

/**
 * What the job knows about one mirror table for its metrics: changes committed, the last commit,
 * the source time of its last committed change, whether it is blocked, and its snapshot progress;
 * and the figures computed from them at the moment a reporter asks. Thread-safe: the task thread
 * records commits, the source poller records estimates and blocked state, reporters read.
 */
public final class TableStatus {
  private final String table;
  private final long targetMillis;
  private final LongSupplier clock;
  private final long startMillis;
  private final ChangeRate changes;
  private final SlotWatermark slot;

  private volatile long lastCommitMillis = -1;
  private volatile long lastChangeSourceMillis = -1;
  private volatile boolean blocked;
  private volatile long rows;
  private volatile long estimate = -1;

  /**
   * The status of {@code table} ({@code schema.table}).
   *
   * @param targetMillis the table's freshness target
   * @param slot the watermark of the table's replication slot, or null when unknown
   * @param clock the time in epoch milliseconds
   * @param rateWindowMillis the window of {@link #changes()}
   */
  public TableStatus(
      String table,
      long targetMillis,
      SlotWatermark slot,
      LongSupplier clock,
      long rateWindowMillis) {
    this.table = table;
    this.targetMillis = targetMillis;
    this.slot = slot;
    this.clock = clock;
    this.startMillis = clock.getAsLong();
    this.changes = new ChangeRate(clock, rateWindowMillis);
  }

  /** The source table, {@code schema.table}. */
  public String table() {
    return table;
  }

  /** Changes committed: count and rate (rows and deletes, snapshot rows included). */
  public ChangeRate changes() {
    return changes;
  }

  /**
   * Records one commit of the table.
   *
   * @param rows rows written (inserts, updates, snapshot rows)
   * @param deletes deletes written
   * @param commitMillis when the commit was made
   * @param maxSourceMillis the latest source commit time among its changes, or a negative value
   */
  public synchronized void committed(
      long rows, long deletes, long commitMillis, long maxSourceMillis) {
    changes.markEvent(rows + deletes);
    this.rows += rows;
    lastCommitMillis = Math.max(lastCommitMillis, commitMillis);
    lastChangeSourceMillis = Math.max(lastChangeSourceMillis, maxSourceMillis);
  }

  /**
   * What the table held before this run's first commit, read from the lake: the time of its last
   * commit, the source time of its last committed change, and its row count; negative when unknown.
   */
  public synchronized void restored(long commitMillis, long changeSourceMillis, long tableRows) {
    lastCommitMillis = Math.max(lastCommitMillis, commitMillis);
    lastChangeSourceMillis = Math.max(lastChangeSourceMillis, changeSourceMillis);
    if (tableRows > 0) {
      rows += tableRows;
    }
  }

  /** Sets whether the table is blocked (its changes go to dead letters). */
  public void blocked(boolean blocked) {
    this.blocked = blocked;
  }

  /** Sets the source's row estimate of the table; negative when the source has none. */
  public void estimate(long estimate) {
    this.estimate = estimate;
  }

  /** The time of the last commit, or -1. */
  public long lastCommitMillis() {
    return lastCommitMillis;
  }

  /**
   * Now minus the source time up to which the table is known to be complete, or null when nothing
   * is known yet. That time is the source commit time of its last committed change or, when the
   * table is not blocked, the watermark of its replication slot if later: an idle table is as fresh
   * as the slot that would carry its changes.
   */
  public Long lagMillis() {
    long fresh = lastChangeSourceMillis;
    if (!blocked && slot != null) {
      fresh = Math.max(fresh, slot.watermarkMillis());
    }
    return fresh < 0 ? null : Math.max(0, clock.getAsLong() - fresh);
  }

  /** Now minus the time of the last commit, or null before the first one. */
  public Long millisSinceLastCommit() {
    long last = lastCommitMillis;
    return last < 0 ? null : Math.max(0, clock.getAsLong() - last);
  }

  /** 1 while blocked, else 0. */
  public int blockedFlag() {
    return blocked ? 1 : 0;
  }

  /**
   * Rows in the mirror table as a percentage of the source's row estimate, at most 100; null when
   * the source has no estimate and nothing is committed.
   */
  public Integer snapshotPercent() {
    long e = estimate;
    long r = rows;
    if (e <= 0) {
      return r > 0 ? 100 : null;
    }
    return (int) Math.min(100, r * 100 / e);
  }

  /**
   * 1 while the lag exceeds the freshness target, or while nothing is known of the table longer
   * than the target after the start; else 0.
   */
  public int freshnessTargetMissed() {
    Long lag = lagMillis();
    if (lag == null) {
      return clock.getAsLong() - startMillis > targetMillis ? 1 : 0;
    }
    return lag > targetMillis ? 1 : 0;
  }

  /** The freshness target in milliseconds. */
  public long targetMillis() {
    return targetMillis;
  }
}
