package io.tributary.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Which source tables are captured ({@code schema.table} patterns with {@code *} and {@code ?}),
 * per-table options, and the freshness target of the tables that do not set their own.
 *
 * <p>Names are compared case-sensitively, as PostgreSQL stores them (unquoted identifiers are lower
 * case). In a pattern, {@code *} matches any run of characters and {@code ?} one character, within
 * the schema or within the table name.
 */
public final class TableSelection {

  static final Duration DEFAULT_FRESHNESS_TARGET = Duration.ofMinutes(15);

  private final List<String> include;
  private final List<String> exclude;
  private final Map<String, TableOptions> options;
  private final TruncateMode truncate;
  private final Duration freshnessTarget;
  private final List<Glob> includeGlobs;
  private final List<Glob> excludeGlobs;

  private TableSelection(Builder b) {
    this.include = Collections.unmodifiableList(new ArrayList<>(b.include));
    this.exclude = Collections.unmodifiableList(new ArrayList<>(b.exclude));
    this.options = Collections.unmodifiableMap(new TreeMap<>(b.options));
    this.truncate = b.truncate;
    this.freshnessTarget = b.freshnessTarget;
    this.includeGlobs = compile(include);
    this.excludeGlobs = compile(exclude);
  }

  /** A builder; at least one include pattern is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this selection. */
  public Builder toBuilder() {
    return new Builder()
        .include(include)
        .exclude(exclude)
        .options(options)
        .truncate(truncate)
        .freshnessTarget(freshnessTarget);
  }

  /** Patterns of the tables to capture, e.g. {@code sales.*} or {@code public.customers}. */
  public List<String> include() {
    return include;
  }

  /** Patterns of tables not to capture even when included, e.g. {@code sales.tmp_*}. */
  public List<String> exclude() {
    return exclude;
  }

  /** Options of individual tables, by exact {@code schema.table} name, sorted by name. */
  public Map<String, TableOptions> options() {
    return options;
  }

  /** What a {@code TRUNCATE} does to tables without a {@code truncate} option of their own. */
  public TruncateMode truncate() {
    return truncate;
  }

  /** What a {@code TRUNCATE} of table {@code schemaDotTable} does. */
  public TruncateMode truncateFor(String schemaDotTable) {
    TruncateMode own = optionsFor(schemaDotTable).truncate();
    return own == null ? truncate : own;
  }

  /**
   * How far a table may lag its source before it misses its freshness target, for the tables
   * without a target of their own.
   */
  public Duration freshnessTarget() {
    return freshnessTarget;
  }

  /**
   * The freshness target of table {@code schemaDotTable}: its own, else {@link #freshnessTarget}.
   */
  public Duration freshnessTargetFor(String schemaDotTable) {
    Duration own = optionsFor(schemaDotTable).freshnessTarget();
    return own == null ? freshnessTarget : own;
  }

  /** Whether table {@code schemaDotTable} is included and not excluded. */
  public boolean matches(String schemaDotTable) {
    if (schemaDotTable == null || schemaDotTable.indexOf('.') <= 0) {
      return false;
    }
    return firstMatch(includeGlobs, schemaDotTable) != null
        && firstMatch(excludeGlobs, schemaDotTable) == null;
  }

  /** The options of table {@code schemaDotTable}, or {@link TableOptions#defaults()}. */
  public TableOptions optionsFor(String schemaDotTable) {
    TableOptions tableOptions = options.get(schemaDotTable);
    return tableOptions == null ? TableOptions.defaults() : tableOptions;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TableSelection)) {
      return false;
    }
    TableSelection other = (TableSelection) o;
    return include.equals(other.include)
        && exclude.equals(other.exclude)
        && options.equals(other.options)
        && truncate == other.truncate
        && freshnessTarget.equals(other.freshnessTarget);
  }

  @Override
  public int hashCode() {
    return Objects.hash(include, exclude, options, truncate, freshnessTarget);
  }

  @Override
  public String toString() {
    return "TableSelection{include="
        + include
        + ", exclude="
        + exclude
        + ", options="
        + options
        + ", truncate="
        + truncate
        + ", freshnessTarget="
        + freshnessTarget
        + "}";
  }

  private static List<Glob> compile(List<String> patterns) {
    List<Glob> globs = new ArrayList<>(patterns.size());
    for (String pattern : patterns) {
      globs.add(Glob.of(pattern));
    }
    return globs;
  }

  private static String firstMatch(List<Glob> globs, String name) {
    for (Glob glob : globs) {
      if (glob.matches(name)) {
        return glob.pattern;
      }
    }
    return null;
  }

  /** Checks a {@code schema.table} pattern; returns null when valid, else what is wrong. */
  static String checkPattern(String pattern) {
    if (pattern == null || pattern.isEmpty()) {
      return "a pattern is empty";
    }
    int dot = pattern.indexOf('.');
    if (dot <= 0 || dot == pattern.length() - 1 || pattern.indexOf('.', dot + 1) >= 0) {
      return "'"
          + pattern
          + "' is not a schema.table pattern: write e.g. public.orders, sales.* or *.audit_*";
    }
    return null;
  }

  private static boolean isGlob(String name) {
    return name.indexOf('*') >= 0 || name.indexOf('?') >= 0;
  }

  /** A compiled {@code schema.table} pattern. */
  private static final class Glob {
    final String pattern;
    final Pattern schema;
    final Pattern table;

    private Glob(String pattern, Pattern schema, Pattern table) {
      this.pattern = pattern;
      this.schema = schema;
      this.table = table;
    }

    static Glob of(String pattern) {
      int dot = pattern.indexOf('.');
      return new Glob(
          pattern, toRegex(pattern.substring(0, dot)), toRegex(pattern.substring(dot + 1)));
    }

    boolean matches(String name) {
      int dot = name.indexOf('.');
      return dot > 0
          && schema.matcher(name.substring(0, dot)).matches()
          && table.matcher(name.substring(dot + 1)).matches();
    }

    private static Pattern toRegex(String glob) {
      StringBuilder regex = new StringBuilder();
      StringBuilder literal = new StringBuilder();
      for (char c : glob.toCharArray()) {
        if (c == '*' || c == '?') {
          if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
            literal.setLength(0);
          }
          regex.append(c == '*' ? ".*" : ".");
        } else {
          literal.append(c);
        }
      }
      if (literal.length() > 0) {
        regex.append(Pattern.quote(literal.toString()));
      }
      return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
  }

  /** Builds a {@link TableSelection}; {@link #build()} checks patterns and option names. */
  public static final class Builder {
    private List<String> include = List.of();
    private List<String> exclude = List.of();
    private final Map<String, TableOptions> options = new LinkedHashMap<>();
    private TruncateMode truncate = TruncateMode.APPLY;
    private Duration freshnessTarget = DEFAULT_FRESHNESS_TARGET;

    private Builder() {}

    /** The freshness target of tables without one of their own (default 15 minutes). */
    public Builder freshnessTarget(Duration target) {
      this.freshnessTarget = target;
      return this;
    }

    public Builder include(List<String> patterns) {
      this.include = patterns == null ? List.of() : trimmed(patterns);
      return this;
    }

    public Builder include(String... patterns) {
      return include(Arrays.asList(patterns));
    }

    public Builder exclude(List<String> patterns) {
      this.exclude = patterns == null ? List.of() : trimmed(patterns);
      return this;
    }

    public Builder exclude(String... patterns) {
      return exclude(Arrays.asList(patterns));
    }

    /** What a {@code TRUNCATE} does by default ({@link TruncateMode#APPLY} unless set). */
    public Builder truncate(TruncateMode truncate) {
      this.truncate = truncate == null ? TruncateMode.APPLY : truncate;
      return this;
    }

    /** Replaces all table options. */
    public Builder options(Map<String, TableOptions> options) {
      this.options.clear();
      if (options != null) {
        options.forEach(this::option);
      }
      return this;
    }

    /** Sets the options of one table, named exactly {@code schema.table}. */
    public Builder option(String schemaDotTable, TableOptions tableOptions) {
      this.options.put(
          Objects.requireNonNull(schemaDotTable, "schemaDotTable"),
          Objects.requireNonNull(tableOptions, "tableOptions"));
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws ConfigException listing every invalid pattern and every option for a table that is
     *     not captured
     */
    public TableSelection build() {
      Problems problems = new Problems();
      problems.check(
          !include.isEmpty(),
          "tables.include is required: list the tables to capture as schema.table patterns,"
              + " e.g. [\"public.*\"]");
      for (String pattern : include) {
        String problem = checkPattern(pattern);
        if (problem != null) {
          problems.add("tables.include: " + problem);
        }
      }
      for (String pattern : exclude) {
        String problem = checkPattern(pattern);
        if (problem != null) {
          problems.add("tables.exclude: " + problem);
        }
      }
      problems.check(
          Strings.isPositive(freshnessTarget),
          "tables.freshness-target must be greater than zero, e.g. 15m");
      if (!problems.isEmpty()) {
        problems.throwIfAny();
      }
      TableSelection selection = new TableSelection(this);
      for (String table : options.keySet()) {
        String problem = checkPattern(table);
        if (problem != null) {
          problems.add(
              "tables.options: '"
                  + table
                  + "' is not a schema.table name: write e.g. sales.orders");
        } else if (isGlob(table)) {
          problems.add(
              "tables.options: '"
                  + table
                  + "' must be an exact schema.table name without * or ?: give options for"
                  + " each table");
        } else if (firstMatch(selection.includeGlobs, table) == null) {
          problems.add(
              "tables.options: table '"
                  + table
                  + "' is not matched by tables.include "
                  + include
                  + ": add it to include or correct the name");
        } else {
          String excludedBy = firstMatch(selection.excludeGlobs, table);
          if (excludedBy != null) {
            problems.add(
                "tables.options: table '"
                    + table
                    + "' is excluded by tables.exclude pattern '"
                    + excludedBy
                    + "': remove its options or the exclusion");
          }
        }
      }
      problems.throwIfAny();
      return selection;
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
