package io.tributary.metrics;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The source time up to which a replication slot is known to be complete, from periodic polls of
 * the server's WAL position and the slot's confirmed position.
 *
 * <p>Each poll records (server time, {@code pg_current_wal_lsn()}). The slot confirms a position
 * only after the checkpoint holding every change before it completed (and the committer commits
 * that checkpoint's files at the same moment), so once {@code confirmed_flush_lsn} reaches the WAL
 * position of a poll made at time {@code t}, every change the source committed before {@code t} is
 * in the lake. That time is the watermark. It is only given once the slot's confirmed position has
 * moved during this run: before that, the job may still be reading its initial snapshot, and a slot
 * that nobody reads yet confirms nothing about the tables.
 *
 * <p>Thread-safe.
 */
public final class SlotWatermark {
  private static final int MAX_SAMPLES = 10_000;

  private final Deque<long[]> samples = new ArrayDeque<>();
  private long firstConfirmed = Long.MIN_VALUE;
  private boolean advanced;
  private long watermarkMillis = -1;
  private long lagBytes = -1;

  /**
   * Records one poll.
   *
   * @param serverMillis the server's clock at the poll, in epoch milliseconds
   * @param currentLsn the server's WAL write position
   * @param confirmedLsn the slot's {@code confirmed_flush_lsn}
   */
  public synchronized void poll(long serverMillis, long currentLsn, long confirmedLsn) {
    lagBytes = Math.max(0, currentLsn - confirmedLsn);
    if (firstConfirmed == Long.MIN_VALUE) {
      firstConfirmed = confirmedLsn;
    } else if (confirmedLsn > firstConfirmed) {
      advanced = true;
    }
    samples.addLast(new long[] {serverMillis, currentLsn});
    if (samples.size() > MAX_SAMPLES) {
      samples.removeFirst();
    }
    if (!advanced) {
      return;
    }
    while (!samples.isEmpty() && samples.peekFirst()[1] <= confirmedLsn) {
      watermarkMillis = Math.max(watermarkMillis, samples.removeFirst()[0]);
    }
  }

  /** The source time up to which the slot is complete, in epoch milliseconds, or -1. */
  public synchronized long watermarkMillis() {
    return watermarkMillis;
  }

  /**
   * WAL bytes between the server's position and the slot's confirmed one at the last poll, or -1.
   */
  public synchronized long lagBytes() {
    return lagBytes;
  }
}
