package io.tributary.maintenance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes delete files that no live data file needs any more, which Iceberg's own dangling-delete
 * removal can leave behind: an equality delete applies only to data files with a lower data
 * sequence number, so an equality delete committed in the same snapshot as a data file (the
 * streaming job's upserts do that) never applies to it, and global equality deletes (under the
 * unpartitioned spec) match no data file's partition at all.
 *
 * <p>Which delete files apply is decided by Iceberg's own scan planning (the index that every
 * reader uses): a delete file that no planned data file is given is not read by any query of the
 * current snapshot. Data files committed later have higher sequence numbers than every delete file
 * removed here, so no later data can need them either. Must not run while another job rewrites the
 * same table's data files with older sequence numbers (compaction or backfill).
 */
public final class DanglingDeletes {
  private static final Logger LOG = LoggerFactory.getLogger(DanglingDeletes.class);

  private DanglingDeletes() {}

  /** Removes the unneeded delete files; returns how many were removed. */
  public static int remove(Table table, String snapshotProperty, String propertyValue) {
    table.refresh();
    Snapshot snapshot = table.currentSnapshot();
    if (snapshot == null) {
      return 0;
    }
    List<DeleteFile> live = liveDeleteFiles(table, snapshot);
    if (live.isEmpty()) {
      return 0;
    }
    Set<String> needed = new HashSet<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
      for (FileScanTask task : tasks) {
        for (DeleteFile delete : task.deletes()) {
          needed.add(delete.location());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Planning a scan of " + table.name() + " failed", e);
    }
    List<DeleteFile> unneeded = new ArrayList<>();
    for (DeleteFile delete : live) {
      if (!needed.contains(delete.location())) {
        unneeded.add(delete);
      }
    }
    if (unneeded.isEmpty()) {
      return 0;
    }
    RewriteFiles rewrite = table.newRewrite().validateFromSnapshot(snapshot.snapshotId());
    unneeded.forEach(rewrite::deleteFile);
    rewrite.set(snapshotProperty, propertyValue);
    rewrite.commit();
    LOG.info(
        "Removed {} of {} delete files of {} that no data file needs",
        unneeded.size(),
        live.size(),
        table.name());
    return unneeded.size();
  }

  /** The delete files live in a snapshot. */
  public static List<DeleteFile> liveDeleteFiles(Table table, Snapshot snapshot) {
    List<DeleteFile> files = new ArrayList<>();
    for (ManifestFile manifest : snapshot.deleteManifests(table.io())) {
      try (ManifestReader<DeleteFile> reader =
          ManifestFiles.readDeleteManifest(manifest, table.io(), table.specs())) {
        for (DeleteFile file : reader) {
          files.add(file.copy());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Reading delete manifest " + manifest.path() + " of " + table.name() + " failed", e);
      }
    }
    return files;
  }
}
