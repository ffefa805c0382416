package io.tributary.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class CanonicalValueTest {

  @Test
  void aDecimalFromTheSourceEqualsTheLakeValueAtTheColumnsScale() {
    Types.DecimalType type = Types.DecimalType.of(10, 3);
    assertThat(CanonicalValue.of(new BigDecimal("12.5"), type)).isEqualTo("12.500");
    assertThat(CanonicalValue.of(new BigDecimal("12.500"), type)).isEqualTo("12.500");
  }

  @Test
  void notANumberStaysTextAndEqualsNoDecimal() {
    Types.DecimalType type = Types.DecimalType.of(10, 0);
    assertThat(CanonicalValue.of("NaN", type)).isEqualTo("NaN");
    assertThat(CanonicalValue.of("NaN", type))
        .isNotEqualTo(CanonicalValue.of(BigDecimal.ONE, type));
  }

  @Test
  void bytesFromJdbcEqualTheLakesBuffer() {
    byte[] bytes = "\u0000\u00ffabc".getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer lake = ByteBuffer.allocate(bytes.length + 4);
    lake.position(2);
    lake.put(bytes);
    lake.position(2);
    lake.limit(2 + bytes.length);
    String fromLake = CanonicalValue.of(lake, Types.BinaryType.get());
    assertThat(fromLake).isEqualTo(CanonicalValue.of(bytes, Types.BinaryType.get()));
    // Reading does not consume the lake's buffer.
    assertThat(lake.remaining()).isEqualTo(bytes.length);
  }

  @Test
  void anInstantIsEqualInEveryOffset() {
    OffsetDateTime utc = OffsetDateTime.of(2024, 3, 1, 10, 0, 0, 0, ZoneOffset.UTC);
    OffsetDateTime berlin = utc.withOffsetSameInstant(ZoneOffset.ofHours(1));
    assertThat(CanonicalValue.of(berlin, Types.TimestampType.withZone()))
        .isEqualTo(CanonicalValue.of(utc, Types.TimestampType.withZone()))
        .isEqualTo("2024-03-01T10:00Z");
    assertThat(
            CanonicalValue.of(
                LocalDateTime.of(2024, 3, 1, 10, 0), Types.TimestampType.withoutZone()))
        .isEqualTo("2024-03-01T10:00");
  }

  @Test
  void integersOfEitherWidthAreEqualAndNullIsNoText() {
    assertThat(CanonicalValue.of(7, Types.LongType.get()))
        .isEqualTo(CanonicalValue.of(7L, Types.LongType.get()))
        .isEqualTo("7");
    assertThat(CanonicalValue.of(null, Types.StringType.get()))
        .isNotEqualTo(CanonicalValue.of("null", Types.StringType.get()));
  }
}
