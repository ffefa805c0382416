package io.tributary.backfill;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.util.StructLikeSet;

/**
 * The keys of a table's rows as stored in its files: the keys the stream wrote or deleted in a
 * range of snapshots, and the key of every row of a data file with its position.
 */
final class StreamKeys {
  private final Table table;
  private final Schema keySchema;

  StreamKeys(Table table) {
    this.table = table;
    Set<Integer> ids = table.schema().identifierFieldIds();
    if (ids.isEmpty()) {
      throw new IllegalStateException(
          "Table " + table.name() + " has no key (identifier fields); a backfill needs one");
    }
    this.keySchema = TypeUtil.select(table.schema(), ids);
  }

  /** An empty set of keys of this table. */
  StructLikeSet newSet() {
    return StructLikeSet.create(keySchema.asStruct());
  }

  /**
   * Adds to {@code keys} the key of every row written and every key deleted by equality by the
   * snapshots after {@code after} (exclusive; null: from the first) up to {@code upTo} (inclusive).
   */
  void addTouchedBetween(Snapshot after, Snapshot upTo, StructLikeSet keys) {
    Snapshot snapshot = upTo;
    while (snapshot != null && (after == null || snapshot.snapshotId() != after.snapshotId())) {
      for (DataFile file : snapshot.addedDataFiles(table.io())) {
        forEachKey(file, (key, position) -> keys.add(key));
      }
      for (DeleteFile file : snapshot.addedDeleteFiles(table.io())) {
        if (file.content() == FileContent.EQUALITY_DELETES) {
          if (!new HashSet<>(file.equalityFieldIds()).equals(table.schema().identifierFieldIds())) {
            throw new IllegalStateException(
                "Equality delete file "
                    + file.location()
                    + " of "
                    + table.name()
                    + " deletes by fields "
                    + file.equalityFieldIds()
                    + ", not by the table's key "
                    + table.schema().identifierFieldIds()
                    + " (the key changed while the backfill ran); nothing was changed: run the"
                    + " backfill again");
          }
          forEachKey(file, (key, position) -> keys.add(key));
        }
        // Position deletes of the stream only remove rows of its own data files, whose keys are
        // read above.
      }
      Long parent = snapshot.parentId();
      snapshot = parent == null ? null : table.snapshot(parent);
    }
  }

  /** Something done with the key of each row of a file and the row's position in the file. */
  interface KeyConsumer {
    void accept(Record key, long position);
  }

  /** Calls {@code consumer} with the key of each row of the file, in the file's order. */
  void forEachKey(ContentFile<?> file, KeyConsumer consumer) {
    if (file.format() != FileFormat.PARQUET) {
      throw new IllegalStateException(
          "File "
              + file.location()
              + " of "
              + table.name()
              + " is "
              + file.format()
              + "; the backfill reads the keys of Parquet files only");
    }
    try (CloseableIterable<Record> rows =
        Parquet.read(table.io().newInputFile(file.location()))
            .project(keySchema)
            .createReaderFunc(
                fileSchema -> GenericParquetReaders.buildReader(keySchema, fileSchema))
            .build()) {
      long position = 0;
      for (Record key : rows) {
        consumer.accept(key, position++);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Reading the keys of " + file.location() + " failed", e);
    }
  }
}
