package io.tributary.source.debezium;

import io.tributary.change.ColumnType;
import io.tributary.change.Infinity;
import io.tributary.change.SpecialDecimal;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Date;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Decimal;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Schema;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Struct;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Time;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Timestamp;

/**
 * How the values of Debezium's fields become Tributary values: the {@link ColumnType} of a field
 * schema, and the {@link ValueConverter} of its raw values (dates and times with PostgreSQL's
 * infinities, decimals, bits, intervals, points, hstore, arrays, types Debezium does not know).
 */
final class ValueConverters {
  static final String SOURCE_TYPE_PARAM = "__debezium.source.column.type";
  static final String SOURCE_LENGTH_PARAM = "__debezium.source.column.length";
  static final String SOURCE_SCALE_PARAM = "__debezium.source.column.scale";
  private static final int MAX_BIT_LENGTH = 83_886_080;
  private static final long DEBEZIUM_DATE_INFINITY = -2147472692L;
  private static final long DEBEZIUM_DATE_MINUS_INFINITY = -2147472691L;
  private static final long INFINITY_SECONDS = Infinity.TIMESTAMP_MAX.toEpochSecond(ZoneOffset.UTC);
  private static final long MINUS_INFINITY_SECONDS =
      Infinity.TIMESTAMP_MIN.toEpochSecond(ZoneOffset.UTC);

  private ValueConverters() {}

  static String sourceTypeName(Schema schema) {
    Map<String, String> params = schema.parameters();
    if (params == null) {
      return "";
    }
    String type = params.get(SOURCE_TYPE_PARAM);
    return type == null ? "" : type.toLowerCase(Locale.ROOT);
  }

  /** The column type of a Debezium field schema (by its logical name, else its type). */
  static ColumnType columnType(Schema schema) {
    String logical = schema.name();
    if (logical != null) {
      // Kafka Connect's own logical names are relocated with the connector's shaded classes.
      if (logical.equals(Decimal.LOGICAL_NAME)) {
        logical = "org.apache.kafka.connect.data.Decimal";
      } else if (logical.equals(Date.LOGICAL_NAME)) {
        logical = "org.apache.kafka.connect.data.Date";
      } else if (logical.equals(Time.LOGICAL_NAME)) {
        logical = "org.apache.kafka.connect.data.Time";
      } else if (logical.equals(Timestamp.LOGICAL_NAME)) {
        logical = "org.apache.kafka.connect.data.Timestamp";
      }
      switch (logical) {
        case "io.debezium.time.Date":
        case "org.apache.kafka.connect.data.Date":
          return ColumnType.of(ColumnType.Kind.DATE);
        case "io.debezium.time.Time":
        case "io.debezium.time.MicroTime":
        case "io.debezium.time.NanoTime":
        case "org.apache.kafka.connect.data.Time":
          return ColumnType.of(ColumnType.Kind.TIME);
        case "io.debezium.time.Timestamp":
        case "io.debezium.time.MicroTimestamp":
        case "io.debezium.time.NanoTimestamp":
        case "org.apache.kafka.connect.data.Timestamp":
          return ColumnType.of(ColumnType.Kind.TIMESTAMP);
        case "io.debezium.time.ZonedTimestamp":
          return ColumnType.of(ColumnType.Kind.TIMESTAMPTZ);
        case "org.apache.kafka.connect.data.Decimal":
          {
            Map<String, String> params = schema.parameters();
            int scale = Integer.parseInt(params.get("scale"));
            String p = params.get("connect.decimal.precision");
            if (p == null) {
              p = params.get(SOURCE_LENGTH_PARAM);
            }
            int precision = p == null ? 38 : Integer.parseInt(p);
            if ("money".equalsIgnoreCase(sourceTypeName(schema))) {
              // money is a 64-bit integer count of cents: at most 19 digits.
              precision = 19;
            }
            if (precision <= 38 && scale <= precision && scale >= 0) {
              return ColumnType.decimal(precision, scale);
            }
            return ColumnType.of(ColumnType.Kind.STRING);
          }
        case "io.debezium.data.VariableScaleDecimal":
        case "io.debezium.data.Bits":
          return ColumnType.of(ColumnType.Kind.STRING);
        default:
          break;
      }
    }
    switch (schema.type()) {
      case BOOLEAN:
        return ColumnType.of(ColumnType.Kind.BOOLEAN);
      case INT8:
      case INT16:
      case INT32:
        return ColumnType.of(ColumnType.Kind.INT);
      case INT64:
        return ColumnType.of(ColumnType.Kind.LONG);
      case FLOAT32:
        return ColumnType.of(ColumnType.Kind.FLOAT);
      case FLOAT64:
        return ColumnType.of(ColumnType.Kind.DOUBLE);
      case BYTES:
        {
          String source = sourceTypeName(schema);
          // Types Debezium does not know arrive as the bytes of their text form.
          return source.isEmpty() || source.equals("bytea")
              ? ColumnType.of(ColumnType.Kind.BINARY)
              : ColumnType.of(ColumnType.Kind.STRING);
        }
      default:
        return ColumnType.of(ColumnType.Kind.STRING);
    }
  }

  /** The converter of a field's raw values into values of its column type. */
  static ValueConverter valueConverter(Schema schema, ColumnType type) {
    String logical = schema.name() == null ? "" : schema.name();
    switch (type.kind()) {
      case BOOLEAN:
        return raw -> raw;
      case INT:
        return raw -> raw instanceof Integer ? raw : ((Number) raw).intValue();
      case LONG:
        return raw -> ((Number) raw).longValue();
      case FLOAT:
        return raw -> ((Number) raw).floatValue();
      case DOUBLE:
        return raw -> ((Number) raw).doubleValue();
      case DECIMAL:
        {
          int scale = type.scale();
          return raw -> {
            BigDecimal d = (BigDecimal) raw;
            // A SpecialDecimal (NaN, ±Infinity) keeps its marking scale: the writer dead-letters
            // it.
            return d.scale() == scale || d.scale() == SpecialDecimal.SCALE
                ? d
                : d.setScale(scale, RoundingMode.UNNECESSARY);
          };
        }
      case BINARY:
        return raw -> {
          if (raw instanceof byte[]) {
            return raw;
          }
          ByteBuffer buffer = ((ByteBuffer) raw).duplicate();
          byte[] bytes = new byte[buffer.remaining()];
          buffer.get(bytes);
          return bytes;
        };
      case DATE:
        return raw -> {
          if (raw instanceof java.util.Date) {
            return Infinity.date(
                ((java.util.Date) raw).toInstant().atZone(ZoneOffset.UTC).toLocalDate());
          }
          long days = ((Number) raw).longValue();
          // What Debezium sends for 'infinity' and '-infinity' (overflowed day counts).
          if (days == DEBEZIUM_DATE_INFINITY) {
            return Infinity.DATE_MAX;
          }
          if (days == DEBEZIUM_DATE_MINUS_INFINITY) {
            return Infinity.DATE_MIN;
          }
          if (days > Infinity.DATE_MAX.toEpochDay()) {
            return Infinity.DATE_MAX;
          }
          return days < Infinity.DATE_MIN.toEpochDay()
              ? Infinity.DATE_MIN
              : LocalDate.ofEpochDay(days);
        };
      case TIME:
        {
          long nanosPerUnit;
          if (logical.equals("io.debezium.time.MicroTime")) {
            nanosPerUnit = 1_000L;
          } else if (logical.equals("io.debezium.time.NanoTime")) {
            nanosPerUnit = 1L;
          } else {
            nanosPerUnit = 1_000_000L;
          }
          return raw -> {
            if (raw instanceof java.util.Date) {
              return LocalTime.ofNanoOfDay(((java.util.Date) raw).getTime() * 1_000_000L);
            }
            long nanos = ((Number) raw).longValue() * nanosPerUnit;
            // PostgreSQL allows 24:00:00; Iceberg's time cannot hold it.
            return LocalTime.ofNanoOfDay(
                Math.min(nanos, LocalTime.MAX.toNanoOfDay() / 1000 * 1000));
          };
        }
      case TIMESTAMP:
        {
          long nanosPerUnit;
          if (logical.equals("io.debezium.time.MicroTimestamp")) {
            nanosPerUnit = 1_000L;
          } else if (logical.equals("io.debezium.time.NanoTimestamp")) {
            nanosPerUnit = 1L;
          } else {
            nanosPerUnit = 1_000_000L;
          }
          return raw -> {
            if (raw instanceof java.util.Date) {
              return LocalDateTime.ofInstant(((java.util.Date) raw).toInstant(), ZoneOffset.UTC);
            }
            long units = ((Number) raw).longValue();
            long unitsPerSecond = 1_000_000_000L / nanosPerUnit;
            long seconds = Math.floorDiv(units, unitsPerSecond);
            long nanos = Math.floorMod(units, unitsPerSecond) * nanosPerUnit;
            if (seconds > INFINITY_SECONDS) {
              return Infinity.TIMESTAMP_MAX;
            }
            if (seconds < MINUS_INFINITY_SECONDS) {
              return Infinity.TIMESTAMP_MIN;
            }
            return LocalDateTime.ofEpochSecond(seconds, (int) nanos, ZoneOffset.UTC);
          };
        }
      case TIMESTAMPTZ:
        return raw -> {
          String text = (String) raw;
          if (text.equals("infinity")) {
            return Infinity.TIMESTAMPTZ_MAX;
          }
          if (text.equals("-infinity")) {
            return Infinity.TIMESTAMPTZ_MIN;
          }
          return Infinity.timestamptz(
              OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC));
        };
      case STRING:
        if (logical.equals("io.debezium.data.VariableScaleDecimal")) {
          return raw -> {
            Struct s = (Struct) raw;
            BigDecimal d = new BigDecimal(new BigInteger(s.getBytes("value")), s.getInt32("scale"));
            return d.toPlainString();
          };
        }
        if (logical.equals(Decimal.LOGICAL_NAME)) {
          // numeric(p,s) wider than decimal(38) or with a negative scale. A column whose own
          // scale is the marking one (numeric(p,-100)) has no special values of its own.
          boolean marks =
              schema.parameters() == null
                  || !String.valueOf(SpecialDecimal.SCALE).equals(schema.parameters().get("scale"));
          return raw -> {
            String special = marks ? SpecialDecimal.name(raw) : null;
            return special != null ? special : ((BigDecimal) raw).toPlainString();
          };
        }
        if (logical.equals("io.debezium.data.Bits")) {
          String length = schema.parameters() == null ? null : schema.parameters().get("length");
          // bit(n) has its length; varbit's actual length is not sent, so its leading zeros are.
          int bits = length == null ? -1 : Integer.parseInt(length);
          return raw -> {
            byte[] bytes = raw instanceof byte[] ? (byte[]) raw : toBytes((ByteBuffer) raw);
            int n = bits;
            if (n < 0 || n > MAX_BIT_LENGTH) {
              n = Math.max(1, BitSet.valueOf(bytes).length());
            }
            return PgText.bits(bytes, n);
          };
        }
        if (logical.equals("io.debezium.time.Interval")) {
          return raw -> PgText.interval((String) raw);
        }
        if (logical.equals("io.debezium.data.geometry.Point")) {
          return raw -> PgText.point((Struct) raw);
        }
        if (sourceTypeName(schema).equals("hstore")) {
          return raw -> raw instanceof String ? PgText.hstore((String) raw) : String.valueOf(raw);
        }
        return raw -> {
          if (raw instanceof List) {
            return PgText.array((List<?>) raw);
          }
          if (raw instanceof String) {
            return raw;
          }
          if (raw instanceof ByteBuffer || raw instanceof byte[]) {
            // The text form of a type Debezium does not know.
            return new String(
                raw instanceof byte[] ? (byte[]) raw : toBytes((ByteBuffer) raw),
                StandardCharsets.UTF_8);
          }
          return String.valueOf(raw);
        };
      default:
        throw new IllegalStateException("No converter for " + type);
    }
  }

  private static byte[] toBytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return bytes;
  }
}
