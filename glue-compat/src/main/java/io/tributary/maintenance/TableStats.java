package io.tributary.maintenance;

import java.util.Map;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * The size of a table's current snapshot: live data and delete files, bytes, rows, and how many
 * snapshots the table keeps.
 */
public record TableStats(
    long dataFiles,
    long positionDeleteFiles,
    long equalityDeleteFiles,
    long totalFileBytes,
    long records,
    int snapshots,
    Long currentSnapshotId) {

  /** The statistics of the table as it is now. */
  public static TableStats of(Table table) {
    table.refresh();
    Snapshot current = table.currentSnapshot();
    int snapshots = 0;
    for (Snapshot ignored : table.snapshots()) {
      snapshots++;
    }
    if (current == null) {
      return new TableStats(0, 0, 0, 0, 0, snapshots, null);
    }
    Map<String, String> summary = current.summary();
    long positionDeletes = 0;
    long equalityDeletes = 0;
    for (var file : DanglingDeletes.liveDeleteFiles(table, current)) {
      if (file.content() == FileContent.EQUALITY_DELETES) {
        equalityDeletes++;
      } else {
        positionDeletes++;
      }
    }
    return new TableStats(
        number(summary, "total-data-files"),
        positionDeletes,
        equalityDeletes,
        number(summary, "total-files-size"),
        number(summary, "total-records"),
        snapshots,
        current.snapshotId());
  }

  /** Live delete files of both kinds. */
  public long deleteFiles() {
    return positionDeleteFiles + equalityDeleteFiles;
  }

  private static long number(Map<String, String> summary, String key) {
    String value = summary.get(key);
    return value == null ? 0 : Long.parseLong(value);
  }
}
