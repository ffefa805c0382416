package io.tributary.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing of configuration values written as text: durations, numbers, booleans and lists. */
final class Values {

  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Values() {}

  /**
   * Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d} or ISO-8601 such as
   * {@code PT30S}; null when the text is neither.
   */
  static Duration parseDuration(String text) {
    String value = text.trim();
    Matcher matcher = SHORT_DURATION.matcher(value);
    if (matcher.matches()) {
      try {
        long amount = Long.parseLong(matcher.group(1));
        switch (matcher.group(2)) {
          case "ms":
            return Duration.ofMillis(amount);
          case "s":
            return Duration.ofSeconds(amount);
          case "m":
            return Duration.ofMinutes(amount);
          case "h":
            return Duration.ofHours(amount);
          default:
            return Duration.ofDays(amount);
        }
      } catch (NumberFormatException | ArithmeticException e) {
        return null;
      }
    }
    if (value.toUpperCase(Locale.ROOT).startsWith("P")) {
      try {
        return Duration.parse(value);
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return null;
  }

  /** Parses a whole number; null when the text is not one. */
  static Integer parseInt(String text) {
    try {
      return Integer.valueOf(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Parses exactly {@code true} or {@code false} (in any case); null otherwise. */
  static Boolean parseBoolean(String text) {
    String value = text.trim();
    if (value.equalsIgnoreCase("true")) {
      return Boolean.TRUE;
    }
    if (value.equalsIgnoreCase("false")) {
      return Boolean.FALSE;
    }
    return null;
  }

  /** Splits a comma-separated list, trimming items and dropping empty ones. */
  static List<String> splitList(String text) {
    List<String> items = new ArrayList<>();
    for (String item : text.split(",")) {
      String trimmed = item.trim();
      if (!trimmed.isEmpty()) {
        items.add(trimmed);
      }
    }
    return items;
  }

  /**
   * Splits partition terms on commas outside parentheses, so that {@code bucket(16, id),day(ts)} is
   * two terms; trims them and drops empty ones.
   */
  static List<String> splitTerms(String text) {
    List<String> items = new ArrayList<>();
    int depth = 0;
    StringBuilder current = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c == '(') {
        depth++;
      } else if (c == ')' && depth > 0) {
        depth--;
      }
      if (c == ',' && depth == 0) {
        addTrimmed(items, current);
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    addTrimmed(items, current);
    return items;
  }

  private static void addTrimmed(List<String> items, StringBuilder item) {
    String trimmed = item.toString().trim();
    if (!trimmed.isEmpty()) {
      items.add(trimmed);
    }
  }
}
