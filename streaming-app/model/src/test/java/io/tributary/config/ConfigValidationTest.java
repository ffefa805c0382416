package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** Every kind of bad configuration is rejected with a message that names the key. */
class ConfigValidationTest {

  private static final String SOURCE =
      "source:\n  host: db\n  database: shop\n  user: u\n  password: {env: PGPASSWORD}\n";
  private static final String TABLES = "tables:\n  include: [\"sales.*\"]\n";
  private static final String SINK = "sink:\n  warehouse: s3://lake/wh\n";

  private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(String yaml) {
    return assertThatThrownBy(() -> ConfigLoader.fromYamlString(yaml))
        .isInstanceOf(ConfigException.class);
  }

  private static String problemOf(String yaml) {
    try {
      ConfigLoader.fromYamlString(yaml);
    } catch (ConfigException e) {
      assertThat(e.problems()).hasSize(1);
      return e.problems().get(0);
    }
    throw new AssertionError("accepted: " + yaml);
  }

  @Test
  void baseIsValid() {
    assertThat(ConfigLoader.fromYamlString(SOURCE + TABLES + SINK).source().host()).isEqualTo("db");
  }

  // ---- unknown keys ----

  @Test
  void misspelledKeySuggestsTheNearest() {
    assertThat(problemOf(SOURCE + "  prot: 5432\n" + TABLES + SINK))
        .isEqualTo("line 6: Unknown configuration key 'source.prot'. Did you mean 'source.port'?");
  }

  @Test
  void misspelledNestedKeySuggestsTheNearest() {
    assertThat(problemOf(SOURCE + "  snapshot:\n    chunk-sise: 10\n" + TABLES + SINK))
        .endsWith(
            "Unknown configuration key 'source.snapshot.chunk-sise'. Did you mean"
                + " 'source.snapshot.chunk-size'?");
  }

  @Test
  void misspelledSectionSuggestsTheNearest() {
    assertThat(problemOf(SOURCE + TABLES + SINK + "jbo:\n  parallelism: 2\n"))
        .isEqualTo("line 10: Unknown configuration key 'jbo'. Did you mean 'job'?");
  }

  @Test
  void keyFarFromAnyListsTheValidKeysOfItsSection() {
    assertThat(problemOf(SOURCE + TABLES + SINK + "job:\n  restart-strategy: none\n"))
        .isEqualTo(
            "line 11: Unknown configuration key 'job.restart-strategy'. Valid keys under 'job':"
                + " name, checkpoint-interval, parallelism, checkpoint-dir, source-poll-interval");
  }

  @Test
  void misspelledTableOptionSuggestsTheNearest() {
    assertThat(
            problemOf(
                SOURCE + TABLES + "  options:\n    sales.orders:\n      chanelog: true\n" + SINK))
        .endsWith(
            "Unknown configuration key 'tables.options.sales.orders.chanelog'. Did you mean"
                + " 'tables.options.sales.orders.changelog'?");
  }

  @Test
  void sectionGivenAsValueIsRejected() {
    assertThat(problemOf(SOURCE + TABLES + SINK + "job: fast\n"))
        .contains("'job' is a section: write its keys indented below it");
  }

  // ---- types ----

  @Test
  void portMustBeANumberInRange() {
    assertThat(problemOf(SOURCE + "  port: fivefour\n" + TABLES + SINK))
        .isEqualTo("line 6: source.port: 'fivefour' is not a whole number");
    assertThat(problemOf(SOURCE + "  port: 0\n" + TABLES + SINK))
        .isEqualTo("line 6: source.port must be between 1 and 65535, got 0 (PostgreSQL uses 5432)");
  }

  @Test
  void parallelismMustBePositive() {
    assertThat(problemOf(SOURCE + TABLES + SINK + "job: {parallelism: 0}\n"))
        .isEqualTo("line 10: job.parallelism must be at least 1, got 0");
  }

  @Test
  void durationsMustParseAndBePositive() {
    assertThat(problemOf(SOURCE + TABLES + SINK + "job: {checkpoint-interval: 30}\n"))
        .isEqualTo(
            "line 10: job.checkpoint-interval: '30' is not a duration: write e.g. 500ms, 30s, 5m,"
                + " 1h or PT30S");
    assertThat(problemOf(SOURCE + "  heartbeat-interval: 0s\n" + TABLES + SINK))
        .isEqualTo("line 6: source.heartbeat-interval must be greater than zero, e.g. 30s");
  }

  @Test
  void booleansAreStrictlyTrueOrFalse() {
    assertThat(problemOf(SOURCE + TABLES + SINK + "  s3: {path-style-access: yes}\n"))
        .isEqualTo(
            "line 10: sink.s3.path-style-access: 'yes' is not a boolean: write true or false");
    assertThat(problemOf(SOURCE + TABLES + "  options:\n    sales.orders: {changelog: 1}\n" + SINK))
        .isEqualTo(
            "line 9: tables.options.sales.orders.changelog: '1' is not a boolean: write true or"
                + " false");
  }

  @Test
  void enumsListTheValidValues() {
    assertThat(problemOf(SOURCE + "  ssl-mode: requird\n" + TABLES + SINK))
        .isEqualTo(
            "line 6: source.ssl-mode: 'requird' is not valid: use one of disable, prefer, require,"
                + " verify-ca, verify-full");
    assertThat(problemOf(SOURCE + TABLES + SINK + "  catalog: {type: hive}\n"))
        .isEqualTo("line 10: sink.catalog.type: 'hive' is not valid: use one of glue, jdbc, rest");
    assertThat(problemOf(SOURCE + "  type: oracle\n" + TABLES + SINK))
        .isEqualTo(
            "line 6: source.type 'oracle' is not supported: valid values are postgres, mysql");
  }

  @Test
  void sslModeAcceptsLibpqAndConstantNames() {
    assertThat(
            ConfigLoader.fromYamlString(SOURCE + "  ssl-mode: VERIFY_CA\n" + TABLES + SINK)
                .source()
                .sslMode())
        .isEqualTo(SslMode.VERIFY_CA);
    assertThat(SslMode.VERIFY_CA.libpqName()).isEqualTo("verify-ca");
  }

  @Test
  void singleValueKeyGivenAListIsRejected() {
    assertThat(problemOf(SOURCE + "  slot-name: [a, b]\n" + TABLES + SINK))
        .isEqualTo("line 6: source.slot-name takes a single value, not a list");
  }

  // ---- required values ----

  @Test
  void requiredValuesAreNamed() {
    assertRejected("source: {port: 5432}\ntables: {exclude: [a.b]}\nsink: {namespace: x}\n")
        .hasMessageContaining("source.host is required")
        .hasMessageContaining("source.database is required")
        .hasMessageContaining("source.user is required")
        .hasMessageContaining("tables.include is required")
        .hasMessageContaining("sink.warehouse is required");
  }

  @Test
  void catalogUriIsRequiredForJdbcAndRest() {
    assertThat(problemOf(SOURCE + TABLES + SINK + "  catalog: {type: jdbc}\n"))
        .startsWith("sink.catalog.uri is required for a jdbc catalog");
    assertThat(problemOf(SOURCE + TABLES + SINK + "  catalog: {type: rest}\n"))
        .startsWith("sink.catalog.uri is required for a rest catalog");
    assertThat(
            problemOf(
                SOURCE + TABLES + SINK + "  catalog: {type: rest, uri: jdbc:postgresql://x/y}\n"))
        .contains("sink.catalog.uri 'jdbc:postgresql://x/y' is not an http(s) URL");
  }

  @Test
  void glueRejectsSettingsItDoesNotUse() {
    assertThat(problemOf(SOURCE + TABLES + SINK + "  catalog: {uri: https://x}\n"))
        .contains("sink.catalog.uri is not used by a glue catalog");
    assertThat(
            problemOf(
                SOURCE
                    + TABLES
                    + SINK
                    + "  catalog: {type: jdbc, uri: jdbc:x, glue-catalog-id: \"123456789012\"}\n"))
        .contains("sink.catalog.glue-catalog-id is only used by a glue catalog");
    assertThat(problemOf(SOURCE + TABLES + SINK + "  catalog: {glue-catalog-id: \"12345\"}\n"))
        .contains("sink.catalog.glue-catalog-id '12345' is not an AWS account id");
  }

  // ---- secrets ----

  @Test
  void passwordGivenTwoWaysIsRejected() {
    String yaml =
        "source:\n  host: db\n  database: shop\n  user: u\n"
            + "  password:\n    env: PGPASSWORD\n    file: /run/secrets/pg\n"
            + TABLES
            + SINK;
    assertThat(problemOf(yaml))
        .isEqualTo(
            "line 7: source.password is given in more than one way (source.password.env,"
                + " source.password.file): keep exactly one of env, file or secret-arn");
  }

  @Test
  void plainTextPasswordIsRejectedWithoutEchoingIt() {
    String yaml =
        "source:\n  host: db\n  database: shop\n  user: u\n  password: hunter2\n" + TABLES + SINK;
    assertThat(problemOf(yaml))
        .isEqualTo(
            "line 5: source.password: plain-text passwords are not accepted. Give exactly one of"
                + " source.password.env (an environment variable), source.password.file (a file)"
                + " or source.password.secret-arn (an AWS Secrets Manager secret)")
        .doesNotContain("hunter2");
  }

  @Test
  void plainTextS3SecretIsRejected() {
    assertRejected(SOURCE + TABLES + SINK + "  s3: {access-key-id: k, secret-access-key: s3cr3t}\n")
        .hasMessageContaining(
            "line 10: sink.s3.secret-access-key: plain-text secrets are not accepted")
        .hasMessageNotContaining("s3cr3t");
  }

  @Test
  void secretKeyNeedsSecretArn() {
    String yaml =
        "source:\n  host: db\n  database: shop\n  user: u\n"
            + "  password: {env: PGPASSWORD, secret-key: pw}\n"
            + TABLES
            + SINK;
    assertThat(problemOf(yaml))
        .isEqualTo(
            "line 5: source.password.secret-key is only used with source.password.secret-arn: add"
                + " the secret ARN or remove secret-key");
  }

  @Test
  void malformedSecretReferencesAreRejected() {
    assertThat(
            problemOf(
                "source:\n  host: db\n  database: shop\n  user: u\n"
                    + "  password: {env: \"my password\"}\n"
                    + TABLES
                    + SINK))
        .contains("source.password.env: 'my password' is not an environment variable name");
    assertThat(
            problemOf(
                "source:\n  host: db\n  database: shop\n  user: u\n"
                    + "  password: {secret-arn: \"arn:aws:s3:::bucket\"}\n"
                    + TABLES
                    + SINK))
        .contains("is not a Secrets Manager secret ARN");
  }

  @Test
  void s3KeysGoTogether() {
    assertThat(problemOf(SOURCE + TABLES + SINK + "  s3: {access-key-id: k}\n"))
        .contains("sink.s3.access-key-id and sink.s3.secret-access-key go together");
  }

  @Test
  void secretLookingCatalogPropertiesAreRejected() {
    assertThat(problemOf(SOURCE + TABLES + SINK + "  catalog:\n    properties: {token: abc}\n"))
        .contains("sink.catalog.properties.token looks like a secret")
        .doesNotContain("abc");
    assertThat(problemOf(SOURCE + TABLES + SINK + "  catalog:\n    properties: {warehouse: x}\n"))
        .contains("sink.catalog.properties.warehouse has an option of its own: set sink.warehouse");
  }

  // ---- tables ----

  @Test
  void tablePatternsMustBeSchemaDotTable() {
    assertThat(problemOf(SOURCE + "tables:\n  include: [orders]\n" + SINK))
        .isEqualTo(
            "line 7: tables.include: 'orders' is not a schema.table pattern: write e.g."
                + " public.orders, sales.* or *.audit_*");
    assertThat(problemOf(SOURCE + TABLES + "  exclude: [a.b.c]\n" + SINK))
        .contains("tables.exclude: 'a.b.c' is not a schema.table pattern");
  }

  @Test
  void tableOptionsNeedAnExactIncludedName() {
    assertThat(problemOf(SOURCE + TABLES + "  options:\n    sales.*: {changelog: true}\n" + SINK))
        .contains("tables.options: 'sales.*' must be an exact schema.table name without * or ?");
    assertThat(
            problemOf(
                SOURCE + TABLES + "  options:\n    public.orders: {changelog: true}\n" + SINK))
        .contains(
            "tables.options: table 'public.orders' is not matched by tables.include [sales.*]:"
                + " add it to include or correct the name");
    assertThat(
            problemOf(
                SOURCE
                    + TABLES
                    + "  exclude: [sales.tmp_*]\n  options:\n    sales.tmp_x: {changelog: true}\n"
                    + SINK))
        .contains("table 'sales.tmp_x' is excluded by tables.exclude pattern 'sales.tmp_*'");
  }

  @Test
  void badPartitionTermsNameTheTableAndTerm() {
    String yaml =
        SOURCE
            + TABLES
            + "  options:\n    sales.orders:\n"
            + "      partition-spec: [\"dya(created_at)\", \"bucket(id)\", \"day(a\"]\n"
            + SINK;
    assertRejected(yaml)
        .hasMessageContaining(
            "line 10: tables.options.sales.orders.partition-spec: partition term 'dya(created_at)'"
                + " uses unknown transform 'dya'")
        .hasMessageContaining(
            "tables.options.sales.orders.partition-spec: partition term 'bucket(id)' must be"
                + " bucket(N, column)")
        .hasMessageContaining(
            "tables.options.sales.orders.partition-spec: partition term 'day(a' is not"
                + " well-formed");
  }

  @Test
  void namespaceDefaultMustSuitGlue() {
    String yaml = "source: {host: db, database: Shop-DB, user: u}\n" + TABLES + SINK;
    assertThat(problemOf(yaml))
        .isEqualTo(
            "sink.namespace is not set, so it defaults to source.database 'Shop-DB', which is not"
                + " a valid Glue database name: use up to 255 lower-case letters, digits and"
                + " underscores. Set sink.namespace explicitly");
  }

  @Test
  void locationsMustBeUris() {
    assertThat(problemOf(SOURCE + TABLES + "sink:\n  warehouse: my-lake/warehouse\n"))
        .contains("sink.warehouse 'my-lake/warehouse' is not a location URI");
    assertThat(problemOf(SOURCE + TABLES + SINK + "job: {checkpoint-dir: /tmp/cp}\n"))
        .contains("job.checkpoint-dir '/tmp/cp' is not a URI");
  }

  @Test
  void replicationSlotNameMustBeValid() {
    assertThat(problemOf(SOURCE + "  slot-name: Tributary-1\n" + TABLES + SINK))
        .contains("source.slot-name 'Tributary-1' is not a valid replication slot name");
  }
}
