package io.tributary.config;

import java.util.Locale;

/** What a {@code TRUNCATE} at the source does to the table's mirror table. */
public enum TruncateMode {
  /** The mirror table is emptied at the truncate's place in the change order. */
  APPLY("apply"),
  /**
   * The mirror table keeps its rows; the truncate is logged with table and position, and counted.
   */
  IGNORE("ignore");

  private final String configName;

  TruncateMode(String configName) {
    this.configName = configName;
  }

  /** The name used in the configuration. */
  public String configName() {
    return configName;
  }

  /** The mode named {@code name} (in any case), or null. */
  static TruncateMode fromName(String name) {
    String normalized = name.trim().toLowerCase(Locale.ROOT);
    for (TruncateMode mode : values()) {
      if (mode.configName.equals(normalized)) {
        return mode;
      }
    }
    return null;
  }

  /** All names, comma-separated, for messages and docs. */
  static String validNames() {
    return APPLY.configName + ", " + IGNORE.configName;
  }

  @Override
  public String toString() {
    return configName;
  }
}
