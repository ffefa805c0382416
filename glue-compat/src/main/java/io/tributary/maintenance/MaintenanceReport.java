package io.tributary.maintenance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * What maintenance did to one table, printed as one JSON object per table.
 *
 * @param status {@code ok}; {@code partial} when some data files could not be rewritten (how many
 *     in {@code dataFilesLeft}, why in {@code message}; every other step ran); {@code skipped}
 *     (with the reason in {@code message}); or {@code failed}
 * @param keptStreamSnapshotId the streaming job's last snapshot, kept by expiry; null when none
 */
public record MaintenanceReport(
    String table,
    String status,
    String message,
    TableStats before,
    TableStats after,
    int rewrittenDataFiles,
    int addedDataFiles,
    int dataFilesLeft,
    long rewrittenBytes,
    int rewrittenPositionDeleteFiles,
    int removedUnneededDeleteFiles,
    int rewrittenManifests,
    long expiredSnapshots,
    long expiredFiles,
    Long keptStreamSnapshotId,
    int orphanFilesRemoved,
    long durationMs) {

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  /** A report for a table that was not maintained. */
  static MaintenanceReport notDone(String table, String status, String message, long durationMs) {
    return new MaintenanceReport(
        table, status, message, null, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, 0, durationMs);
  }

  /**
   * Whether the table was maintained (if only partly: the files left are tried by the next run) or
   * deliberately skipped.
   */
  public boolean succeeded() {
    return !"failed".equals(status);
  }

  /** The report as one line of JSON. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the maintenance report of " + table, e);
    }
  }
}
