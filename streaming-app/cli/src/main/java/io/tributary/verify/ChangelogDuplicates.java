package io.tributary.verify;

import io.tributary.sink.IcebergSchemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * Finds the changes a changelog table holds more than once, as a commit applied twice would leave
 * them: a check the mirror table cannot show (an upsert of the same values changes nothing).
 */
public final class ChangelogDuplicates {
  private ChangelogDuplicates() {}

  /**
   * The changes a changelog table holds more than once: two change rows with the same operation,
   * source position ({@code _source_lsn}) and key are one change written twice, as a commit
   * replayed after a restart would leave it. Snapshot rows, which share one position, are told
   * apart by the time they were written ({@code _ingested_at}) instead: the same snapshot row twice
   * is a replayed commit, a later snapshot of the same key is not. The mirror table cannot show
   * this (an upsert of the same values changes nothing), its changelog can.
   *
   * <p>Memory holds one hash per change row; only the rows of repeated hashes are read again to
   * name them.
   *
   * @param changelog the changelog table
   * @param keyColumns the lake names of the table's key columns; empty for a table without key,
   *     whose whole row is its key (its snapshot rows are then not checked: equal rows of one
   *     snapshot chunk share a position)
   * @return one line per repeated change (at most a few, then how many more), empty when none
   */
  public static List<String> find(Table changelog, List<String> keyColumns) {
    changelog.refresh();
    Schema schema = changelog.schema();
    List<Types.NestedField> key = new ArrayList<>();
    boolean wholeRow = keyColumns.isEmpty();
    for (String name : keyColumns) {
      Types.NestedField field = schema.findField(name);
      if (field == null) {
        // A key column renamed or dropped since: the whole row identifies the change.
        wholeRow = true;
        key.clear();
        break;
      }
      key.add(field);
    }
    if (wholeRow) {
      for (Types.NestedField field : schema.columns()) {
        if (!IcebergSchemas.METADATA_COLUMNS.contains(field.name())) {
          key.add(field);
        }
      }
    }
    if (schema.findField(IcebergSchemas.SOURCE_LSN) == null
        || schema.findField(IcebergSchemas.OP) == null) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (Types.NestedField field : key) {
      names.add(field.name());
    }
    names.add(IcebergSchemas.OP);
    names.add(IcebergSchemas.SOURCE_LSN);
    if (schema.findField(IcebergSchemas.INGESTED_AT) != null) {
      names.add(IcebergSchemas.INGESTED_AT);
    }
    long[] hashes = new long[1024];
    int n = 0;
    try (CloseableIterable<Record> records =
        IcebergGenerics.read(changelog).select(names.toArray(new String[0])).build()) {
      for (Record record : records) {
        String identity = changeIdentity(record, key, wholeRow);
        if (identity == null) {
          continue;
        }
        if (n == hashes.length) {
          hashes = Arrays.copyOf(hashes, n * 2);
        }
        hashes[n++] = RowHash.hash(identity);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Reading " + changelog.name() + " failed", e);
    }
    Arrays.sort(hashes, 0, n);
    Set<Long> repeated = new HashSet<>();
    for (int i = 1; i < n; i++) {
      if (hashes[i] == hashes[i - 1]) {
        repeated.add(hashes[i]);
      }
    }
    if (repeated.isEmpty()) {
      return List.of();
    }
    Map<String, Long> counts = new TreeMap<>();
    try (CloseableIterable<Record> records =
        IcebergGenerics.read(changelog).select(names.toArray(new String[0])).build()) {
      for (Record record : records) {
        String identity = changeIdentity(record, key, wholeRow);
        if (identity != null && repeated.contains(RowHash.hash(identity))) {
          counts.merge(identity, 1L, Long::sum);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Reading " + changelog.name() + " failed", e);
    }
    return report(changelog.name(), counts);
  }

  /** One line per identity counted more than once, at most a few, then how many more. */
  static List<String> report(String table, Map<String, Long> counts) {
    List<String> lines = new ArrayList<>();
    long more = 0;
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      if (e.getValue() < 2) {
        continue;
      }
      if (lines.size() < RowDifferences.MAX_REPORTED) {
        lines.add(
            e.getKey()
                + ": "
                + table
                + " holds this change "
                + e.getValue()
                + " times (a commit applied twice)");
      } else {
        more++;
      }
    }
    if (more > 0) {
      lines.add(more + " more changes held more than once in " + table);
    }
    return lines;
  }

  /**
   * The text that identifies one change row: its key, operation and source position; null for a row
   * that is not checked (a snapshot row of a table without key).
   */
  static String changeIdentity(Record record, List<Types.NestedField> key, boolean wholeRow) {
    String op = String.valueOf(record.getField(IcebergSchemas.OP));
    if (wholeRow && "r".equals(op)) {
      return null;
    }
    StringBuilder text = new StringBuilder();
    for (Types.NestedField field : key) {
      Object value = record.getField(field.name());
      text.append(text.length() == 0 ? "" : ", ")
          .append(field.name())
          .append('=')
          .append(value == null ? "null" : CanonicalValue.of(value, field.type()));
    }
    if ("r".equals(op)) {
      // Snapshot rows carry no position of their own (every chunk's rows share one): a snapshot
      // row is one write, told apart by when it was written, so that a table snapshotted again
      // (started without its savepoint) is not a repeated change, and a commit replayed is.
      return text.append(" (snapshot row written at ")
          .append(record.getField(IcebergSchemas.INGESTED_AT))
          .append(')')
          .toString();
    }
    Object lsn = record.getField(IcebergSchemas.SOURCE_LSN);
    return text.append(" (op ")
        .append(op)
        .append(lsn == null ? ", no source position" : " at LSN " + lsn)
        .append(')')
        .toString();
  }
}
