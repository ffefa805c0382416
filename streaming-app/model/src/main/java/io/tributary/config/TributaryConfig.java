package io.tributary.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The whole, validated configuration of one streaming job: source, tables, sink, job and the
 * optional control table.
 */
public final class TributaryConfig {

  private final SourceConfig source;
  private final TableSelection tables;
  private final SinkConfig sink;
  private final JobConfig job;
  private final ControlConfig control;

  private TributaryConfig(
      SourceConfig source,
      TableSelection tables,
      SinkConfig sink,
      JobConfig job,
      ControlConfig control) {
    this.source = source;
    this.tables = tables;
    this.sink = sink;
    this.job = job;
    this.control = control;
  }

  /**
   * A builder; source, tables and sink must be set, job defaults to {@link JobConfig#defaults()}.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's sections. */
  public Builder toBuilder() {
    return new Builder().source(source).tables(tables).sink(sink).job(job).control(control);
  }

  /** The source database. */
  public SourceConfig source() {
    return source;
  }

  /** The captured tables and their options. */
  public TableSelection tables() {
    return tables;
  }

  /** The Iceberg sink; its namespace is always set. */
  public SinkConfig sink() {
    return sink;
  }

  /** The Flink job settings. */
  public JobConfig job() {
    return job;
  }

  /** The control table, when configured. */
  public Optional<ControlConfig> control() {
    return Optional.ofNullable(control);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TributaryConfig)) {
      return false;
    }
    TributaryConfig other = (TributaryConfig) o;
    return source.equals(other.source)
        && tables.equals(other.tables)
        && sink.equals(other.sink)
        && job.equals(other.job)
        && Objects.equals(control, other.control);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, tables, sink, job, control);
  }

  @Override
  public String toString() {
    return "TributaryConfig{source="
        + source
        + ", tables="
        + tables
        + ", sink="
        + sink
        + ", job="
        + job
        + ", control="
        + control
        + "}";
  }

  /** Builds a {@link TributaryConfig} from validated sections. */
  public static final class Builder {
    private SourceConfig source;
    private TableSelection tables;
    private SinkConfig sink;
    private JobConfig job = JobConfig.defaults();
    private ControlConfig control;

    private Builder() {}

    public Builder source(SourceConfig source) {
      this.source = source;
      return this;
    }

    public Builder tables(TableSelection tables) {
      this.tables = tables;
      return this;
    }

    public Builder sink(SinkConfig sink) {
      this.sink = sink;
      return this;
    }

    public Builder job(JobConfig job) {
      this.job = job == null ? JobConfig.defaults() : job;
      return this;
    }

    /** The control table; null for none. */
    public Builder control(ControlConfig control) {
      this.control = control;
      return this;
    }

    /**
     * Checks that every section is present, fills in the sink namespace from the source database
     * when it was not set, and builds.
     *
     * @throws ConfigException listing every missing section or inconsistency
     */
    public TributaryConfig build() {
      Problems problems = new Problems();
      problems.check(source != null, "source is required: configure the database to capture");
      problems.check(tables != null, "tables is required: configure tables.include");
      problems.check(sink != null, "sink is required: configure at least sink.warehouse");
      problems.throwIfAny();
      if (source.serverId() != null && job != null) {
        problems.check(
            source.serverId().size() >= job.parallelism(),
            "source.server-id "
                + source.serverId()
                + " holds "
                + source.serverId().size()
                + " server ids for job.parallelism "
                + job.parallelism()
                + ": give it one id per parallel reader, e.g. "
                + source.serverId().start()
                + "-"
                + (source.serverId().start() + job.parallelism() - 1));
        problems.throwIfAny();
      }
      SinkConfig completeSink = sink;
      if (sink.namespace() == null) {
        String problem = SinkConfig.namespaceProblem(sink.catalog().type(), source.database());
        if (problem != null) {
          problems.add(
              "sink.namespace is not set, so it defaults to source.database '"
                  + source.database()
                  + "', which "
                  + problem
                  + ". Set sink.namespace explicitly");
          problems.throwIfAny();
        }
        completeSink = sink.toBuilder().namespace(source.database()).build();
      }
      return new TributaryConfig(source, tables, completeSink, job, control);
    }
  }
}
