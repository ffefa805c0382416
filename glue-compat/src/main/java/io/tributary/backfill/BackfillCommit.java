package io.tributary.backfill;

import io.tributary.change.TableId;
import io.tributary.glue.JobMarkers;
import io.tributary.maintenance.DanglingDeletes;
import io.tributary.maintenance.StreamSnapshots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.PositionDelete;
import org.apache.iceberg.deletes.PositionDeleteWriter;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.InclusiveMetricsEvaluator;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.util.StructLikeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backfill's one atomic commit (docs/backfill.md, "The commit"): every file live in the base
 * snapshot is replaced, underneath the stream, by loaded files that take the base snapshot's data
 * sequence number, as many as the replaced files held records (Iceberg refuses a rewrite that adds
 * more records than it removes); loaded rows beyond that (a table that lost rows) are added with a
 * new sequence number in the same transaction, minus, by position deletes, the rows of every key
 * the stream wrote or deleted since the base snapshot.
 */
final class BackfillCommit {
  private static final Logger LOG = LoggerFactory.getLogger(BackfillCommit.class);

  /** Commit attempts after Iceberg's own retries lost to the stream's commits. */
  static final int ROUNDS = 10;

  /**
   * Test seam: called with the table after the load, before the commit's first round (null: none).
   * A test uses it to let the stream commit changes to the loaded keys first, so that the commit
   * has rows to supersede whatever the machine's speed.
   */
  static volatile Consumer<Table> beforeCommit;

  /** How long a lost round waits for the stream's next commit before it tries again. */
  static final long NEXT_COMMIT_WAIT_MILLIS = 20_000L;

  private final Table table;
  private final String qualified;
  private final Snapshot base;
  private final String runId;
  private final KeyBounds bounds;
  private final List<DataFile> underneath = new ArrayList<>();
  private final List<DataFile> appended = new ArrayList<>();
  private final List<DeleteFile> superseding = new ArrayList<>();
  private long supersededRows;
  private OutputFileFactory deleteFiles;

  private long removedRows;
  private final List<String> rangeFiles = new ArrayList<>();

  private BackfillCommit(
      Table table, String qualified, Snapshot base, KeyBounds bounds, String runId) {
    this.table = table;
    this.qualified = qualified;
    this.base = base;
    this.bounds = bounds;
    this.runId = runId;
  }

  /**
   * Commits {@code written}, loaded from the source after {@code base} was read, and returns the
   * report; retries from a fresh view of the table when the stream committed meanwhile.
   */
  static BackfillReport commit(
      Table table,
      String qualified,
      TableId sourceTable,
      Snapshot base,
      KeyBounds bounds,
      List<DataFile> written,
      String runId,
      long lsn,
      long started)
      throws InterruptedException {
    BackfillCommit commit = new BackfillCommit(table, qualified, base, bounds, runId);
    List<DataFile> live = base == null ? List.of() : liveDataFiles(table, base);
    List<DataFile> oldData;
    List<DeleteFile> oldDeletes;
    if (bounds == null) {
      oldData = live;
      oldDeletes = base == null ? List.of() : DanglingDeletes.liveDeleteFiles(table, base);
      commit.split(written, recordsIn(oldData));
    } else {
      oldData = List.of();
      oldDeletes = List.of();
      commit.split(written, 0);
      commit.removeRange(live);
    }
    Consumer<Table> hook = beforeCommit;
    if (hook != null) {
      hook.accept(table);
    }
    commit.commitRounds(oldData, oldDeletes);
    table.refresh();
    long rows = recordsIn(written);
    BackfillReport report =
        new BackfillReport(
            qualified,
            sourceTable.qualified(),
            rows,
            written.size(),
            oldData.size(),
            oldDeletes.size(),
            base == null ? null : base.snapshotId(),
            table.currentSnapshot().snapshotId(),
            lsn,
            (System.nanoTime() - started) / 1_000_000,
            recordsIn(commit.appended),
            commit.supersededRows,
            bounds == null ? null : bounds.toString(),
            commit.removedRows);
    LOG.info(
        "Backfilled {}{}: {} rows in {} files replaced {} data and {} delete files of snapshot {};"
            + " {} rows were added with a new sequence number, {} of them superseded by the"
            + " stream's changes; {} rows of the base snapshot's files removed by position",
        qualified,
        bounds == null ? "" : ", keys " + bounds,
        rows,
        written.size(),
        oldData.size(),
        oldDeletes.size(),
        report.baseSnapshotId(),
        report.appendedRows(),
        report.supersededRows(),
        report.removedRows());
    return report;
  }

  /**
   * Puts the largest loaded files under the base snapshot's sequence number as long as their
   * records fit in what the replaced files held, the rest into the appended part.
   */
  private void split(List<DataFile> written, long replacedRecords) {
    List<DataFile> bySize = new ArrayList<>(written);
    bySize.sort(Comparator.comparingLong(DataFile::recordCount).reversed());
    long used = 0;
    for (DataFile file : bySize) {
      if (used + file.recordCount() <= replacedRecords) {
        underneath.add(file);
        used += file.recordCount();
      } else {
        appended.add(file);
      }
    }
    appended.sort(Comparator.comparing(DataFile::location));
  }

  /**
   * Writes position deletes for every row of the base snapshot's data files whose key lies in the
   * range (files whose key bounds lie outside it are not read). Rows a delete file already removes
   * are deleted again, which changes nothing.
   */
  private void removeRange(List<DataFile> live) {
    StreamKeys keys = new StreamKeys(table);
    InclusiveMetricsEvaluator overlaps =
        new InclusiveMetricsEvaluator(table.schema(), bounds.filter());
    List<DataFile> sorted = new ArrayList<>(live);
    sorted.sort(Comparator.comparing(DataFile::location));
    for (DataFile file : sorted) {
      if (!overlaps.eval(file)) {
        continue;
      }
      List<Long> positions = new ArrayList<>();
      keys.forEachKey(
          file,
          (key, position) -> {
            if (bounds.contains(key)) {
              positions.add(position);
            }
          });
      if (!positions.isEmpty()) {
        superseding.add(writePositionDeletes(file, positions));
        rangeFiles.add(file.location());
        removedRows += positions.size();
      }
    }
  }

  private void commitRounds(List<DataFile> oldData, List<DeleteFile> oldDeletes)
      throws InterruptedException {
    StreamKeys keys = appended.isEmpty() ? null : new StreamKeys(table);
    StructLikeSet touched = keys == null ? null : keys.newSet();
    Snapshot scannedTo = base;
    boolean done = false;
    try {
      for (int round = 1; ; round++) {
        table.refresh();
        checkOnlyStreamCommitsSince(table, qualified, base);
        Snapshot current = table.currentSnapshot();
        if (keys != null) {
          StructLikeSet since = keys.newSet();
          keys.addTouchedBetween(scannedTo, current, since);
          scannedTo = current;
          StructLikeSet fresh = keys.newSet();
          for (StructLike key : since) {
            if (touched.add(key)) {
              fresh.add(key);
            }
          }
          if (!fresh.isEmpty()) {
            supersede(keys, fresh);
          }
        }
        try {
          Transaction transaction = table.newTransaction();
          if (!appended.isEmpty() || !superseding.isEmpty()) {
            RowDelta delta = transaction.newRowDelta();
            if (current != null) {
              delta.validateFromSnapshot(current.snapshotId());
            }
            delta
                .conflictDetectionFilter(Expressions.alwaysTrue())
                .validateNoConflictingDataFiles()
                .validateNoConflictingDeleteFiles();
            appended.forEach(delta::addRows);
            superseding.forEach(delta::addDeletes);
            if (!rangeFiles.isEmpty()) {
              // The rows removed by position must still be in these files.
              delta.validateDataFilesExist(rangeFiles).validateDeletedFiles();
            }
            delta.set(JobMarkers.BACKFILL, runId);
            delta.commit();
          }
          if (!oldData.isEmpty() || !oldDeletes.isEmpty()) {
            // The loaded files that go underneath take the base snapshot's sequence number, so
            // that the stream's equality deletes since apply to them. Set also when none does:
            // Iceberg then lets equality deletes committed since the base stand beside the
            // replaced files (the rows they delete go with those files, and the loaded rows of
            // keys the stream touched are superseded above); without it, any equality delete of
            // the stream since the base refused every round ("found new delete for replaced
            // data file"), so a table that lost all its files could not be reloaded while the
            // stream ran.
            RewriteFiles rewrite =
                transaction
                    .newRewrite()
                    .validateFromSnapshot(base.snapshotId())
                    .dataSequenceNumber(base.sequenceNumber());
            oldData.forEach(rewrite::deleteFile);
            oldDeletes.forEach(rewrite::deleteFile);
            underneath.forEach(rewrite::addFile);
            rewrite.set(JobMarkers.BACKFILL, runId);
            rewrite.commit();
          }
          transaction.commitTransaction();
          done = true;
          return;
        } catch (CommitFailedException | ValidationException e) {
          if (round >= ROUNDS) {
            throw e;
          }
          LOG.warn(
              "The backfill's commit to {} lost to the stream's commits (round {} of {}); trying"
                  + " again: {}",
              qualified,
              round,
              ROUNDS,
              e.getMessage());
          awaitNextCommit();
        }
      }
    } finally {
      if (!done) {
        for (DeleteFile file : superseding) {
          table.io().deleteFile(file.location());
        }
      }
    }
  }

  /**
   * After a round lost to a stream commit: waits for the stream's next commit (at most {@link
   * #NEXT_COMMIT_WAIT_MILLIS}), so that the next round starts right after one and has a whole
   * checkpoint interval before the one after it. A round takes a few seconds on a busy machine;
   * started at a random moment it would keep losing to a stream that commits every few seconds.
   */
  private void awaitNextCommit() throws InterruptedException {
    table.refresh();
    Snapshot seen = table.currentSnapshot();
    long deadline = System.nanoTime() + NEXT_COMMIT_WAIT_MILLIS * 1_000_000L;
    while (System.nanoTime() < deadline) {
      Thread.sleep(50);
      table.refresh();
      Snapshot now = table.currentSnapshot();
      if (now != null && (seen == null || now.snapshotId() != seen.snapshotId())) {
        return;
      }
    }
  }

  /**
   * Writes position deletes of the appended rows whose keys are in {@code fresh}: the stream wrote
   * or deleted those keys after the base snapshot, and its changes are newer than the load or
   * already in it, so its rows decide.
   */
  private void supersede(StreamKeys keys, StructLikeSet fresh) {
    for (DataFile file : appended) {
      List<Long> positions = new ArrayList<>();
      keys.forEachKey(
          file,
          (key, position) -> {
            if (fresh.contains(key)) {
              positions.add(position);
            }
          });
      if (!positions.isEmpty()) {
        superseding.add(writePositionDeletes(file, positions));
        supersededRows += positions.size();
      }
    }
  }

  private DeleteFile writePositionDeletes(DataFile file, List<Long> positions) {
    if (deleteFiles == null) {
      deleteFiles =
          OutputFileFactory.builderFor(table, 0, 0)
              .format(FileFormat.PARQUET)
              .operationId("backfill-" + runId + "-superseded")
              .build();
    }
    PartitionSpec spec = table.specs().get(file.specId());
    // With the table, the writer keeps full bounds of the referenced path (Iceberg's metrics
    // configuration for position deletes): otherwise they would be truncated, and the rewrite's
    // check for new deletes of the files it replaces would take these for such deletes.
    GenericAppenderFactory factory =
        new GenericAppenderFactory(table, table.schema(), spec, Map.of(), null, null, null);
    PositionDeleteWriter<Record> writer =
        factory.newPosDeleteWriter(
            spec.isUnpartitioned()
                ? deleteFiles.newOutputFile()
                : deleteFiles.newOutputFile(spec, file.partition()),
            FileFormat.PARQUET,
            file.partition());
    PositionDelete<Record> delete = PositionDelete.create();
    try (PositionDeleteWriter<Record> open = writer) {
      for (long position : positions) {
        open.write(delete.set(file.location(), position, null));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Writing position deletes for " + file.location(), e);
    }
    return writer.toDeleteFile();
  }

  /** Fails unless every snapshot after {@code base} on the current branch is a stream commit. */
  private static void checkOnlyStreamCommitsSince(Table table, String qualified, Snapshot base) {
    Snapshot snapshot = table.currentSnapshot();
    while (snapshot != null && (base == null || snapshot.snapshotId() != base.snapshotId())) {
      if (!StreamSnapshots.isStreamCommit(snapshot)) {
        throw new IllegalStateException(
            "Snapshot "
                + snapshot.snapshotId()
                + " of "
                + qualified
                + " was committed by another job ("
                + snapshot.operation()
                + ") while the backfill ran; nothing was changed: run the backfill again when no"
                + " maintenance runs on the table");
      }
      Long parent = snapshot.parentId();
      snapshot = parent == null ? null : table.snapshot(parent);
    }
    if (base != null && snapshot == null) {
      throw new IllegalStateException(
          "Snapshot "
              + base.snapshotId()
              + " of "
              + qualified
              + " is no longer an ancestor of the"
              + " current snapshot; run the backfill again");
    }
  }

  private static long recordsIn(List<DataFile> files) {
    long records = 0;
    for (DataFile file : files) {
      records += file.recordCount();
    }
    return records;
  }

  private static List<DataFile> liveDataFiles(Table table, Snapshot snapshot) {
    List<DataFile> files = new ArrayList<>();
    for (ManifestFile manifest : snapshot.dataManifests(table.io())) {
      try (ManifestReader<DataFile> reader =
          ManifestFiles.read(manifest, table.io(), table.specs())) {
        for (DataFile file : reader) {
          files.add(file.copy());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Reading manifest " + manifest.path() + " failed", e);
      }
    }
    return files;
  }
}
