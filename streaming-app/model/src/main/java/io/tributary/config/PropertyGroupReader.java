package io.tributary.config;

import io.tributary.config.RawConfig.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads Managed Flink runtime property groups into a {@link RawConfig}: group ids are the YAML
 * sections, property keys the YAML paths below them joined with dots, and table options live in
 * groups {@code table.<schema>.<table>}.
 */
final class PropertyGroupReader {

  private static final String TABLE_GROUP_PREFIX = "table.";
  private static final String TABLE_GROUP_PATTERN = "table.<schema>.<table>";

  private final RawConfig raw = new RawConfig();

  private PropertyGroupReader() {}

  static RawConfig read(Map<String, Properties> groups) {
    PropertyGroupReader reader = new PropertyGroupReader();
    // Sorted, so that problems come in a stable order whatever map the runtime hands over.
    for (Map.Entry<String, Properties> group : new TreeMap<>(groups).entrySet()) {
      reader.group(group.getKey(), group.getValue() == null ? new Properties() : group.getValue());
    }
    return reader.raw;
  }

  private void group(String groupId, Properties properties) {
    if (ConfigOptions.SECTIONS.contains(groupId)) {
      for (String property : new TreeSet<>(properties.stringPropertyNames())) {
        property(groupId, property, properties.getProperty(property));
      }
    } else if (groupId.startsWith(TABLE_GROUP_PREFIX)) {
      tableGroup(groupId, properties);
    } else {
      List<String> groups = new ArrayList<>(ConfigOptions.SECTIONS);
      String suggestion = KeySuggester.suggest(groupId, groups);
      if (suggestion == null && groupId.startsWith("tables.")) {
        suggestion = TABLE_GROUP_PREFIX + groupId.substring("tables.".length());
      }
      raw.problems.add(
          "Unknown property group '"
              + groupId
              + "'."
              + (suggestion == null ? "" : " Did you mean '" + suggestion + "'?")
              + " Valid groups: "
              + String.join(", ", ConfigOptions.SECTIONS)
              + " and "
              + TABLE_GROUP_PATTERN
              + " for the options of one table");
    }
  }

  private void property(String groupId, String property, String text) {
    String key = groupId + "." + property;
    OptionDoc option = ConfigOptions.fixed(key);
    if (option != null) {
      raw.put(key, new Value(key, null, text, null));
    } else if (key.startsWith(ConfigOptions.CATALOG_PROPERTIES_PREFIX)
        && key.length() > ConfigOptions.CATALOG_PROPERTIES_PREFIX.length()) {
      raw.put(key, new Value(key, null, text, null));
    } else if (ConfigOptions.SECRET_PREFIXES.contains(key)) {
      raw.problems.add(RawConfig.plainTextSecret(key));
    } else if (key.startsWith("tables.options.")) {
      raw.problems.add(
          "Unknown configuration key '"
              + key
              + "'. Table options are given in a property group of their own: group id "
              + TABLE_GROUP_PREFIX
              + "<schema>.<table> with keys "
              + String.join(", ", ConfigOptions.TABLE_OPTION_NAMES));
    } else {
      List<String> candidates = ConfigOptions.fixedKeys("");
      List<String> inGroup = new ArrayList<>();
      for (String candidate : ConfigOptions.fixedKeys(groupId + ".")) {
        inGroup.add(candidate.substring(groupId.length() + 1));
      }
      if (groupId.equals("sink")) {
        inGroup.add("catalog.properties.<name>");
      }
      raw.problems.add(RawConfig.unknownKey(key, candidates, groupId, inGroup));
    }
  }

  private void tableGroup(String groupId, Properties properties) {
    String table = groupId.substring(TABLE_GROUP_PREFIX.length());
    if (TableSelection.checkPattern(table) != null) {
      raw.problems.add(
          "Property group '"
              + groupId
              + "' must be named "
              + TABLE_GROUP_PATTERN
              + ", e.g. table.sales.orders");
      return;
    }
    RawConfig.TableEntry entry = raw.table(table, groupId, null);
    for (String property : new TreeSet<>(properties.stringPropertyNames())) {
      String key = groupId + "." + property;
      if (ConfigOptions.tableOption(property) != null) {
        entry.options.put(property, new Value(key, null, properties.getProperty(property), null));
      } else {
        List<String> valid = new ArrayList<>();
        for (String name : ConfigOptions.TABLE_OPTION_NAMES) {
          valid.add(groupId + "." + name);
        }
        raw.problems.add(
            RawConfig.unknownKey(key, valid, groupId, ConfigOptions.TABLE_OPTION_NAMES));
      }
    }
  }
}
