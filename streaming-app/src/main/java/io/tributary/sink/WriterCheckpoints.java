package io.tributary.sink;

import java.util.NavigableSet;
import java.util.TreeSet;
import org.apache.flink.api.common.operators.MailboxExecutor;

/**
 * What a writer subtask was told about checkpoints: the newest completed one and those aborted
 * since. A read of stored rows that waits for a checkpoint's commit (see {@link StoredRows}) learns
 * of them through {@link #pause}, which lets the task process the notifications it was sent (they
 * would otherwise wait behind the change being processed).
 */
final class WriterCheckpoints implements CommittedCheckpointWait.Checkpoints {
  /** The newest checkpoint this subtask was told completed, or -1. */
  private long lastCompleted;

  /** Checkpoints this subtask was told were aborted, after the last completed one. */
  private final NavigableSet<Long> aborted = new TreeSet<>();

  /** Runs the task's mails (checkpoint notifications) while a read of stored rows waits. */
  private MailboxExecutor mailbox;

  /**
   * @param restoredCheckpoint the checkpoint the job was restored from (it completed), or -1
   */
  WriterCheckpoints(long restoredCheckpoint) {
    this.lastCompleted = restoredCheckpoint;
  }

  /** The task's mailbox, once the operator is open; without one, {@link #pause} only waits. */
  void useMailbox(MailboxExecutor mailbox) {
    this.mailbox = mailbox;
  }

  /** Notes a completed checkpoint. */
  void completed(long checkpointId) {
    if (checkpointId > lastCompleted) {
      lastCompleted = checkpointId;
      aborted.headSet(checkpointId, true).clear();
    }
  }

  /** Notes an aborted checkpoint. */
  void abort(long checkpointId) {
    if (checkpointId > lastCompleted) {
      aborted.add(checkpointId);
    }
  }

  @Override
  public long lastCompleted() {
    return lastCompleted;
  }

  @Override
  public boolean aborted(long checkpointId) {
    return aborted.contains(checkpointId);
  }

  @Override
  public void pause() throws InterruptedException {
    if (mailbox == null || !mailbox.tryYield()) {
      Thread.sleep(50);
    }
  }
}
