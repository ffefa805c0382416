package io.tributary.backfill;

import io.tributary.change.Infinity;
import io.tributary.change.SpecialDecimal;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Reads a JDBC column as the Java value Iceberg's generic records hold for a column type, equal to
 * what the stream writes for the same source value: {@code infinity} dates and timestamps as {@link
 * Infinity}'s stand-ins, {@code NaN} in a decimal column as {@link SpecialDecimal#NAN} (the row
 * cannot be stored). {@code money} is selected as {@code numeric} and intervals arrive in ISO 8601
 * ({@link RangeLoader} sets the session's {@code intervalstyle}).
 */
final class JdbcValues {
  private JdbcValues() {}

  static Object read(ResultSet rs, int column, Type type) throws SQLException {
    Object value;
    switch (type.typeId()) {
      case BOOLEAN:
        value = rs.getBoolean(column);
        break;
      case INTEGER:
        value = rs.getInt(column);
        break;
      case LONG:
        value = rs.getLong(column);
        break;
      case FLOAT:
        value = rs.getFloat(column);
        break;
      case DOUBLE:
        value = rs.getDouble(column);
        break;
      case DECIMAL:
        {
          // numeric(p,s) may hold NaN, which a decimal cannot: the caller skips such rows, as the
          // stream dead-letters their changes.
          String text = rs.getString(column);
          if (text == null) {
            value = null;
          } else if (text.equals("NaN")) {
            value = SpecialDecimal.NAN;
          } else {
            value =
                new BigDecimal(text)
                    .setScale(((Types.DecimalType) type).scale(), RoundingMode.UNNECESSARY);
          }
          break;
        }
      case STRING:
        value = rs.getString(column);
        break;
      case BINARY:
      case FIXED:
        byte[] bytes = rs.getBytes(column);
        value = bytes == null ? null : ByteBuffer.wrap(bytes);
        break;
      case DATE:
        {
          // The driver reads infinity as LocalDate.MAX; the stream stores Infinity's stand-ins.
          LocalDate date = rs.getObject(column, LocalDate.class);
          value = date == null ? null : Infinity.date(date);
          break;
        }
      case TIME:
        value = rs.getObject(column, LocalTime.class);
        break;
      case TIMESTAMP:
        if (((Types.TimestampType) type).shouldAdjustToUTC()) {
          OffsetDateTime odt = rs.getObject(column, OffsetDateTime.class);
          value =
              odt == null ? null : Infinity.timestamptz(odt).withOffsetSameInstant(ZoneOffset.UTC);
        } else {
          LocalDateTime ldt = rs.getObject(column, LocalDateTime.class);
          value = ldt == null ? null : Infinity.timestamp(ldt);
        }
        break;
      default:
        throw new IllegalArgumentException(
            "Column "
                + rs.getMetaData().getColumnName(column)
                + " has type "
                + type
                + ", which the backfill cannot load");
    }
    return rs.wasNull() ? null : value;
  }
}
