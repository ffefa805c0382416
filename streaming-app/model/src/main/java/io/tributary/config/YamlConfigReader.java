package io.tributary.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tributary.config.RawConfig.Value;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the YAML form of the configuration into a {@link RawConfig}, checking every key against
 * {@link ConfigOptions} and remembering the line of every value for messages.
 */
final class YamlConfigReader {

  private static final String TABLE_OPTIONS = "tables.options";
  private static final String CATALOG_PROPERTIES = "sink.catalog.properties";

  /** Every valid key and section path, for suggestions. */
  private static final Set<String> PATHS = paths();

  private final RawConfig raw = new RawConfig();

  private YamlConfigReader() {}

  /**
   * Reads {@code yaml}.
   *
   * @param source how to name the input in a syntax error, e.g. "Configuration file /a/b.yaml"
   * @throws ConfigException on a YAML syntax error, with its line and column
   */
  static RawConfig read(String yaml, String source) {
    YamlConfigReader reader = new YamlConfigReader();
    Node root = parse(yaml, source, reader.raw.problems);
    if (root == null || (root instanceof Scalar && ((Scalar) root).text == null)) {
      reader.raw.problems.add(
          "The configuration is empty: write the sections source, tables and sink (see"
              + " config/tributary.example.yaml)");
    } else if (!(root instanceof Mapping)) {
      reader.raw.problems.add(
          at(root)
              + "The configuration must be a mapping with the sections source, tables, sink"
              + " and job");
    } else {
      reader.walk((Mapping) root, "");
    }
    return reader.raw;
  }

  private void walk(Mapping mapping, String path) {
    for (Map.Entry<String, Node> entry : mapping.entries.entrySet()) {
      String key = path.isEmpty() ? entry.getKey() : path + "." + entry.getKey();
      Node node = entry.getValue();
      String location = "line " + mapping.keyLines.get(entry.getKey());
      OptionDoc option = ConfigOptions.fixed(key);
      if (key.equals(TABLE_OPTIONS)) {
        tableOptions(node, location);
      } else if (key.equals(CATALOG_PROPERTIES)) {
        catalogProperties(node, key, location);
      } else if (option != null) {
        Value value = leaf(key, option, node, location);
        if (value != null) {
          raw.put(key, value);
        }
      } else if (ConfigOptions.SECRET_PREFIXES.contains(key) && isValue(node)) {
        raw.problems.add(RawConfig.at(location, RawConfig.plainTextSecret(key)));
      } else if (PATHS.contains(key)) {
        section(key, node, location);
      } else {
        raw.problems.add(
            RawConfig.at(
                location,
                RawConfig.unknownKey(key, PATHS, path, RawConfig.childrenOf(path, PATHS))));
      }
    }
  }

  private void section(String key, Node node, String location) {
    if (node instanceof Mapping) {
      walk((Mapping) node, key);
    } else if (isValue(node)) {
      raw.problems.add(
          RawConfig.at(
              location,
              "'"
                  + key
                  + "' is a section: write its keys indented below it ("
                  + String.join(", ", RawConfig.childrenOf(key, PATHS))
                  + ")"));
    }
  }

  /** Reads a value; null (and maybe a problem) when there is none. */
  private Value leaf(String key, OptionDoc option, Node node, String location) {
    if (node instanceof Scalar) {
      String text = ((Scalar) node).text;
      return text == null ? null : new Value(key, location, text, null);
    }
    boolean list = option.kind() == OptionDoc.Kind.LIST;
    if (node instanceof Sequence && list) {
      List<String> items = new ArrayList<>();
      for (Node item : ((Sequence) node).items) {
        if (!(item instanceof Scalar) || ((Scalar) item).text == null) {
          raw.problems.add(
              RawConfig.at(
                  location,
                  key
                      + " must be a list of plain values, e.g. [\"sales.*\", \"public.customers\"]"));
          return null;
        }
        items.add(((Scalar) item).text);
      }
      return new Value(key, location, null, items);
    }
    raw.problems.add(
        RawConfig.at(
            location,
            key
                + (list
                    ? " must be a list, e.g. [a, b], or one comma-separated value"
                    : " takes a single value, not a "
                        + (node instanceof Sequence ? "list" : "mapping"))));
    return null;
  }

  private void tableOptions(Node node, String location) {
    if (node instanceof Scalar && ((Scalar) node).text == null) {
      return;
    }
    if (!(node instanceof Mapping)) {
      raw.problems.add(
          RawConfig.at(
              location,
              TABLE_OPTIONS
                  + " must map table names to their options, e.g. sales.orders: {changelog: true}"));
      return;
    }
    Mapping tables = (Mapping) node;
    for (Map.Entry<String, Node> table : tables.entries.entrySet()) {
      String tableKey = TABLE_OPTIONS + "." + table.getKey();
      String tableLocation = "line " + tables.keyLines.get(table.getKey());
      RawConfig.TableEntry entry = raw.table(table.getKey(), tableKey, tableLocation);
      Node options = table.getValue();
      if (options instanceof Scalar && ((Scalar) options).text == null) {
        continue;
      }
      if (!(options instanceof Mapping)) {
        raw.problems.add(
            RawConfig.at(
                tableLocation,
                tableKey
                    + " must be a mapping of options ("
                    + String.join(", ", ConfigOptions.TABLE_OPTION_NAMES)
                    + ")"));
        continue;
      }
      Mapping mapping = (Mapping) options;
      for (Map.Entry<String, Node> option : mapping.entries.entrySet()) {
        String key = tableKey + "." + option.getKey();
        String optionLocation = "line " + mapping.keyLines.get(option.getKey());
        OptionDoc doc = ConfigOptions.tableOption(option.getKey());
        if (doc == null) {
          List<String> valid = new ArrayList<>();
          for (String name : ConfigOptions.TABLE_OPTION_NAMES) {
            valid.add(tableKey + "." + name);
          }
          raw.problems.add(
              RawConfig.at(
                  optionLocation,
                  RawConfig.unknownKey(key, valid, tableKey, ConfigOptions.TABLE_OPTION_NAMES)));
          continue;
        }
        Value value = leaf(key, doc, option.getValue(), optionLocation);
        if (value != null) {
          entry.options.put(option.getKey(), value);
        }
      }
    }
  }

  private void catalogProperties(Node node, String path, String location) {
    if (node instanceof Scalar && ((Scalar) node).text == null && path.equals(CATALOG_PROPERTIES)) {
      return;
    }
    if (node instanceof Mapping) {
      Mapping mapping = (Mapping) node;
      for (Map.Entry<String, Node> entry : mapping.entries.entrySet()) {
        catalogProperties(
            entry.getValue(),
            path + "." + entry.getKey(),
            "line " + mapping.keyLines.get(entry.getKey()));
      }
    } else if (path.equals(CATALOG_PROPERTIES)) {
      raw.problems.add(
          RawConfig.at(
              location,
              CATALOG_PROPERTIES + " must be a mapping of Iceberg catalog properties to values"));
    } else if (node instanceof Scalar && ((Scalar) node).text != null) {
      raw.put(path, new Value(path, location, ((Scalar) node).text, null));
    } else {
      raw.problems.add(
          RawConfig.at(location, path + " must be a single value (catalog properties are text)"));
    }
  }

  private static boolean isValue(Node node) {
    return node instanceof Sequence || (node instanceof Scalar && ((Scalar) node).text != null);
  }

  private static String at(Node node) {
    return "line " + node.line + ": ";
  }

  private static Set<String> paths() {
    Set<String> paths = new LinkedHashSet<>();
    for (OptionDoc option : ConfigOptions.all()) {
      String key = option.key();
      if (key.startsWith(ConfigOptions.TABLE_OPTION_PREFIX)) {
        key = TABLE_OPTIONS;
      } else if (key.startsWith(ConfigOptions.CATALOG_PROPERTIES_PREFIX)) {
        key = CATALOG_PROPERTIES;
      }
      int dot = key.indexOf('.');
      while (dot > 0) {
        paths.add(key.substring(0, dot));
        dot = key.indexOf('.', dot + 1);
      }
      paths.add(key);
    }
    return paths;
  }

  // ---- YAML parsing into a small tree that keeps the text and line of every value ----

  private static Node parse(String yaml, String source, Problems problems) {
    try (JsonParser parser = new YAMLFactory().createParser(yaml)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return null;
      }
      Node root = read(parser, first, "", problems);
      if (parser.nextToken() != null) {
        throw new ConfigException(
            source + " holds more than one YAML document: keep only one (remove extra '---')");
      }
      return root;
    } catch (JsonProcessingException e) {
      JsonLocation location = e.getLocation();
      String problem = e.getOriginalMessage();
      int newline = problem.indexOf('\n');
      if (newline > 0) {
        problem = problem.substring(0, newline);
      }
      String where =
          location == null
              ? ""
              : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
      throw new ConfigException(source + " is not valid YAML" + where + ": " + problem, e);
    } catch (IOException e) {
      throw new ConfigException(source + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static Node read(JsonParser parser, JsonToken token, String path, Problems problems)
      throws IOException {
    int line = parser.currentTokenLocation().getLineNr();
    switch (token) {
      case START_OBJECT:
        Mapping mapping = new Mapping(line);
        JsonToken next;
        while ((next = parser.nextToken()) == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          int keyLine = parser.currentTokenLocation().getLineNr();
          String key = path.isEmpty() ? name : path + "." + name;
          Node value = read(parser, parser.nextToken(), key, problems);
          if (mapping.entries.containsKey(name)) {
            problems.add(
                "line "
                    + keyLine
                    + ": Key '"
                    + key
                    + "' is given twice (also at line "
                    + mapping.keyLines.get(name)
                    + "): keep only one");
          } else {
            mapping.entries.put(name, value);
            mapping.keyLines.put(name, keyLine);
          }
        }
        return mapping;
      case START_ARRAY:
        Sequence sequence = new Sequence(line);
        JsonToken item;
        while ((item = parser.nextToken()) != JsonToken.END_ARRAY) {
          sequence.items.add(read(parser, item, path, problems));
        }
        return sequence;
      case VALUE_NULL:
        return new Scalar(line, null);
      default:
        if (token.isScalarValue()) {
          return new Scalar(line, parser.getText());
        }
        problems.add("line " + line + ": unexpected YAML content " + token);
        return new Scalar(line, null);
    }
  }

  private abstract static class Node {
    final int line;

    Node(int line) {
      this.line = line;
    }
  }

  private static final class Mapping extends Node {
    final Map<String, Node> entries = new LinkedHashMap<>();
    final Map<String, Integer> keyLines = new LinkedHashMap<>();

    Mapping(int line) {
      super(line);
    }
  }

  private static final class Sequence extends Node {
    final List<Node> items = new ArrayList<>();

    Sequence(int line) {
      super(line);
    }
  }

  private static final class Scalar extends Node {
    /** The text as written; null for a YAML null (~, null or nothing). */
    final String text;

    Scalar(int line, String text) {
      super(line);
      this.text = text;
    }
  }
}
