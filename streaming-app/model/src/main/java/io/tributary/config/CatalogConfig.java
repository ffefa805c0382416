package io.tributary.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** The Iceberg catalog that registers the mirror tables: Glue in AWS, JDBC or REST elsewhere. */
public final class CatalogConfig {

  static final CatalogType DEFAULT_TYPE = CatalogType.GLUE;

  private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");

  /** Catalog properties that have a typed option of their own, and that option. */
  private static final Map<String, String> TYPED_PROPERTIES = typedProperties();

  private static final String[] SECRET_SUFFIXES = {
    "password", "secret", "secret-access-key", "token", "credential"
  };

  private final CatalogType type;
  private final String uri;
  private final String user;
  private final Secret password;
  private final String glueCatalogId;
  private final Map<String, String> properties;

  private CatalogConfig(Builder b) {
    this.type = b.type;
    this.uri = b.uri;
    this.user = b.user;
    this.password = b.password;
    this.glueCatalogId = b.glueCatalogId;
    this.properties = Collections.unmodifiableMap(new TreeMap<>(b.properties));
  }

  /** A builder for a Glue catalog with no extra properties. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    return new Builder()
        .type(type)
        .uri(uri)
        .user(user)
        .password(password)
        .glueCatalogId(glueCatalogId)
        .properties(properties);
  }

  /** The kind of catalog. */
  public CatalogType type() {
    return type;
  }

  /**
   * Where a JDBC or REST catalog is ({@code jdbc:postgresql://...} or {@code https://...}); null
   * for Glue.
   */
  public String uri() {
    return uri;
  }

  /** Login of a JDBC catalog database; null when not needed. */
  public String user() {
    return user;
  }

  /** Password of a JDBC catalog database; {@link Secret#none()} when not needed. */
  public Secret password() {
    return password;
  }

  /** AWS account id of the Glue Data Catalog; null means the job's own account. */
  public String glueCatalogId() {
    return glueCatalogId;
  }

  /** Extra Iceberg catalog properties, passed through unchanged; sorted by name. */
  public Map<String, String> properties() {
    return properties;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CatalogConfig)) {
      return false;
    }
    CatalogConfig other = (CatalogConfig) o;
    return type == other.type
        && Objects.equals(uri, other.uri)
        && Objects.equals(user, other.user)
        && password.equals(other.password)
        && Objects.equals(glueCatalogId, other.glueCatalogId)
        && properties.equals(other.properties);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, uri, user, password, glueCatalogId, properties);
  }

  @Override
  public String toString() {
    return "CatalogConfig{type="
        + type.configName()
        + ", uri="
        + uri
        + ", user="
        + user
        + ", password="
        + password
        + ", glueCatalogId="
        + glueCatalogId
        + ", properties="
        + properties
        + "}";
  }

  private static Map<String, String> typedProperties() {
    Map<String, String> typed = new LinkedHashMap<>();
    typed.put("type", "sink.catalog.type");
    typed.put("catalog-impl", "sink.catalog.type");
    typed.put("uri", "sink.catalog.uri");
    typed.put("warehouse", "sink.warehouse");
    typed.put("jdbc.user", "sink.catalog.user");
    typed.put("jdbc.password", "sink.catalog.password");
    typed.put("glue.id", "sink.catalog.glue-catalog-id");
    typed.put("s3.endpoint", "sink.s3.endpoint");
    typed.put("s3.path-style-access", "sink.s3.path-style-access");
    typed.put("s3.access-key-id", "sink.s3.access-key-id");
    typed.put("s3.secret-access-key", "sink.s3.secret-access-key");
    return Collections.unmodifiableMap(typed);
  }

  static boolean looksSecret(String propertyName) {
    String name = propertyName.toLowerCase(Locale.ROOT);
    for (String suffix : SECRET_SUFFIXES) {
      if (name.endsWith(suffix)) {
        return true;
      }
    }
    return false;
  }

  /** Builds a {@link CatalogConfig}; {@link #build()} checks that the values fit the type. */
  public static final class Builder {
    private CatalogType type = DEFAULT_TYPE;
    private String uri;
    private String user;
    private Secret password = Secret.none();
    private String glueCatalogId;
    private final Map<String, String> properties = new LinkedHashMap<>();

    private Builder() {}

    public Builder type(CatalogType type) {
      this.type = type;
      return this;
    }

    public Builder uri(String uri) {
      this.uri = Strings.trimToNull(uri);
      return this;
    }

    public Builder user(String user) {
      this.user = Strings.trimToNull(user);
      return this;
    }

    public Builder password(Secret password) {
      this.password = password == null ? Secret.none() : password;
      return this;
    }

    public Builder glueCatalogId(String glueCatalogId) {
      this.glueCatalogId = Strings.trimToNull(glueCatalogId);
      return this;
    }

    /** Replaces all extra catalog properties. */
    public Builder properties(Map<String, String> properties) {
      this.properties.clear();
      if (properties != null) {
        properties.forEach(this::property);
      }
      return this;
    }

    /** Adds one extra catalog property. */
    public Builder property(String name, String value) {
      this.properties.put(Objects.requireNonNull(name, "name"), value);
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws ConfigException listing every missing, misplaced or invalid value
     */
    public CatalogConfig build() {
      Problems problems = new Problems();
      if (type == null) {
        problems.add("sink.catalog.type is required: use one of " + CatalogType.validNames());
        problems.throwIfAny();
      }
      if (type == CatalogType.JDBC) {
        problems.check(
            uri != null && uri.startsWith("jdbc:"),
            "sink.catalog.uri "
                + (uri == null ? "is required" : "'" + uri + "' is not a JDBC URL")
                + " for a jdbc catalog: set it to e.g."
                + " jdbc:postgresql://127.0.0.1:5432/iceberg_catalog");
      } else if (type == CatalogType.REST) {
        problems.check(
            uri != null && (uri.startsWith("https://") || uri.startsWith("http://")),
            "sink.catalog.uri "
                + (uri == null ? "is required" : "'" + uri + "' is not an http(s) URL")
                + " for a rest catalog: set it to e.g. https://catalog.example/iceberg");
      } else {
        problems.check(
            uri == null,
            "sink.catalog.uri is not used by a glue catalog: remove it, or set sink.catalog.type"
                + " to jdbc or rest");
        problems.check(
            user == null && !password.isPresent(),
            "sink.catalog.user and sink.catalog.password are not used by a glue catalog (it uses"
                + " the job's AWS credentials): remove them");
      }
      if (glueCatalogId != null) {
        problems.check(
            type == CatalogType.GLUE,
            "sink.catalog.glue-catalog-id is only used by a glue catalog: remove it, or set"
                + " sink.catalog.type to glue");
        problems.check(
            ACCOUNT_ID.matcher(glueCatalogId).matches(),
            "sink.catalog.glue-catalog-id '"
                + glueCatalogId
                + "' is not an AWS account id: use the 12 digits, quoted in YAML, e.g."
                + " \"123456789012\"");
      }
      for (Map.Entry<String, String> property : properties.entrySet()) {
        String name = property.getKey();
        String key = "sink.catalog.properties." + name;
        if (name == null || name.isBlank()) {
          problems.add("sink.catalog.properties: a property name is empty");
          continue;
        }
        String typedOption = TYPED_PROPERTIES.get(name);
        if (typedOption != null) {
          problems.add(key + " has an option of its own: set " + typedOption + " instead");
        } else if (looksSecret(name)) {
          problems.add(
              key
                  + " looks like a secret, and secrets are not accepted as plain configuration"
                  + " values: supply it through sink.catalog.password (env, file or secret-arn)"
                  + " or outside the configuration");
        } else if (property.getValue() == null) {
          problems.add(key + " has no value: give one or remove the property");
        }
      }
      problems.throwIfAny();
      return new CatalogConfig(this);
    }
  }
}
