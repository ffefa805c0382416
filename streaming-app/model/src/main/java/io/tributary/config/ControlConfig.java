package io.tributary.config;

import java.io.Serializable;
import java.util.Objects;

/**
 * Where the control table is: the DynamoDB table that holds each mirror table's state (see
 * docs/control-plane.md), its region, and an endpoint override for a local stand-in.
 */
public final class ControlConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String tableName;
  private final String region;
  private final String endpoint;

  private ControlConfig(Builder b) {
    this.tableName = b.tableName;
    this.region = b.region;
    this.endpoint = b.endpoint;
  }

  /** A builder; the table name is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    return new Builder().tableName(tableName).region(region).endpoint(endpoint);
  }

  /** Name of the DynamoDB table. */
  public String tableName() {
    return tableName;
  }

  /** AWS region, or null for the default region chain. */
  public String region() {
    return region;
  }

  /** Endpoint of a DynamoDB-compatible server (the local stand-in), or null for AWS. */
  public String endpoint() {
    return endpoint;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ControlConfig)) {
      return false;
    }
    ControlConfig other = (ControlConfig) o;
    return tableName.equals(other.tableName)
        && Objects.equals(region, other.region)
        && Objects.equals(endpoint, other.endpoint);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tableName, region, endpoint);
  }

  @Override
  public String toString() {
    return "ControlConfig{tableName="
        + tableName
        + ", region="
        + region
        + ", endpoint="
        + endpoint
        + "}";
  }

  /** Builds a {@link ControlConfig}; {@link #build()} checks every value. */
  public static final class Builder {
    private String tableName;
    private String region;
    private String endpoint;

    private Builder() {}

    public Builder tableName(String tableName) {
      this.tableName = Strings.trimToNull(tableName);
      return this;
    }

    public Builder region(String region) {
      this.region = Strings.trimToNull(region);
      return this;
    }

    public Builder endpoint(String endpoint) {
      this.endpoint = Strings.trimToNull(endpoint);
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws ConfigException listing every invalid value
     */
    public ControlConfig build() {
      Problems problems = new Problems();
      problems.check(
          tableName != null,
          "control.table-name is required when the control section is given: name the DynamoDB"
              + " control table, or remove the section");
      if (tableName != null) {
        problems.check(
            tableName.matches("[A-Za-z0-9_.-]{3,255}"),
            "control.table-name '"
                + tableName
                + "' is not a DynamoDB table name: use 3 to 255 letters, digits, '_', '-' or '.'");
      }
      if (endpoint != null) {
        problems.check(
            endpoint.startsWith("http://") || endpoint.startsWith("https://"),
            "control.endpoint '"
                + endpoint
                + "' is not an http(s) URL: write e.g. http://127.0.0.1:4567");
      }
      problems.throwIfAny();
      return new ControlConfig(this);
    }
  }
}
