package io.tributary.verify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.StructLikeMap;

/**
 * The equality deletes of a table read once: for every deleted key, the newest sequence number it
 * was deleted with. A row of a data file is deleted when its key was deleted with a higher sequence
 * number than the file's (Iceberg's rule for equality deletes), so one pass over the delete files
 * and one over the data files give the live rows, instead of every delete file's keys set up again
 * for each data file it applies to (which grows with the square of the checkpoints on a table
 * without maintenance).
 *
 * <p>Holds only equality deletes that apply to every partition (written under the unpartitioned
 * spec, as the stream writes them); {@link #load} returns null for a table with others, which is
 * then read Iceberg's way.
 */
final class NewestDeletes {
  /** The deletes of one set of equality columns. */
  private static final class Group {
    final Schema keySchema;
    final StructLikeMap<Long> newest;
    final InternalRecordWrapper lookup;

    /** The key of the row looked up, filled anew for each row (a read runs on one thread). */
    final Record key;

    Group(Schema keySchema) {
      this.keySchema = keySchema;
      this.newest = StructLikeMap.create(keySchema.asStruct());
      this.lookup = new InternalRecordWrapper(keySchema.asStruct());
      this.key = GenericRecord.create(keySchema);
    }
  }

  private final List<Group> groups;

  private NewestDeletes(List<Group> groups) {
    this.groups = groups;
  }

  /**
   * Reads the equality delete files of these tasks; null when one of them applies to one partition
   * only.
   *
   * @param open opens a delete file's rows with the given columns
   */
  static NewestDeletes load(
      Table table,
      List<FileScanTask> tasks,
      BiFunction<DeleteFile, Schema, CloseableIterable<Record>> open) {
    Map<String, DeleteFile> files = new LinkedHashMap<>();
    for (FileScanTask task : tasks) {
      for (DeleteFile file : task.deletes()) {
        if (file.content() == FileContent.EQUALITY_DELETES) {
          if (!table.specs().get(file.specId()).isUnpartitioned()) {
            return null;
          }
          files.putIfAbsent(file.location(), file);
        }
      }
    }
    Map<Set<Integer>, Group> groups = new LinkedHashMap<>();
    for (DeleteFile file : files.values()) {
      Set<Integer> ids = new TreeSet<>(file.equalityFieldIds());
      Group group = groups.computeIfAbsent(ids, k -> new Group(TypeUtil.select(table.schema(), k)));
      long sequence = file.dataSequenceNumber();
      try (CloseableIterable<Record> keys = open.apply(file, group.keySchema)) {
        for (Record key : keys) {
          group.newest.merge(
              new InternalRecordWrapper(group.keySchema.asStruct()).wrap(key), sequence, Math::max);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Reading delete file " + file.location() + " failed", e);
      }
    }
    return new NewestDeletes(new ArrayList<>(groups.values()));
  }

  /** The names of the columns the deletes are keyed by, to read with the data files. */
  List<String> keyColumns() {
    List<String> names = new ArrayList<>();
    for (Group group : groups) {
      for (Types.NestedField field : group.keySchema.columns()) {
        if (!names.contains(field.name())) {
          names.add(field.name());
        }
      }
    }
    return names;
  }

  /** The rows of a data file of this sequence number that no equality delete removed. */
  CloseableIterable<Record> live(CloseableIterable<Record> rows, long dataSequence) {
    if (groups.isEmpty()) {
      return rows;
    }
    return CloseableIterable.filter(rows, row -> !deleted(row, dataSequence));
  }

  private boolean deleted(Record row, long dataSequence) {
    for (Group group : groups) {
      for (Types.NestedField field : group.keySchema.columns()) {
        group.key.setField(field.name(), row.getField(field.name()));
      }
      Long newest = group.newest.get(group.lookup.wrap(group.key));
      if (newest != null && newest > dataSequence) {
        return true;
      }
    }
    return false;
  }
}
