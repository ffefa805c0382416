package io.tributary.sink;

import io.tributary.change.ChangeEvent;
import io.tributary.change.Column;
import io.tributary.change.SourceTable;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.flink.metrics.Counter;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lake table as one writer subtask writes it: the segment being written, the files written
 * since the last checkpoint barrier, and what the writer knows of the table (parked or not, its
 * stored rows, its changelog table).
 *
 * <p>A table's rows are written in segments ({@link DeltaWriter}): a new segment starts when the
 * table's schema changes or when it switches between snapshot rows (insert-only) and changes
 * (upsert). At each barrier the segments written since the last one are sent as one {@link
 * TableWrite} ({@link #flush}). Owned by the task's thread; the fields are the writer operator's
 * working state.
 */
final class WriterTableState {
  private static final Logger LOG = LoggerFactory.getLogger(WriterTableState.class);

  Table table;
  String identifier;
  boolean initialLoad;
  PartitionSpec deleteSpec;

  /** The id of the table spec that {@link #deleteSpec} was chosen for. */
  int deleteSpecOf = -1;

  long sourceFingerprint;
  RowMapper mapper;
  DeltaWriter writer;
  final List<WriteResult> done = new ArrayList<>();
  long rows;
  long deletes;
  long maxLsn = -1;
  long maxSourceTs = -1;
  OutputFileFactory files;

  /** Why the table is parked (its changes go to dead letters), or null. */
  String blocked;

  /** The source position of the change that parked the table, or -1. */
  long blockedLsn = -1;

  /** The latest source schema of the table this writer received, for rebuilding it. */
  SourceTable lastSource;

  /** The highest source position of the table this writer received. */
  long seenLsn = -1;

  /** The source position of the change that brought {@link #lastSource}. */
  long lastSourceLsn = -1;

  /** Whether this writer received a change of the table since the last checkpoint barrier. */
  boolean active;

  /** Dead letters of this table since the last checkpoint barrier, as JSON lines. */
  final List<String> deadLetters = new ArrayList<>();

  Counter deadLetterCount;

  /** Recent rows of a keyed mirror table, for updates with unchanged columns; else null. */
  StoredRows stored;

  /**
   * Changes waiting for one batched read of the stored rows they need (see {@link
   * StoredRowLookups}); null when none wait.
   */
  StoredRowLookups.Pending lookups;

  /** The rows read for the changes being replayed after a batched read, by key; else null. */
  Map<RowKey, StoredRows.StoredRow> lookedUp;

  /** The table's changelog table, when configured. */
  WriterTableState changelog;

  /** Whether this is an append-only table: {@link #table} is its changelog table. */
  boolean appendOnly;

  /** Whether this writer reported the primary key the append-only table gained. */
  boolean keyAddedReported;

  /**
   * The segment to write a row of the mirror table to: the current one, or a new one when the row's
   * mode (upsert or insert-only) or the table's schema differs from the current segment's.
   */
  DeltaWriter segment(boolean upsert) {
    if (writer == null
        || writer.upsert() != upsert
        || writer.schema().schemaId() != mapper.schema().schemaId()) {
      if (writer != null) {
        done.add(writer.complete());
      }
      if (table.spec().specId() != deleteSpecOf) {
        // The table was loaded again with another partition spec (changed while the job runs):
        // the data files follow it, so the equality deletes must too.
        deleteSpec = deleteSpec(table);
        deleteSpecOf = table.spec().specId();
      }
      writer = new DeltaWriter(table, mapper.schema(), deleteSpec, upsert, files);
    }
    return writer;
  }

  /**
   * Appends the event as a row of this changelog table (deletes as their before-image); {@code
   * completed} is the mirror's row of an update that left out unchanged values, or null.
   */
  void append(
      ChangeEvent event, Record completed, TableManager tables, Supplier<OffsetDateTime> now) {
    SourceTable source = event.table();
    if (sourceFingerprint != source.fingerprint() || mapper == null) {
      table = tables.ensureColumns(table, source, event.schemaLsn());
      mapper =
          new RowMapper(source, table.schema(), TableManager.renamedColumns(table.properties()));
      sourceFingerprint = source.fingerprint();
    }
    if (writer == null || writer.schema().schemaId() != mapper.schema().schemaId()) {
      if (writer != null) {
        done.add(writer.complete());
      }
      writer = new DeltaWriter(table, mapper.schema(), deleteSpec, false, files);
    }
    Record row = mapper.toRecord(event, now.get());
    if (completed != null) {
      List<Column> columns = source.columns();
      for (int i = 0; i < columns.size(); i++) {
        if (event.isUnchanged(i)) {
          String name = mapper.targetName(i);
          row.setField(name, StoredRowLookups.widen(row, name, completed.getField(name)));
        }
      }
    }
    writer.write(row);
    rows++;
    track(event);
  }

  /** Notes the event's source position and time as the newest of this table's pending write. */
  void track(ChangeEvent event) {
    if (event.lsn() > maxLsn) {
      maxLsn = event.lsn();
    }
    if (event.sourceTsMicros() > maxSourceTs) {
      maxSourceTs = event.sourceTsMicros();
    }
  }

  /**
   * Completes the open segment, if any: closes its files (which uploads them) and keeps what it
   * wrote for the next {@link #flush}. Touches only this table's writer and files, so the segments
   * of different tables may be completed at once ({@link SegmentCloser}).
   */
  void completeSegment() {
    if (writer != null) {
      try {
        done.add(writer.complete());
      } catch (UncheckedIOException e) {
        throw new UncheckedIOException(
            "Cannot close the files of " + identifier + ": " + e.getMessage(), e.getCause());
      }
      writer = null;
    }
  }

  /**
   * Completes the open segment and adds what was written since the last barrier to {@code writes}.
   */
  void flush(List<TableWrite> writes) {
    completeSegment();
    if (!done.isEmpty()) {
      writes.add(
          new TableWrite(identifier, done, rows, deletes, maxLsn, maxSourceTs, 0, table.specs()));
      done.clear();
      rows = 0;
      deletes = 0;
      maxLsn = -1;
      maxSourceTs = -1;
    }
  }

  /**
   * Drops what this writer wrote to a mirror table since the last barrier: the table is gone. (Its
   * changelog table's rows stay: that table is another one.)
   */
  void discard(int subtask) {
    long changes = rows + deletes;
    if (writer != null) {
      writer.complete();
      writer = null;
    }
    if (!done.isEmpty() || changes > 0) {
      LOG.warn(
          "Table {} was dropped or replaced: writer {} drops the {} changes it wrote to it since"
              + " the last checkpoint (the backfill of the table loads their rows)",
          identifier,
          subtask,
          changes);
    }
    done.clear();
    rows = 0;
    deletes = 0;
    maxLsn = -1;
    maxSourceTs = -1;
  }

  /**
   * The names of a table's key (identifier) fields, ordered by field id: a rename of a key column
   * keeps the field and its place in this order, so the values of a row's key stay in the same
   * order (see {@link StoredRows#renameKeys}).
   */
  static List<String> keyNames(Schema schema) {
    List<Integer> ids = new ArrayList<>(schema.identifierFieldIds());
    Collections.sort(ids);
    List<String> names = new ArrayList<>();
    for (Integer id : ids) {
      names.add(schema.findColumnName(id));
    }
    return names;
  }

  /**
   * The spec for equality deletes: the table's when every partition source column is a key column
   * (the key then determines the partition), else the unpartitioned spec.
   */
  static PartitionSpec deleteSpec(Table table) {
    PartitionSpec spec = table.spec();
    if (spec.isUnpartitioned()) {
      return spec;
    }
    Set<Integer> keyIds = table.schema().identifierFieldIds();
    boolean keyDetermined = true;
    for (PartitionField field : spec.fields()) {
      keyDetermined &= keyIds.contains(field.sourceId());
    }
    if (keyDetermined) {
      return spec;
    }
    for (PartitionSpec candidate : table.specs().values()) {
      if (candidate.isUnpartitioned()) {
        return candidate;
      }
    }
    LOG.warn(
        "Table {} is partitioned on non-key columns and has no unpartitioned spec: an update that"
            + " moves a row to another partition can leave the old copy. Recreate the table with"
            + " Tributary or add the key to the partition spec.",
        table.name());
    return spec;
  }
}
