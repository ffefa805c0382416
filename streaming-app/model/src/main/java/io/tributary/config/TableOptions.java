package io.tributary.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How one source table is written: partition spec, key override, changelog table, mode (mirror or
 * append-only), what a {@code TRUNCATE} does and freshness target.
 */
public final class TableOptions {

  private static final TableOptions DEFAULTS = new Builder().build();

  private final List<String> partitionSpec;
  private final List<PartitionTerm> partitionTerms;
  private final List<String> keyColumns;
  private final boolean changelog;
  private final TableMode mode;
  private final TruncateMode truncate;
  private final Duration freshnessTarget;

  private TableOptions(Builder b, List<PartitionTerm> terms) {
    this.partitionSpec = Collections.unmodifiableList(new ArrayList<>(b.partitionSpec));
    this.partitionTerms = Collections.unmodifiableList(terms);
    this.keyColumns = Collections.unmodifiableList(new ArrayList<>(b.keyColumns));
    this.changelog = b.changelog;
    this.mode = b.mode;
    this.truncate = b.truncate;
    this.freshnessTarget = b.freshnessTarget;
  }

  /** Unpartitioned, keyed by the primary key, no changelog table. */
  public static TableOptions defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    return new Builder()
        .partitionSpec(partitionSpec)
        .keyColumns(keyColumns)
        .changelog(changelog)
        .mode(mode)
        .truncate(truncate)
        .freshnessTarget(freshnessTarget);
  }

  /**
   * Iceberg partition terms as written, e.g. {@code ["day(created_at)", "bucket(16, id)"]}; empty
   * for an unpartitioned table.
   */
  public List<String> partitionSpec() {
    return partitionSpec;
  }

  /** {@link #partitionSpec()} parsed, in the same order. */
  public List<PartitionTerm> partitionTerms() {
    return partitionTerms;
  }

  /** Key columns for a table without primary key; empty means use the primary key. */
  public List<String> keyColumns() {
    return keyColumns;
  }

  /** Whether the table also gets an append-only changelog table of every change event. */
  public boolean changelog() {
    return changelog;
  }

  /**
   * The configured mode, or null when not configured: then a table with a key (primary key or
   * {@link #keyColumns()}) is mirrored and a table without one is append-only.
   */
  public TableMode mode() {
    return mode;
  }

  /** What a {@code TRUNCATE} of the table does, or null to use {@code tables.truncate}. */
  public TruncateMode truncate() {
    return truncate;
  }

  /**
   * How far this table may lag its source before it misses its freshness target; null means the
   * default of the selection ({@code tables.freshness-target}).
   */
  public Duration freshnessTarget() {
    return freshnessTarget;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TableOptions)) {
      return false;
    }
    TableOptions other = (TableOptions) o;
    return changelog == other.changelog
        && partitionSpec.equals(other.partitionSpec)
        && keyColumns.equals(other.keyColumns)
        && mode == other.mode
        && truncate == other.truncate
        && Objects.equals(freshnessTarget, other.freshnessTarget);
  }

  @Override
  public int hashCode() {
    return Objects.hash(partitionSpec, keyColumns, changelog, mode, truncate, freshnessTarget);
  }

  @Override
  public String toString() {
    return "TableOptions{partitionSpec="
        + partitionSpec
        + ", keyColumns="
        + keyColumns
        + ", changelog="
        + changelog
        + ", mode="
        + mode
        + ", truncate="
        + truncate
        + ", freshnessTarget="
        + freshnessTarget
        + "}";
  }

  /** Builds {@link TableOptions}; {@link #build()} parses and checks the partition terms. */
  public static final class Builder {
    private List<String> partitionSpec = List.of();
    private List<String> keyColumns = List.of();
    private boolean changelog;
    private TableMode mode;
    private TruncateMode truncate;
    private Duration freshnessTarget;

    private Builder() {}

    public Builder partitionSpec(List<String> terms) {
      this.partitionSpec = terms == null ? List.of() : trimmed(terms);
      return this;
    }

    public Builder partitionSpec(String... terms) {
      return partitionSpec(Arrays.asList(terms));
    }

    public Builder keyColumns(List<String> columns) {
      this.keyColumns = columns == null ? List.of() : trimmed(columns);
      return this;
    }

    public Builder keyColumns(String... columns) {
      return keyColumns(Arrays.asList(columns));
    }

    public Builder changelog(boolean changelog) {
      this.changelog = changelog;
      return this;
    }

    /** The mode; null (the default) decides by whether the table has a key. */
    public Builder mode(TableMode mode) {
      this.mode = mode;
      return this;
    }

    /** What a {@code TRUNCATE} does; null (the default) uses {@code tables.truncate}. */
    public Builder truncate(TruncateMode truncate) {
      this.truncate = truncate;
      return this;
    }

    /** The table's own freshness target; null for the default of the selection. */
    public Builder freshnessTarget(Duration target) {
      this.freshnessTarget = target;
      return this;
    }

    /**
     * Validates and builds. Messages name the option ("partition-spec", "key-columns"); the caller
     * adds the table.
     *
     * @throws ConfigException listing every invalid term or column
     */
    public TableOptions build() {
      Problems problems = new Problems();
      List<PartitionTerm> terms = new ArrayList<>();
      Set<PartitionTerm> seen = new HashSet<>();
      Map<String, PartitionTerm> timeTermByColumn = new HashMap<>();
      for (String text : partitionSpec) {
        PartitionTerm term;
        try {
          term = PartitionTerm.parse(text);
        } catch (ConfigException e) {
          problems.add("partition-spec: " + e.getMessage());
          continue;
        }
        if (!seen.add(term)) {
          problems.add("partition-spec: term '" + text + "' is listed twice: remove one");
          continue;
        }
        if (term.transform().isTime()) {
          PartitionTerm earlier = timeTermByColumn.putIfAbsent(term.column(), term);
          if (earlier != null) {
            problems.add(
                "partition-spec: terms '"
                    + earlier
                    + "' and '"
                    + term
                    + "' both partition column "
                    + term.column()
                    + " by time: keep only one");
            continue;
          }
        }
        terms.add(term);
      }
      Set<String> keys = new HashSet<>();
      for (String column : keyColumns) {
        if (column.isEmpty()) {
          problems.add("key-columns: a column name is empty: list column names, e.g. [id]");
        } else if (!keys.add(column)) {
          problems.add("key-columns: column '" + column + "' is listed twice: remove one");
        }
      }
      if (mode == TableMode.APPEND_ONLY && !partitionSpec.isEmpty()) {
        problems.add(
            "partition-spec: an append-only table has no mirror table to partition (its changelog"
                + " table is partitioned by day of the source commit): remove partition-spec or"
                + " the mode");
      }
      if (mode == TableMode.APPEND_ONLY && !keyColumns.isEmpty()) {
        problems.add(
            "key-columns: an append-only table is not keyed: remove key-columns, or the mode to"
                + " mirror the table on these columns");
      }
      if (freshnessTarget != null && !Strings.isPositive(freshnessTarget)) {
        problems.add("freshness-target: must be greater than zero, e.g. 5m");
      }
      problems.throwIfAny();
      return new TableOptions(this, terms);
    }

    private static List<String> trimmed(List<String> values) {
      List<String> result = new ArrayList<>(values.size());
      for (String value : values) {
        result.add(value == null ? "" : value.trim());
      }
      return result;
    }
  }
}
