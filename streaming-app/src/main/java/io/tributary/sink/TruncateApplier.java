package io.tributary.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.InternalData;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.PositionDelete;
import org.apache.iceberg.deletes.PositionDeleteWriter;
import org.apache.iceberg.encryption.EncryptedOutputFile;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;

/**
 * Applies a source {@code TRUNCATE} to a mirror table: deletes every row whose source position
 * ({@code _source_lsn}) is lower than the truncate's, or unknown (rows of the initial snapshot).
 * Rows written after the truncate have higher positions and stay, so the delete is correct however
 * the writers' files of the checkpoint interleave, as long as it is committed after all of them.
 *
 * <p>Data files whose rows all lie before the truncate (known from the column bounds) are removed
 * whole; a file that holds rows from both sides gets a position delete file for the rows before. It
 * is one operation of the transaction that commits the checkpoint's rounds to the table.
 */
final class TruncateApplier {

  private TruncateApplier() {}

  /** The result of one application: what was removed. */
  static final class Applied {
    final int removedFiles;
    final int deleteFiles;
    final long deletedRows;

    Applied(int removedFiles, int deleteFiles, long deletedRows) {
      this.removedFiles = removedFiles;
      this.deleteFiles = deleteFiles;
      this.deletedRows = deletedRows;
    }
  }

  /**
   * Deletes the rows before {@code truncateLsn} as one more operation of {@code transaction}, after
   * the operations already in it (whose rows it sees), setting {@code summary} on its snapshot;
   * adds nothing when there are no such rows. The operation is validated against concurrent changes
   * (maintenance) since {@code startingSnapshotId}, the table's snapshot when the transaction
   * began; a conflict fails the transaction's commit, and the caller retries the whole transaction.
   */
  static Applied stage(
      Transaction transaction,
      long truncateLsn,
      Map<String, String> summary,
      Long startingSnapshotId) {
    // The transaction's own table view cannot scan; a table on its operations scans the
    // transaction's metadata, with the rounds staged before this operation.
    Table table =
        new BaseTable(
            ((HasTableOperations) transaction.table()).operations(), transaction.table().name());
    Snapshot base = table.currentSnapshot();
    if (base == null) {
      return new Applied(0, 0, 0);
    }
    Types.NestedField lsnField = table.schema().findField(IcebergSchemas.SOURCE_LSN);
    if (lsnField == null) {
      throw new IllegalStateException(
          "Table " + table.name() + " has no " + IcebergSchemas.SOURCE_LSN + " column");
    }
    List<DataFile> whole = new ArrayList<>();
    List<DataFile> mixed = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(base.snapshotId()).includeColumnStats().planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        switch (classify(file, lsnField.fieldId(), truncateLsn)) {
          case BEFORE:
            whole.add(file);
            break;
          case MIXED:
            mixed.add(file);
            break;
          default:
            break;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot plan the files of " + table.name(), e);
    }
    List<DeleteFile> deletes = new ArrayList<>();
    long rows = 0;
    for (DataFile file : whole) {
      rows += file.recordCount();
    }
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 0, System.nanoTime())
            .format(FileFormat.PARQUET)
            .operationId("truncate-" + UUID.randomUUID())
            .build();
    List<String> referenced = new ArrayList<>();
    for (DataFile file : mixed) {
      DeleteFile delete = positionDeletes(table, file, lsnField, truncateLsn, files);
      if (delete != null) {
        deletes.add(delete);
        rows += delete.recordCount();
        referenced.add(file.location());
      }
    }
    if (whole.isEmpty() && deletes.isEmpty()) {
      return new Applied(0, 0, 0);
    }
    RowDelta delta = transaction.newRowDelta();
    whole.forEach(delta::removeRows);
    deletes.forEach(delta::addDeletes);
    if (startingSnapshotId != null) {
      delta.validateFromSnapshot(startingSnapshotId);
    }
    delta.validateDeletedFiles();
    if (!referenced.isEmpty()) {
      delta.validateDataFilesExist(referenced);
    }
    summary.forEach(delta::set);
    delta.commit();
    return new Applied(whole.size(), deletes.size(), rows);
  }

  private enum Side {
    BEFORE,
    AFTER,
    MIXED
  }

  /** Where a data file's rows lie relative to the truncate, by the file's column statistics. */
  private static Side classify(DataFile file, int lsnFieldId, long truncateLsn) {
    long count = file.recordCount();
    Long nulls = file.nullValueCounts() == null ? null : file.nullValueCounts().get(lsnFieldId);
    if (nulls != null && nulls == count) {
      return Side.BEFORE; // snapshot rows only
    }
    Long lower = bound(file.lowerBounds(), lsnFieldId);
    Long upper = bound(file.upperBounds(), lsnFieldId);
    if (upper != null && upper < truncateLsn) {
      return Side.BEFORE;
    }
    if (lower != null && lower >= truncateLsn && nulls != null && nulls == 0) {
      return Side.AFTER;
    }
    return Side.MIXED;
  }

  private static Long bound(Map<Integer, ByteBuffer> bounds, int fieldId) {
    if (bounds == null || !bounds.containsKey(fieldId)) {
      return null;
    }
    return Conversions.fromByteBuffer(Types.LongType.get(), bounds.get(fieldId));
  }

  /** A position delete file for the rows of {@code file} before the truncate, or null. */
  private static DeleteFile positionDeletes(
      Table table,
      DataFile file,
      Types.NestedField lsnField,
      long truncateLsn,
      OutputFileFactory files) {
    Schema projection = new Schema(lsnField);
    PartitionSpec spec = table.specs().get(file.specId());
    PositionDeleteWriter<Record> writer = null;
    try (CloseableIterable<StructLike> rows =
        InternalData.read(FileFormat.PARQUET, table.io().newInputFile(file.location()))
            .project(projection)
            .build()) {
      long position = 0;
      PositionDelete<Record> delete = PositionDelete.create();
      for (StructLike row : rows) {
        Long lsn = row.get(0, Long.class);
        if (lsn == null || lsn < truncateLsn) {
          if (writer == null) {
            EncryptedOutputFile out =
                spec.isUnpartitioned()
                    ? files.newOutputFile()
                    : files.newOutputFile(spec, file.partition());
            writer =
                new GenericAppenderFactory(table, table.schema(), spec, Map.of(), null, null, null)
                    .newPosDeleteWriter(
                        out, FileFormat.PARQUET, spec.isUnpartitioned() ? null : file.partition());
          }
          writer.write(delete.set(file.location(), position, null));
        }
        position++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot apply a TRUNCATE to data file " + file.location() + " of " + table.name(), e);
    } finally {
      if (writer != null) {
        try {
          writer.close();
        } catch (IOException e) {
          throw new UncheckedIOException(
              "Cannot write the position deletes of a TRUNCATE for " + table.name(), e);
        }
      }
    }
    return writer == null ? null : writer.toDeleteFile();
  }
}
