package io.tributary.source.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.config.Configuration;
import io.tributary.change.TableId;
import io.tributary.config.Secret;
import io.tributary.config.SourceConfig;
import io.tributary.config.SslMode;
import io.tributary.config.SslRootCert;
import java.time.Duration;
import java.util.Properties;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Debezium properties Tributary's sources run with, as Debezium reads them. */
class PostgresSourcesTest {
  private static SourceConfig source(SslMode ssl) {
    return SourceConfig.builder()
        .type(SourceConfig.TYPE_POSTGRES)
        .host("127.0.0.1")
        .port(5432)
        .database("shop")
        .user("cdc")
        .password(Secret.none())
        .sslMode(ssl)
        .publicationName("tributary")
        .build();
  }

  @Test
  void pollsEveryFiftyMillisecondsAndRetriesABusySlotQuickly() {
    TunedConnectorConfig config =
        new TunedConnectorConfig(
            Configuration.from(PostgresSources.debeziumProperties(source(SslMode.DISABLE), ""))
                .edit()
                // Flink CDC adds the server name itself.
                .with("database.server.name", "postgres_cdc_source")
                .build());

    // The WAL reader's sleep when idle and the split fetcher's wait for a full batch.
    assertThat(config.getPollInterval()).isEqualTo(Duration.ofMillis(50));
    assertThat(PostgresSources.POLL_INTERVAL).isEqualTo(config.getPollInterval());
    assertThat(config.retryDelay()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.maxRetries()).isEqualTo(240);
    assertThat(config.publicationName()).isEqualTo("tributary");
    assertThat(config.includeUnknownDatatypes()).isTrue();
  }

  @Test
  void eachGroupPublishesThroughItsOwnPublication() {
    Properties grouped = PostgresSources.debeziumProperties(source(SslMode.REQUIRE), "big_table");
    assertThat(grouped.getProperty("publication.name")).isEqualTo("tributary_big_table");
    assertThat(grouped.getProperty("publication.autocreate.mode")).isEqualTo("disabled");
    assertThat(grouped.getProperty("database.sslmode")).isEqualTo("require");
  }

  @Test
  void debeziumGetsTheLocalCopyOfTheCertificateAuthority() {
    SslRootCert ca =
        SslRootCert.ofPem("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    SourceConfig source = source(SslMode.VERIFY_FULL).toBuilder().sslRootCert(ca).build();
    Properties debezium = PostgresSources.debeziumProperties(source, "");
    assertThat(debezium.getProperty("database.sslmode")).isEqualTo("verify-full");
    assertThat(debezium.getProperty("database.sslrootcert")).isEqualTo(ca.localFile().toString());
    Properties jdbc = new Properties();
    source.addTlsProperties(jdbc);
    assertThat(jdbc.getProperty("sslrootcert")).isEqualTo(ca.localFile().toString());
    assertThat(PostgresSources.debeziumProperties(source(SslMode.REQUIRE), ""))
        .doesNotContainKey("database.sslrootcert");
  }

  @Test
  void theTableFilterMatchesNamesWithRegularExpressionCharactersLiterally() {
    String pattern = PostgresSources.includePattern(new TableId("public", "a$b"));
    assertThat(Pattern.compile(pattern).matcher("public.a$b").matches()).isTrue();
    String plus = PostgresSources.includePattern(new TableId("public", "c++"));
    assertThat(Pattern.compile(plus).matcher("public.c++").matches()).isTrue();
    assertThat(Pattern.compile(plus).matcher("public.cc").matches()).isFalse();
  }
}
