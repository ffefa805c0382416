package io.tributary.verify;

import io.tributary.change.Infinity;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Reads the source side of a comparison: a PostgreSQL table's columns, and its rows over JDBC as
 * values of the types their lake columns hold.
 */
final class SourceTableReader {
  private final Connection source;
  private final String sourceTable;

  /**
   * @param source a connection to the source database
   * @param sourceTable the quoted source table name, e.g. {@code "public"."orders"}
   */
  SourceTableReader(Connection source, String sourceTable) {
    this.source = source;
    this.sourceTable = sourceTable;
  }

  /** The source columns' names and type names, in the table's column order. */
  Map<String, String> columns() throws SQLException {
    Map<String, String> types = new LinkedHashMap<>();
    try (PreparedStatement st =
        source.prepareStatement(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid ="
                + " ?::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
      st.setString(1, sourceTable);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          types.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return types;
  }

  /** Reads every row of the compared columns, in one transaction, into a tally. */
  void scan(List<ComparedColumn> columns, RowTally tally) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < columns.size(); i++) {
      ComparedColumn column = columns.get(i);
      sql.append(i == 0 ? "" : ", ").append(quote(column.sourceName()));
      if ("money".equals(column.sourceType())) {
        // The driver reads money only as text with a currency symbol.
        sql.append("::numeric");
      }
    }
    if (columns.isEmpty()) {
      sql.append("1");
    }
    sql.append(" FROM ").append(sourceTable);
    boolean autoCommit = source.getAutoCommit();
    source.setAutoCommit(false);
    try (Statement style = source.createStatement()) {
      // Intervals are stored as ISO 8601 durations.
      style.execute("SET intervalstyle = iso_8601");
    }
    try (PreparedStatement st = source.prepareStatement(sql.toString())) {
      st.setFetchSize(10_000);
      try (ResultSet rs = st.executeQuery()) {
        Object[] values = new Object[columns.size()];
        while (rs.next()) {
          for (int i = 0; i < values.length; i++) {
            values[i] = jdbcValue(rs, i + 1, columns.get(i).type());
          }
          tally.accept(values, 1);
        }
      }
      source.commit();
    } finally {
      source.setAutoCommit(autoCommit);
    }
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  private static Object jdbcValue(ResultSet rs, int index, Type type) throws SQLException {
    switch (type.typeId()) {
      case DATE:
        {
          // The driver reads infinity as LocalDate.MAX and -infinity as LocalDate.MIN.
          LocalDate d = rs.getObject(index, LocalDate.class);
          return d == null ? null : Infinity.date(d);
        }
      case TIME:
        return rs.getObject(index, LocalTime.class);
      case TIMESTAMP:
        if (((Types.TimestampType) type).shouldAdjustToUTC()) {
          OffsetDateTime t = rs.getObject(index, OffsetDateTime.class);
          return t == null ? null : Infinity.timestamptz(t);
        } else {
          LocalDateTime t = rs.getObject(index, LocalDateTime.class);
          return t == null ? null : Infinity.timestamp(t);
        }
      case BINARY:
        return rs.getBytes(index);
      case STRING:
        return rs.getString(index);
      case DECIMAL:
        {
          // numeric(p,s) may hold NaN, which the lake cannot (such changes are dead letters):
          // its text never equals a lake value, so the row is reported as different.
          String text = rs.getString(index);
          if (text == null) {
            return null;
          }
          return text.equals("NaN") ? text : new BigDecimal(text);
        }
      case BOOLEAN:
        {
          boolean v = rs.getBoolean(index);
          return rs.wasNull() ? null : v;
        }
      case FLOAT:
        {
          float v = rs.getFloat(index);
          return rs.wasNull() ? null : v;
        }
      case DOUBLE:
        {
          double v = rs.getDouble(index);
          return rs.wasNull() ? null : v;
        }
      case INTEGER:
      case LONG:
        {
          long v = rs.getLong(index);
          return rs.wasNull() ? null : v;
        }
      default:
        return rs.getString(index);
    }
  }
}
