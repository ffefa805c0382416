package io.tributary.config;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One term of an Iceberg partition spec as written in the configuration: {@code day(created_at)},
 * {@code bucket(16, id)}, {@code truncate(4, code)}, {@code identity(region)} or just {@code
 * region}.
 */
public final class PartitionTerm {

  /** The Iceberg partition transforms that can be configured. */
  public enum Transform {
    /** The column value itself. */
    IDENTITY(false),
    /** Years since 1970 of a date or timestamp column. */
    YEAR(false),
    /** Months since 1970 of a date or timestamp column. */
    MONTH(false),
    /** Days since 1970 of a date or timestamp column. */
    DAY(false),
    /** Hours since 1970 of a timestamp column. */
    HOUR(false),
    /** Hash of the column into a number of buckets: {@code bucket(16, id)}. */
    BUCKET(true),
    /** Value truncated to a width: {@code truncate(4, code)}. */
    TRUNCATE(true);

    private final boolean hasWidth;

    Transform(boolean hasWidth) {
      this.hasWidth = hasWidth;
    }

    /** Whether the transform takes a number before the column. */
    public boolean hasWidth() {
      return hasWidth;
    }

    /** Whether the transform is one of the time transforms year, month, day and hour. */
    public boolean isTime() {
      return this == YEAR || this == MONTH || this == DAY || this == HOUR;
    }

    /** The lower-case name used in terms, e.g. "bucket". */
    public String termName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final String COLUMN = "[^\\s(),\"']+";
  private static final Pattern BARE = Pattern.compile(COLUMN);
  private static final Pattern CALL = Pattern.compile("([A-Za-z_]+)\\s*\\((.*)\\)", Pattern.DOTALL);
  private static final Pattern ONE_ARG = Pattern.compile("\\s*(" + COLUMN + ")\\s*");
  private static final Pattern TWO_ARGS =
      Pattern.compile("\\s*([+-]?\\d+)\\s*,\\s*(" + COLUMN + ")\\s*");
  private static final String KNOWN =
      "identity(col) or col, year(col), month(col), day(col), hour(col), bucket(N, col),"
          + " truncate(W, col)";

  private final Transform transform;
  private final String column;
  private final int width;

  private PartitionTerm(Transform transform, String column, int width) {
    this.transform = transform;
    this.column = column;
    this.width = width;
  }

  /**
   * Parses one term.
   *
   * @throws ConfigException saying what is wrong with the term and which forms are valid
   */
  public static PartitionTerm parse(String term) {
    if (term == null || term.isBlank()) {
      throw new ConfigException("empty partition term: use one of " + KNOWN);
    }
    String text = term.trim();
    if (BARE.matcher(text).matches()) {
      return new PartitionTerm(Transform.IDENTITY, text, 0);
    }
    Matcher call = CALL.matcher(text);
    if (!call.matches()) {
      throw new ConfigException(
          "partition term '" + term + "' is not well-formed: use one of " + KNOWN);
    }
    Transform transform;
    try {
      transform = Transform.valueOf(call.group(1).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "partition term '"
              + term
              + "' uses unknown transform '"
              + call.group(1)
              + "': use one of "
              + KNOWN);
    }
    String arguments = call.group(2);
    if (!transform.hasWidth()) {
      Matcher one = ONE_ARG.matcher(arguments);
      if (!one.matches()) {
        throw new ConfigException(
            "partition term '"
                + term
                + "' must name exactly one column: "
                + transform.termName()
                + "(column)");
      }
      return new PartitionTerm(transform, one.group(1), 0);
    }
    Matcher two = TWO_ARGS.matcher(arguments);
    if (!two.matches()) {
      throw new ConfigException(
          "partition term '"
              + term
              + "' must be "
              + transform.termName()
              + "(N, column) with a whole number N first, e.g. "
              + transform.termName()
              + "(16, id)");
    }
    int width;
    try {
      width = Integer.parseInt(two.group(1));
    } catch (NumberFormatException e) {
      width = -1;
    }
    if (width < 1) {
      throw new ConfigException(
          "partition term '"
              + term
              + "' needs a "
              + (transform == Transform.BUCKET ? "bucket count" : "width")
              + " of at least 1, got "
              + two.group(1));
    }
    return new PartitionTerm(transform, two.group(2), width);
  }

  /** The transform applied to the column. */
  public Transform transform() {
    return transform;
  }

  /** The source column the term is computed from. */
  public String column() {
    return column;
  }

  /** Number of buckets for {@code bucket}, width for {@code truncate}, 0 for the others. */
  public int width() {
    return width;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof PartitionTerm)) {
      return false;
    }
    PartitionTerm other = (PartitionTerm) o;
    return transform == other.transform && width == other.width && column.equals(other.column);
  }

  @Override
  public int hashCode() {
    return Objects.hash(transform, column, width);
  }

  /** The canonical term, e.g. {@code bucket(16, id)} or {@code identity(region)}. */
  @Override
  public String toString() {
    return transform.hasWidth()
        ? transform.termName() + "(" + width + ", " + column + ")"
        : transform.termName() + "(" + column + ")";
  }
}
