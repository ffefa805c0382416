package io.tributary.backfill;

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

/** Reads a JDBC column as the Java value Iceberg's generic records hold for a column type. */
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
        BigDecimal decimal = rs.getBigDecimal(column);
        value =
            decimal == null
                ? null
                : decimal.setScale(((Types.DecimalType) type).scale(), RoundingMode.UNNECESSARY);
        break;
      case STRING:
        value = rs.getString(column);
        break;
      case BINARY:
      case FIXED:
        byte[] bytes = rs.getBytes(column);
        value = bytes == null ? null : ByteBuffer.wrap(bytes);
        break;
      case DATE:
        value = rs.getObject(column, LocalDate.class);
        break;
      case TIME:
        value = rs.getObject(column, LocalTime.class);
        break;
      case TIMESTAMP:
        if (((Types.TimestampType) type).shouldAdjustToUTC()) {
          OffsetDateTime odt = rs.getObject(column, OffsetDateTime.class);
          value = odt == null ? null : odt.withOffsetSameInstant(ZoneOffset.UTC);
        } else {
          value = rs.getObject(column, LocalDateTime.class);
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
