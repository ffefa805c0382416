package io.tributary.change;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Objects;

/**
 * One captured row change: the table's schema, the operation, the row values typed by that schema,
 * and where the change came from (source position and commit time).
 *
 * <p>For {@link Op#DELETE} the values are the before-image, in which only the key columns are
 * guaranteed to be filled (PostgreSQL's {@code REPLICA IDENTITY DEFAULT} sends only the key).
 * Values are Java objects of the column kind's representation, see {@link ColumnType.Kind}.
 */
public final class ChangeEvent {

  /** What happened to the row. */
  public enum Op {
    /** Read by the initial snapshot; no earlier version of the row can exist in the target. */
    SNAPSHOT("r"),
    /** Inserted at the source. */
    INSERT("c"),
    /** Updated at the source; the values are the after-image with an unchanged key. */
    UPDATE("u"),
    /** Deleted at the source; the values are the before-image. */
    DELETE("d"),
    /**
     * The table was truncated at the source. The event's table has no columns and it has no values;
     * it stands for every row of the table at its source position.
     */
    TRUNCATE("t");

    private final String code;

    Op(String code) {
      this.code = code;
    }

    /** The one-letter code stored in the {@code _op} column ({@code r, c, u, d}). */
    public String code() {
      return code;
    }
  }

  private final SourceTable table;
  private final Op op;
  private final Object[] values;
  private final long lsn;
  private final long schemaLsn;
  private final long sourceTsMicros;
  private final boolean[] unchanged;
  private final Object[] previousKey;

  public ChangeEvent(SourceTable table, Op op, Object[] values, long lsn, long sourceTsMicros) {
    this(table, op, values, lsn, sourceTsMicros, null);
  }

  /**
   * An insert that is the new row of an update which changed the key: {@code previousKey} holds the
   * key values before the update, in key order, so that unchanged columns can be taken from the row
   * stored under that key.
   */
  public ChangeEvent(
      SourceTable table,
      Op op,
      Object[] values,
      long lsn,
      long sourceTsMicros,
      boolean[] unchanged,
      Object[] previousKey) {
    this.table = Objects.requireNonNull(table, "table");
    this.op = Objects.requireNonNull(op, "op");
    this.values = Objects.requireNonNull(values, "values");
    if (values.length != table.columns().size()) {
      throw new IllegalArgumentException(
          "Event for "
              + table.id()
              + " has "
              + values.length
              + " values but the table has "
              + table.columns().size()
              + " columns");
    }
    this.lsn = lsn;
    this.schemaLsn = lsn;
    this.sourceTsMicros = sourceTsMicros;
    boolean any = false;
    if (unchanged != null) {
      if (unchanged.length != values.length) {
        throw new IllegalArgumentException("Unchanged flags do not match the columns of " + table);
      }
      for (int i = 0; i < unchanged.length; i++) {
        any |= unchanged[i];
        if (unchanged[i] && values[i] != null) {
          throw new IllegalArgumentException("An unchanged column must have no value");
        }
      }
    }
    this.unchanged = any ? unchanged.clone() : null;
    if (previousKey != null && previousKey.length != table.keySize()) {
      throw new IllegalArgumentException("The previous key does not match the key of " + table);
    }
    this.previousKey = previousKey;
  }

  private ChangeEvent(ChangeEvent event, Object[] values, boolean[] unchanged, long schemaLsn) {
    this.table = event.table;
    this.op = event.op;
    this.values = values;
    this.lsn = event.lsn;
    this.schemaLsn = schemaLsn;
    this.sourceTsMicros = event.sourceTsMicros;
    this.unchanged = unchanged;
    this.previousKey = event.previousKey;
  }

  /**
   * An event some of whose columns the source did not send because they did not change (an
   * unchanged TOASTed value under {@code REPLICA IDENTITY DEFAULT}): {@code unchanged[i]} marks
   * column {@code i}, whose value is then null here and must be taken from the stored row.
   *
   * @param unchanged one flag per column, or null when every column was sent
   */
  public ChangeEvent(
      SourceTable table,
      Op op,
      Object[] values,
      long lsn,
      long sourceTsMicros,
      boolean[] unchanged) {
    this(table, op, values, lsn, sourceTsMicros, unchanged, null);
  }

  /**
   * The key values before an update that changed the key (this event is then the insert of the new
   * row), in key order; null otherwise.
   */
  public Object[] previousKey() {
    return previousKey;
  }

  /** Whether some column was not sent because it did not change; see {@link #isUnchanged}. */
  public boolean hasUnchanged() {
    return unchanged != null;
  }

  /** Whether column {@code index} was not sent because it did not change. */
  public boolean isUnchanged(int index) {
    return unchanged != null && unchanged[index];
  }

  /** The same change with the given complete values and no unchanged columns. */
  public ChangeEvent withValues(Object[] completeValues) {
    return new ChangeEvent(table, op, completeValues, lsn, sourceTsMicros, null)
        .withSchemaLsn(schemaLsn);
  }

  /**
   * The same change with the source position at which its schema ({@link #table()}) is known to
   * hold; see {@link #schemaLsn()}.
   */
  public ChangeEvent withSchemaLsn(long position) {
    return position == schemaLsn ? this : new ChangeEvent(this, values, unchanged, position);
  }

  public SourceTable table() {
    return table;
  }

  public Op op() {
    return op;
  }

  /** The row values in column order; do not modify. */
  public Object[] values() {
    return values;
  }

  public Object value(int index) {
    return values[index];
  }

  /** The source position (PostgreSQL LSN), or -1 when unknown (snapshot rows). */
  public long lsn() {
    return lsn;
  }

  /**
   * The source position at which the event's schema is known to hold, or -1 when unknown: a
   * change's own position; for a snapshot row (which has no position of its own) the position read
   * right after the schema its split was read with, so that the writer can tell a column the
   * snapshot saw from a column the source dropped (a change streamed from before that position
   * without the column is older than the schema, not a drop).
   */
  public long schemaLsn() {
    return schemaLsn;
  }

  /** The source commit time in microseconds since the epoch, or -1 when unknown. */
  public long sourceTsMicros() {
    return sourceTsMicros;
  }

  /**
   * A hash of the table and the key values that is the same in every JVM, so that every change of
   * one key goes to the same writer.
   */
  public int routingHash() {
    int hash = table.id().hashCode();
    for (int i = 0; i < table.keySize(); i++) {
      hash = 31 * hash + stableHash(values[table.keyIndex(i)]);
    }
    return hash;
  }

  /**
   * The hash of one key value, equal for every representation a widened column can give the same
   * value: {@code smallint}, {@code int}, {@code bigint} and integral {@code numeric} values hash
   * as the same {@code long}, {@code real} as the same {@code double}, and {@code numeric} values
   * ignore trailing zeros. A key column widened at the source while changes of the old type are
   * still in flight thus keeps every change of one key on one writer.
   */
  static int stableHash(Object value) {
    if (value == null) {
      return 0;
    }
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      return Long.hashCode(((Number) value).longValue());
    }
    if (value instanceof Float) {
      return Double.hashCode(((Float) value).doubleValue());
    }
    if (value instanceof byte[]) {
      return Arrays.hashCode((byte[]) value);
    }
    if (value instanceof BigDecimal) {
      BigDecimal decimal = ((BigDecimal) value).stripTrailingZeros();
      if (decimal.scale() <= 0 && decimal.toBigInteger().bitLength() < 64) {
        return Long.hashCode(decimal.longValue());
      }
      return decimal.hashCode();
    }
    return value.hashCode();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ChangeEvent)) {
      return false;
    }
    ChangeEvent that = (ChangeEvent) o;
    return lsn == that.lsn
        && schemaLsn == that.schemaLsn
        && sourceTsMicros == that.sourceTsMicros
        && op == that.op
        && table.equals(that.table)
        && Arrays.deepEquals(values, that.values)
        && Arrays.equals(unchanged, that.unchanged)
        && Arrays.deepEquals(previousKey, that.previousKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(table.id(), op, lsn);
  }

  /** Names the table, operation and position; never the row values. */
  @Override
  public String toString() {
    return "ChangeEvent{" + table.id() + " " + op + " lsn=" + lsn + "}";
  }
}
