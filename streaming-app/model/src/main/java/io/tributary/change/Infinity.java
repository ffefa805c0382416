package io.tributary.change;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * How PostgreSQL's {@code infinity} and {@code -infinity} dates and timestamps are stored: Iceberg
 * has no infinite values, so they become fixed instants outside the range of PostgreSQL (from 4713
 * BC) or of Iceberg (microseconds in 64 bits: to 294247 AD), which no real value can have: {@code
 * 294247-01-01 00:00} and {@code -4713-01-01 00:00} (proleptic year -4713, that is 4714 BC).
 * Debezium's own stand-ins for the infinities are recognised and mapped to these.
 */
public final class Infinity {
  /** {@code infinity} as a date. */
  public static final LocalDate DATE_MAX = LocalDate.of(294247, 1, 1);

  /** {@code -infinity} as a date. */
  public static final LocalDate DATE_MIN = LocalDate.of(-4713, 1, 1);

  /** {@code infinity} as a timestamp. */
  public static final LocalDateTime TIMESTAMP_MAX = DATE_MAX.atStartOfDay();

  /** {@code -infinity} as a timestamp. */
  public static final LocalDateTime TIMESTAMP_MIN = DATE_MIN.atStartOfDay();

  /** {@code infinity} as a timestamp with time zone. */
  public static final OffsetDateTime TIMESTAMPTZ_MAX = TIMESTAMP_MAX.atOffset(ZoneOffset.UTC);

  /** {@code -infinity} as a timestamp with time zone. */
  public static final OffsetDateTime TIMESTAMPTZ_MIN = TIMESTAMP_MIN.atOffset(ZoneOffset.UTC);

  private Infinity() {}

  /** A date, with values beyond PostgreSQL's range taken as the infinities. */
  public static LocalDate date(LocalDate d) {
    if (d.isAfter(DATE_MAX)) {
      return DATE_MAX;
    }
    return d.isBefore(DATE_MIN) ? DATE_MIN : d;
  }

  /** A timestamp, with values beyond PostgreSQL's range taken as the infinities. */
  public static LocalDateTime timestamp(LocalDateTime t) {
    if (t.isAfter(TIMESTAMP_MAX)) {
      return TIMESTAMP_MAX;
    }
    return t.isBefore(TIMESTAMP_MIN) ? TIMESTAMP_MIN : t;
  }

  /** A timestamp with time zone, with values beyond PostgreSQL's range taken as the infinities. */
  public static OffsetDateTime timestamptz(OffsetDateTime t) {
    if (t.isAfter(TIMESTAMPTZ_MAX)) {
      return TIMESTAMPTZ_MAX;
    }
    return t.isBefore(TIMESTAMPTZ_MIN) ? TIMESTAMPTZ_MIN : t;
  }
}
