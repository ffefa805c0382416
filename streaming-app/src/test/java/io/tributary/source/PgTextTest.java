package io.tributary.source;

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
}
