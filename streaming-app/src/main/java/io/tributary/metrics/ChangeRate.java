package io.tributary.metrics;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;
import org.apache.flink.metrics.Meter;

/**
 * Changes per second of one table, as a Flink {@link Meter}: the changes committed within the last
 * window (60 seconds by default) divided by the window, or by the time since the meter started when
 * that is shorter. Commits are bursts (one per checkpoint), so the window spans several of them.
 * Thread-safe: commits are marked by the task thread, the rate is read by metric reporters.
 */
public final class ChangeRate implements Meter {

  /** The default window. */
  public static final long DEFAULT_WINDOW_MILLIS = 60_000;

  private final LongSupplier clock;
  private final long windowMillis;
  private final long startMillis;
  private final Deque<long[]> marks = new ArrayDeque<>();
  private long count;

  /** A rate over {@code windowMillis}, reading the time in milliseconds from {@code clock}. */
  public ChangeRate(LongSupplier clock, long windowMillis) {
    if (windowMillis < 1000) {
      throw new IllegalArgumentException("window must be at least 1000 ms, got " + windowMillis);
    }
    this.clock = clock;
    this.windowMillis = windowMillis;
    this.startMillis = clock.getAsLong();
  }

  /** A rate over the default window on the system clock. */
  public ChangeRate() {
    this(System::currentTimeMillis, DEFAULT_WINDOW_MILLIS);
  }

  @Override
  public void markEvent() {
    markEvent(1);
  }

  @Override
  public synchronized void markEvent(long n) {
    if (n <= 0) {
      return;
    }
    count += n;
    marks.addLast(new long[] {clock.getAsLong(), n});
    evict(clock.getAsLong());
  }

  @Override
  public synchronized double getRate() {
    long now = clock.getAsLong();
    evict(now);
    long inWindow = 0;
    for (long[] mark : marks) {
      inWindow += mark[1];
    }
    long span = Math.max(1000, Math.min(windowMillis, now - startMillis));
    return inWindow * 1000.0 / span;
  }

  /** Every change marked since the meter started. */
  @Override
  public synchronized long getCount() {
    return count;
  }

  private void evict(long now) {
    while (!marks.isEmpty() && marks.peekFirst()[0] <= now - windowMillis) {
      marks.removeFirst();
    }
  }
}
