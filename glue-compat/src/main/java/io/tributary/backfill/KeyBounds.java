package io.tributary.backfill;

import io.tributary.glue.ArgumentException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.Comparator;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Comparators;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The key range of a partial reload: both ends inclusive, either open, on a table whose key is one
 * column of an integer, text or numeric type. Source and lake agree on the order: text compares by
 * code point at both ({@code COLLATE "C"} at the source, Iceberg's own order in the lake).
 */
final class KeyBounds implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String field;
  private final Type.TypeID type;
  private final Object from;
  private final Object to;

  private KeyBounds(String field, Type.TypeID type, Object from, Object to) {
    this.field = field;
    this.type = type;
    this.from = from;
    this.to = to;
  }

  /**
   * The bounds {@code --key-from} and {@code --key-to} give for the table's key, or null when
   * neither is given (the whole table).
   */
  static KeyBounds of(Schema schema, String qualified, String fromText, String toText) {
    if (fromText == null && toText == null) {
      return null;
    }
    if (schema.identifierFieldIds().size() != 1) {
      throw new ArgumentException(
          qualified
              + " has a key of "
              + schema.identifierFieldIds().size()
              + " columns; "
              + BackfillOptions.KEY_FROM
              + " and "
              + BackfillOptions.KEY_TO
              + " need a key of one column: reload the whole table without them");
    }
    Types.NestedField key = schema.findField(schema.identifierFieldIds().iterator().next());
    Type.TypeID type = key.type().typeId();
    if (type != Type.TypeID.INTEGER
        && type != Type.TypeID.LONG
        && type != Type.TypeID.STRING
        && type != Type.TypeID.DECIMAL) {
      throw new ArgumentException(
          "The key "
              + key.name()
              + " of "
              + qualified
              + " is of type "
              + key.type()
              + "; a partial reload takes an integer, text or numeric key: reload the whole table"
              + " without "
              + BackfillOptions.KEY_FROM
              + " and "
              + BackfillOptions.KEY_TO);
    }
    KeyBounds bounds =
        new KeyBounds(
            key.name(),
            type,
            parse(fromText, type, BackfillOptions.KEY_FROM),
            parse(toText, type, BackfillOptions.KEY_TO));
    if (bounds.from != null && bounds.to != null && bounds.compare(bounds.from, bounds.to) > 0) {
      throw new ArgumentException(
          BackfillOptions.KEY_FROM
              + " "
              + fromText
              + " is above "
              + BackfillOptions.KEY_TO
              + " "
              + toText
              + ": give the lower end first");
    }
    return bounds;
  }

  private static Object parse(String text, Type.TypeID type, String argument) {
    if (text == null) {
      return null;
    }
    try {
      switch (type) {
        case INTEGER:
        case LONG:
          return Long.parseLong(text.trim());
        case DECIMAL:
          return new BigDecimal(text.trim());
        default:
          return text;
      }
    } catch (NumberFormatException e) {
      throw new ArgumentException(
          argument + " '" + text + "' is not a number, and the table's key is numeric");
    }
  }

  /** The range as a SQL condition on the source's (quoted) key column. */
  String sqlCondition(String quotedColumn) {
    StringBuilder sql = new StringBuilder();
    String column = type == Type.TypeID.STRING ? quotedColumn + " COLLATE \"C\"" : quotedColumn;
    if (from != null) {
      sql.append(column).append(" >= ").append(sqlLiteral(from));
    }
    if (to != null) {
      if (sql.length() > 0) {
        sql.append(" AND ");
      }
      sql.append(column).append(" <= ").append(sqlLiteral(to));
    }
    return sql.toString();
  }

  private String sqlLiteral(Object value) {
    if (value instanceof String) {
      return "'" + ((String) value).replace("'", "''") + "'";
    }
    return value instanceof BigDecimal ? ((BigDecimal) value).toPlainString() : value.toString();
  }

  /** The range as an Iceberg filter, for skipping files whose key bounds lie outside it. */
  Expression filter() {
    Expression expression = Expressions.alwaysTrue();
    if (type == Type.TypeID.DECIMAL) {
      // A decimal literal binds only at the column's scale; no file is skipped.
      return expression;
    }
    if (from != null) {
      expression = Expressions.and(expression, Expressions.greaterThanOrEqual(field, from));
    }
    if (to != null) {
      expression = Expressions.and(expression, Expressions.lessThanOrEqual(field, to));
    }
    return expression;
  }

  /** Whether a key, as read from a data file (one field), lies in the range. */
  boolean contains(StructLike key) {
    Object value = key.get(0, Object.class);
    if (value == null) {
      return false;
    }
    return (from == null || compare(value, from) >= 0) && (to == null || compare(value, to) <= 0);
  }

  private int compare(Object a, Object b) {
    switch (type) {
      case INTEGER:
      case LONG:
        return Long.compare(((Number) a).longValue(), ((Number) b).longValue());
      case DECIMAL:
        return ((BigDecimal) a).compareTo((BigDecimal) b);
      default:
        Comparator<CharSequence> order = Comparators.charSequences();
        return order.compare((CharSequence) a, (CharSequence) b);
    }
  }

  /** The range as the report and the log show it. */
  @Override
  public String toString() {
    return field
        + " from "
        + (from == null ? "the lowest" : from)
        + " to "
        + (to == null ? "the highest" : to);
  }
}
