package io.tributary.sink;

import static io.tributary.sink.IcebergCommitterOperator.CHECKPOINT_ID;
import static io.tributary.sink.IcebergCommitterOperator.MAX_LSN;
import static io.tributary.sink.IcebergCommitterOperator.MAX_SOURCE_TS;
import static io.tributary.sink.IcebergCommitterOperator.ROUND;
import static io.tributary.sink.IcebergCommitterOperator.RUN_ID;
import static io.tributary.sink.IcebergCommitterOperator.SESSION;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the files of one checkpoint to one table exactly once, in rounds: round {@code r} holds
 * segment {@code r} of every writer and becomes its own snapshot, so that its equality deletes
 * apply to the rows of all earlier rounds. All rounds of a table's checkpoint, and its TRUNCATE,
 * are the operations of one Iceberg transaction: each operation gets its own snapshot and sequence
 * number, and the catalog swaps the table's metadata once, so readers see all of a checkpoint or
 * none of it. Remembers, per table and committer session, the last checkpoint committed, read once
 * from the table's history.
 *
 * <p>Different tables may be committed from different threads at the same time; the commits of one
 * table must come from one thread at a time, in checkpoint order.
 */
public final class TableCommitter {
  private static final Logger LOG = LoggerFactory.getLogger(TableCommitter.class);

  /** Snapshot summary key: the source position of the TRUNCATE a snapshot applied. */
  public static final String TRUNCATE_LSN = "tributary.truncate-lsn";

  /**
   * Snapshot summary key: the number of rounds of the checkpoint. Set on every snapshot committed
   * as part of a checkpoint's transaction, so a snapshot with it shows that all of its checkpoint
   * is committed; snapshots of earlier releases, which committed each round on its own, lack it.
   */
  public static final String ROUNDS = "tributary.rounds";

  /** Attempts of a checkpoint's transaction that meets concurrent changes (maintenance). */
  private static final int MAX_ATTEMPTS = 10;

  /**
   * Called with each round once it is staged in its checkpoint's transaction, before the
   * transaction commits: tests fail here to show that a failure between rounds leaves nothing of
   * the checkpoint visible.
   */
  static volatile RoundStaged roundStaged = (table, round) -> {};

  /** See {@link #roundStaged}. */
  interface RoundStaged {
    void staged(String table, int round);
  }

  private final String runId;

  /** Per table and session; tables may commit from several threads, each table from one. */
  private final Map<String, Committed> lastCommitted = new ConcurrentHashMap<>();

  private final Set<String> newSessions = ConcurrentHashMap.newKeySet();

  public TableCommitter(String runId) {
    this.runId = runId;
  }

  /**
   * Declares a committer session that starts now: it has committed nothing yet, so its first
   * commits need not look for it in the tables' history.
   */
  public void newSession(String session) {
    newSessions.add(session);
  }

  /** What a committer session last committed to a table. */
  private static final class Committed {
    static final Committed NOTHING = new Committed(-1, -1, true);

    /**
     * Nothing of the session found, but the table's history is cut (an ancestor snapshot was
     * expired), so it may have committed before the cut.
     */
    static final Committed UNKNOWN = new Committed(-1, -1, true);

    final long checkpointId;
    final long round;

    /** Whether the checkpoint was committed in one transaction (so it is committed whole). */
    final boolean whole;

    Committed(long checkpointId, long round, boolean whole) {
      this.checkpointId = checkpointId;
      this.round = round;
      this.whole = whole;
    }

    /**
     * The first round of {@code checkpointId} still to commit; the truncate counts as round {@code
     * rounds}, so a result above {@code rounds} means everything is committed. All or nothing for
     * checkpoints committed in one transaction; a checkpoint that an earlier release committed
     * round by round resumes after its last visible round.
     */
    long firstToCommit(long checkpoint, int rounds) {
      if (checkpoint < checkpointId) {
        return rounds + 1L;
      }
      if (checkpoint > checkpointId) {
        return 0;
      }
      return whole ? rounds + 1L : round + 1;
    }
  }

  /**
   * Commits the writes of one table and checkpoint in one transaction, each round its own snapshot,
   * unless this session committed the checkpoint before.
   */
  public TableCommit commit(
      Table table, String name, String session, long checkpointId, List<TableWrite> writes) {
    String key = name + "/" + session;
    int rounds = 0;
    long rows = 0;
    long deletes = 0;
    long maxLsn = -1;
    long maxTs = -1;
    long truncateLsn = 0;
    for (TableWrite write : writes) {
      rounds = Math.max(rounds, write.segments().size());
      rows += write.rows();
      deletes += write.deletes();
      maxLsn = Math.max(maxLsn, write.maxLsn());
      maxTs = Math.max(maxTs, write.maxSourceTsMicros());
      truncateLsn = Math.max(truncateLsn, write.truncateLsn());
    }
    int addedDataFiles = 0;
    int addedDeleteFiles = 0;
    for (int attempt = 1; ; attempt++) {
      // Not computeIfAbsent: reading the history may take long, and must not hold up the commits
      // of other tables. Only one thread commits a given table at a time.
      Committed last = lastCommitted.get(key);
      if (last == null) {
        last =
            newSessions.contains(session) ? Committed.NOTHING : findLastCommitted(table, session);
        lastCommitted.put(key, last);
      }
      if (last == Committed.UNKNOWN) {
        last = byFiles(table, name, session, checkpointId, writes);
        lastCommitted.put(key, last);
      }
      long first = last.firstToCommit(checkpointId, rounds);
      boolean truncate = truncateLsn > 0 && first <= rounds;
      if (first >= rounds && !truncate) {
        if (rounds > 0 || truncateLsn > 0) {
          LOG.info(
              "Skipping checkpoint {} of {}: already committed by run {}",
              checkpointId,
              name,
              runId);
        }
        break;
      }
      if (first > 0) {
        LOG.info(
            "Checkpoint {} of {} was committed up to round {} by an earlier release; committing"
                + " the rest",
            checkpointId,
            name,
            first - 1);
      }
      long started = System.nanoTime();
      if (truncate) {
        table.refresh(); // the TRUNCATE plans its deletes on the table as it is now
      }
      Transaction transaction = table.newTransaction();
      Snapshot start = transaction.table().currentSnapshot();
      Long startId = start == null ? null : start.snapshotId();
      int dataCount = 0;
      int deleteCount = 0;
      long lastRound = -1;
      for (int round = (int) Math.max(0, first); round < rounds; round++) {
        List<DataFile> dataFiles = new ArrayList<>();
        List<DeleteFile> deleteFiles = new ArrayList<>();
        for (TableWrite write : writes) {
          if (round < write.segments().size()) {
            WriteResult segment = write.segments().get(round);
            Collections.addAll(dataFiles, segment.dataFiles());
            Collections.addAll(deleteFiles, segment.deleteFiles());
          }
        }
        SnapshotUpdate<?> update;
        if (deleteFiles.isEmpty()) {
          AppendFiles append = transaction.newFastAppend();
          dataFiles.forEach(append::appendFile);
          update = append;
        } else {
          RowDelta delta = transaction.newRowDelta();
          dataFiles.forEach(delta::addRows);
          deleteFiles.forEach(delta::addDeletes);
          update = delta;
        }
        summary(session, checkpointId, round, rounds, maxLsn, maxTs).forEach(update::set);
        update.commit();
        roundStaged.staged(name, round);
        dataCount += dataFiles.size();
        deleteCount += deleteFiles.size();
        lastRound = round;
      }
      TruncateApplier.Applied applied = null;
      if (truncate) {
        Map<String, String> summary = summary(session, checkpointId, rounds, rounds, -1, -1);
        summary.put(TRUNCATE_LSN, Long.toString(truncateLsn));
        applied = TruncateApplier.stage(transaction, truncateLsn, summary, startId);
        if (applied.removedFiles > 0 || applied.deleteFiles > 0) {
          lastRound = rounds;
        }
      }
      try {
        transaction.commitTransaction();
      } catch (CommitFailedException | ValidationException e) {
        table.refresh();
        lastCommitted.remove(key);
        if (attempt >= MAX_ATTEMPTS) {
          throw new IllegalStateException(
              "Cannot commit checkpoint "
                  + checkpointId
                  + " to "
                  + name
                  + " after "
                  + attempt
                  + " attempts: it met concurrent changes each time ("
                  + e.getMessage()
                  + "). Pause table maintenance on the table; the job retries the checkpoint"
                  + " on restart.",
              e);
        }
        LOG.info(
            "Committing checkpoint {} to {} met a concurrent change; retrying: {}",
            checkpointId,
            name,
            e.getMessage());
        continue;
      }
      addedDataFiles = dataCount;
      addedDeleteFiles = deleteCount + (applied == null ? 0 : applied.deleteFiles);
      if (lastRound >= 0) {
        lastCommitted.put(key, new Committed(checkpointId, lastRound, true));
      }
      Snapshot snapshot = table.currentSnapshot();
      LOG.info(
          "Committed checkpoint {} to {} in one transaction: rounds {}-{} of {}, snapshot {}, {}"
              + " data files, {} delete files, {} ms",
          checkpointId,
          name,
          Math.max(0, first) + 1,
          rounds,
          rounds,
          snapshot == null ? -1 : snapshot.snapshotId(),
          dataCount,
          deleteCount,
          (System.nanoTime() - started) / 1_000_000);
      if (applied != null) {
        LOG.info(
            "Applied the TRUNCATE at LSN {} to {} in checkpoint {}: removed {} data files, wrote"
                + " {} position delete files, {} rows deleted",
            truncateLsn,
            name,
            checkpointId,
            applied.removedFiles,
            applied.deleteFiles,
            applied.deletedRows);
      }
      break;
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
        table.properties().get(TableManager.BLOCKED),
        notice(table.properties()));
  }

  /** The notice of a table (see {@link TableCommit#notice()}) from its properties, or null. */
  static String notice(Map<String, String> properties) {
    String keyAdded = properties.get(TableManager.KEY_ADDED);
    if (keyAdded == null) {
      return null;
    }
    return "primary key added at the source: "
        + keyAdded
        + "; still captured append-only (see"
        + " docs/schema-changes-and-dead-letters.md#a-primary-key-added-at-the-source)";
  }

  private Map<String, String> summary(
      String session, long checkpointId, int round, int rounds, long maxLsn, long maxTs) {
    Map<String, String> summary = new HashMap<>();
    summary.put(RUN_ID, runId);
    summary.put(SESSION, session);
    summary.put(CHECKPOINT_ID, Long.toString(checkpointId));
    summary.put(ROUND, Integer.toString(round));
    summary.put(ROUNDS, Integer.toString(rounds));
    if (maxLsn >= 0) {
      summary.put(MAX_LSN, Long.toString(maxLsn));
    }
    if (maxTs >= 0) {
      summary.put(MAX_SOURCE_TS, Long.toString(maxTs));
    }
    return summary;
  }

  /**
   * What a committer session last committed to the table: the newest snapshot of the table's
   * history that the session committed; {@link Committed#UNKNOWN} when there is none but the
   * history is cut by an expired snapshot.
   */
  private static Committed findLastCommitted(Table table, String session) {
    Snapshot snapshot = table.currentSnapshot();
    while (snapshot != null) {
      Map<String, String> summary = snapshot.summary();
      if (session.equals(summary.get(SESSION))) {
        return new Committed(
            Long.parseLong(summary.get(CHECKPOINT_ID)),
            Long.parseLong(summary.get(ROUND)),
            summary.containsKey(ROUNDS));
      }
      Long parent = snapshot.parentId();
      if (parent == null) {
        return Committed.NOTHING;
      }
      snapshot = table.snapshot(parent);
      if (snapshot == null) {
        return Committed.UNKNOWN;
      }
    }
    return Committed.NOTHING;
  }

  /**
   * Whether the files of a checkpoint are in the table already, when its history cannot tell: a
   * checkpoint's files are committed together, so if any of them is live the checkpoint is
   * committed. Committing it again would duplicate its insert-only rows (rows of the initial
   * snapshot carry no deletes) and apply its deletes again after later commits.
   */
  private Committed byFiles(
      Table table, String name, String session, long checkpointId, List<TableWrite> writes) {
    Set<String> pending = new HashSet<>();
    for (TableWrite write : writes) {
      for (WriteResult segment : write.segments()) {
        for (DataFile file : segment.dataFiles()) {
          pending.add(file.location());
        }
        for (DeleteFile file : segment.deleteFiles()) {
          pending.add(file.location());
        }
      }
    }
    if (pending.isEmpty() || table.currentSnapshot() == null) {
      return Committed.NOTHING;
    }
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        boolean live = pending.contains(task.file().location());
        for (DeleteFile delete : task.deletes()) {
          live |= pending.contains(delete.location());
        }
        if (live) {
          LOG.info(
              "The history of {} is cut by an expired snapshot, but files of checkpoint {} of"
                  + " session {} are in the table: committed already",
              name,
              checkpointId,
              session);
          return new Committed(checkpointId, Integer.MAX_VALUE, true);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the files of " + name, e);
    }
    LOG.warn(
        "The history of {} is cut by an expired snapshot and holds no snapshot of committer session"
            + " {}; none of the files of checkpoint {} is in the table, so it is committed. Keep"
            + " the job's last snapshot when expiring snapshots (see the operations runbook).",
        name,
        session,
        checkpointId);
    return Committed.NOTHING;
  }
}
