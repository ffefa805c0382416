package io.tributary.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Configuration values as read from YAML or property groups, before typing: the common ground of
 * both readers, so that both produce the same {@link TributaryConfig} for the same values.
 */
final class RawConfig {

  /** One value as written: a scalar or a list of scalars. */
  static final class Value {
    /** The key as the user wrote it, for messages. */
    final String key;

    /** Where it was written ("line 7"), or null. */
    final String location;

    /** The scalar text, or null when the value is a list. */
    final String text;

    /** The list items, or null when the value is a scalar. */
    final List<String> items;

    Value(String key, String location, String text, List<String> items) {
      this.key = key;
      this.location = location;
      this.text = text;
      this.items = items == null ? null : List.copyOf(items);
    }

    /** The problem prefixed with this value's location. */
    String problem(String message) {
      return at(location, message);
    }
  }

  /** The options of one table. */
  static final class TableEntry {
    /** The key of the table as the user wrote it, e.g. "tables.options.sales.orders". */
    final String key;

    final String location;
    final Map<String, Value> options = new LinkedHashMap<>();

    TableEntry(String key, String location) {
      this.key = key;
      this.location = location;
    }
  }

  /** Values by canonical key, e.g. "source.port" or "sink.catalog.properties.io-impl". */
  final Map<String, Value> values = new LinkedHashMap<>();

  /** Table options by exact table name. */
  final Map<String, TableEntry> tables = new LinkedHashMap<>();

  /** Problems found while reading (unknown keys, plain-text secrets, wrong shapes). */
  final Problems problems = new Problems();

  void put(String canonicalKey, Value value) {
    Value earlier = values.putIfAbsent(canonicalKey, value);
    if (earlier != null) {
      problems.add(
          value.problem(
              "Key '"
                  + canonicalKey
                  + "' is given twice"
                  + (earlier.location == null ? "" : " (also at " + earlier.location + ")")
                  + ": keep only one"));
    }
  }

  TableEntry table(String table, String key, String location) {
    TableEntry entry = tables.get(table);
    if (entry != null) {
      problems.add(at(location, "Options of table '" + table + "' are given twice: merge them"));
      return entry;
    }
    entry = new TableEntry(key, location);
    tables.put(table, entry);
    return entry;
  }

  static String at(String location, String message) {
    return location == null ? message : location + ": " + message;
  }

  /** Message for a password or key written in plain text under {@code prefix}. */
  static String plainTextSecret(String prefix) {
    String what = prefix.endsWith("password") ? "passwords" : "secrets";
    return prefix
        + ": plain-text "
        + what
        + " are not accepted. Give exactly one of "
        + prefix
        + ".env (an environment variable), "
        + prefix
        + ".file (a file) or "
        + prefix
        + ".secret-arn (an AWS Secrets Manager secret)";
  }

  /**
   * Message for an unknown key: the nearest of {@code candidates} when one is close, otherwise
   * {@code validKeys}, the valid keys under {@code parent}.
   */
  static String unknownKey(
      String key, Collection<String> candidates, String parent, List<String> validKeys) {
    String suggestion = KeySuggester.suggest(key, candidates);
    String message = "Unknown configuration key '" + key + "'.";
    if (suggestion != null) {
      return message + " Did you mean '" + suggestion + "'?";
    }
    if (validKeys.isEmpty()) {
      return message + " Remove it, or see docs/configuration.md for the valid keys";
    }
    return message
        + (parent.isEmpty() ? " Valid top-level keys: " : " Valid keys under '" + parent + "': ")
        + String.join(", ", validKeys);
  }

  /** The next segments of the candidates below {@code parent} ("" for the top level). */
  static List<String> childrenOf(String parent, Collection<String> candidates) {
    Set<String> children = new LinkedHashSet<>();
    String prefix = parent.isEmpty() ? "" : parent + ".";
    for (String candidate : candidates) {
      if (candidate.startsWith(prefix) && candidate.length() > prefix.length()) {
        String rest = candidate.substring(prefix.length());
        int dot = rest.indexOf('.');
        children.add(dot < 0 ? rest : rest.substring(0, dot));
      }
    }
    return new ArrayList<>(children);
  }
}
