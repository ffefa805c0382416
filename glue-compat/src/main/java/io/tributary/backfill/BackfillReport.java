package io.tributary.backfill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a backfill did, printed as one JSON line.
 *
 * @param baseSnapshotId the mirror's snapshot whose files the backfill replaced (null: empty table)
 * @param sourceLsn the WAL position of the source snapshot that was loaded
 * @param appendedRows loaded rows beyond what the replaced files held, added with a new sequence
 *     number (a table that lost rows; see docs/backfill.md)
 * @param supersededRows of the appended rows, those removed again because the stream wrote or
 *     deleted their keys after the base snapshot
 * @param keyRange the key range of a partial reload, or null when the whole table was restated
 * @param removedRows rows of the base snapshot's files in the key range, removed by position
 */
public record BackfillReport(
    String table,
    String sourceTable,
    long rows,
    int dataFiles,
    int replacedDataFiles,
    int replacedDeleteFiles,
    Long baseSnapshotId,
    long committedSnapshotId,
    long sourceLsn,
    long durationMs,
    long appendedRows,
    long supersededRows,
    String keyRange,
    long removedRows) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The report as one line of JSON. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the backfill report of " + table, e);
    }
  }
}
