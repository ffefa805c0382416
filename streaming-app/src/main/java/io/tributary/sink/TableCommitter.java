package io.tributary.sink;

import static io.tributary.sink.IcebergCommitterOperator.CHECKPOINT_ID;
import static io.tributary.sink.IcebergCommitterOperator.MAX_LSN;
import static io.tributary.sink.IcebergCommitterOperator.MAX_SOURCE_TS;
import static io.tributary.sink.IcebergCommitterOperator.ROUND;
import static io.tributary.sink.IcebergCommitterOperator.RUN_ID;
import static io.tributary.sink.IcebergCommitterOperator.SESSION;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the files of one checkpoint to one table exactly once, in rounds: round {@code r} holds
 * segment {@code r} of every writer and becomes its own snapshot, so that its equality deletes
 * apply to the rows of all earlier rounds. Remembers, per table, the last (checkpoint, round) this
 * run committed, read once from the table's history.
 */
public final class TableCommitter {
  private static final Logger LOG = LoggerFactory.getLogger(TableCommitter.class);

  /** Snapshot summary key: the source position of the TRUNCATE a snapshot applied. */
  public static final String TRUNCATE_LSN = "tributary.truncate-lsn";

  private final String runId;
  private final Map<String, long[]> lastCommitted = new HashMap<>();

  public TableCommitter(String runId) {
    this.runId = runId;
  }

  /**
   * Commits the writes of one table and checkpoint: round by round, each round its own snapshot,
   * skipping rounds this run committed before.
   */
  public TableCommit commit(
      Table table, String name, String session, long checkpointId, List<TableWrite> writes) {
    long[] last =
        lastCommitted.computeIfAbsent(name + "/" + session, n -> findLastCommitted(table, session));
    int rounds = 0;
    long rows = 0;
    long deletes = 0;
    long maxLsn = -1;
    long maxTs = -1;
    int addedDataFiles = 0;
    int addedDeleteFiles = 0;
    for (TableWrite write : writes) {
      rounds = Math.max(rounds, write.segments().size());
      rows += write.rows();
      deletes += write.deletes();
      maxLsn = Math.max(maxLsn, write.maxLsn());
      maxTs = Math.max(maxTs, write.maxSourceTsMicros());
    }
    for (int round = 0; round < rounds; round++) {
      if (checkpointId < last[0] || (checkpointId == last[0] && round <= last[1])) {
        LOG.info(
            "Skipping checkpoint {} round {} of {}: already committed by run {}",
            checkpointId,
            round,
            name,
            runId);
        continue;
      }
      List<DataFile> dataFiles = new ArrayList<>();
      List<DeleteFile> deleteFiles = new ArrayList<>();
      for (TableWrite write : writes) {
        if (round < write.segments().size()) {
          WriteResult segment = write.segments().get(round);
          java.util.Collections.addAll(dataFiles, segment.dataFiles());
          java.util.Collections.addAll(deleteFiles, segment.deleteFiles());
        }
      }
      SnapshotUpdate<?> update;
      if (deleteFiles.isEmpty()) {
        AppendFiles append = table.newFastAppend();
        dataFiles.forEach(append::appendFile);
        update = append;
      } else {
        RowDelta delta = table.newRowDelta();
        dataFiles.forEach(delta::addRows);
        deleteFiles.forEach(delta::addDeletes);
        update = delta;
      }
      update.set(RUN_ID, runId);
      update.set(SESSION, session);
      update.set(CHECKPOINT_ID, Long.toString(checkpointId));
      update.set(ROUND, Integer.toString(round));
      if (maxLsn >= 0) {
        update.set(MAX_LSN, Long.toString(maxLsn));
      }
      if (maxTs >= 0) {
        update.set(MAX_SOURCE_TS, Long.toString(maxTs));
      }
      long started = System.nanoTime();
      update.commit();
      addedDataFiles += dataFiles.size();
      addedDeleteFiles += deleteFiles.size();
      last[0] = checkpointId;
      last[1] = round;
      Snapshot snapshot = table.currentSnapshot();
      LOG.info(
          "Committed checkpoint {} round {}/{} to {}: snapshot {}, {} data files, {} delete files,"
              + " {} ms",
          checkpointId,
          round + 1,
          rounds,
          name,
          snapshot == null ? -1 : snapshot.snapshotId(),
          dataFiles.size(),
          deleteFiles.size(),
          (System.nanoTime() - started) / 1_000_000);
    }
    long truncateLsn = 0;
    for (TableWrite write : writes) {
      truncateLsn = Math.max(truncateLsn, write.truncateLsn());
    }
    if (truncateLsn > 0) {
      applyTruncate(table, name, session, checkpointId, rounds, truncateLsn, last);
    }
    Snapshot snapshot = table.currentSnapshot();
    return new TableCommit(
        name,
        checkpointId,
        snapshot == null ? -1 : snapshot.snapshotId(),
        rows,
        deletes,
        maxLsn,
        maxTs,
        System.currentTimeMillis(),
        addedDataFiles,
        addedDeleteFiles,
        table.properties().get(TableManager.BLOCKED));
  }

  /**
   * Applies a TRUNCATE after the rounds of its checkpoint, as one more round, so that a replayed
   * checkpoint does not apply it twice (applying it twice would do no harm either).
   */
  private void applyTruncate(
      Table table,
      String name,
      String session,
      long checkpointId,
      int round,
      long truncateLsn,
      long[] last) {
    if (checkpointId < last[0] || (checkpointId == last[0] && round <= last[1])) {
      LOG.info(
          "Skipping the TRUNCATE of checkpoint {} of {}: already applied by run {}",
          checkpointId,
          name,
          runId);
      return;
    }
    Map<String, String> summary = new HashMap<>();
    summary.put(RUN_ID, runId);
    summary.put(SESSION, session);
    summary.put(CHECKPOINT_ID, Long.toString(checkpointId));
    summary.put(ROUND, Integer.toString(round));
    summary.put(TRUNCATE_LSN, Long.toString(truncateLsn));
    long started = System.nanoTime();
    TruncateApplier.Applied applied = TruncateApplier.apply(table, truncateLsn, summary);
    if (applied.removedFiles > 0 || applied.deleteFiles > 0) {
      last[0] = checkpointId;
      last[1] = round;
    }
    LOG.info(
        "Applied the TRUNCATE at LSN {} to {} in checkpoint {}: removed {} data files, wrote {}"
            + " position delete files, {} rows deleted, {} ms",
        truncateLsn,
        name,
        checkpointId,
        applied.removedFiles,
        applied.deleteFiles,
        applied.deletedRows,
        (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * The (checkpoint, round) a committer session last committed to the table, or (-1, -1): the
   * newest snapshot of the table's history that the session committed.
   */
  private static long[] findLastCommitted(Table table, String session) {
    Snapshot snapshot = table.currentSnapshot();
    while (snapshot != null) {
      Map<String, String> summary = snapshot.summary();
      if (session.equals(summary.get(SESSION))) {
        return new long[] {
          Long.parseLong(summary.get(CHECKPOINT_ID)), Long.parseLong(summary.get(ROUND))
        };
      }
      Long parent = snapshot.parentId();
      snapshot = parent == null ? null : table.snapshot(parent);
    }
    return new long[] {-1, -1};
  }
}
