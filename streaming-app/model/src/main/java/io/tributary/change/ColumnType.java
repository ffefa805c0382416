package io.tributary.change;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * The type of a source column as Tributary models it: a kind plus, for decimals, precision and
 * scale. Every source type maps to exactly one of these; {@code docs/type-mapping.md} lists how.
 */
public final class ColumnType implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The kinds of value a column can hold, each with one Java representation in a change event. */
  public enum Kind {
    /** {@link Boolean}. */
    BOOLEAN,
    /** {@link Integer}: int2 and int4. */
    INT,
    /** {@link Long}: int8. */
    LONG,
    /** {@link Float}: real. */
    FLOAT,
    /** {@link Double}: double precision. */
    DOUBLE,
    /** {@link java.math.BigDecimal} with the column's scale: numeric(p,s) with p up to 38. */
    DECIMAL,
    /**
     * {@link String}: text, varchar, char, json, jsonb, uuid, xml and anything without a closer
     * type.
     */
    STRING,
    /** {@code byte[]}: bytea. */
    BINARY,
    /** {@link java.time.LocalDate}. */
    DATE,
    /** {@link java.time.LocalTime} with microseconds. */
    TIME,
    /** {@link java.time.LocalDateTime} with microseconds: timestamp without time zone. */
    TIMESTAMP,
    /** {@link java.time.OffsetDateTime} in UTC with microseconds: timestamp with time zone. */
    TIMESTAMPTZ
  }

  private static final ColumnType[] SIMPLE = new ColumnType[Kind.values().length];

  static {
    for (Kind kind : Kind.values()) {
      SIMPLE[kind.ordinal()] = new ColumnType(kind, 0, 0);
    }
  }

  private final Kind kind;
  private final int precision;
  private final int scale;

  private ColumnType(Kind kind, int precision, int scale) {
    this.kind = kind;
    this.precision = precision;
    this.scale = scale;
  }

  /** A type without parameters. */
  public static ColumnType of(Kind kind) {
    if (kind == Kind.DECIMAL) {
      throw new IllegalArgumentException("DECIMAL needs precision and scale: use decimal(p, s)");
    }
    return SIMPLE[kind.ordinal()];
  }

  /** A decimal type; precision 1..38 and 0 &lt;= scale &lt;= precision. */
  public static ColumnType decimal(int precision, int scale) {
    if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
      throw new IllegalArgumentException(
          "decimal(" + precision + ", " + scale + ") is out of range: precision 1..38, scale 0..p");
    }
    return new ColumnType(Kind.DECIMAL, precision, scale);
  }

  public Kind kind() {
    return kind;
  }

  public int precision() {
    return precision;
  }

  public int scale() {
    return scale;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ColumnType)) {
      return false;
    }
    ColumnType that = (ColumnType) o;
    return kind == that.kind && precision == that.precision && scale == that.scale;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, precision, scale);
  }

  @Override
  public String toString() {
    return kind == Kind.DECIMAL
        ? "decimal(" + precision + ", " + scale + ")"
        : kind.name().toLowerCase(Locale.ROOT);
  }
}
