package io.tributary.source.debezium;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgTextTest {
  @Test
  void arraysAreQuotedAsPostgresQuotesThem() {
    assertThat(PgText.array(Arrays.asList(1, null, 3))).isEqualTo("{1,NULL,3}");
    assertThat(PgText.array(Arrays.asList("a b", "c,d", null, "", "null", "x\"y\\z")))
        .isEqualTo("{\"a b\",\"c,d\",NULL,\"\",\"null\",\"x\\\"y\\\\z\"}");
    assertThat(PgText.array(List.of(List.of(1, 2), List.of(3, 4)))).isEqualTo("{{1,2},{3,4}}");
    assertThat(PgText.array(List.of(true, false, new BigDecimal("1.50")))).isEqualTo("{t,f,1.50}");
  }

  @Test
  void hstoreKeepsHstoreOrder() {
    assertThat(PgText.hstore("{\"bb\":\"2\",\"a\":null,\"c\":\"x\\\"y\"}"))
        .isEqualTo("\"a\"=>NULL, \"c\"=>\"x\\\"y\", \"bb\"=>\"2\"");
  }

  @Test
  void bitsHighestFirst() {
    assertThat(PgText.bits(new byte[] {0b1010}, 4)).isEqualTo("1010");
    assertThat(PgText.bits(new byte[] {1}, 8)).isEqualTo("00000001");
  }

  @Test
  void intervalsAsPostgresPrintsThemInIso8601() {
    assertThat(PgText.interval("P1Y2M3DT4H5M6.78S")).isEqualTo("P1Y2M3DT4H5M6.78S");
    assertThat(PgText.interval("P0Y0M-1DT0H0M0S")).isEqualTo("P-1D");
    assertThat(PgText.interval("P0Y0M0DT0H0M1S")).isEqualTo("PT1S");
    assertThat(PgText.interval("P0Y0M0DT0H0M0S")).isEqualTo("PT0S");
    assertThat(PgText.interval("P0Y0M1DT-1H0M0S")).isEqualTo("P1DT-1H");
    assertThat(PgText.interval("P0Y0M0DT0H0M-1.5S")).isEqualTo("PT-1.5S");
    assertThat(PgText.interval("P0Y0M0DT0H0M0.289999999S")).isEqualTo("PT0.29S");
    assertThat(PgText.interval("P0Y0M0DT25H0M10S")).isEqualTo("PT25H10S");
    assertThat(PgText.interval("P0Y0M0DT0H0M0.000001S")).isEqualTo("PT0.000001S");
    assertThat(PgText.interval("P-1Y-2M0DT0H0M0S")).isEqualTo("P-1Y-2M");
    assertThat(PgText.interval("not an interval")).isEqualTo("not an interval");
  }
}
