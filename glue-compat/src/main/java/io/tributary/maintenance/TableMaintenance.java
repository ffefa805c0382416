package io.tributary.maintenance;

import io.tributary.glue.JobMarkers;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.iceberg.Table;
import org.apache.iceberg.actions.DeleteOrphanFiles;
import org.apache.iceberg.actions.ExpireSnapshots;
import org.apache.iceberg.actions.RewriteDataFiles;
import org.apache.iceberg.actions.RewriteManifests;
import org.apache.iceberg.actions.RewritePositionDeleteFiles;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maintains one table, step by step, each step its own commit (so a conflict with the streaming
 * job's commits costs one step's retry, not the whole run):
 *
 * <ol>
 *   <li>rewrite data files, bin-packed to the target size per partition, applying their deletes
 *       (every file with at least one delete file is rewritten; rewritten files keep the sequence
 *       number of the snapshot the rewrite started from, so equality deletes the stream commits
 *       meanwhile still apply to them);
 *   <li>rewrite position delete files (compacting them and dropping those of removed data files);
 *   <li>remove the delete files no data file needs any more ({@link DanglingDeletes});
 *   <li>rewrite manifests;
 *   <li>expire snapshots older than the retention, keeping at least the configured count and always
 *       the streaming job's last snapshot with its chain of parents;
 *   <li>remove files under the table location that no snapshot references and that are older than
 *       the orphan minimum age.
 * </ol>
 */
public final class TableMaintenance {
  private static final Logger LOG = LoggerFactory.getLogger(TableMaintenance.class);

  private static final int ATTEMPTS = 5;

  /** Rewrites of the data files left out by conflicting commits, within one run. */
  private static final int DATA_REWRITE_ATTEMPTS = 3;

  private final SparkSession spark;
  private final MaintenanceOptions options;

  public TableMaintenance(SparkSession spark, MaintenanceOptions options) {
    this.spark = spark;
    this.options = options;
  }

  /** Runs every step on {@code table}, named {@code name} in the report. */
  public MaintenanceReport run(String name, Table table) {
    long started = System.nanoTime();
    Optional<String> backfill = JobMarkers.runningBackfill(table);
    if (backfill.isPresent()) {
      return MaintenanceReport.notDone(
          name,
          "skipped",
          "a backfill started at "
              + backfill.get()
              + " is restating this table; maintenance waits for it to finish",
          elapsedMs(started));
    }
    TableStats before = TableStats.of(table);
    SparkActions actions = SparkActions.get(spark);

    // A file group whose rewrite or commit fails (a conflict with the stream's commit, above all)
    // is left out by Iceberg's partial progress; the groups left are tried again at once, a few
    // times,
    // rather than left for the next run (whose trigger counts restart from this one).
    int rewrittenDataFiles = 0;
    int addedDataFiles = 0;
    long rewrittenBytes = 0;
    int notRewritten = 0;
    for (int attempt = 1; attempt <= DATA_REWRITE_ATTEMPTS; attempt++) {
      RewriteDataFiles.Result data =
          retried(
              name,
              "rewrite data files",
              table,
              () ->
                  actions
                      .rewriteDataFiles(table)
                      .binPack()
                      .option(
                          RewriteDataFiles.TARGET_FILE_SIZE_BYTES,
                          Long.toString(options.targetFileSizeBytes()))
                      .option("delete-file-threshold", "1")
                      // Iceberg's own removal judges delete files per partition, and global
                      // equality deletes (the unpartitioned spec of a table partitioned on non-key
                      // columns) live in a partition without data files: it would drop ones the
                      // stream committed meanwhile. DanglingDeletes decides with the readers' own
                      // delete index instead.
                      .option(RewriteDataFiles.REMOVE_DANGLING_DELETES, "false")
                      .option(RewriteDataFiles.USE_STARTING_SEQUENCE_NUMBER, "true")
                      .option(RewriteDataFiles.PARTIAL_PROGRESS_ENABLED, "true")
                      .option(RewriteDataFiles.PARTIAL_PROGRESS_MAX_COMMITS, "10")
                      .snapshotProperty(JobMarkers.MAINTENANCE, "rewrite-data-files")
                      .execute());
      rewrittenDataFiles += data.rewrittenDataFilesCount();
      addedDataFiles += data.addedDataFilesCount();
      rewrittenBytes += data.rewrittenBytesCount();
      notRewritten = data.failedDataFilesCount();
      if (notRewritten == 0) {
        break;
      }
      LOG.info(
          "{} of the data files of {} were not rewritten (attempt {} of {}; Iceberg logged why)",
          notRewritten,
          name,
          attempt,
          DATA_REWRITE_ATTEMPTS);
      table.refresh();
    }
    String left = null;
    if (notRewritten > 0) {
      left =
          notRewritten
              + " data files were not rewritten in "
              + DATA_REWRITE_ATTEMPTS
              + " attempts (the job's log says why; a commit of the stream that conflicted most"
              + " often); the next run takes them, and a run that leaves files every time needs"
              + " its log read";
      LOG.warn("{}: {}", name, left);
    }
    table.refresh();

    RewritePositionDeleteFiles.Result positions =
        retried(
            name,
            "rewrite position deletes",
            table,
            () ->
                actions
                    .rewritePositionDeletes(table)
                    .snapshotProperty(JobMarkers.MAINTENANCE, "rewrite-position-deletes")
                    .execute());
    table.refresh();

    int unneeded =
        retried(
            name,
            "remove unneeded deletes",
            table,
            () -> DanglingDeletes.remove(table, JobMarkers.MAINTENANCE, "remove-unneeded-deletes"));

    RewriteManifests.Result manifests =
        retried(
            name,
            "rewrite manifests",
            table,
            () ->
                actions
                    .rewriteManifests(table)
                    .snapshotProperty(JobMarkers.MAINTENANCE, "rewrite-manifests")
                    .execute());
    int rewrittenManifests = 0;
    for (var ignored : manifests.rewrittenManifests()) {
      rewrittenManifests++;
    }
    table.refresh();

    Optional<StreamSnapshots.Found> stream = StreamSnapshots.lastStreamCommit(table);
    int retainLast =
        Math.max(
            options.snapshotRetentionMinCount(),
            stream.map(StreamSnapshots.Found::depth).orElse(1));
    int snapshotsBeforeExpiry = TableStats.of(table).snapshots();
    ExpireSnapshots.Result expired =
        actions
            .expireSnapshots(table)
            .expireOlderThan(Instant.now().minus(options.snapshotRetention()).toEpochMilli())
            .retainLast(retainLast)
            .execute();
    table.refresh();
    long expiredSnapshots = snapshotsBeforeExpiry - TableStats.of(table).snapshots();
    stream.ifPresent(
        found -> {
          if (table.snapshot(found.snapshot().snapshotId()) == null) {
            throw new IllegalStateException(
                "Snapshot expiry removed the streaming job's last snapshot "
                    + found.snapshot().snapshotId()
                    + " of "
                    + name);
          }
        });

    DeleteOrphanFiles.Result orphans =
        actions
            .deleteOrphanFiles(table)
            .olderThan(
                orphanCutoff(
                        Instant.now(),
                        stream.map(f -> f.snapshot().timestampMillis()),
                        options.orphanMinAge())
                    .toEpochMilli())
            .usePrefixListing(true)
            .execute();
    int orphanCount = 0;
    for (String location : orphans.orphanFileLocations()) {
      LOG.info("Removed orphan file {} of {}", location, name);
      orphanCount++;
    }

    TableStats after = TableStats.of(table);
    MaintenanceReport report =
        new MaintenanceReport(
            name,
            left == null ? "ok" : "partial",
            left,
            before,
            after,
            rewrittenDataFiles,
            addedDataFiles,
            notRewritten,
            rewrittenBytes,
            positions.rewrittenDeleteFilesCount(),
            unneeded,
            rewrittenManifests,
            expiredSnapshots,
            expired.deletedDataFilesCount()
                + expired.deletedEqualityDeleteFilesCount()
                + expired.deletedPositionDeleteFilesCount()
                + expired.deletedManifestsCount()
                + expired.deletedManifestListsCount(),
            stream.map(f -> f.snapshot().snapshotId()).orElse(null),
            orphanCount,
            elapsedMs(started));
    LOG.info(
        "Maintained {} in {}: data files {} -> {}, delete files {} -> {}, snapshots {} -> {}",
        name,
        Duration.ofMillis(report.durationMs()),
        before.dataFiles(),
        after.dataFiles(),
        before.deleteFiles(),
        after.deleteFiles(),
        before.snapshots(),
        after.snapshots());
    return report;
  }

  /**
   * Runs a step again, on the table's newest metadata, when a concurrent commit (the stream's) made
   * its commit fail validation or lose the race; gives up after {@value #ATTEMPTS} attempts.
   */
  private static <T> T retried(String name, String step, Table table, Supplier<T> action) {
    for (int attempt = 1; ; attempt++) {
      try {
        return action.get();
      } catch (ValidationException | CommitFailedException e) {
        if (attempt >= ATTEMPTS) {
          throw new IllegalStateException(
              "Step '"
                  + step
                  + "' of "
                  + name
                  + " conflicted "
                  + attempt
                  + " times with other commits",
              e);
        }
        LOG.info(
            "Step '{}' of {} conflicted with a concurrent commit (attempt {}): {}; retrying",
            step,
            name,
            attempt,
            e.getMessage());
        table.refresh();
        try {
          Thread.sleep(500L * attempt);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while maintaining " + name, interrupted);
        }
      }
    }
  }

  private static long elapsedMs(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  /**
   * Files older than this may be removed as orphans: the minimum age counted back from the
   * streaming job's last commit to the table, or from now if that is earlier. The job writes a
   * checkpoint's data files after its previous commit and commits them when the checkpoint
   * completes, possibly only after a restore: a job that stays down (or a table that stays quiet)
   * longer than the minimum age still has its pending files kept, as they are never older than its
   * last commit by more than the time one commit took.
   */
  static Instant orphanCutoff(Instant now, Optional<Long> lastStreamCommitMillis, Duration minAge) {
    Instant reference = now;
    if (lastStreamCommitMillis.isPresent()) {
      Instant lastCommit = Instant.ofEpochMilli(lastStreamCommitMillis.get());
      if (lastCommit.isBefore(reference)) {
        reference = lastCommit;
      }
    }
    return reference.minus(minAge);
  }
}
