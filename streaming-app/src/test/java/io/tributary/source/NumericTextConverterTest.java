package io.tributary.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.data.SpecialValueDecimal;
import io.debezium.spi.converter.RelationalColumn;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Schema;
import org.junit.jupiter.api.Test;

class NumericTextConverterTest {
  @Test
  void onlyNumericWithoutPrecisionIsConverted() {
    assertThat(registered(column("numeric", 131089, 0, true))).hasSize(1);
    assertThat(registered(column("numeric", 0, null, true))).hasSize(1);
    assertThat(registered(column("NUMERIC", null, null, false))).hasSize(1);
    assertThat(registered(column("numeric", 12, 2, true))).isEmpty();
    assertThat(registered(column("numeric", 10, 0, true))).isEmpty();
    assertThat(registered(column("int8", 19, 0, true))).isEmpty();
    assertThat(registered(column("money", 0, 0, true))).isEmpty();
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
    assertThat(NumericTextConverter.text(new SpecialValueDecimal(new BigDecimal("1.500"))))
        .isEqualTo("1.500");
    assertThat(NumericTextConverter.text(new BigDecimal("100.0"))).isEqualTo("100.0");
    assertThat(NumericTextConverter.text(new BigDecimal("1E+5"))).isEqualTo("100000");
    assertThat(NumericTextConverter.text(SpecialValueDecimal.NOT_A_NUMBER)).isEqualTo("NaN");
    assertThat(NumericTextConverter.text(SpecialValueDecimal.POSITIVE_INF)).isEqualTo("Infinity");
    assertThat(NumericTextConverter.text(SpecialValueDecimal.NEGATIVE_INF)).isEqualTo("-Infinity");
    assertThat(NumericTextConverter.text(Double.NaN)).isEqualTo("NaN");
    assertThat(NumericTextConverter.text(null)).isNull();
  }

  private static List<Schema> registered(RelationalColumn column) {
    List<Schema> schemas = new ArrayList<>();
    new NumericTextConverter()
        .converterFor(column, (schema, converter) -> schemas.add(schema.build()));
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
        return java.sql.Types.NUMERIC;
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
