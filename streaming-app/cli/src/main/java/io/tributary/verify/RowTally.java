package io.tributary.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Takes the rows of one side as they are read: hashes each over all compared columns into a bucket
 * by its key ({@link Buckets}), or, when reading again, keeps the rows that fall in the wanted
 * buckets by their key text so that the differences can be named.
 */
final class RowTally {
  private final List<ComparedColumn> columns;
  private final Set<Integer> keys;
  private final Buckets buckets;
  private final Set<Integer> wanted;
  private final Map<String, SeenRow> rows;

  private RowTally(
      List<ComparedColumn> columns,
      Set<Integer> keys,
      Buckets buckets,
      Set<Integer> wanted,
      Map<String, SeenRow> rows) {
    this.columns = columns;
    this.keys = keys;
    this.buckets = buckets;
    this.wanted = wanted;
    this.rows = rows;
  }

  /** A tally that adds every row to buckets. */
  static RowTally counting(List<ComparedColumn> columns, Set<Integer> keys, Buckets buckets) {
    return new RowTally(columns, keys, buckets, null, null);
  }

  /** A tally that keeps, by key text, the rows that fall in the wanted buckets. */
  static RowTally collecting(
      List<ComparedColumn> columns,
      Set<Integer> keys,
      Set<Integer> wanted,
      Map<String, SeenRow> rows) {
    return new RowTally(columns, keys, null, wanted, rows);
  }

  /**
   * Takes one row.
   *
   * @param values the row's values, one per compared column, as read from its side
   * @param sign 1 for a row (or an insert), -1 for a delete that removes one
   */
  void accept(Object[] values, int sign) {
    long keyHash = 0x9E3779B97F4A7C15L;
    long rowHash = 0x632BE59BD9B4E019L;
    StringBuilder keyText = rows == null ? null : new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      ComparedColumn column = columns.get(i);
      long h = RowHash.hash(CanonicalValue.of(values[i], column.type()));
      rowHash = RowHash.mix(rowHash ^ h) + i;
      if (keys.contains(column.field().fieldId())) {
        keyHash = RowHash.mix(keyHash ^ h);
        if (keyText != null) {
          keyText
              .append(keyText.length() == 0 ? "" : ", ")
              .append(column.name())
              .append('=')
              .append(CanonicalValue.of(values[i], column.type()));
        }
      }
    }
    int bucket = (int) (keyHash & (Buckets.COUNT - 1));
    if (buckets != null) {
      buckets.counts[bucket] += sign;
      buckets.sums[bucket] += sign * RowHash.mix(rowHash);
    }
    if (rows != null && wanted.contains(bucket)) {
      List<String> canonicalRow = new ArrayList<>(values.length);
      for (int i = 0; i < values.length; i++) {
        canonicalRow.add(CanonicalValue.of(values[i], columns.get(i).type()));
      }
      rows.computeIfAbsent(keyText.toString(), k -> new SeenRow(canonicalRow)).count += sign;
    }
  }
}
