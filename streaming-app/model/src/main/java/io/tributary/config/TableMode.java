package io.tributary.config;

import java.util.Locale;

/** How a source table is written to the lake: as a mirror table, or as its changes only. */
public enum TableMode {
  /** A mirror table kept equal to the source by upserts on the key. */
  MIRROR("mirror"),
  /** No mirror table: every change is appended to the changelog table {@code <table>__changes}. */
  APPEND_ONLY("append-only");

  private final String configName;

  TableMode(String configName) {
    this.configName = configName;
  }

  /** The name used in the configuration. */
  public String configName() {
    return configName;
  }

  /** The mode named {@code name} (in any case, {@code _} for {@code -}), or null. */
  static TableMode fromName(String name) {
    String normalized = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (TableMode mode : values()) {
      if (mode.configName.equals(normalized)) {
        return mode;
      }
    }
    return null;
  }

  /** All names, comma-separated, for messages and docs. */
  static String validNames() {
    return MIRROR.configName + ", " + APPEND_ONLY.configName;
  }

  @Override
  public String toString() {
    return configName;
  }
}
