package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MySqlSourceConfigTest {
  private static final String MYSQL =
      "source:\n"
          + "  type: mysql\n"
          + "  host: db\n"
          + "  database: shop\n"
          + "  user: u\n"
          + "  password: {env: MYSQL_PASSWORD}\n";
  private static final String REST =
      "tables:\n  include: [\"shop.*\"]\nsink:\n  warehouse: s3://lake/wh\n";

  private static SourceConfig.Builder base() {
    return SourceConfig.builder()
        .type("mysql")
        .host("db")
        .database("shop")
        .user("u")
        .serverId(new ServerIdRange(5400, 5403));
  }

  @Test
  void theTypeChoosesThePortAndPlainConnections() {
    SourceConfig source = base().build();
    assertThat(source.isMySql()).isTrue();
    assertThat(source.port()).isEqualTo(3306);
    assertThat(source.sslMode()).isEqualTo(SslMode.DISABLE);
    assertThat(source.jdbcUrl())
        .isEqualTo(
            "jdbc:mysql://db:3306/shop?sslMode=DISABLED&connectionTimeZone=UTC"
                + "&forceConnectionTimeZoneToSession=true");
    assertThat(source.toBuilder().build()).isEqualTo(source);
    assertThat(base().port(3307).build().port()).isEqualTo(3307);
    // PostgreSQL keeps its defaults.
    SourceConfig postgres = SourceConfig.builder().host("db").database("shop").user("u").build();
    assertThat(postgres.port()).isEqualTo(5432);
    assertThat(postgres.sslMode()).isEqualTo(SslMode.PREFER);
    assertThat(postgres.serverId()).isNull();
  }

  @Test
  void settingsOfTheOtherSourceAreRefused() {
    assertThatThrownBy(() -> base().serverId(null).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("source.server-id is required for MySQL sources");
    assertThatThrownBy(() -> base().sslMode(SslMode.REQUIRE).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("TLS to MySQL sources is not available yet");
    assertThatThrownBy(() -> base().slotName("other").build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("apply to PostgreSQL sources only");
    assertThatThrownBy(() -> base().allowWalGap(true).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("source.allow-wal-gap applies to PostgreSQL sources only");
    assertThatThrownBy(() -> base().type("postgres").build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("source.server-id applies to MySQL sources only");
  }

  @Test
  void serverIdsParseAsOneIdOrARange() {
    assertThat(ServerIdRange.parse("5400")).isEqualTo(new ServerIdRange(5400, 5400));
    assertThat(ServerIdRange.parse(" 5400 - 5403 ").size()).isEqualTo(4);
    assertThat(ServerIdRange.parse("5400-5403").toString()).isEqualTo("5400-5403");
    assertThatThrownBy(() -> ServerIdRange.parse("54x"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("write e.g. 5400 or 5400-5403");
    assertThatThrownBy(() -> ServerIdRange.parse("5403-5400"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("the first not above the last");
    assertThatThrownBy(() -> ServerIdRange.parse("0"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ids from 1 to 4294967295");
  }

  @Test
  void everyParallelReaderNeedsAServerId() {
    TributaryConfig config =
        ConfigLoader.fromYamlString(
            MYSQL + "  server-id: 5400-5401\n" + REST + "job:\n  parallelism: 2\n");
    assertThat(config.source().serverId()).isEqualTo(new ServerIdRange(5400, 5401));
    assertThat(config.source().port()).isEqualTo(3306);
    assertThatThrownBy(
            () ->
                ConfigLoader.fromYamlString(
                    MYSQL + "  server-id: 5400-5401\n" + REST + "job:\n  parallelism: 4\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "source.server-id 5400-5401 holds 2 server ids for job.parallelism 4: give it one id"
                + " per parallel reader, e.g. 5400-5403");
    assertThatThrownBy(() -> ConfigLoader.fromYamlString(MYSQL + "  server-id: many\n" + REST))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("source.server-id 'many' is not a server id");
  }
}
