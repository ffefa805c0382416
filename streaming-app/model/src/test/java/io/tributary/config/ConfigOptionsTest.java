package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigOptionsTest {

  private static final String TABLE = "public.orders";

  @Test
  void keysAreUniqueAndDescribed() {
    Set<String> keys = new HashSet<>();
    for (OptionDoc option : ConfigOptions.all()) {
      assertThat(keys.add(option.key())).as(option.key()).isTrue();
      assertThat(option.description()).as(option.key()).isNotBlank().doesNotContain("|");
      assertThat(option.type()).as(option.key()).isNotBlank();
      if (option.required()) {
        assertThat(option.defaultValue()).as(option.key()).isNull();
      }
    }
  }

  @Test
  void groupIdsAndPropertyKeysFollowTheYamlSections() {
    assertThat(ConfigOptions.SOURCE_SNAPSHOT_CHUNK_SIZE.groupId()).isEqualTo("source");
    assertThat(ConfigOptions.SOURCE_SNAPSHOT_CHUNK_SIZE.propertyKey())
        .isEqualTo("snapshot.chunk-size");
    assertThat(ConfigOptions.TABLE_CHANGELOG.groupId()).isEqualTo("table.<schema>.<table>");
    assertThat(ConfigOptions.TABLE_CHANGELOG.propertyKey()).isEqualTo("changelog");
    assertThat(ConfigOptions.SINK_CATALOG_PASSWORD_SECRET_ARN.propertyKey())
        .isEqualTo("catalog.password.secret-arn");
  }

  @Test
  void everyKeyIsKnownToThePropertyGroupReader() {
    Map<String, Properties> groups = ConfigLoaderPropertyGroupsTest.minimalGroups();
    for (OptionDoc option : ConfigOptions.all()) {
      String group = option.groupId().replace("<schema>.<table>", TABLE);
      String key = option.propertyKey().replace("<name>", "some-property");
      groups.computeIfAbsent(group, g -> new Properties()).setProperty(key, "x");
    }

    assertThat(problems(() -> ConfigLoader.fromPropertyGroups(groups)))
        .noneMatch(p -> p.contains("Unknown"));
  }

  @Test
  void everyKeyIsKnownToTheYamlReader() throws Exception {
    Map<String, Object> root = new LinkedHashMap<>();
    for (OptionDoc option : ConfigOptions.all()) {
      List<String> path = new ArrayList<>();
      String key = option.key();
      if (key.startsWith(ConfigOptions.TABLE_OPTION_PREFIX)) {
        path.addAll(List.of("tables", "options", TABLE));
        path.add(key.substring(ConfigOptions.TABLE_OPTION_PREFIX.length()));
      } else {
        path.addAll(List.of(key.replace("<name>", "some-property").split("\\.")));
      }
      put(root, path, "x");
    }
    String yaml = new ObjectMapper(new YAMLFactory()).writeValueAsString(root);

    assertThat(problems(() -> ConfigLoader.fromYamlString(yaml)))
        .isNotEmpty()
        .noneMatch(p -> p.contains("Unknown"));
  }

  @Test
  void documentedDefaultsAreTheBuiltDefaults() {
    TributaryConfig implicit = ConfigLoader.fromPropertyGroups(withTableGroup());
    Map<String, Properties> groups = withTableGroup();
    for (OptionDoc option : ConfigOptions.all()) {
      String value = option.defaultValue();
      if (value == null || value.startsWith("(") || option.key().endsWith(".secret-key")) {
        continue;
      }
      String group = option.groupId().replace("<schema>.<table>", TABLE);
      groups.computeIfAbsent(group, g -> new Properties()).setProperty(option.propertyKey(), value);
    }
    TributaryConfig explicit = ConfigLoader.fromPropertyGroups(groups);

    assertThat(explicit).isEqualTo(implicit);
    assertThat(explicit.tables().optionsFor(TABLE)).isEqualTo(TableOptions.defaults());
    assertThat(implicit.sink().namespace()).isEqualTo(implicit.source().database());
  }

  @Test
  void markdownTableHasARowPerKey() {
    String table = ConfigOptions.markdownTable();

    assertThat(table.split("\n")).hasSize(ConfigOptions.all().size() + 2);
    assertThat(table)
        .contains(
            "| `source.port` | no | `5432` | int | TCP port of the database server; 3306 by"
                + " default for `mysql`. |");
  }

  private static Map<String, Properties> withTableGroup() {
    Map<String, Properties> groups = ConfigLoaderPropertyGroupsTest.minimalGroups();
    groups.put("table." + TABLE, new Properties());
    // The optional control section, so that its defaults are compared too.
    Properties control = new Properties();
    control.setProperty("table-name", "tributary-control");
    groups.put("control", control);
    return groups;
  }

  @SuppressWarnings("unchecked")
  private static void put(Map<String, Object> root, List<String> path, Object value) {
    Map<String, Object> map = root;
    for (String segment : path.subList(0, path.size() - 1)) {
      map = (Map<String, Object>) map.computeIfAbsent(segment, s -> new LinkedHashMap<>());
    }
    map.put(path.get(path.size() - 1), value);
  }

  private static List<String> problems(Runnable load) {
    try {
      load.run();
      return List.of();
    } catch (ConfigException e) {
      return e.problems();
    }
  }
}
