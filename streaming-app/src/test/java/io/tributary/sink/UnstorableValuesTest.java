package io.tributary.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.change.ChangeEvent;
import io.tributary.change.Column;
import io.tributary.change.ColumnType;
import io.tributary.change.SourceTable;
import io.tributary.change.SpecialDecimal;
import io.tributary.change.TableId;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The values of a change the lake cannot store: NaN and ±Infinity in decimal columns. */
class UnstorableValuesTest {
  private static final SourceTable PRICES =
      new SourceTable(
          new TableId("Sales", "Prices"),
          List.of(
              new Column("Code", ColumnType.decimal(10, 0), false, "numeric"),
              new Column("note", ColumnType.of(ColumnType.Kind.STRING), true, "text"),
              new Column("amount", ColumnType.decimal(12, 2), true, "numeric"),
              new Column("rate", ColumnType.decimal(5, 4), true, "numeric")),
          new int[] {0});

  private static ChangeEvent event(Object... values) {
    return new ChangeEvent(PRICES, ChangeEvent.Op.UPDATE, values, 42L, 0L);
  }

  @Test
  void findsTheFirstDecimalColumnHoldingASpecialValue() {
    assertThat(
            UnstorableValues.specialDecimal(
                event(BigDecimal.ONE, "NaN", new BigDecimal("1.50"), new BigDecimal("0.1000"))))
        .as("text that reads NaN is a value like any other")
        .isEqualTo(-1);
    assertThat(
            UnstorableValues.specialDecimal(
                event(BigDecimal.ONE, null, SpecialDecimal.POSITIVE_INFINITY, SpecialDecimal.NAN)))
        .isEqualTo(2);
    assertThat(
            UnstorableValues.specialDecimal(
                event(SpecialDecimal.NAN, null, null, SpecialDecimal.NEGATIVE_INFINITY)))
        .isEqualTo(0);
  }

  @Test
  void leavesOutEverySpecialValueAndKeepsTheOthers() {
    ChangeEvent event =
        event(BigDecimal.TEN, "kept", SpecialDecimal.NAN, SpecialDecimal.NEGATIVE_INFINITY);
    assertThat(UnstorableValues.withoutSpecialDecimals(event))
        .containsExactly(BigDecimal.TEN, "kept", null, null);
    assertThat(event.value(2)).as("the change itself is unchanged").isSameAs(SpecialDecimal.NAN);
  }

  @Test
  void tellsKeyColumnsFromOthers() {
    assertThat(UnstorableValues.isKey(PRICES, 0)).isTrue();
    assertThat(UnstorableValues.isKey(PRICES, 2)).isFalse();
    assertThat(UnstorableValues.isKey(PRICES, -1)).isFalse();
  }

  @Test
  void theReasonNamesTheColumnTheValueAndTheLakeType() {
    ChangeEvent event = event(BigDecimal.ONE, null, null, SpecialDecimal.POSITIVE_INFINITY);
    assertThat(UnstorableValues.reason(PRICES, 3, event))
        .startsWith("column 'rate' holds " + SpecialDecimal.name(SpecialDecimal.POSITIVE_INFINITY))
        .contains("decimal(5, 4) cannot hold")
        .contains("set a number or NULL at the source");
  }
}
