package io.tributary.source.postgres;

import io.debezium.data.SpecialValueDecimal;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import io.tributary.change.SpecialDecimal;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Properties;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Decimal;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.SchemaBuilder;

/**
 * Debezium converter for {@code numeric} columns, in place of Debezium's precise decimal mode,
 * which loses the scale of unconstrained values and fails the whole job on {@code NaN}.
 *
 * <ul>
 *   <li>{@code numeric} without precision and scale: the exact decimal text, with the scale the
 *       value has at the source ({@code 1.500} stays {@code 1.500}; Debezium strips trailing
 *       zeros), {@code NaN} as {@code NaN}. The lake stores these columns as text.
 *   <li>{@code numeric(p,s)}: the same decimal schema and values as Debezium's precise mode; {@code
 *       NaN} and {@code ±Infinity}, which PostgreSQL allows there and Debezium cannot convert ("Got
 *       a special value (NaN/Infinity) for Decimal type"), become {@link SpecialDecimal}s, which
 *       the writer sends to the dead letters with the reason instead of stopping every table of the
 *       job on one value.
 * </ul>
 *
 * Registered under {@link #NAME} in {@link PostgresSources#debeziumProperties}; Debezium calls
 * {@link #converterFor} once per column when it builds a table's schema, for snapshot and log
 * alike.
 */
public final class NumericConverter implements CustomConverter<SchemaBuilder, RelationalColumn> {
  /** The name under which the converter is registered with Debezium. */
  static final String NAME = "tributary_numeric";

  /** The length PostgreSQL's driver reports for {@code numeric} without precision (or 0). */
  private static final int VARIABLE_PRECISION = 131089;

  /** Debezium's schema parameter for a decimal's precision. */
  static final String PRECISION_PARAMETER = "connect.decimal.precision";

  @Override
  public void configure(Properties properties) {
    // No settings.
  }

  @Override
  public void converterFor(
      RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
    String type = column.typeName() == null ? "" : column.typeName().toLowerCase(Locale.ROOT);
    if (!type.equals("numeric") && !type.equals("decimal")) {
      return;
    }
    if (isVariableScale(column)) {
      SchemaBuilder schema = SchemaBuilder.string();
      if (column.isOptional()) {
        schema.optional();
      }
      registration.register(schema, NumericConverter::text);
      return;
    }
    int precision = column.length().orElse(38);
    int scale = column.scale().orElse(0);
    SchemaBuilder schema =
        Decimal.builder(scale).parameter(PRECISION_PARAMETER, String.valueOf(precision));
    if (column.isOptional()) {
      schema.optional();
    }
    registration.register(schema, value -> decimal(value, scale));
  }

  /** Whether a {@code numeric} column has neither precision nor scale. */
  static boolean isVariableScale(RelationalColumn column) {
    int length = column.length().orElse(0);
    return (length == 0 || length == VARIABLE_PRECISION) && column.scale().orElse(0) == 0;
  }

  /** The exact decimal text of a value as the snapshot or the log delivers it. */
  static Object text(Object value) {
    if (value == null) {
      return null;
    }
    BigDecimal number = number(value);
    return number == null ? SpecialDecimal.name(special(value)) : number.toPlainString();
  }

  /** A value of a {@code numeric(p,s)} column with scale {@code scale}, or a special value. */
  static Object decimal(Object value, int scale) {
    if (value == null) {
      return null;
    }
    BigDecimal number = number(value);
    if (number == null) {
      return special(value);
    }
    return number.scale() == scale ? number : number.setScale(scale);
  }

  /** The number a value holds, or null for NaN and the infinities. */
  private static BigDecimal number(Object value) {
    if (value instanceof SpecialValueDecimal) {
      return ((SpecialValueDecimal) value).getDecimalValue().orElse(null);
    }
    if (value instanceof BigDecimal) {
      return (BigDecimal) value;
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      return Double.isNaN(d) || Double.isInfinite(d) ? null : BigDecimal.valueOf(d);
    }
    return new BigDecimal(value.toString());
  }

  private static BigDecimal special(Object value) {
    if (value == SpecialValueDecimal.POSITIVE_INF
        || value instanceof Double && (Double) value == Double.POSITIVE_INFINITY) {
      return SpecialDecimal.POSITIVE_INFINITY;
    }
    if (value == SpecialValueDecimal.NEGATIVE_INF
        || value instanceof Double && (Double) value == Double.NEGATIVE_INFINITY) {
      return SpecialDecimal.NEGATIVE_INFINITY;
    }
    return SpecialDecimal.NAN;
  }
}
