package io.tributary.config;

import java.util.Objects;

/**
 * One configuration key with its type, default and description, as listed by {@link
 * ConfigOptions#all()} and documented in docs/configuration.md.
 *
 * <p>The key is the YAML path joined with dots ({@code source.snapshot.chunk-size}). On Managed
 * Flink the first segment is the property group id and the rest the property key; table options are
 * keyed {@code table.<schema>.<table>.<option>}, with group id {@code table.<schema>.<table>} (in
 * YAML they sit under {@code tables.options.<schema>.<table>}).
 */
public final class OptionDoc {

  /** How a value is parsed. */
  enum Kind {
    STRING("string"),
    INT("int"),
    BOOLEAN("boolean"),
    DURATION("duration"),
    LIST("list"),
    ENUM("enum");

    final String typeName;

    Kind(String typeName) {
      this.typeName = typeName;
    }
  }

  private final String key;
  private final Kind kind;
  private final String type;
  private final String defaultValue;
  private final boolean required;
  private final String description;

  private OptionDoc(
      String key,
      Kind kind,
      String type,
      String defaultValue,
      boolean required,
      String description) {
    this.key = key;
    this.kind = kind;
    this.type = type;
    this.defaultValue = defaultValue;
    this.required = required;
    this.description = description;
  }

  static OptionDoc optional(String key, Kind kind, String defaultValue, String description) {
    return new OptionDoc(key, kind, kind.typeName, defaultValue, false, description);
  }

  static OptionDoc required(String key, Kind kind, String description) {
    return new OptionDoc(key, kind, kind.typeName, null, true, description);
  }

  static OptionDoc enumeration(
      String key, String validValues, String defaultValue, String description) {
    return new OptionDoc(
        key, Kind.ENUM, "enum (" + validValues + ")", defaultValue, false, description);
  }

  /** The full key, e.g. {@code source.port} or {@code table.<schema>.<table>.changelog}. */
  public String key() {
    return key;
  }

  /** The value type: string, int, boolean, duration, list, or enum with its values. */
  public String type() {
    return type;
  }

  /**
   * The default as it would be written in the configuration, or, when it is taken from another key,
   * that key in parentheses (e.g. "(source.database)"); null when there is none.
   */
  public String defaultValue() {
    return defaultValue;
  }

  /** Whether the key must always be given (keys required only in some cases say so in prose). */
  public boolean required() {
    return required;
  }

  /** What the key is for. */
  public String description() {
    return description;
  }

  /** The Managed Flink property group id, e.g. {@code source} or {@code table.<schema>.<table>}. */
  public String groupId() {
    return key.substring(0, groupLength());
  }

  /** The property key within {@link #groupId()}, e.g. {@code snapshot.chunk-size}. */
  public String propertyKey() {
    return key.substring(groupLength() + 1);
  }

  Kind kind() {
    return kind;
  }

  private int groupLength() {
    if (key.startsWith(ConfigOptions.TABLE_OPTION_PREFIX)) {
      return ConfigOptions.TABLE_OPTION_PREFIX.length() - 1;
    }
    return key.indexOf('.');
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof OptionDoc)) {
      return false;
    }
    OptionDoc other = (OptionDoc) o;
    return required == other.required
        && key.equals(other.key)
        && type.equals(other.type)
        && Objects.equals(defaultValue, other.defaultValue)
        && description.equals(other.description);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, type, defaultValue, required, description);
  }

  @Override
  public String toString() {
    return "OptionDoc{key="
        + key
        + ", type="
        + type
        + ", default="
        + defaultValue
        + ", required="
        + required
        + "}";
  }
}
