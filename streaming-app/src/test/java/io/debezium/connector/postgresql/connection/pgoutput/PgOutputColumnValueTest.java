package io.debezium.connector.postgresql.connection.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.data.SpecialValueDecimal;
import io.tributary.source.postgres.WalTextValue;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class PgOutputColumnValueTest {
  @Test
  void theWalReaderDecodesWithTheJobsClass() throws Exception {
    // The class Debezium's decoder instantiates by this name is the job's, not Debezium's own.
    Class<?> loaded = Class.forName(PgOutputColumnValue.class.getName());
    assertThat(loaded.getSuperclass()).isEqualTo(WalTextValue.class);
  }

  @Test
  void numericInfinitiesAreDecodedInsteadOfFailing() {
    assertThat(new PgOutputColumnValue("Infinity").asDecimal())
        .isSameAs(SpecialValueDecimal.POSITIVE_INF);
    assertThat(new PgOutputColumnValue("-Infinity").asDecimal())
        .isSameAs(SpecialValueDecimal.NEGATIVE_INF);
    assertThat(new PgOutputColumnValue("NaN").asDecimal())
        .isSameAs(SpecialValueDecimal.NOT_A_NUMBER);
    assertThat(new PgOutputColumnValue("-12.500").asDecimal().getDecimalValue())
        .hasValue(new BigDecimal("-12.500"));
  }
}
