package io.tributary.source.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.data.SpecialValueDecimal;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SnapshotRowReaderTest {
  @Test
  void plainTimestampsParseAsTheWalResolverParsesThem() {
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      String text = randomTimestamp(random);
      Instant fast = SnapshotRowReader.plainTimestamp(text);
      assertThat(fast).as(text).isNotNull().isEqualTo(new WalTextValue(text).asInstant());
    }
    for (String text :
        new String[] {
          "2024-02-29 23:59:59.999999",
          "1582-10-04 12:00:00",
          "1582-10-15 00:00:00",
          "0001-01-01 00:00:00",
          "1970-01-01 00:00:00.000001",
          "9999-12-31 23:59:59.5"
        }) {
      assertThat(SnapshotRowReader.plainTimestamp(text))
          .as(text)
          .isEqualTo(new WalTextValue(text).asInstant());
    }
  }

  @Test
  void plainTimestamptzParseAsTheWalResolverParsesThem() {
    Random random = new Random(11);
    String[] offsets = {"+00", "+05:30", "-08", "-04:56:02", "+14", "-12", "+00:01:15", "-00:30"};
    for (int i = 0; i < 20_000; i++) {
      String text = randomTimestamp(random) + offsets[random.nextInt(offsets.length)];
      assertThat(SnapshotRowReader.plainTimestamptz(text))
          .as(text)
          .isNotNull()
          .isEqualTo(new WalTextValue(text).asOffsetDateTimeAtUtc());
    }
    for (String text :
        new String[] {
          "infinity",
          "-infinity",
          "0100-01-01 00:00:00+00 BC",
          "12345-01-01 00:00:00+00",
          "2024-01-01 10:00:00",
          "2024-01-01 10:00:00+5",
          "2024-01-01 10:00:00+05:3",
          "2024-01-01 10:00:00+0530"
        }) {
      assertThat(SnapshotRowReader.plainTimestamptz(text)).as(text).isNull();
    }
  }

  @Test
  void otherTimestampFormsAreLeftToTheResolver() {
    for (String text :
        new String[] {
          "infinity",
          "-infinity",
          "4713-01-01 00:00:00 BC",
          "0100-01-01 00:00:00.25 BC",
          "12345-01-01 00:00:00",
          "2023-02-29 00:00:00",
          "2024-01-01 24:00:00",
          "2024-01-01 10:00:00.",
          "2024-01-01T10:00:00",
          "0000-01-01 00:00:00"
        }) {
      assertThat(SnapshotRowReader.plainTimestamp(text)).as(text).isNull();
    }
    // What the resolver makes of them: proleptic years before the common era, infinities.
    assertThat(new WalTextValue("4713-01-01 00:00:00 BC").asInstant())
        .isEqualTo(Instant.parse("-4712-01-01T00:00:00Z"));
    assertThat(new WalTextValue("infinity").asInstant()).isNotNull();
  }

  @Test
  void plainDatesParseAsTheWalResolverParsesThem() {
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      String text =
          String.format(
              "%04d-%02d-%02d",
              1 + random.nextInt(9999), 1 + random.nextInt(12), 1 + random.nextInt(31));
      LocalDate fast = SnapshotRowReader.plainDate(text);
      if (fast == null) {
        // Only days past the month's end (PostgreSQL never sends them) miss the fast path; the
        // resolver gets those.
        assertThat(Integer.parseInt(text.substring(8)))
            .as(text)
            .isGreaterThan(YearMonth.parse(text.substring(0, 7)).lengthOfMonth());
        continue;
      }
      assertThat(fast).as(text).isEqualTo(new WalTextValue(text).asLocalDate());
    }
    for (String text : new String[] {"4713-01-01 BC", "infinity", "-infinity", "12345-01-01"}) {
      assertThat(SnapshotRowReader.plainDate(text)).as(text).isNull();
    }
    assertThat(new WalTextValue("0001-01-01 BC").asLocalDate()).isEqualTo(LocalDate.of(0, 1, 1));
  }

  @Test
  void textValuesDecodeAsTheLogSendsThem() {
    assertThat(new WalTextValue("1.500").asDecimal().getDecimalValue())
        .hasValue(new BigDecimal("1.500"));
    assertThat(new WalTextValue("NaN").asDecimal()).isSameAs(SpecialValueDecimal.NOT_A_NUMBER);
    assertThat(new WalTextValue("\\x00ff10").asByteArray())
        .containsExactly((byte) 0, (byte) 0xff, (byte) 0x10);
    assertThat(new WalTextValue("t").asBoolean()).isTrue();
    assertThat(new WalTextValue("23:59:59.654321").asTime()).isEqualTo("23:59:59.654321");
    // Thousands separators and the currency symbol, which the driver's getObject cannot read.
    assertThat(new WalTextValue("$1,234,567.89").asMoney().val).isEqualTo(1234567.89);
    assertThat(new WalTextValue("-$1,000.00").asMoney().val).isEqualTo(-1000.0);
    assertThat(new WalTextValue(null).isNull()).isTrue();
    assertThatThrownBy(() -> new WalTextValue("12x").asDecimal())
        .isInstanceOf(NumberFormatException.class);
  }

  /** A timestamp of the common era with a four-digit year and 0 to 6 fraction digits. */
  private static String randomTimestamp(Random random) {
    return String.format(
        "%04d-%02d-%02d %02d:%02d:%02d%s",
        1 + random.nextInt(9999),
        1 + random.nextInt(12),
        1 + random.nextInt(28),
        random.nextInt(24),
        random.nextInt(60),
        random.nextInt(60),
        fraction(random));
  }

  private static String fraction(Random random) {
    int digits = random.nextInt(7);
    if (digits == 0) {
      return "";
    }
    StringBuilder s = new StringBuilder(".");
    for (int i = 0; i < digits; i++) {
      s.append((char) ('0' + random.nextInt(10)));
    }
    return s.toString();
  }
}
