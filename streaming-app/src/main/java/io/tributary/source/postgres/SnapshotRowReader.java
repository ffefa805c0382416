package io.tributary.source.postgres;

import io.debezium.connector.postgresql.PostgresType;
import io.debezium.connector.postgresql.TypeRegistry;
import io.debezium.connector.postgresql.connection.ReplicationMessageColumnValueResolver;
import io.debezium.relational.Column;
import io.debezium.relational.Table;
import io.debezium.util.ColumnUtils;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the rows of a snapshot split into the values Debezium's WAL reader produces for the same
 * rows, so that a row read by the initial snapshot and the same row streamed as a change end up
 * equal in the lake.
 *
 * <p>Flink CDC's snapshot reader takes every value from the JDBC driver's {@code getObject}, which
 * loses what the WAL path keeps: {@code time} comes as {@code java.sql.Time} (milliseconds), {@code
 * money} is parsed as a double and fails for amounts with a thousands separator, {@code date} and
 * {@code timestamp} before 1582-10-15 pass through the Julian calendar and lose their era, and an
 * unconstrained {@code numeric} may lose trailing zeros once the driver switches to binary
 * transfer. Columns of those types (also through domains) are read as text here and resolved with
 * the WAL reader's own resolver ({@link ReplicationMessageColumnValueResolver}); every other column
 * is read with {@code getObject}, as before. Plain timestamps and dates, the common case, are
 * parsed by a fast path that gives the resolver's result; anything else (eras, infinities, years
 * beyond 9999) goes to the resolver.
 */
final class SnapshotRowReader {
  /** Root type names whose values are read as text and resolved as the WAL reader does. */
  static final Set<String> TEXT_TYPES =
      Set.of(
          "time",
          "money",
          "numeric",
          "date",
          "timestamp",
          "timestamptz",
          "timestamp with time zone",
          "timestamp without time zone");

  private final Column[] columns;
  private final Reader[] readers;
  private final int width;

  private SnapshotRowReader(Column[] columns, Reader[] readers, int width) {
    this.columns = columns;
    this.readers = readers;
    this.width = width;
  }

  /** A reader for the columns of {@code rs}, a scan of {@code table}. */
  static SnapshotRowReader of(
      Table table, ResultSet rs, TypeRegistry types, boolean includeUnknownDatatypes)
      throws SQLException {
    ColumnUtils.ColumnArray columnArray = ColumnUtils.toArray(rs, table);
    Column[] columns = columnArray.getColumns();
    Reader[] readers = new Reader[columns.length];
    for (int i = 0; i < columns.length; i++) {
      readers[i] = readerFor(columns[i], types, includeUnknownDatatypes);
    }
    return new SnapshotRowReader(columns, readers, columnArray.getGreatestColumnPosition());
  }

  /** The current row of {@code rs}, indexed by column position. */
  Object[] read(ResultSet rs) throws SQLException {
    Object[] row = new Object[width];
    for (int i = 0; i < columns.length; i++) {
      row[columns[i].position() - 1] = readers[i].read(rs, i + 1);
    }
    return row;
  }

  /** Whether the column at result set index {@code index} (1-based) is read as text. */
  boolean readsAsText(int index) {
    return !(readers[index - 1] instanceof ObjectReader);
  }

  private static Reader readerFor(
      Column column, TypeRegistry types, boolean includeUnknownDatatypes) {
    PostgresType type = types.get(column.nativeType());
    if (type == null || type == PostgresType.UNKNOWN || type.isArrayType()) {
      return new ObjectReader();
    }
    String root = type.getRootType().getName();
    if (!TEXT_TYPES.contains(root)) {
      return new ObjectReader();
    }
    ResolvingReader resolver = new ResolvingReader(column, type, types, includeUnknownDatatypes);
    switch (root) {
      case "timestamp":
      case "timestamp without time zone":
        return new FastPathReader(SnapshotRowReader::plainTimestamp, resolver);
      case "timestamptz":
      case "timestamp with time zone":
        return new FastPathReader(SnapshotRowReader::plainTimestamptz, resolver);
      case "date":
        return new FastPathReader(SnapshotRowReader::plainDate, resolver);
      default:
        return resolver;
    }
  }

  /** Reads one value of a column from the current row. */
  private interface Reader {
    Object read(ResultSet rs, int index) throws SQLException;
  }

  /** The driver's value, as Flink CDC's snapshot reader reads it. */
  private static final class ObjectReader implements Reader {
    @Override
    public Object read(ResultSet rs, int index) throws SQLException {
      return rs.getObject(index);
    }
  }

  /** The text form, resolved as the WAL reader resolves it. */
  private static final class ResolvingReader implements Reader {
    private final String name;
    private final PostgresType type;
    private final String fullType;
    private final TypeRegistry types;
    private final boolean includeUnknownDatatypes;

    ResolvingReader(
        Column column, PostgresType type, TypeRegistry types, boolean includeUnknownDatatypes) {
      this.name = column.name();
      this.type = type;
      this.fullType = column.typeExpression();
      this.types = types;
      this.includeUnknownDatatypes = includeUnknownDatatypes;
    }

    @Override
    public Object read(ResultSet rs, int index) throws SQLException {
      return resolve(rs.getString(index));
    }

    Object resolve(String text) {
      if (text == null) {
        return null;
      }
      // No connection: it is only used for arrays and unknown types, which are read as objects.
      return ReplicationMessageColumnValueResolver.resolveValue(
          name, type, fullType, new WalTextValue(text), null, includeUnknownDatatypes, types);
    }
  }

  /**
   * A type whose common text form a fast parser reads; other forms (and values the parser declines
   * with null) go to the WAL reader's resolver, whose result the parser gives for the forms it
   * reads.
   */
  private static final class FastPathReader implements Reader {
    private final Function<String, Object> fast;
    private final ResolvingReader resolver;

    FastPathReader(Function<String, Object> fast, ResolvingReader resolver) {
      this.fast = fast;
      this.resolver = resolver;
    }

    @Override
    public Object read(ResultSet rs, int index) throws SQLException {
      String text = rs.getString(index);
      if (text == null) {
        return null;
      }
      Object value = fast.apply(text);
      return value != null ? value : resolver.resolve(text);
    }
  }

  /**
   * {@code yyyy-MM-dd HH:mm:ss[.f…]±HH[:mm[:ss]]} of the common era with a four-digit year as that
   * instant at offset UTC, or null for any other form, which the resolver parses.
   */
  static OffsetDateTime plainTimestamptz(String s) {
    int sign = Math.max(s.lastIndexOf('+'), s.lastIndexOf('-'));
    if (sign < 19) {
      return null;
    }
    Instant local = plainTimestamp(s.substring(0, sign));
    int length = s.length() - sign;
    if (local == null || length != 3 && length != 6 && length != 9) {
      return null;
    }
    int hours = digits(s, sign + 1, sign + 3);
    int minutes = 0;
    int seconds = 0;
    if (length >= 6) {
      minutes = s.charAt(sign + 3) == ':' ? digits(s, sign + 4, sign + 6) : -1;
    }
    if (length == 9) {
      seconds = s.charAt(sign + 6) == ':' ? digits(s, sign + 7, sign + 9) : -1;
    }
    if (hours < 0 || hours > 18 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59) {
      return null;
    }
    int offset = (hours * 3600 + minutes * 60 + seconds) * (s.charAt(sign) == '-' ? -1 : 1);
    if (Math.abs(offset) > 18 * 3600) {
      return null;
    }
    return OffsetDateTime.ofInstant(local.minusSeconds(offset), ZoneOffset.UTC);
  }

  /**
   * {@code yyyy-MM-dd HH:mm:ss[.f…]} of the common era with a four-digit year as the instant of
   * that wall time in UTC, or null for any other form (era, infinity, longer year), which the
   * resolver parses.
   */
  static Instant plainTimestamp(String s) {
    int length = s.length();
    if (length < 19 || length > 26 || s.charAt(10) != ' ') {
      return null;
    }
    if (s.charAt(13) != ':' || s.charAt(16) != ':') {
      return null;
    }
    int hour = digits(s, 11, 13);
    int minute = digits(s, 14, 16);
    int second = digits(s, 17, 19);
    if (hour < 0 || minute < 0 || second < 0 || hour > 23 || minute > 59 || second > 59) {
      return null;
    }
    int nanos = 0;
    if (length > 19) {
      if (s.charAt(19) != '.' || length == 20) {
        return null;
      }
      int fraction = digits(s, 20, length);
      if (fraction < 0) {
        return null;
      }
      for (int i = length; i < 29; i++) {
        fraction *= 10;
      }
      nanos = fraction;
    }
    LocalDate date = dateAt(s);
    if (date == null) {
      return null;
    }
    return LocalDateTime.of(date, LocalTime.of(hour, minute, second, nanos))
        .toInstant(ZoneOffset.UTC);
  }

  /** {@code yyyy-MM-dd} of the common era with a four-digit year, or null for any other form. */
  static LocalDate plainDate(String s) {
    return s.length() == 10 ? dateAt(s) : null;
  }

  /** The date {@code yyyy-MM-dd} at the start of {@code s}, or null when it is not one. */
  private static LocalDate dateAt(String s) {
    if (s.charAt(4) != '-' || s.charAt(7) != '-') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int day = digits(s, 8, 10);
    if (year <= 0
        || month < 1
        || month > 12
        || day < 1
        || day > 28 && day > YearMonth.of(year, month).lengthOfMonth()) {
      return null;
    }
    return LocalDate.of(year, month, day);
  }

  /** The decimal number in {@code s[from, to)}, or -1 when a character is not a digit. */
  private static int digits(String s, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
