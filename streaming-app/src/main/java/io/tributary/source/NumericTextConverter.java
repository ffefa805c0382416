package io.tributary.source;

import io.debezium.data.SpecialValueDecimal;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Properties;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.SchemaBuilder;

/**
 * Debezium converter for {@code numeric} columns without precision and scale: their values as exact
 * decimal text with the scale they have at the source ({@code 1.500} stays {@code 1.500}), and
 * {@code NaN} as {@code NaN}.
 *
 * <p>Debezium's own precise decimal mode strips trailing zeros from values of variable scale and
 * has no representation for {@code NaN}; the lake stores these columns as text anyway, so the value
 * is handed on as the text PostgreSQL prints. Columns with a precision (and scale) keep Debezium's
 * decimal conversion. Registered under {@link #NAME} in {@link PostgresSources#debeziumProperties};
 * Debezium calls {@link #converterFor} once per column when it builds a table's schema, for
 * snapshot and log alike.
 */
public final class NumericTextConverter
    implements CustomConverter<SchemaBuilder, RelationalColumn> {
  /** The name under which the converter is registered with Debezium. */
  static final String NAME = "tributary_numeric";

  /** The length PostgreSQL's driver reports for {@code numeric} without precision (or 0). */
  private static final int VARIABLE_PRECISION = 131089;

  @Override
  public void configure(Properties properties) {
    // No settings.
  }

  @Override
  public void converterFor(
      RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
    if (!isVariableScale(column)) {
      return;
    }
    SchemaBuilder schema = SchemaBuilder.string();
    if (column.isOptional()) {
      schema.optional();
    }
    registration.register(schema, NumericTextConverter::text);
  }

  /** Whether a column is {@code numeric} without precision and scale. */
  static boolean isVariableScale(RelationalColumn column) {
    String type = column.typeName() == null ? "" : column.typeName().toLowerCase(Locale.ROOT);
    if (!type.equals("numeric") && !type.equals("decimal")) {
      return false;
    }
    int length = column.length().orElse(0);
    return (length == 0 || length == VARIABLE_PRECISION) && column.scale().orElse(0) == 0;
  }

  /** The exact decimal text of a value as the snapshot or the log delivers it. */
  static Object text(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof SpecialValueDecimal) {
      SpecialValueDecimal special = (SpecialValueDecimal) value;
      if (special.getDecimalValue().isPresent()) {
        return special.getDecimalValue().get().toPlainString();
      }
      if (special == SpecialValueDecimal.POSITIVE_INF) {
        return "Infinity";
      }
      if (special == SpecialValueDecimal.NEGATIVE_INF) {
        return "-Infinity";
      }
      return "NaN";
    }
    if (value instanceof BigDecimal) {
      return ((BigDecimal) value).toPlainString();
    }
    if (value instanceof Double && ((Double) value).isNaN()) {
      return "NaN";
    }
    return value.toString();
  }
}
