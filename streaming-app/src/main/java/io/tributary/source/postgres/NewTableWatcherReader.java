package io.tributary.source.postgres;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.core.io.InputStatus;

/**
 * The running {@link NewTableWatcher}: looks at once, then every interval after the end of the last
 * look, on a thread of its own, until the task ends. It emits nothing and is never done, so the
 * task's thread only ever waits on it.
 */
final class NewTableWatcherReader implements SourceReader<String, NewTableWatcher.NoSplit> {
  private final Runnable look;
  private final long intervalMillis;
  private final boolean looks;
  private final CompletableFuture<Void> never = new CompletableFuture<>();
  private ScheduledExecutorService looker;

  /**
   * @param look one look for new tables (it logs its own failures)
   * @param subtask the reader's subtask: only the first looks, should the watcher run in parallel
   */
  NewTableWatcherReader(Runnable look, long intervalMillis, int subtask) {
    this.look = look;
    this.intervalMillis = intervalMillis;
    this.looks = subtask == 0;
  }

  @Override
  public void start() {
    if (!looks) {
      return;
    }
    looker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "new-table-watcher");
              thread.setDaemon(true);
              return thread;
            });
    looker.scheduleWithFixedDelay(look, 0, intervalMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public InputStatus pollNext(ReaderOutput<String> output) {
    return InputStatus.NOTHING_AVAILABLE;
  }

  @Override
  public CompletableFuture<Void> isAvailable() {
    return never;
  }

  @Override
  public List<NewTableWatcher.NoSplit> snapshotState(long checkpointId) {
    return Collections.emptyList();
  }

  @Override
  public void addSplits(List<NewTableWatcher.NoSplit> splits) {}

  @Override
  public void notifyNoMoreSplits() {}

  @Override
  public void close() throws InterruptedException {
    if (looker != null) {
      looker.shutdownNow();
      looker.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
