package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The optional control section, from YAML and from the property group of the same name. */
class ControlConfigTest {
  private static final String BASE =
      "source: {host: db, database: shop, user: u, password: {env: PW}}\n"
          + "tables: {include: [\"public.*\"]}\n"
          + "sink: {warehouse: \"s3://lake/w\"}\n";

  @Test
  void absentSectionMeansNoControlTable() {
    assertThat(ConfigLoader.fromYamlString(BASE).control()).isEmpty();
  }

  @Test
  void yamlAndPropertyGroupsGiveTheSameControlTable() {
    TributaryConfig yaml =
        ConfigLoader.fromYamlString(
            BASE + "control: {table-name: tributary-control, region: eu-west-1}\n");
    Map<String, Properties> groups = new LinkedHashMap<>();
    groups.put(
        "source", props("host", "db", "database", "shop", "user", "u", "password.env", "PW"));
    groups.put("tables", props("include", "public.*"));
    groups.put("sink", props("warehouse", "s3://lake/w"));
    groups.put("control", props("table-name", "tributary-control", "region", "eu-west-1"));

    TributaryConfig fromGroups = ConfigLoader.fromPropertyGroups(groups);

    assertThat(yaml.control().orElseThrow().tableName()).isEqualTo("tributary-control");
    assertThat(yaml.control().orElseThrow().region()).isEqualTo("eu-west-1");
    assertThat(yaml.control().orElseThrow().endpoint()).isNull();
    assertThat(fromGroups).isEqualTo(yaml);
  }

  @Test
  void badValuesAreNamedWithWhatToDo() {
    assertThatThrownBy(
            () ->
                ConfigLoader.fromYamlString(
                    BASE + "control: {region: eu-west-1, endpoint: \"127.0.0.1:4567\"}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("control.table-name is required")
        .hasMessageContaining("control.endpoint '127.0.0.1:4567' is not an http(s) URL");
    assertThatThrownBy(
            () -> ConfigLoader.fromYamlString(BASE + "control: {table-nam: tributary-control}\n"))
        .hasMessageContaining("Did you mean 'control.table-name'?");
  }

  @Test
  void historyRetentionDefaultsToNinetyDaysAndIsReadFromBothForms() {
    assertThat(
            ConfigLoader.fromYamlString(BASE + "control: {table-name: tributary-control}\n")
                .control()
                .orElseThrow()
                .historyRetention())
        .isEqualTo(Duration.ofDays(90));
    TributaryConfig yaml =
        ConfigLoader.fromYamlString(
            BASE + "control: {table-name: tributary-control, history-retention: 30d}\n");
    assertThat(yaml.control().orElseThrow().historyRetention()).isEqualTo(Duration.ofDays(30));
    Map<String, Properties> groups = new LinkedHashMap<>();
    groups.put(
        "source", props("host", "db", "database", "shop", "user", "u", "password.env", "PW"));
    groups.put("tables", props("include", "public.*"));
    groups.put("sink", props("warehouse", "s3://lake/w"));
    groups.put("control", props("table-name", "tributary-control", "history-retention", "P30D"));
    assertThat(ConfigLoader.fromPropertyGroups(groups)).isEqualTo(yaml);
  }

  @Test
  void historyRetentionOutOfRangeOrNotADurationIsRefused() {
    assertThatThrownBy(
            () ->
                ConfigLoader.fromYamlString(
                    BASE + "control: {table-name: tributary-control, history-retention: 12h}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("control.history-retention 12h is out of range")
        .hasMessageContaining("between 1d and 3650d");
    assertThatThrownBy(
            () ->
                ConfigLoader.fromYamlString(
                    BASE + "control: {table-name: tributary-control, history-retention: 3651d}\n"))
        .hasMessageContaining("control.history-retention 87624h is out of range");
    assertThatThrownBy(
            () ->
                ControlConfig.builder()
                    .tableName("tributary-control")
                    .historyRetention("ninety days")
                    .build())
        .hasMessageContaining("control.history-retention 'ninety days' is not a duration");
  }

  private static Properties props(String... keyValues) {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return p;
  }
}
