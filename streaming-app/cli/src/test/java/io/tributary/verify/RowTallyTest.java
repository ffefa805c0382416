package io.tributary.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class RowTallyTest {
  private static final List<ComparedColumn> COLUMNS =
      List.of(
          new ComparedColumn(
              "id", "bigint", Types.NestedField.required(1, "id", Types.LongType.get())),
          new ComparedColumn(
              "total",
              "numeric(10,2)",
              Types.NestedField.optional(2, "total", Types.DecimalType.of(10, 2))));
  private static final Set<Integer> KEY = Set.of(1);

  private static Buckets count(Object[]... rows) {
    Buckets buckets = new Buckets();
    RowTally tally = RowTally.counting(COLUMNS, KEY, buckets);
    for (Object[] row : rows) {
      tally.accept(row, 1);
    }
    return buckets;
  }

  @Test
  void equalRowsInAnyOrderAndEitherRepresentationFillEqualBuckets() {
    Buckets source =
        count(new Object[] {1L, new BigDecimal("1.5")}, new Object[] {2L, new BigDecimal("2")});
    Buckets lake =
        count(new Object[] {2, new BigDecimal("2.00")}, new Object[] {1L, new BigDecimal("1.50")});
    assertThat(source.differing(lake)).isEmpty();
    assertThat(source.total()).isEqualTo(2);
  }

  @Test
  void aChangedValueAMissingRowAndADuplicateRowEachMakeABucketDiffer() {
    Object[] one = {1L, new BigDecimal("1.50")};
    Object[] two = {2L, new BigDecimal("2.00")};
    Buckets source = count(one, two);
    assertThat(source.differing(count(one, new Object[] {2L, new BigDecimal("2.01")}))).hasSize(1);
    assertThat(source.differing(count(one))).hasSize(1);
    assertThat(source.differing(count(one, two, two))).hasSize(1);
  }

  @Test
  void aDeleteTakesBackItsInsert() {
    Buckets replayed = new Buckets();
    RowTally tally = RowTally.counting(COLUMNS, KEY, replayed);
    Object[] gone = {3L, null};
    tally.accept(new Object[] {1L, BigDecimal.ONE}, 1);
    tally.accept(gone, 1);
    tally.accept(gone, -1);
    assertThat(replayed.differing(count(new Object[] {1L, BigDecimal.ONE}))).isEmpty();
    assertThat(replayed.total()).isEqualTo(1);
  }

  @Test
  void collectingKeepsOnlyTheRowsOfWantedBucketsByKeyText() {
    Buckets source = count(new Object[] {1L, BigDecimal.ONE}, new Object[] {2L, BigDecimal.TEN});
    Buckets lake = count(new Object[] {1L, BigDecimal.ONE}, new Object[] {2L, BigDecimal.ZERO});
    Set<Integer> wanted = Set.copyOf(source.differing(lake));
    Map<String, SeenRow> rows = new TreeMap<>();
    RowTally tally = RowTally.collecting(COLUMNS, KEY, wanted, rows);
    tally.accept(new Object[] {1L, BigDecimal.ONE}, 1);
    tally.accept(new Object[] {2L, BigDecimal.TEN}, 1);
    assertThat(rows).containsOnlyKeys("id=2");
    assertThat(rows.get("id=2").values).containsExactly("2", "10.00");
    assertThat(rows.get("id=2").count).isEqualTo(1);
  }
}
