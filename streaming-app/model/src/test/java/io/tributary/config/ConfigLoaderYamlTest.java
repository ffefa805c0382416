package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderYamlTest {

  static final String FULL =
      String.join(
          "\n",
          "source:",
          "  type: postgres",
          "  host: db.corp.example",
          "  port: 6432",
          "  database: shop",
          "  user: tributary",
          "  password:",
          "    secret-arn: arn:aws:secretsmanager:eu-west-1:123456789012:secret:tributary/db-AbCdEf",
          "    secret-key: pg_password",
          "  ssl-mode: verify-full",
          "  slot-name: shop_slot",
          "  publication-name: shop_pub",
          "  heartbeat-interval: 10s",
          "  snapshot:",
          "    chunk-size: 20000",
          "    fetch-size: 5000",
          "tables:",
          "  include: [\"sales.*\", \"public.customers\", \"public.events_nokey\"]",
          "  exclude: [\"sales.tmp_*\"]",
          "  freshness-target: 10m",
          "  options:",
          "    sales.orders:",
          "      partition-spec: [\"day(created_at)\", \"bucket(16, id)\"]",
          "      changelog: true",
          "      freshness-target: 2m",
          "    public.events_nokey:",
          "      key-columns: [event_id, source]",
          "sink:",
          "  warehouse: s3://my-lake/warehouse",
          "  namespace: shop_mirror",
          "  catalog:",
          "    type: jdbc",
          "    uri: jdbc:postgresql://127.0.0.1:5432/iceberg_catalog",
          "    user: iceberg",
          "    password:",
          "      file: /run/secrets/catalog",
          "    properties:",
          "      jdbc.schema-version: V1",
          "  s3:",
          "    endpoint: http://127.0.0.1:9000",
          "    path-style-access: true",
          "    region: eu-west-1",
          "    access-key-id: local",
          "    secret-access-key: { env: S3_SECRET }",
          "job:",
          "  name: shop-cdc",
          "  checkpoint-interval: PT1M",
          "  parallelism: 4",
          "  checkpoint-dir: file:///var/tributary/checkpoints",
          "  source-poll-interval: 1m",
          "");

  static TributaryConfig expectedFull() {
    return TributaryConfig.builder()
        .source(
            SourceConfig.builder()
                .host("db.corp.example")
                .port(6432)
                .database("shop")
                .user("tributary")
                .password(
                    Secret.ofSecretsManager(
                        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tributary/db-AbCdEf",
                        "pg_password"))
                .sslMode(SslMode.VERIFY_FULL)
                .slotName("shop_slot")
                .publicationName("shop_pub")
                .heartbeatInterval(Duration.ofSeconds(10))
                .snapshotChunkSize(20000)
                .snapshotFetchSize(5000)
                .build())
        .tables(
            TableSelection.builder()
                .include("sales.*", "public.customers", "public.events_nokey")
                .exclude("sales.tmp_*")
                .freshnessTarget(Duration.ofMinutes(10))
                .option(
                    "sales.orders",
                    TableOptions.builder()
                        .partitionSpec("day(created_at)", "bucket(16, id)")
                        .changelog(true)
                        .freshnessTarget(Duration.ofMinutes(2))
                        .build())
                .option(
                    "public.events_nokey",
                    TableOptions.builder().keyColumns("event_id", "source").build())
                .build())
        .sink(
            SinkConfig.builder()
                .warehouse("s3://my-lake/warehouse")
                .namespace("shop_mirror")
                .catalog(
                    CatalogConfig.builder()
                        .type(CatalogType.JDBC)
                        .uri("jdbc:postgresql://127.0.0.1:5432/iceberg_catalog")
                        .user("iceberg")
                        .password(Secret.ofFile(Path.of("/run/secrets/catalog")))
                        .property("jdbc.schema-version", "V1")
                        .build())
                .s3(
                    S3Config.builder()
                        .endpoint("http://127.0.0.1:9000")
                        .pathStyleAccess(true)
                        .region("eu-west-1")
                        .accessKeyId("local")
                        .secretAccessKey(Secret.ofEnv("S3_SECRET"))
                        .build())
                .build())
        .job(
            JobConfig.builder()
                .name("shop-cdc")
                .checkpointInterval(Duration.ofMinutes(1))
                .parallelism(4)
                .checkpointDir("file:///var/tributary/checkpoints")
                .sourcePollInterval(Duration.ofMinutes(1))
                .build())
        .build();
  }

  @Test
  void fullFileParsesToTheExpectedValues() {
    TributaryConfig config = ConfigLoader.fromYamlString(FULL);

    SourceConfig source = config.source();
    assertThat(source.type()).isEqualTo("postgres");
    assertThat(source.host()).isEqualTo("db.corp.example");
    assertThat(source.port()).isEqualTo(6432);
    assertThat(source.database()).isEqualTo("shop");
    assertThat(source.user()).isEqualTo("tributary");
    assertThat(source.password().describe())
        .isEqualTo(
            "AWS Secrets Manager secret"
                + " arn:aws:secretsmanager:eu-west-1:123456789012:secret:tributary/db-AbCdEf"
                + " (JSON key 'pg_password')");
    assertThat(source.sslMode()).isEqualTo(SslMode.VERIFY_FULL);
    assertThat(source.slotName()).isEqualTo("shop_slot");
    assertThat(source.publicationName()).isEqualTo("shop_pub");
    assertThat(source.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(source.snapshotChunkSize()).isEqualTo(20000);
    assertThat(source.snapshotFetchSize()).isEqualTo(5000);
    assertThat(source.jdbcUrl())
        .isEqualTo("jdbc:postgresql://db.corp.example:6432/shop?sslmode=verify-full");

    TableSelection tables = config.tables();
    assertThat(tables.include())
        .containsExactly("sales.*", "public.customers", "public.events_nokey");
    assertThat(tables.exclude()).containsExactly("sales.tmp_*");
    assertThat(tables.optionsFor("sales.orders").partitionSpec())
        .containsExactly("day(created_at)", "bucket(16, id)");
    assertThat(tables.optionsFor("sales.orders").changelog()).isTrue();
    assertThat(tables.optionsFor("public.events_nokey").keyColumns())
        .containsExactly("event_id", "source");
    assertThat(tables.optionsFor("sales.lines")).isEqualTo(TableOptions.defaults());
    assertThat(tables.freshnessTargetFor("sales.orders")).isEqualTo(Duration.ofMinutes(2));
    assertThat(tables.freshnessTargetFor("sales.lines")).isEqualTo(Duration.ofMinutes(10));

    SinkConfig sink = config.sink();
    assertThat(sink.warehouse()).isEqualTo("s3://my-lake/warehouse");
    assertThat(sink.namespace()).isEqualTo("shop_mirror");
    assertThat(sink.catalog().type()).isEqualTo(CatalogType.JDBC);
    assertThat(sink.catalog().uri()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/iceberg_catalog");
    assertThat(sink.catalog().user()).isEqualTo("iceberg");
    assertThat(sink.catalog().password()).isEqualTo(Secret.ofFile(Path.of("/run/secrets/catalog")));
    assertThat(sink.catalog().glueCatalogId()).isNull();
    assertThat(sink.catalog().properties()).isEqualTo(Map.of("jdbc.schema-version", "V1"));
    assertThat(sink.s3().endpoint()).isEqualTo("http://127.0.0.1:9000");
    assertThat(sink.s3().pathStyleAccess()).isTrue();
    assertThat(sink.s3().region()).isEqualTo("eu-west-1");
    assertThat(sink.s3().accessKeyId()).isEqualTo("local");
    assertThat(sink.s3().secretAccessKey()).isEqualTo(Secret.ofEnv("S3_SECRET"));

    JobConfig job = config.job();
    assertThat(job.name()).isEqualTo("shop-cdc");
    assertThat(job.checkpointInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(job.parallelism()).isEqualTo(4);
    assertThat(job.checkpointDir()).isEqualTo("file:///var/tributary/checkpoints");
    assertThat(job.sourcePollInterval()).isEqualTo(Duration.ofMinutes(1));

    assertThat(config).isEqualTo(expectedFull()).hasSameHashCodeAs(expectedFull());
  }

  @Test
  void minimalFileGetsTheDefaults() {
    TributaryConfig config =
        ConfigLoader.fromYamlString(
            "source: {host: db, database: shop, user: u}\n"
                + "tables: {include: [public.orders]}\n"
                + "sink: {warehouse: s3://lake/wh}\n");

    assertThat(config.source().port()).isEqualTo(5432);
    assertThat(config.source().password().isPresent()).isFalse();
    assertThat(config.source().sslMode()).isEqualTo(SslMode.PREFER);
    assertThat(config.source().slotName()).isEqualTo("tributary");
    assertThat(config.source().publicationName()).isEqualTo("tributary");
    assertThat(config.source().heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.source().snapshotChunkSize()).isEqualTo(50000);
    assertThat(config.source().snapshotFetchSize()).isEqualTo(10000);
    assertThat(config.tables().exclude()).isEmpty();
    assertThat(config.tables().options()).isEmpty();
    assertThat(config.sink().namespace()).isEqualTo("shop");
    assertThat(config.sink().catalog().type()).isEqualTo(CatalogType.GLUE);
    assertThat(config.sink().s3().endpoint()).isNull();
    assertThat(config.sink().s3().pathStyleAccess()).isFalse();
    assertThat(config.sink().commitThreads()).isEqualTo(16);
    assertThat(config.job()).isEqualTo(JobConfig.defaults());
    assertThat(config.job().name()).isEqualTo("tributary");
    assertThat(config.job().checkpointInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.job().parallelism()).isEqualTo(2);
    assertThat(config.job().checkpointDir()).isNull();
    assertThat(config.job().sourcePollInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.tables().freshnessTarget()).isEqualTo(Duration.ofMinutes(15));
    assertThat(config.tables().freshnessTargetFor("public.orders"))
        .isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void freshnessTargetsMustBePositiveDurations() {
    String base = "source: {host: db, database: shop, user: u}\nsink: {warehouse: s3://lake/wh}\n";
    assertThatThrownBy(
            () ->
                ConfigLoader.fromYamlString(
                    base
                        + "tables:\n  include: [a.b]\n  freshness-target: soon\n  options:\n"
                        + "    a.b:\n      freshness-target: 0s\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tables.freshness-target: 'soon' is not a duration")
        .hasMessageContaining("a.b.freshness-target must be greater than zero");
  }

  @Test
  void exampleFileParses() {
    TributaryConfig config =
        ConfigLoader.fromYaml(RepoFiles.find("streaming-app/config/tributary.example.yaml"));

    assertThat(config.source().host()).isEqualTo("db.corp.example");
    assertThat(config.source().password()).isEqualTo(Secret.ofEnv("TRIBUTARY_DB_PASSWORD"));
    assertThat(config.source().sslMode()).isEqualTo(SslMode.REQUIRE);
    assertThat(config.tables().matches("sales.orders")).isTrue();
    assertThat(config.tables().matches("sales.tmp_load")).isFalse();
    assertThat(config.tables().optionsFor("sales.orders").changelog()).isTrue();
    assertThat(config.tables().optionsFor("public.events_nokey").keyColumns())
        .containsExactly("event_id");
    assertThat(config.sink().catalog().type()).isEqualTo(CatalogType.GLUE);
    assertThat(config.sink().catalog().glueCatalogId()).isEqualTo("123456789012");
    assertThat(config.sink().namespace()).isEqualTo("shop");
    assertThat(config.job().checkpointDir()).isEqualTo("file:///var/tributary/checkpoints");
  }

  @Test
  void flowStyleListsAndCommaSeparatedTextAreTheSame() {
    String base = "source: {host: db, database: shop, user: u}\nsink: {warehouse: s3://lake/wh}\n";
    TributaryConfig lists =
        ConfigLoader.fromYamlString(
            base
                + "tables:\n  include: [a.b, c.*]\n  options:\n    a.b:\n"
                + "      partition-spec: [\"bucket(16, id)\", \"day(ts)\"]\n");
    TributaryConfig text =
        ConfigLoader.fromYamlString(
            base
                + "tables:\n  include: a.b, c.*\n  options:\n    a.b:\n"
                + "      partition-spec: bucket(16, id),day(ts)\n");

    assertThat(text).isEqualTo(lists);
    assertThat(text.tables().optionsFor("a.b").partitionSpec())
        .containsExactly("bucket(16, id)", "day(ts)");
  }

  @Test
  void missingFileNamesThePath(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");

    assertThatThrownBy(() -> ConfigLoader.fromYaml(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Configuration file " + missing.toAbsolutePath())
        .hasMessageContaining("does not exist");
  }

  @Test
  void unreadableFileNamesThePath(@TempDir Path dir) throws Exception {
    // A directory cannot be read as a file, whoever runs the test.
    assertThatThrownBy(() -> ConfigLoader.fromYaml(dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Configuration file " + dir.toAbsolutePath())
        .hasMessageContaining("cannot be read");
  }

  @Test
  void syntaxErrorGivesLineAndColumn(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "source:\n  host: db\n  port: 5432: 1\n");

    assertThatThrownBy(() -> ConfigLoader.fromYaml(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Configuration file " + file.toAbsolutePath())
        .hasMessageContaining("is not valid YAML at line 3, column 13");
  }

  @Test
  void syntaxErrorInStringGivesLineAndColumn() {
    assertThatThrownBy(() -> ConfigLoader.fromYamlString("tables:\n  include: [a.b\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageMatching(
            "(?s)The configuration is not valid YAML at line \\d+, column \\d+: .*");
  }

  @Test
  void emptyDocumentIsRejected() {
    assertThatThrownBy(() -> ConfigLoader.fromYamlString("# nothing here\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("The configuration is empty");
  }

  @Test
  void duplicateKeyIsRejectedWithBothLines() {
    assertThatThrownBy(
            () ->
                ConfigLoader.fromYamlString(
                    "source:\n  host: a\n  host: b\n  database: d\n  user: u\n"
                        + "tables: {include: [a.b]}\nsink: {warehouse: s3://w/h}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid configuration: line 3: Key 'source.host' is given twice (also at line 2):"
                + " keep only one");
  }

  @Test
  void problemsCarryTheirLine() {
    ConfigException e =
        Assertions.assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.fromYamlString(
                    "source:\n  host: db\n  database: shop\n  user: u\n  port: 70000\n"
                        + "tables: {include: [a.b]}\nsink: {warehouse: s3://w/h}\n"));

    assertThat(e.problems())
        .containsExactly(
            "line 5: source.port must be between 1 and 65535, got 70000 (PostgreSQL uses 5432)");
  }

  @Test
  void allProblemsAreReportedTogether() {
    ConfigException e =
        Assertions.assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.fromYamlString(
                    "source:\n  prot: 1\n  database: shop\n  user: u\n"
                        + "tables: {include: [orders]}\n"
                        + "job: {parallelism: 0}\n"));

    assertThat(e.problems()).hasSize(5);
    assertThat(e.getMessage())
        .startsWith("Invalid configuration (5 problems):")
        .contains("Did you mean 'source.port'?")
        .contains("source.host is required")
        .contains("tables.include: 'orders' is not a schema.table pattern")
        .contains("sink.warehouse is required")
        .contains("job.parallelism must be at least 1");
    assertThat(List.copyOf(e.problems())).isEqualTo(e.problems());
  }

  @Test
  void commitThreadsAreReadAndChecked() {
    String head =
        "source: {host: db, database: shop, user: u}\n" + "tables: {include: [public.orders]}\n";
    assertThat(
            ConfigLoader.fromYamlString(
                    head + "sink: {warehouse: s3://lake/wh, commit-threads: 4}\n")
                .sink()
                .commitThreads())
        .isEqualTo(4);
    for (String bad : List.of("0", "257")) {
      ConfigException e =
          Assertions.assertThrows(
              ConfigException.class,
              () ->
                  ConfigLoader.fromYamlString(
                      head + "sink: {warehouse: s3://lake/wh, commit-threads: " + bad + "}\n"));
      assertThat(e.getMessage())
          .contains("sink.commit-threads must be between 1 and 256, got " + bad)
          .contains("use 1 to commit one table after the other");
    }
  }
}
