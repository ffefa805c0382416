package io.tributary.sink;

import static io.tributary.sink.IcebergCommitterOperator.CHECKPOINT_ID;
import static io.tributary.sink.IcebergCommitterOperator.RUN_ID;

import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A writer's wait until a table holds a checkpoint of this run, before it reads rows it no longer
 * keeps in memory (see {@link StoredRows}): the checkpoint is committed by the committer, which
 * runs in a task of its own, once every task took it. The wait lets the writer's task process its
 * checkpoint notifications meanwhile, and it is bounded.
 */
final class CommittedCheckpointWait {
  private static final Logger LOG = LoggerFactory.getLogger(CommittedCheckpointWait.class);

  /**
   * How long a read waits for a checkpoint to be completed or aborted: a little longer than Flink's
   * default checkpoint timeout (10 minutes), after which a checkpoint is aborted.
   */
  static final long DECISION_WAIT_MILLIS = 11 * 60_000L;

  /**
   * How long a read waits for the committer once the checkpoint completed. The committer commits
   * the tables of a checkpoint one after another, so with many tables a table's commit can come
   * minutes after the completion; a committer that fails fails the job, which ends the wait.
   */
  static final long COMMIT_WAIT_MILLIS = 30 * 60_000L;

  /** How often a long wait is logged. */
  private static final long LOG_EVERY_MILLIS = 60_000L;

  /**
   * What a read of stored rows learns about checkpoints while it waits for the table to hold one:
   * the writer's completion and abort notifications, which reach it only while it lets its task
   * process them.
   */
  interface Checkpoints {
    /** The newest checkpoint this subtask was told completed, or -1. */
    long lastCompleted();

    /** Whether this subtask was told that the checkpoint was aborted. */
    boolean aborted(long checkpointId);

    /**
     * Lets the task process what it was sent (checkpoint notifications among them), or waits a
     * moment when nothing came.
     */
    void pause() throws InterruptedException;
  }

  /** Without notifications (tests of this class alone): every checkpoint counts as completed. */
  static final Checkpoints ALL_COMPLETED =
      new Checkpoints() {
        @Override
        public long lastCompleted() {
          return Long.MAX_VALUE;
        }

        @Override
        public boolean aborted(long checkpointId) {
          return false;
        }

        @Override
        public void pause() throws InterruptedException {
          Thread.sleep(100);
        }
      };

  private final Checkpoints checkpoints;
  private final LongSupplier clock;
  private final String runId;

  /**
   * @param runId the run whose commits count (see {@link IcebergCommitterOperator#RUN_ID})
   * @param checkpoints what the writer is told about checkpoints while it waits
   * @param clock the time in milliseconds, for the waits' bounds
   */
  CommittedCheckpointWait(String runId, Checkpoints checkpoints, LongSupplier clock) {
    this.runId = runId;
    this.checkpoints = checkpoints;
    this.clock = clock;
  }

  /**
   * Waits until the table holds checkpoint {@code needed} of this run (or a later one).
   *
   * <p>Such a checkpoint may not be complete yet (this subtask flushed it, other tasks still take
   * it): the wait then lets the task process its notifications. Once the checkpoint completed, the
   * committer commits it; the wait ends when the table holds it. A checkpoint aborted instead never
   * reaches the table under its number: its files are committed with the next checkpoint, which
   * this subtask cannot take while it waits, so the read fails at once (the job restarts from its
   * last completed checkpoint) instead of blocking every table of the subtask. Each wait is bounded
   * ({@link #DECISION_WAIT_MILLIS}, {@link #COMMIT_WAIT_MILLIS}) and fails naming the table and the
   * checkpoint.
   */
  void await(Table table, long needed) {
    long started = clock.getAsLong();
    long completedAt = -1;
    long logged = started;
    while (true) {
      table.refresh();
      long committed = lastCommittedCheckpoint(table);
      if (committed >= needed) {
        return;
      }
      long now = clock.getAsLong();
      if (checkpoints.lastCompleted() >= needed) {
        if (completedAt < 0) {
          completedAt = now;
        }
        if (now - completedAt > COMMIT_WAIT_MILLIS) {
          throw new IllegalStateException(
              "Table "
                  + table.name()
                  + " does not hold checkpoint "
                  + needed
                  + " "
                  + (now - completedAt) / 60_000
                  + " minutes after the checkpoint completed (last committed: "
                  + committed
                  + "); an update with unchanged columns needs its rows. Check the committer's"
                  + " log for that table; the job restarts from its last completed checkpoint.");
        }
      } else if (checkpoints.aborted(needed)) {
        throw new IllegalStateException(
            "Checkpoint "
                + needed
                + " was aborted before table "
                + table.name()
                + " held it, and an update of the table with unchanged columns needs rows written"
                + " in it: they are committed only with the next checkpoint, which this writer"
                + " cannot take while it waits. The job restarts from its last completed"
                + " checkpoint; if checkpoints keep failing, see why in the job's checkpoint"
                + " history (a timeout calls for a longer checkpoint timeout).");
      } else if (now - started > DECISION_WAIT_MILLIS) {
        throw new IllegalStateException(
            "Checkpoint "
                + needed
                + " was neither completed nor aborted within "
                + DECISION_WAIT_MILLIS / 60_000
                + " minutes, and an update of table "
                + table.name()
                + " with unchanged columns needs rows written in it (last committed: "
                + committed
                + "). The job restarts from its last completed checkpoint.");
      }
      if (now - logged >= LOG_EVERY_MILLIS) {
        logged = now;
        LOG.warn(
            "Still waiting for {} to hold checkpoint {} (last committed: {}, checkpoint {}) for"
                + " an update with unchanged columns",
            table.name(),
            needed,
            committed,
            completedAt < 0 ? "not completed yet" : "completed");
      } else {
        LOG.debug("Waiting for {} to commit checkpoint {}", table.name(), needed);
      }
      try {
        checkpoints.pause();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for " + table.name(), e);
      }
    }
  }

  long lastCommittedCheckpoint(Table table) {
    Snapshot snapshot = table.currentSnapshot();
    while (snapshot != null) {
      Map<String, String> summary = snapshot.summary();
      String committedBy = summary.get(RUN_ID);
      if (committedBy != null) {
        return committedBy.equals(runId) ? Long.parseLong(summary.get(CHECKPOINT_ID)) : -1;
      }
      Long parent = snapshot.parentId();
      snapshot = parent == null ? null : table.snapshot(parent);
    }
    return -1;
  }
}
