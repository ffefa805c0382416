package io.tributary.config;

import java.util.Locale;

/** The kind of Iceberg catalog that holds the mirror tables. */
public enum CatalogType {
  /** Iceberg JDBC catalog in a PostgreSQL database (the local stack); needs a URI. */
  JDBC,
  /** AWS Glue Data Catalog (in AWS). */
  GLUE,
  /** Iceberg REST catalog; needs a URI. */
  REST;

  /** The lower-case name used in configuration, e.g. "glue". */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether this catalog is reached through {@link CatalogConfig#uri()}. */
  public boolean needsUri() {
    return this != GLUE;
  }

  /** The type named {@code name} in any case, or null when there is none. */
  static CatalogType fromName(String name) {
    String normalized = name.trim().toUpperCase(Locale.ROOT);
    for (CatalogType type : values()) {
      if (type.name().equals(normalized)) {
        return type;
      }
    }
    return null;
  }

  /** The configuration names of all types, comma-separated, for messages and docs. */
  static String validNames() {
    return "glue, jdbc, rest";
  }
}
