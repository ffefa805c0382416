package io.tributary.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How the Flink job runs: its name, checkpoint interval and location, parallelism, and how often it
 * polls the source for its metrics.
 */
public final class JobConfig {

  static final String DEFAULT_NAME = "tributary";
  static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(30);
  static final int DEFAULT_PARALLELISM = 2;
  static final Duration DEFAULT_SOURCE_POLL_INTERVAL = Duration.ofSeconds(30);

  /** Flink refuses checkpoint intervals below 10 ms. */
  private static final Duration MIN_CHECKPOINT_INTERVAL = Duration.ofMillis(10);

  private static final Duration MIN_SOURCE_POLL_INTERVAL = Duration.ofMillis(100);

  private static final JobConfig DEFAULTS = new Builder().build();

  private final String name;
  private final Duration checkpointInterval;
  private final int parallelism;
  private final String checkpointDir;
  private final Duration sourcePollInterval;

  private JobConfig(Builder b) {
    this.name = b.name;
    this.checkpointInterval = b.checkpointInterval;
    this.parallelism = b.parallelism;
    this.checkpointDir = b.checkpointDir;
    this.sourcePollInterval = b.sourcePollInterval;
  }

  /** All defaults. */
  public static JobConfig defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    return new Builder()
        .name(name)
        .checkpointInterval(checkpointInterval)
        .parallelism(parallelism)
        .checkpointDir(checkpointDir)
        .sourcePollInterval(sourcePollInterval);
  }

  /** Flink job name. */
  public String name() {
    return name;
  }

  /** Time between checkpoints; each completed checkpoint commits the Iceberg tables. */
  public Duration checkpointInterval() {
    return checkpointInterval;
  }

  /** Default parallelism of the job's operators. */
  public int parallelism() {
    return parallelism;
  }

  /**
   * Where checkpoints are stored, e.g. {@code file:///var/tributary/checkpoints} or {@code
   * s3://bucket/checkpoints}; null leaves it to the runtime (Managed Flink manages its own).
   */
  public String checkpointDir() {
    return checkpointDir;
  }

  /**
   * How often the job asks the source database, off the data path, for the replication slot's lag
   * and its current WAL position (for the slot-lag metric and the freshness of idle tables).
   */
  public Duration sourcePollInterval() {
    return sourcePollInterval;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof JobConfig)) {
      return false;
    }
    JobConfig other = (JobConfig) o;
    return parallelism == other.parallelism
        && name.equals(other.name)
        && checkpointInterval.equals(other.checkpointInterval)
        && Objects.equals(checkpointDir, other.checkpointDir)
        && sourcePollInterval.equals(other.sourcePollInterval);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, checkpointInterval, parallelism, checkpointDir, sourcePollInterval);
  }

  @Override
  public String toString() {
    return "JobConfig{name="
        + name
        + ", checkpointInterval="
        + checkpointInterval
        + ", parallelism="
        + parallelism
        + ", checkpointDir="
        + checkpointDir
        + ", sourcePollInterval="
        + sourcePollInterval
        + "}";
  }

  /** Builds a {@link JobConfig}; {@link #build()} checks every value. */
  public static final class Builder {
    private String name = DEFAULT_NAME;
    private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
    private int parallelism = DEFAULT_PARALLELISM;
    private String checkpointDir;
    private Duration sourcePollInterval = DEFAULT_SOURCE_POLL_INTERVAL;

    private Builder() {}

    public Builder name(String name) {
      this.name = Strings.trimToNull(name);
      return this;
    }

    public Builder checkpointInterval(Duration checkpointInterval) {
      this.checkpointInterval = checkpointInterval;
      return this;
    }

    public Builder parallelism(int parallelism) {
      this.parallelism = parallelism;
      return this;
    }

    public Builder checkpointDir(String checkpointDir) {
      this.checkpointDir = Strings.trimToNull(checkpointDir);
      return this;
    }

    public Builder sourcePollInterval(Duration sourcePollInterval) {
      this.sourcePollInterval = sourcePollInterval;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws ConfigException listing every invalid value
     */
    public JobConfig build() {
      Problems problems = new Problems();
      problems.check(name != null, "job.name must not be empty");
      problems.check(
          checkpointInterval != null && checkpointInterval.compareTo(MIN_CHECKPOINT_INTERVAL) >= 0,
          "job.checkpoint-interval must be at least 10ms, e.g. 30s");
      problems.check(
          sourcePollInterval != null && sourcePollInterval.compareTo(MIN_SOURCE_POLL_INTERVAL) >= 0,
          "job.source-poll-interval must be at least 100ms, e.g. 30s");
      problems.check(parallelism >= 1, "job.parallelism must be at least 1, got " + parallelism);
      if (checkpointDir != null) {
        problems.check(
            Strings.hasScheme(checkpointDir),
            "job.checkpoint-dir '"
                + checkpointDir
                + "' is not a URI: use e.g. file:///var/tributary/checkpoints or"
                + " s3://bucket/checkpoints");
      }
      problems.throwIfAny();
      return new JobConfig(this);
    }
  }
}
