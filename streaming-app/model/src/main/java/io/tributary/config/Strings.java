package io.tributary.config;

import java.time.Duration;
import java.util.regex.Pattern;

/** Small string checks shared by the builders. */
final class Strings {

  private static final Pattern URI_WITH_SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://\\S+");

  private Strings() {}

  /** {@code value} trimmed, or null when it is null or blank. */
  static String trimToNull(String value) {
    if (value == null) {
      return null;
    }
    String trimmed = value.trim();
    return trimmed.isEmpty() ? null : trimmed;
  }

  static boolean isPositive(Duration duration) {
    return duration != null && !duration.isNegative() && !duration.isZero();
  }

  /** Whether {@code value} looks like {@code scheme://rest}. */
  static boolean hasScheme(String value) {
    return value != null && URI_WITH_SCHEME.matcher(value).matches();
  }

  /** Quotes a value for a message; "(not set)" for null. */
  static String quote(String value) {
    return value == null ? "(not set)" : "'" + value + "'";
  }
}
