package io.tributary.config;

import java.util.Objects;
import java.util.regex.Pattern;

/** Where the mirror tables are written: warehouse location, catalog, namespace and S3 access. */
public final class SinkConfig {

  /** Glue database names: lower-case letters, digits and underscores (Athena needs lower case). */
  private static final Pattern GLUE_DATABASE = Pattern.compile("[a-z0-9_]{1,255}");

  private final CatalogConfig catalog;
  private final String warehouse;
  private final String namespace;
  private final S3Config s3;
  private final int commitThreads;

  /** Default of {@code sink.commit-threads}. */
  public static final int DEFAULT_COMMIT_THREADS = 16;

  /** Upper bound of {@code sink.commit-threads}. */
  public static final int MAX_COMMIT_THREADS = 256;

  private SinkConfig(Builder b) {
    this.catalog = b.catalog;
    this.warehouse = b.warehouse;
    this.namespace = b.namespace;
    this.s3 = b.s3;
    this.commitThreads = b.commitThreads;
  }

  /** A builder with a Glue catalog and AWS S3; the warehouse must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    return new Builder()
        .catalog(catalog)
        .warehouse(warehouse)
        .namespace(namespace)
        .s3(s3)
        .commitThreads(commitThreads);
  }

  /** The Iceberg catalog. */
  public CatalogConfig catalog() {
    return catalog;
  }

  /** Root location of table data, e.g. {@code s3://my-lake/warehouse}. */
  public String warehouse() {
    return warehouse;
  }

  /**
   * Iceberg namespace (Glue database) of the mirror tables. Within a {@link TributaryConfig} it is
   * never null: it defaults to the source database name. A {@link SinkConfig} built on its own
   * returns null when it was not set.
   */
  public String namespace() {
    return namespace;
  }

  /** How S3 is reached. */
  public S3Config s3() {
    return s3;
  }

  /**
   * How many tables the committer commits at the same time; the commits of one table stay in order,
   * one after the other.
   */
  public int commitThreads() {
    return commitThreads;
  }

  /** What is wrong with {@code namespace} for a catalog of {@code type}, or null when valid. */
  static String namespaceProblem(CatalogType type, String namespace) {
    if (namespace == null || namespace.isBlank()) {
      return "must not be empty";
    }
    if (type == CatalogType.GLUE && !GLUE_DATABASE.matcher(namespace).matches()) {
      return "is not a valid Glue database name: use up to 255 lower-case letters, digits and"
          + " underscores";
    }
    if (namespace.chars().anyMatch(Character::isWhitespace)) {
      return "must not contain white space";
    }
    return null;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SinkConfig)) {
      return false;
    }
    SinkConfig other = (SinkConfig) o;
    return catalog.equals(other.catalog)
        && warehouse.equals(other.warehouse)
        && Objects.equals(namespace, other.namespace)
        && s3.equals(other.s3)
        && commitThreads == other.commitThreads;
  }

  @Override
  public int hashCode() {
    return Objects.hash(catalog, warehouse, namespace, s3, commitThreads);
  }

  @Override
  public String toString() {
    return "SinkConfig{catalog="
        + catalog
        + ", warehouse="
        + warehouse
        + ", namespace="
        + namespace
        + ", s3="
        + s3
        + ", commitThreads="
        + commitThreads
        + "}";
  }

  /** Builds a {@link SinkConfig}; {@link #build()} checks the warehouse and namespace. */
  public static final class Builder {
    private CatalogConfig catalog = CatalogConfig.builder().build();
    private String warehouse;
    private String namespace;
    private S3Config s3 = S3Config.builder().build();
    private int commitThreads = DEFAULT_COMMIT_THREADS;

    private Builder() {}

    public Builder catalog(CatalogConfig catalog) {
      this.catalog = catalog;
      return this;
    }

    public Builder warehouse(String warehouse) {
      this.warehouse = Strings.trimToNull(warehouse);
      return this;
    }

    /** The namespace; null (the default) means the source database name. */
    public Builder namespace(String namespace) {
      this.namespace = Strings.trimToNull(namespace);
      return this;
    }

    public Builder s3(S3Config s3) {
      this.s3 = s3;
      return this;
    }

    /** How many tables are committed at the same time (1: one after the other). */
    public Builder commitThreads(int commitThreads) {
      this.commitThreads = commitThreads;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws ConfigException listing every missing or invalid value
     */
    public SinkConfig build() {
      Problems problems = new Problems();
      problems.check(catalog != null, "sink.catalog is required");
      problems.check(s3 != null, "sink.s3 is required");
      if (warehouse == null) {
        problems.add(
            "sink.warehouse is required: set it to the root location of the tables, e.g."
                + " s3://my-lake/warehouse");
      } else {
        problems.check(
            Strings.hasScheme(warehouse),
            "sink.warehouse '"
                + warehouse
                + "' is not a location URI: use e.g. s3://my-lake/warehouse or"
                + " file:///var/tributary/warehouse");
      }
      if (namespace != null && catalog != null) {
        String problem = namespaceProblem(catalog.type(), namespace);
        if (problem != null) {
          problems.add("sink.namespace '" + namespace + "' " + problem);
        }
      }
      problems.check(
          commitThreads >= 1 && commitThreads <= MAX_COMMIT_THREADS,
          "sink.commit-threads must be between 1 and "
              + MAX_COMMIT_THREADS
              + ", got "
              + commitThreads
              + ": use 1 to commit one table after the other, or e.g. "
              + DEFAULT_COMMIT_THREADS);
      problems.throwIfAny();
      return new SinkConfig(this);
    }
  }
}
