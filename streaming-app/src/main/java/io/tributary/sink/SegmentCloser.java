package io.tributary.sink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closes the open segments of the tables a checkpoint barrier flushes, several tables at a time.
 *
 * <p>Closing a segment finishes its Parquet files and uploads each one (a PUT to S3 per small
 * file). One after the other, a barrier that finds a few hundred tables with changes waits for each
 * table's uploads in turn: with S3's tens of milliseconds per PUT, seconds per checkpoint, during
 * which the writer reads nothing. Each table's segment is its own files and its own state ({@link
 * WriterTableState#completeSegment}), so they are closed on a small pool of threads; the barrier
 * goes on once every one is closed, and the table writes are then collected in the same order as
 * before. A segment that fails to close fails the barrier as before (the first failure is thrown,
 * after the others finished).
 *
 * <p>Used by one writer subtask, from its task thread.
 */
final class SegmentCloser implements AutoCloseable {
  /** Tables closed at once by default: enough to cover S3's latency, few for the heap. */
  static final int DEFAULT_THREADS = 16;

  private final int threads;
  private final String name;
  private ExecutorService pool;

  /**
   * @param threads how many segments are closed at once (1: one after the other, on the caller)
   * @param name the pool threads' name prefix
   */
  SegmentCloser(int threads, String name) {
    this.threads = Math.max(1, threads);
    this.name = name;
  }

  /** Closes the open segment of each table in {@code states} and of its changelog table. */
  void closeAll(Collection<WriterTableState> states) {
    List<WriterTableState> open = new ArrayList<>();
    for (WriterTableState state : states) {
      if (state.writer != null) {
        open.add(state);
      }
      if (state.changelog != null && state.changelog.writer != null) {
        open.add(state.changelog);
      }
    }
    if (threads == 1 || open.size() < 2) {
      for (WriterTableState state : open) {
        state.completeSegment();
      }
      return;
    }
    List<Future<?>> closing = new ArrayList<>(open.size());
    for (WriterTableState state : open) {
      closing.add(pool().submit(state::completeSegment));
    }
    RuntimeException failure = null;
    for (int i = 0; i < closing.size(); i++) {
      try {
        closing.get(i).get();
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = asRuntime(e.getCause());
        } else {
          failure.addSuppressed(e.getCause());
        }
      } catch (InterruptedException e) {
        for (Future<?> f : closing) {
          f.cancel(true);
        }
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while closing the tables' files", e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static RuntimeException asRuntime(Throwable cause) {
    if (cause instanceof RuntimeException) {
      return (RuntimeException) cause;
    }
    if (cause instanceof Error) {
      throw (Error) cause;
    }
    return new IllegalStateException(cause);
  }

  private ExecutorService pool() {
    if (pool == null) {
      AtomicInteger count = new AtomicInteger();
      pool =
          Executors.newFixedThreadPool(
              threads,
              task -> {
                Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
              });
    }
    return pool;
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
      pool = null;
    }
  }
}
