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

  @Test
  void theUserMayComeFromThePasswordSecret() {
    String arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tributary/db-AbCdEf";
    SourceConfig fromSecret =
        SourceConfig.builder()
            .host("db")
            .database("shop")
            .password(Secret.ofSecretsManager(arn))
            .build();
    assertThat(fromSecret.toString()).contains("user=null");
    // Without Secrets Manager or without a secret at all, a user is required.
    assertThatThrownBy(() -> SourceConfig.builder().host("db").database("shop").build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("source.user is required")
        .hasMessageContaining("'username'");
    assertThat(base().password(Secret.ofSecretsManager(arn)).build().user()).isEqualTo("u");
  }

  @Test
  void theCertificateAuthorityIsKeptAndCompared() {
    SslRootCert ca = SslRootCert.parse("s3://certs/ca.pem");
    SourceConfig withCa = base().sslMode(SslMode.VERIFY_FULL).sslRootCert(ca).build();
    assertThat(withCa.sslRootCert()).isEqualTo(ca);
    assertThat(withCa.toBuilder().build()).isEqualTo(withCa);
    assertThat(withCa).isNotEqualTo(base().sslMode(SslMode.VERIFY_FULL).build());
    assertThat(withCa.toString()).contains("sslRootCert=s3://certs/ca.pem");
    assertThat(withCa.jdbcUrl()).doesNotContain("sslrootcert");
  }
}
