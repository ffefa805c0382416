package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConfigLoaderPropertyGroupsTest {

  /** The property groups holding the same values as {@link ConfigLoaderYamlTest#FULL}. */
  static Map<String, Properties> fullGroups() {
    Map<String, Properties> groups = new LinkedHashMap<>();
    groups.put(
        "source",
        props(
            "type", "postgres",
            "host", "db.corp.example",
            "port", "6432",
            "database", "shop",
            "user", "tributary",
            "password.secret-arn",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tributary/db-AbCdEf",
            "password.secret-key", "pg_password",
            "ssl-mode", "verify-full",
            "slot-name", "shop_slot",
            "publication-name", "shop_pub",
            "heartbeat-interval", "10s",
            "snapshot.chunk-size", "20000",
            "snapshot.fetch-size", "5000"));
    groups.put(
        "tables",
        props(
            "include", "sales.*, public.customers,public.events_nokey",
            "exclude", "sales.tmp_*",
            "freshness-target", "10m"));
    groups.put(
        "table.sales.orders",
        props(
            "partition-spec", "day(created_at),bucket(16, id)",
            "changelog", "true",
            "freshness-target", "PT2M"));
    groups.put("table.public.events_nokey", props("key-columns", "event_id, source"));
    groups.put(
        "sink",
        props(
            "warehouse", "s3://my-lake/warehouse",
            "namespace", "shop_mirror",
            "catalog.type", "jdbc",
            "catalog.uri", "jdbc:postgresql://127.0.0.1:5432/iceberg_catalog",
            "catalog.user", "iceberg",
            "catalog.password.file", "/run/secrets/catalog",
            "catalog.properties.jdbc.schema-version", "V1",
            "s3.endpoint", "http://127.0.0.1:9000",
            "s3.path-style-access", "true",
            "s3.region", "eu-west-1",
            "s3.access-key-id", "local",
            "s3.secret-access-key.env", "S3_SECRET"));
    groups.put(
        "job",
        props(
            "name", "shop-cdc",
            "checkpoint-interval", "PT1M",
            "parallelism", "4",
            "checkpoint-dir", "file:///var/tributary/checkpoints",
            "source-poll-interval", "60s"));
    return groups;
  }

  static Properties props(String... keysAndValues) {
    Properties properties = new Properties();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      properties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
    }
    return properties;
  }

  static Map<String, Properties> minimalGroups() {
    Map<String, Properties> groups = new LinkedHashMap<>();
    groups.put("source", props("host", "db", "database", "shop", "user", "u"));
    groups.put("tables", props("include", "public.*"));
    groups.put("sink", props("warehouse", "s3://lake/wh"));
    return groups;
  }

  @Test
  void propertyGroupsGiveTheSameConfigAsYaml() {
    TributaryConfig fromGroups = ConfigLoader.fromPropertyGroups(fullGroups());
    TributaryConfig fromYaml = ConfigLoader.fromYamlString(ConfigLoaderYamlTest.FULL);

    assertThat(fromGroups).isEqualTo(fromYaml).hasSameHashCodeAs(fromYaml);
    assertThat(fromGroups.toString()).isEqualTo(fromYaml.toString());
  }

  @Test
  void partitionSpecIsSplitOnCommasOutsideParentheses() {
    Map<String, Properties> groups = minimalGroups();
    groups.put(
        "table.public.orders",
        props("partition-spec", " bucket(16, id),day(ts) , truncate(4,code), region"));

    TableOptions options =
        ConfigLoader.fromPropertyGroups(groups).tables().optionsFor("public.orders");

    assertThat(options.partitionSpec())
        .containsExactly("bucket(16, id)", "day(ts)", "truncate(4,code)", "region");
  }

  @Test
  void unknownKeyInGroupSuggestsTheNearest() {
    Map<String, Properties> groups = minimalGroups();
    groups.get("source").setProperty("prot", "5432");

    assertThatThrownBy(() -> ConfigLoader.fromPropertyGroups(groups))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid Managed Flink runtime properties: Unknown configuration key 'source.prot'."
                + " Did you mean 'source.port'?");
  }

  @Test
  void keyInTheWrongPlaceIsFoundByItsLastSegment() {
    Map<String, Properties> groups = minimalGroups();
    groups.get("source").setProperty("chunk-size", "100");

    assertThatThrownBy(() -> ConfigLoader.fromPropertyGroups(groups))
        .hasMessageContaining(
            "Unknown configuration key 'source.chunk-size'. Did you mean"
                + " 'source.snapshot.chunk-size'?");
  }

  @Test
  void unknownKeyFarFromAnyListsTheGroupKeys() {
    Map<String, Properties> groups = minimalGroups();
    groups.put("job", props("restart-strategy", "none"));

    assertThatThrownBy(() -> ConfigLoader.fromPropertyGroups(groups))
        .hasMessageContaining(
            "Unknown configuration key 'job.restart-strategy'. Valid keys under 'job': name,"
                + " checkpoint-interval, parallelism, checkpoint-dir");
  }

  @Test
  void unknownGroupSuggestsTheNearest() {
    Map<String, Properties> groups = minimalGroups();
    groups.put("jobs", props("parallelism", "2"));

    assertThatThrownBy(() -> ConfigLoader.fromPropertyGroups(groups))
        .hasMessageContaining("Unknown property group 'jobs'. Did you mean 'job'?");
  }

  @Test
  void tablesGroupWithOptionsPointsToTableGroups() {
    Map<String, Properties> groups = minimalGroups();
    groups.put("tables.public.orders", props("changelog", "true"));

    assertThatThrownBy(() -> ConfigLoader.fromPropertyGroups(groups))
        .hasMessageContaining(
            "Unknown property group 'tables.public.orders'. Did you mean 'table.public.orders'?");
  }

  @Test
  void malformedTableGroupIdIsRejected() {
    Map<String, Properties> groups = minimalGroups();
    groups.put("table.orders", props("changelog", "true"));

    assertThatThrownBy(() -> ConfigLoader.fromPropertyGroups(groups))
        .hasMessageContaining("Property group 'table.orders' must be named table.<schema>.<table>");
  }

  @Test
  void unknownTableOptionSuggestsTheNearest() {
    Map<String, Properties> groups = minimalGroups();
    groups.put("table.public.orders", props("partiton-spec", "day(ts)"));

    assertThatThrownBy(() -> ConfigLoader.fromPropertyGroups(groups))
        .hasMessageContaining(
            "Unknown configuration key 'table.public.orders.partiton-spec'. Did you mean"
                + " 'table.public.orders.partition-spec'?");
  }

  @Test
  void plainTextPasswordPropertyIsRejectedWithoutEchoingIt() {
    Map<String, Properties> groups = minimalGroups();
    groups.get("source").setProperty("password", "hunter2");

    assertThatThrownBy(() -> ConfigLoader.fromPropertyGroups(groups))
        .hasMessageContaining("source.password: plain-text passwords are not accepted")
        .hasMessageContaining("source.password.env")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void catalogPropertiesArePassedThrough() {
    Map<String, Properties> groups = minimalGroups();
    groups.get("sink").setProperty("catalog.properties.glue.skip-archive", "true");
    groups.get("sink").setProperty("catalog.properties.client.assume-role.region", "eu-west-1");

    assertThat(ConfigLoader.fromPropertyGroups(groups).sink().catalog().properties())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("glue.skip-archive", "true", "client.assume-role.region", "eu-west-1"));
  }

  @Test
  void noGroupsAtAllIsExplained() {
    assertThatThrownBy(() -> ConfigLoader.fromPropertyGroups(Map.of()))
        .hasMessageContaining("No runtime properties are configured");
  }
}
