package io.tributary.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the control table is: the DynamoDB table that holds each mirror table's state (see
 * docs/control-plane.md), its region, an endpoint override for a local stand-in, and how long its
 * history items (maintenance and backfill records, locks) are kept before they expire.
 */
public final class ControlConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Default of {@code control.history-retention}. */
  public static final Duration DEFAULT_HISTORY_RETENTION = Duration.ofDays(90);

  /** Shortest {@code control.history-retention}: a record must outlive the runs that read it. */
  public static final Duration MIN_HISTORY_RETENTION = Duration.ofDays(1);

  /** Longest {@code control.history-retention} (ten years). */
  public static final Duration MAX_HISTORY_RETENTION = Duration.ofDays(3650);

  private final String tableName;
  private final String region;
  private final String endpoint;
  private final Duration historyRetention;

  private ControlConfig(Builder b) {
    this.tableName = b.tableName;
    this.region = b.region;
    this.endpoint = b.endpoint;
    this.historyRetention = b.historyRetention;
  }

  /** A builder; the table name is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    return new Builder()
        .tableName(tableName)
        .region(region)
        .endpoint(endpoint)
        .historyRetention(historyRetention);
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

  /**
   * How long a history item of the control table (a {@code MAINT#} or {@code BACKFILL#} record, a
   * lock after its lease) is kept: its {@code expiresAt} is this long after the time it records.
   */
  public Duration historyRetention() {
    return historyRetention;
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
        && Objects.equals(endpoint, other.endpoint)
        && historyRetention.equals(other.historyRetention);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tableName, region, endpoint, historyRetention);
  }

  @Override
  public String toString() {
    return "ControlConfig{tableName="
        + tableName
        + ", region="
        + region
        + ", endpoint="
        + endpoint
        + ", historyRetention="
        + historyRetention
        + "}";
  }

  /** Builds a {@link ControlConfig}; {@link #build()} checks every value. */
  public static final class Builder {
    private String tableName;
    private String region;
    private String endpoint;
    private Duration historyRetention = DEFAULT_HISTORY_RETENTION;
    private String unparsedHistoryRetention;

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

    /** How long history items are kept; null keeps the default. */
    public Builder historyRetention(Duration historyRetention) {
      this.historyRetention =
          historyRetention == null ? DEFAULT_HISTORY_RETENTION : historyRetention;
      this.unparsedHistoryRetention = null;
      return this;
    }

    /**
     * How long history items are kept, written as the configuration writes durations ({@code 90d},
     * {@code 36h}, {@code P30D}); null or blank keeps the default. A value that is not a duration
     * is reported by {@link #build()}.
     */
    public Builder historyRetention(String text) {
      String trimmed = Strings.trimToNull(text);
      if (trimmed == null) {
        return historyRetention((Duration) null);
      }
      Duration parsed = Values.parseDuration(trimmed);
      if (parsed == null) {
        this.unparsedHistoryRetention = trimmed;
        return this;
      }
      return historyRetention(parsed);
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
      if (unparsedHistoryRetention != null) {
        problems.add(
            "control.history-retention '"
                + unparsedHistoryRetention
                + "' is not a duration: write e.g. 90d, 36h or P30D");
      } else {
        problems.check(
            historyRetention.compareTo(MIN_HISTORY_RETENTION) >= 0
                && historyRetention.compareTo(MAX_HISTORY_RETENTION) <= 0,
            "control.history-retention "
                + historyRetention.toHours()
                + "h is out of range: keep history between 1d and 3650d (default 90d)");
      }
      problems.throwIfAny();
      return new ControlConfig(this);
    }
  }
}
