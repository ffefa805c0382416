package io.tributary.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Names the differences between the rows both sides hold in the buckets that differ: by key for a
 * mirror table, by whole row (a multiset) for a changelog. At most {@link #MAX_REPORTED} lines are
 * written.
 */
final class RowDifferences {
  /** The most difference lines reported for one table. */
  static final int MAX_REPORTED = 10;

  private RowDifferences() {}

  /**
   * Adds a line per key that is missing on one side, held more than once, or whose values differ
   * (naming the differing columns).
   *
   * @param columns the compared columns, in the order of each row's values
   * @param sourceRows the source's rows by key text
   * @param mirrorRows the lake's rows by key text
   * @param differences the lines so far, added to until it holds {@link #MAX_REPORTED}
   */
  static void describeKeys(
      List<ComparedColumn> columns,
      Map<String, SeenRow> sourceRows,
      Map<String, SeenRow> mirrorRows,
      List<String> differences) {
    for (Map.Entry<String, SeenRow> e : sourceRows.entrySet()) {
      if (differences.size() >= MAX_REPORTED) {
        return;
      }
      SeenRow other = mirrorRows.get(e.getKey());
      SeenRow own = e.getValue();
      if (other == null) {
        differences.add(e.getKey() + ": missing in the lake");
      } else if (other.count > 1) {
        differences.add(e.getKey() + ": the lake holds the key " + other.count + " times");
      } else if (own.count > 1) {
        differences.add(e.getKey() + ": the source holds the key " + own.count + " times");
      } else if (!other.values.equals(own.values)) {
        List<String> differingColumns = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
          if (!other.values.get(i).equals(own.values.get(i))) {
            differingColumns.add(columns.get(i).name());
          }
        }
        differences.add(e.getKey() + ": values differ in " + differingColumns);
      }
    }
    for (Map.Entry<String, SeenRow> e : mirrorRows.entrySet()) {
      if (differences.size() >= MAX_REPORTED) {
        return;
      }
      if (!sourceRows.containsKey(e.getKey())) {
        differences.add(e.getKey() + ": in the lake but not in the source");
      }
    }
  }

  /**
   * Adds a line per whole row that the two sides hold a different number of times.
   *
   * @param sourceRows the source's rows by their text, with their counts
   * @param mirrorRows the rows the changelog replays to, with their counts
   * @param differences the lines so far, added to until it holds {@link #MAX_REPORTED}
   */
  static void describeMultisets(
      Map<String, SeenRow> sourceRows, Map<String, SeenRow> mirrorRows, List<String> differences) {
    Set<String> rows = new TreeSet<>(sourceRows.keySet());
    rows.addAll(mirrorRows.keySet());
    for (String row : rows) {
      if (differences.size() >= MAX_REPORTED) {
        return;
      }
      long own = sourceRows.containsKey(row) ? sourceRows.get(row).count : 0;
      long other = mirrorRows.containsKey(row) ? mirrorRows.get(row).count : 0;
      if (own == other) {
        continue;
      }
      String how;
      if (other == 0) {
        how = "missing in the lake";
      } else if (own == 0) {
        how = "in the lake but not in the source";
      } else {
        how = own + " times in the source, " + other + " times in the lake";
      }
      differences.add("row (" + row + "): " + how);
    }
  }
}
