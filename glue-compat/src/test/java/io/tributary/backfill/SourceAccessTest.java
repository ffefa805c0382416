package io.tributary.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.config.Secret;
import io.tributary.config.SourceConfig;
import io.tributary.config.SslMode;
import io.tributary.config.SslRootCert;
import io.tributary.glue.ArgumentException;
import io.tributary.glue.GlueArguments;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceAccessTest {
  private static final String ARN =
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tributary/db-AbCdEf";
  private static final String URL =
      "jdbc:postgresql://db.corp.example:5432/shop?sslmode=verify-full";
  private static final String PEM =
      "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

  @TempDir Path dir;

  @Test
  void theUserArgumentComesFirstThenTheUrl() {
    SourceAccess access = SourceAccess.of(URL, "cdc", ARN, "db-password", null);
    assertThat(access.user()).isEqualTo("cdc");
    assertThat(access.password()).isEqualTo(Secret.ofSecretsManager(ARN, "db-password"));
    assertThat(access.sslRootCert()).isNull();

    SourceAccess fromUrl = SourceAccess.of(URL + "&user=carol", null, ARN, null, null);
    assertThat(fromUrl.user()).isEqualTo("carol");
    assertThat(fromUrl.password()).isEqualTo(Secret.ofSecretsManager(ARN));
  }

  @Test
  void theCertificateAuthorityIsFetchedOnceInTheDriver() throws Exception {
    Path ca = dir.resolve("ca.pem");
    Files.writeString(ca, PEM);
    SourceAccess access = SourceAccess.of(URL, "cdc", ARN, null, ca.toString());
    Files.delete(ca);
    // The executors write their copy from the text fetched in the driver.
    assertThat(access.sslRootCert().pem()).isEqualTo(PEM);
    assertThat(access.toString()).contains("sslRootCert=" + ca).doesNotContain("BEGIN");
  }

  @Test
  void missingOrMalformedArgumentsAreNamed() {
    assertThatThrownBy(() -> SourceAccess.of(URL, "cdc", null, null, null))
        .isInstanceOf(ArgumentException.class)
        .hasMessageContaining("--source-secret-arn");
    assertThatThrownBy(() -> SourceAccess.of(URL, "cdc", ARN, null, "s3://bucket-only"))
        .isInstanceOf(ArgumentException.class)
        .hasMessageContaining("source.ssl-root-cert");
  }

  @Test
  void theStreamingConfigurationIsUsedAsIs() {
    SslRootCert ca = SslRootCert.parse("s3://certs/ca.pem");
    SourceConfig source =
        SourceConfig.builder()
            .host("db")
            .database("shop")
            .user("cdc")
            .sslMode(SslMode.VERIFY_FULL)
            .sslRootCert(ca)
            .build();
    SourceAccess access = SourceAccess.of(source);
    assertThat(access.user()).isEqualTo("cdc");
    assertThat(access.sslRootCert()).isEqualTo(ca);
    assertThat(access.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/shop?sslmode=verify-full");
  }

  @Test
  void theJobReadsTheNewArguments() {
    GlueArguments args =
        GlueArguments.parse(
            new String[] {
              "--table", "sales.orders",
              "--jdbc-url", URL,
              "--source-secret-arn", ARN,
              "--source-user", "cdc",
              "--source-secret-key", "pw",
              "--source-ssl-root-cert", "s3://certs/ca.pem"
            },
            BackfillJob.ARGUMENTS);
    BackfillOptions options = BackfillOptions.from(args);
    assertThat(options.sourceUser()).isEqualTo("cdc");
    assertThat(options.sourceSecretKey()).isEqualTo("pw");
    assertThat(options.sslRootCert()).isEqualTo("s3://certs/ca.pem");
  }
}
