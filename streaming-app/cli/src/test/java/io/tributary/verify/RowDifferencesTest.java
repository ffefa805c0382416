package io.tributary.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class RowDifferencesTest {
  private static final List<ComparedColumn> COLUMNS =
      List.of(
          new ComparedColumn(
              "id", "bigint", Types.NestedField.required(1, "id", Types.LongType.get())),
          new ComparedColumn(
              "name", "text", Types.NestedField.optional(2, "name", Types.StringType.get())),
          new ComparedColumn(
              "qty", "integer", Types.NestedField.optional(3, "qty", Types.IntegerType.get())));

  private static SeenRow seen(long count, String... values) {
    SeenRow row = new SeenRow(List.of(values));
    row.count = count;
    return row;
  }

  @Test
  void eachKindOfKeyDifferenceIsNamed() {
    Map<String, SeenRow> source = new TreeMap<>();
    Map<String, SeenRow> lake = new TreeMap<>();
    source.put("id=1", seen(1, "1", "a", "5"));
    lake.put("id=1", seen(1, "1", "b", "6"));
    source.put("id=2", seen(1, "2", "a", "5"));
    source.put("id=3", seen(1, "3", "a", "5"));
    lake.put("id=3", seen(2, "3", "a", "5"));
    source.put("id=4", seen(2, "4", "a", "5"));
    lake.put("id=4", seen(1, "4", "a", "5"));
    source.put("id=5", seen(1, "5", "a", "5"));
    lake.put("id=5", seen(1, "5", "a", "5"));
    lake.put("id=6", seen(1, "6", "a", "5"));
    List<String> differences = new ArrayList<>();

    RowDifferences.describeKeys(COLUMNS, source, lake, differences);

    assertThat(differences)
        .containsExactly(
            "id=1: values differ in [name, qty]",
            "id=2: missing in the lake",
            "id=3: the lake holds the key 2 times",
            "id=4: the source holds the key 2 times",
            "id=6: in the lake but not in the source");
  }

  @Test
  void keyDifferencesStopAtTheMostReportedCountingLinesAlreadyThere() {
    Map<String, SeenRow> source = new TreeMap<>();
    for (int i = 10; i < 40; i++) {
      source.put("id=" + i, seen(1, String.valueOf(i), "a", "1"));
    }
    List<String> differences = new ArrayList<>(List.of("column x of the source has no column"));

    RowDifferences.describeKeys(COLUMNS, source, new TreeMap<>(), differences);

    assertThat(differences).hasSize(RowDifferences.MAX_REPORTED);
    assertThat(differences.get(1)).isEqualTo("id=10: missing in the lake");
  }

  @Test
  void aMultisetDiffersByHowManyTimesEachRowIsHeld() {
    Map<String, SeenRow> source = new TreeMap<>();
    Map<String, SeenRow> lake = new TreeMap<>();
    source.put("a", seen(1, "a"));
    source.put("b", seen(2, "b"));
    lake.put("b", seen(3, "b"));
    source.put("c", seen(1, "c"));
    lake.put("c", seen(1, "c"));
    lake.put("d", seen(1, "d"));
    // A row inserted and deleted again in the lake is held zero times, as in the source.
    lake.put("e", seen(0, "e"));
    List<String> differences = new ArrayList<>();

    RowDifferences.describeMultisets(source, lake, differences);

    assertThat(differences)
        .containsExactly(
            "row (a): missing in the lake",
            "row (b): 2 times in the source, 3 times in the lake",
            "row (d): in the lake but not in the source");
  }
}
