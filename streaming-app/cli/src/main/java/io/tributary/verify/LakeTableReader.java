package io.tributary.verify;

import io.tributary.sink.IcebergSchemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Reads the lake side of a comparison: the rows of a mirror table, or the change rows of a
 * changelog table replayed as a multiset (inserts and snapshot rows add a row, deletes remove one,
 * updates are only counted).
 */
final class LakeTableReader {
  private final Table table;
  private final boolean changelog;

  LakeTableReader(Table table, boolean changelog) {
    this.table = table;
    this.changelog = changelog;
  }

  /**
   * Reads every row of the compared columns into a tally.
   *
   * @param ops counts a changelog's change rows by operation
   */
  void scan(List<ComparedColumn> columns, RowTally tally, OpCounts ops) {
    List<String> names = new ArrayList<>();
    for (ComparedColumn c : columns) {
      names.add(c.name());
    }
    if (changelog) {
      names.add(IcebergSchemas.OP);
    }
    try (CloseableIterable<Record> records = LakeRows.read(table, names.toArray(new String[0]))) {
      Object[] values = new Object[columns.size()];
      for (Record record : records) {
        int sign = 1;
        if (changelog) {
          String op = String.valueOf(record.getField(IcebergSchemas.OP));
          if ("u".equals(op)) {
            ops.updates++;
            continue;
          } else if ("d".equals(op)) {
            ops.deletes++;
            sign = -1;
          } else {
            ops.inserts++;
          }
        }
        for (int i = 0; i < values.length; i++) {
          values[i] = record.getField(columns.get(i).name());
        }
        tally.accept(values, sign);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Reading " + table.name() + " failed", e);
    }
  }
}
