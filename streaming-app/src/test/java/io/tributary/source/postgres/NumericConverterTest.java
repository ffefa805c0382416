package io.tributary.source.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.data.SpecialValueDecimal;
import io.debezium.spi.converter.RelationalColumn;
import io.tributary.change.SpecialDecimal;
import java.math.BigDecimal;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Decimal;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Schema;
import org.junit.jupiter.api.Test;

class NumericConverterTest {
  @Test
  void numericWithoutPrecisionBecomesText() {
    assertThat(registered(column("numeric", 131089, 0, true)).get(0).type())
        .isEqualTo(Schema.Type.STRING);
    assertThat(registered(column("numeric", 0, null, true)).get(0).type())
        .isEqualTo(Schema.Type.STRING);
    assertThat(registered(column("NUMERIC", null, null, false)).get(0).type())
        .isEqualTo(Schema.Type.STRING);
    assertThat(registered(column("int8", 19, 0, true))).isEmpty();
    assertThat(registered(column("money", 0, 0, true))).isEmpty();
  }

  @Test
  void numericWithPrecisionKeepsDebeziumsDecimalSchema() {
    Schema schema = registered(column("numeric", 12, 2, true)).get(0);
    assertThat(schema.name()).isEqualTo(Decimal.LOGICAL_NAME);
    assertThat(schema.parameters())
        .containsEntry("scale", "2")
        .containsEntry(NumericConverter.PRECISION_PARAMETER, "12");
    assertThat(schema.isOptional()).isTrue();
    Schema integer = registered(column("numeric", 10, 0, false)).get(0);
    assertThat(integer.parameters()).containsEntry("scale", "0");
    assertThat(integer.isOptional()).isFalse();
  }

  @Test
  void decimalValuesTakeTheColumnsScaleAndSpecialValuesAreMarked() {
    assertThat(NumericConverter.decimal(new SpecialValueDecimal(new BigDecimal("12.5")), 2))
        .isEqualTo(new BigDecimal("12.50"));
    assertThat(NumericConverter.decimal(new BigDecimal("7"), 0)).isEqualTo(new BigDecimal("7"));
    assertThat(NumericConverter.decimal(SpecialValueDecimal.NOT_A_NUMBER, 2))
        .isSameAs(SpecialDecimal.NAN);
    assertThat(NumericConverter.decimal(SpecialValueDecimal.POSITIVE_INF, 2))
        .isSameAs(SpecialDecimal.POSITIVE_INFINITY);
    assertThat(NumericConverter.decimal(SpecialValueDecimal.NEGATIVE_INF, 2))
        .isSameAs(SpecialDecimal.NEGATIVE_INFINITY);
    assertThat(NumericConverter.decimal(Double.NaN, 2)).isSameAs(SpecialDecimal.NAN);
    assertThat(NumericConverter.decimal(null, 2)).isNull();
    // A number always takes its column's scale (0 to 1000), never the marking scale.
    assertThat(SpecialDecimal.name(NumericConverter.decimal(new BigDecimal("1E+100"), 0))).isNull();
    assertThat(SpecialDecimal.name(NumericConverter.decimal(BigDecimal.ZERO, 2))).isNull();
    assertThat(SpecialDecimal.name(SpecialDecimal.NAN)).isEqualTo("NaN");
  }

  @Test
  void schemaIsTextWithTheColumnsNullability() {
    assertThat(registered(column("numeric", 0, 0, true)).get(0).isOptional()).isTrue();
    assertThat(registered(column("numeric", 0, 0, false)).get(0).isOptional()).isFalse();
    assertThat(registered(column("numeric", 0, 0, false)).get(0).type())
        .isEqualTo(Schema.Type.STRING);
  }

  @Test
  void valuesKeepTheirScale() {
    assertThat(NumericConverter.text(new SpecialValueDecimal(new BigDecimal("1.500"))))
        .isEqualTo("1.500");
    assertThat(NumericConverter.text(new BigDecimal("100.0"))).isEqualTo("100.0");
    assertThat(NumericConverter.text(new BigDecimal("1E+5"))).isEqualTo("100000");
    assertThat(NumericConverter.text(SpecialValueDecimal.NOT_A_NUMBER)).isEqualTo("NaN");
    assertThat(NumericConverter.text(SpecialValueDecimal.POSITIVE_INF)).isEqualTo("Infinity");
    assertThat(NumericConverter.text(SpecialValueDecimal.NEGATIVE_INF)).isEqualTo("-Infinity");
    assertThat(NumericConverter.text(Double.NaN)).isEqualTo("NaN");
    assertThat(NumericConverter.text(null)).isNull();
  }

  private static List<Schema> registered(RelationalColumn column) {
    List<Schema> schemas = new ArrayList<>();
    new NumericConverter().converterFor(column, (schema, converter) -> schemas.add(schema.build()));
    return schemas;
  }

  private static RelationalColumn column(
      String type, Integer length, Integer scale, boolean optional) {
    return new RelationalColumn() {
      @Override
      public String name() {
        return "n";
      }

      @Override
      public String dataCollection() {
        return "public.t";
      }

      @Override
      public int jdbcType() {
        return Types.NUMERIC;
      }

      @Override
      public int nativeType() {
        return 1700;
      }

      @Override
      public String typeName() {
        return type;
      }

      @Override
      public String typeExpression() {
        return type;
      }

      @Override
      public OptionalInt length() {
        return length == null ? OptionalInt.empty() : OptionalInt.of(length);
      }

      @Override
      public OptionalInt scale() {
        return scale == null ? OptionalInt.empty() : OptionalInt.of(scale);
      }

      @Override
      public boolean isOptional() {
        return optional;
      }

      @Override
      public Object defaultValue() {
        return null;
      }

      @Override
      public boolean hasDefaultValue() {
        return false;
      }
    };
  }
}
