package io.tributary.config;

import java.time.Duration;
import java.util.Objects;

/** How the Flink job runs: its name, checkpoint interval and location, and parallelism. */
public final class JobConfig {

  static final String DEFAULT_NAME = "tributary";
  static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(30);
  static final int DEFAULT_PARALLELISM = 2;

  /** Flink refuses checkpoint intervals below 10 ms. */
  private static final Duration MIN_CHECKPOINT_INTERVAL = Duration.ofMillis(10);

  private static final JobConfig DEFAULTS = new Builder().build();

  private final String name;
  private final Duration checkpointInterval;
  private final int parallelism;
  private final String checkpointDir;

  private JobConfig(Builder b) {
    this.name = b.name;
    this.checkpointInterval = b.checkpointInterval;
    this.parallelism = b.parallelism;
    this.checkpointDir = b.checkpointDir;
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
        .checkpointDir(checkpointDir);
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
        && Objects.equals(checkpointDir, other.checkpointDir);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, checkpointInterval, parallelism, checkpointDir);
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
        + "}";
  }

  /** Builds a {@link JobConfig}; {@link #build()} checks every value. */
  public static final class Builder {
    private String name = DEFAULT_NAME;
    private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
    private int parallelism = DEFAULT_PARALLELISM;
    private String checkpointDir;

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
