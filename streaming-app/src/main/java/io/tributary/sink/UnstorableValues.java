package io.tributary.sink;

import io.tributary.change.ChangeEvent;
import io.tributary.change.Column;
import io.tributary.change.SourceTable;
import io.tributary.change.SpecialDecimal;

/**
 * Values a change carries that the lake cannot store: a decimal column holding NaN or ±Infinity
 * ({@link SpecialDecimal}), which PostgreSQL's {@code numeric} allows and Iceberg's {@code decimal}
 * does not. A change holding one goes to the dead letters, unless it is a delete, which needs only
 * the key.
 */
final class UnstorableValues {
  private UnstorableValues() {}

  /** The first decimal column holding NaN or ±Infinity ({@link SpecialDecimal}), or -1. */
  static int specialDecimal(ChangeEvent event) {
    for (int i : event.table().decimalIndexes()) {
      if (SpecialDecimal.name(event.value(i)) != null) {
        return i;
      }
    }
    return -1;
  }

  /** Whether the column is one of the table's key columns. */
  static boolean isKey(SourceTable source, int column) {
    for (int key : source.keyIndexes()) {
      if (key == column) {
        return true;
      }
    }
    return false;
  }

  /** The change's values with null in place of each special decimal. */
  static Object[] withoutSpecialDecimals(ChangeEvent event) {
    Object[] values = event.values().clone();
    for (int i = 0; i < values.length; i++) {
      if (SpecialDecimal.name(values[i]) != null) {
        values[i] = null;
      }
    }
    return values;
  }

  /** The dead-letter reason of a change whose column holds a special decimal. */
  static String reason(SourceTable source, int column, ChangeEvent event) {
    Column c = source.columns().get(column);
    return "column '"
        + c.name()
        + "' holds "
        + SpecialDecimal.name(event.value(column))
        + ", which the lake's decimal("
        + c.type().precision()
        + ", "
        + c.type().scale()
        + ") cannot hold: this change is not applied, the row keeps its previous version in the"
        + " lake; set a number or NULL at the source (the next change of the row applies as"
        + " usual)";
  }
}
