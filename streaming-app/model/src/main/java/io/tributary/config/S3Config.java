package io.tributary.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How the warehouse is reached: AWS S3 with the default credential chain, or an S3-compatible
 * server (such as the local one) with an endpoint and static keys.
 */
public final class S3Config {

  private static final Pattern REGION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

  private final String endpoint;
  private final boolean pathStyleAccess;
  private final String region;
  private final String accessKeyId;
  private final Secret secretAccessKey;

  private S3Config(Builder b) {
    this.endpoint = b.endpoint;
    this.pathStyleAccess = b.pathStyleAccess;
    this.region = b.region;
    this.accessKeyId = b.accessKeyId;
    this.secretAccessKey = b.secretAccessKey;
  }

  /** A builder for AWS S3 with the default region and credential chains. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    return new Builder()
        .endpoint(endpoint)
        .pathStyleAccess(pathStyleAccess)
        .region(region)
        .accessKeyId(accessKeyId)
        .secretAccessKey(secretAccessKey);
  }

  /** Endpoint of an S3-compatible server, e.g. {@code http://127.0.0.1:9000}; null for AWS. */
  public String endpoint() {
    return endpoint;
  }

  /** Whether buckets are addressed as a path ({@code host/bucket}) rather than a host name. */
  public boolean pathStyleAccess() {
    return pathStyleAccess;
  }

  /** AWS region, e.g. {@code eu-west-1}; null means the default region chain. */
  public String region() {
    return region;
  }

  /** Static access key id for an S3-compatible server; null means the default chain. */
  public String accessKeyId() {
    return accessKeyId;
  }

  /** Static secret key matching {@link #accessKeyId()}; {@link Secret#none()} when not set. */
  public Secret secretAccessKey() {
    return secretAccessKey;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof S3Config)) {
      return false;
    }
    S3Config other = (S3Config) o;
    return pathStyleAccess == other.pathStyleAccess
        && Objects.equals(endpoint, other.endpoint)
        && Objects.equals(region, other.region)
        && Objects.equals(accessKeyId, other.accessKeyId)
        && secretAccessKey.equals(other.secretAccessKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(endpoint, pathStyleAccess, region, accessKeyId, secretAccessKey);
  }

  @Override
  public String toString() {
    return "S3Config{endpoint="
        + endpoint
        + ", pathStyleAccess="
        + pathStyleAccess
        + ", region="
        + region
        + ", accessKeyId="
        + accessKeyId
        + ", secretAccessKey="
        + secretAccessKey
        + "}";
  }

  /** Builds an {@link S3Config}; {@link #build()} checks the endpoint, region and key pair. */
  public static final class Builder {
    private String endpoint;
    private boolean pathStyleAccess;
    private String region;
    private String accessKeyId;
    private Secret secretAccessKey = Secret.none();

    private Builder() {}

    public Builder endpoint(String endpoint) {
      this.endpoint = Strings.trimToNull(endpoint);
      return this;
    }

    public Builder pathStyleAccess(boolean pathStyleAccess) {
      this.pathStyleAccess = pathStyleAccess;
      return this;
    }

    public Builder region(String region) {
      this.region = Strings.trimToNull(region);
      return this;
    }

    public Builder accessKeyId(String accessKeyId) {
      this.accessKeyId = Strings.trimToNull(accessKeyId);
      return this;
    }

    public Builder secretAccessKey(Secret secretAccessKey) {
      this.secretAccessKey = secretAccessKey == null ? Secret.none() : secretAccessKey;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws ConfigException listing every invalid value
     */
    public S3Config build() {
      Problems problems = new Problems();
      if (endpoint != null) {
        problems.check(
            endpoint.startsWith("http://") || endpoint.startsWith("https://"),
            "sink.s3.endpoint '"
                + endpoint
                + "' is not an http(s) URL: use e.g. http://127.0.0.1:9000, or remove it for AWS"
                + " S3");
      }
      if (region != null) {
        problems.check(
            REGION.matcher(region).matches(),
            "sink.s3.region '" + region + "' is not a region name: use e.g. eu-west-1");
      }
      problems.check(
          (accessKeyId == null) == !secretAccessKey.isPresent(),
          "sink.s3.access-key-id and sink.s3.secret-access-key go together: set both for an"
              + " S3-compatible server, or neither to use the default AWS credential chain");
      problems.throwIfAny();
      return new S3Config(this);
    }
  }
}
