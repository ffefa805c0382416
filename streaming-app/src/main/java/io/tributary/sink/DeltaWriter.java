package io.tributary.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.DeleteGranularity;
import org.apache.iceberg.deletes.PositionDelete;
import org.apache.iceberg.io.DataWriteResult;
import org.apache.iceberg.io.DeleteWriteResult;
import org.apache.iceberg.io.FanoutPositionOnlyDeleteWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.RollingDataWriter;
import org.apache.iceberg.io.RollingEqualityDeleteWriter;
import org.apache.iceberg.io.WriteResult;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.util.PropertyUtil;

/**
 * Writes one segment of one table: the rows of one table that one writer received within one
 * checkpoint with one schema and one mode. All files of a segment are committed together, and
 * segments are committed in the order they were written, each as its own snapshot, so that every
 * equality delete of a later segment applies to the rows of every earlier one.
 *
 * <p>In insert-only mode (rows of the initial snapshot) rows are appended without deletes. In
 * upsert mode every row first deletes its key: by position when the key was written earlier in this
 * segment, otherwise by an equality delete. Equality deletes are written under the delete spec: the
 * table's spec when the key determines the partition, otherwise the unpartitioned spec, whose
 * deletes apply to all partitions; so an update that moves a row to another partition still removes
 * the old copy although the before-image carries only the key.
 */
final class DeltaWriter {
  private final Schema schema;
  private final PartitionSpec spec;
  private final PartitionSpec deleteSpec;
  private final boolean upsert;
  private final int[] keyPositions;
  private final Schema keySchema;
  private final RecordWriterFactory factory;
  private final OutputFileFactory files;
  private final Table table;
  private final long targetFileSize;

  private final InternalRecordWrapper wrapper;
  private final PartitionKey partitionKey;
  private final PartitionKey deletePartitionKey;
  private final Map<PartitionKey, PartitionedWriter> dataWriters = new HashMap<>();
  private final Map<PartitionKey, RollingEqualityDeleteWriter<Record>> deleteWriters =
      new HashMap<>();
  private RollingDataWriter<Record> unpartitionedData;
  private RollingEqualityDeleteWriter<Record> unpartitionedDeletes;
  private FanoutPositionOnlyDeleteWriter<Record> positionDeletes;
  private final PositionDelete<Record> positionDelete = PositionDelete.create();
  private final Map<RowKey, Position> written;
  private long rows;
  private long deletes;

  /** The data writer of one partition, with its (immutable) partition key. */
  private static final class PartitionedWriter {
    final RollingDataWriter<Record> writer;
    final PartitionKey partition;

    PartitionedWriter(RollingDataWriter<Record> writer, PartitionKey partition) {
      this.writer = writer;
      this.partition = partition;
    }
  }

  private static final class Position {
    final CharSequence path;
    final long offset;
    final PartitionKey partition;

    Position(CharSequence path, long offset, PartitionKey partition) {
      this.path = path;
      this.offset = offset;
      this.partition = partition;
    }
  }

  DeltaWriter(
      Table table,
      Schema schema,
      PartitionSpec deleteSpec,
      boolean upsert,
      OutputFileFactory files) {
    this.table = table;
    this.schema = schema;
    this.spec = table.spec();
    this.deleteSpec = deleteSpec;
    this.upsert = upsert;
    this.files = files;
    int[] keyIds = schema.identifierFieldIds().stream().mapToInt(Integer::intValue).toArray();
    Arrays.sort(keyIds);
    this.keySchema = TypeUtil.select(schema, schema.identifierFieldIds());
    this.keyPositions = new int[keySchema.columns().size()];
    for (int i = 0; i < keyPositions.length; i++) {
      int fieldId = keySchema.columns().get(i).fieldId();
      keyPositions[i] = positionOf(schema, fieldId);
    }
    this.factory = new RecordWriterFactory(table, schema, deleteSpec, keyIds, keySchema);
    this.targetFileSize =
        PropertyUtil.propertyAsLong(
            table.properties(),
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
    this.wrapper = new InternalRecordWrapper(schema.asStruct());
    this.partitionKey = spec.isUnpartitioned() ? null : new PartitionKey(spec, schema);
    this.deletePartitionKey =
        deleteSpec.isUnpartitioned() ? null : new PartitionKey(deleteSpec, schema);
    this.written = upsert ? new HashMap<>() : null;
  }

  private static int positionOf(Schema schema, int fieldId) {
    for (int i = 0; i < schema.columns().size(); i++) {
      if (schema.columns().get(i).fieldId() == fieldId) {
        return i;
      }
    }
    throw new IllegalArgumentException("Key field " + fieldId + " is not a top-level column");
  }

  boolean upsert() {
    return upsert;
  }

  Schema schema() {
    return schema;
  }

  long rows() {
    return rows;
  }

  /** Writes a row; in upsert mode it replaces any earlier version of its key. */
  void write(Record row) {
    if (upsert) {
      deleteKey(row);
    }
    RollingDataWriter<Record> writer;
    PartitionKey partition = null;
    if (partitionKey == null) {
      if (unpartitionedData == null) {
        unpartitionedData =
            new RollingDataWriter<>(factory, files, table.io(), targetFileSize, spec, null);
      }
      writer = unpartitionedData;
    } else {
      partitionKey.partition(wrapper.wrap(row));
      PartitionedWriter entry = dataWriters.get(partitionKey);
      if (entry == null) {
        PartitionKey copy = partitionKey.copy();
        entry =
            new PartitionedWriter(
                new RollingDataWriter<>(factory, files, table.io(), targetFileSize, spec, copy),
                copy);
        dataWriters.put(copy, entry);
      }
      writer = entry.writer;
      partition = entry.partition;
    }
    if (upsert) {
      written.put(
          key(row), new Position(writer.currentFilePath(), writer.currentFileRows(), partition));
    }
    writer.write(row);
    rows++;
  }

  /**
   * Deletes the row with the key of {@code keyRow} (only the key columns, and the partition columns
   * when the key determines the partition, need to be set).
   */
  void delete(Record keyRow) {
    if (!upsert) {
      throw new IllegalStateException("Deletes are written only in upsert segments");
    }
    deleteKey(keyRow);
    deletes++;
  }

  private void deleteKey(Record row) {
    Position previous = written.remove(key(row));
    if (previous != null) {
      if (positionDeletes == null) {
        positionDeletes =
            new FanoutPositionOnlyDeleteWriter<>(
                factory, files, table.io(), targetFileSize, DeleteGranularity.FILE);
      }
      positionDelete.set(previous.path, previous.offset, null);
      positionDeletes.write(positionDelete, spec, previous.partition);
      return;
    }
    Record keyRecord = GenericRecord.create(keySchema);
    for (int i = 0; i < keyPositions.length; i++) {
      keyRecord.set(i, row.get(keyPositions[i]));
    }
    RollingEqualityDeleteWriter<Record> writer;
    if (deletePartitionKey == null) {
      if (unpartitionedDeletes == null) {
        unpartitionedDeletes =
            new RollingEqualityDeleteWriter<>(
                factory, files, table.io(), targetFileSize, deleteSpec, null);
      }
      writer = unpartitionedDeletes;
    } else {
      deletePartitionKey.partition(wrapper.wrap(row));
      writer = deleteWriters.get(deletePartitionKey);
      if (writer == null) {
        PartitionKey copy = deletePartitionKey.copy();
        writer =
            new RollingEqualityDeleteWriter<>(
                factory, files, table.io(), targetFileSize, deleteSpec, copy);
        deleteWriters.put(copy, writer);
      }
    }
    writer.write(keyRecord);
  }

  private RowKey key(Record row) {
    Object[] values = new Object[keyPositions.length];
    for (int i = 0; i < keyPositions.length; i++) {
      values[i] = row.get(keyPositions[i]);
    }
    return new RowKey(values);
  }

  /** Closes all files and returns them. */
  WriteResult complete() {
    WriteResult.Builder result = WriteResult.builder();
    try {
      if (unpartitionedData != null) {
        unpartitionedData.close();
        addData(result, unpartitionedData.result());
      }
      for (PartitionedWriter entry : dataWriters.values()) {
        entry.writer.close();
        addData(result, entry.writer.result());
      }
      if (unpartitionedDeletes != null) {
        unpartitionedDeletes.close();
        addDeletes(result, unpartitionedDeletes.result());
      }
      for (RollingEqualityDeleteWriter<Record> writer : deleteWriters.values()) {
        writer.close();
        addDeletes(result, writer.result());
      }
      if (positionDeletes != null) {
        positionDeletes.close();
        addDeletes(result, positionDeletes.result());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to close the files of table " + table.name(), e);
    }
    return result.build();
  }

  private static void addData(WriteResult.Builder result, DataWriteResult data) {
    for (DataFile file : data.dataFiles()) {
      if (file.recordCount() > 0) {
        result.addDataFiles(file);
      }
    }
  }

  private static void addDeletes(WriteResult.Builder result, DeleteWriteResult deletes) {
    for (DeleteFile file : deletes.deleteFiles()) {
      result.addDeleteFiles(file);
    }
    result.addReferencedDataFiles(deletes.referencedDataFiles());
  }

  long deletes() {
    return deletes;
  }
}
