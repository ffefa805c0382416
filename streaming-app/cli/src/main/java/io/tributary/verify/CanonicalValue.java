package io.tributary.verify;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The text form of a value that is equal for equal values on both sides: a value read from the
 * source over JDBC and the same value read from the lake.
 */
final class CanonicalValue {
  private CanonicalValue() {}

  /** A text form that is equal for equal values on both sides. */
  static String of(Object value, Type type) {
    if (value == null) {
      return "\u0000null";
    }
    switch (type.typeId()) {
      case INTEGER:
      case LONG:
        return Long.toString(((Number) value).longValue());
      case FLOAT:
        return Float.toString(((Number) value).floatValue());
      case DOUBLE:
        return Double.toString(((Number) value).doubleValue());
      case DECIMAL:
        if (!(value instanceof BigDecimal)) {
          return value.toString();
        }
        return ((BigDecimal) value)
            .setScale(((Types.DecimalType) type).scale(), RoundingMode.UNNECESSARY)
            .toPlainString();
      case BINARY:
        {
          byte[] bytes;
          if (value instanceof ByteBuffer) {
            ByteBuffer b = ((ByteBuffer) value).duplicate();
            bytes = new byte[b.remaining()];
            b.get(bytes);
          } else {
            bytes = (byte[]) value;
          }
          return Base64.getEncoder().encodeToString(bytes);
        }
      case TIMESTAMP:
        if (value instanceof OffsetDateTime) {
          return ((OffsetDateTime) value).withOffsetSameInstant(ZoneOffset.UTC).toString();
        }
        return value.toString();
      default:
        return value.toString();
    }
  }
}
