package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SourceConfigTest {

  private static SourceConfig.Builder base() {
    return SourceConfig.builder().host("db.corp.example").database("shop").user("u");
  }

  @Test
  void jdbcUrlCarriesTheSslMode() {
    assertThat(base().sslMode(SslMode.REQUIRE).build().jdbcUrl())
        .isEqualTo("jdbc:postgresql://db.corp.example:5432/shop?sslmode=require");
  }

  @Test
  void jdbcUrlBracketsIpv6AndEncodesTheDatabase() {
    assertThat(base().host("::1").database("my db").build().jdbcUrl())
        .isEqualTo("jdbc:postgresql://[::1]:5432/my+db?sslmode=prefer");
  }

  @Test
  void builderReportsEveryProblem() {
    assertThatThrownBy(() -> SourceConfig.builder().port(0).snapshotChunkSize(0).build())
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(5));
  }

  @Test
  void equalityCoversEveryValue() {
    assertThat(base().build()).isEqualTo(base().build()).hasSameHashCodeAs(base().build());
    assertThat(base().build()).isNotEqualTo(base().port(5433).build());
    assertThat(base().build()).isNotEqualTo(base().password(Secret.ofEnv("PW")).build());
    assertThat(base().build().toBuilder().build()).isEqualTo(base().build());
  }
}
