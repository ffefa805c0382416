package io.tributary.change;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The {@code numeric} values {@code NaN}, {@code Infinity} and {@code -Infinity} inside a change
 * event's decimal column. PostgreSQL allows them in {@code numeric(p,s)}; an Iceberg decimal cannot
 * hold them, so the writer sends such a change to the dead letters instead of failing the job.
 *
 * <p>They travel as {@link BigDecimal}s with {@link #SCALE}, a scale no decimal column has (column
 * scales are 0 to 38), so they pass through the event's serializer unchanged and are told apart
 * from every number by their scale alone.
 */
public final class SpecialDecimal {
  /** The scale that marks a special value. */
  public static final int SCALE = -100;

  /** {@code NaN}. */
  public static final BigDecimal NAN = new BigDecimal(BigInteger.ZERO, SCALE);

  /** {@code Infinity}. */
  public static final BigDecimal POSITIVE_INFINITY = new BigDecimal(BigInteger.ONE, SCALE);

  /** {@code -Infinity}. */
  public static final BigDecimal NEGATIVE_INFINITY = new BigDecimal(BigInteger.ONE.negate(), SCALE);

  private SpecialDecimal() {}

  /**
   * PostgreSQL's text for a special value ({@code NaN}, {@code Infinity}, {@code -Infinity}), or
   * null.
   */
  public static String name(Object value) {
    if (!(value instanceof BigDecimal) || ((BigDecimal) value).scale() != SCALE) {
      return null;
    }
    switch (((BigDecimal) value).signum()) {
      case 0:
        return "NaN";
      case 1:
        return "Infinity";
      default:
        return "-Infinity";
    }
  }
}
