package io.tributary.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.types.Types;

/**
 * Matches the columns of a source schema to the fields of a lake table by name and by former name
 * ({@code tributary.renamed.<name>}), keeping the order of both.
 *
 * <p>PostgreSQL keeps the order of a table's columns: a rename keeps a column's place, a drop
 * removes it, and an added column always comes last. The lake table keeps its fields in the same
 * order. So the columns a source schema shares with the table appear in the same order on both
 * sides, and every source column before a shared one is itself an older column (perhaps renamed),
 * so it needs an unmatched field between the same two shared columns. A name match that breaks
 * either rule is a name reused for a new column: after {@code RENAME COLUMN x TO x_old; ADD COLUMN
 * x} the source reads {@code (id, x_old, y, x)}, and its {@code x} comes after {@code y} while the
 * table's field {@code x} comes before it, so the new {@code x} is not that field.
 *
 * <p>Among the matchings that keep both rules, the one with the most matched columns wins, then the
 * one with the most matches by the current name rather than a former one.
 */
public final class ColumnMatch {
  private ColumnMatch() {}

  /**
   * @param fields the lake table's fields to match against, in table order (no metadata columns)
   * @param formerNames former names and the field id each now names; a former name is considered
   *     next to the field that has that name now
   * @param names the lake names of the source columns, in source order
   * @return per source column its field, or null when none matches
   */
  public static Types.NestedField[] match(
      List<Types.NestedField> fields, Map<String, Integer> formerNames, List<String> names) {
    List<int[]> candidates = new ArrayList<>(); // {source index, field position, by name 1/0}
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      Integer former = formerNames.get(name);
      for (int j = 0; j < fields.size(); j++) {
        Types.NestedField field = fields.get(j);
        if (field.name().equals(name)) {
          candidates.add(new int[] {i, j, 1});
        } else if (former != null && field.fieldId() == former) {
          candidates.add(new int[] {i, j, 0});
        }
      }
    }
    int count = candidates.size();
    int[] anchors = new int[count];
    int[] byName = new int[count];
    int[] previous = new int[count];
    int best = -1;
    for (int c = 0; c < count; c++) {
      int[] cur = candidates.get(c);
      // From the start: every source column before it needs a field before it.
      anchors[c] = cur[0] <= cur[1] ? 1 : 0;
      byName[c] = cur[2];
      previous[c] = -1;
      for (int p = 0; p < c; p++) {
        int[] prev = candidates.get(p);
        if (anchors[p] == 0
            || prev[0] >= cur[0]
            || prev[1] >= cur[1]
            || cur[0] - prev[0] > cur[1] - prev[1]) {
          continue;
        }
        int a = anchors[p] + 1;
        int n = byName[p] + cur[2];
        if (a > anchors[c] || (a == anchors[c] && n > byName[c])) {
          anchors[c] = a;
          byName[c] = n;
          previous[c] = p;
        }
      }
      if (anchors[c] > 0
          && (best < 0
              || anchors[c] > anchors[best]
              || (anchors[c] == anchors[best] && byName[c] > byName[best]))) {
        best = c;
      }
    }
    Types.NestedField[] matched = new Types.NestedField[names.size()];
    for (int c = best; c >= 0; c = previous[c]) {
      int[] cur = candidates.get(c);
      matched[cur[0]] = fields.get(cur[1]);
    }
    return matched;
  }
}
