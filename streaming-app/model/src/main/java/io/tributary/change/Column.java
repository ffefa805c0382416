package io.tributary.change;

import java.io.Serializable;
import java.util.Objects;

/** One column of a source table: its name, type, nullability and source type name. */
public final class Column implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final ColumnType type;
  private final boolean optional;
  private final String sourceType;

  public Column(String name, ColumnType type, boolean optional, String sourceType) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    this.optional = optional;
    this.sourceType = sourceType == null ? "" : sourceType;
  }

  public String name() {
    return name;
  }

  public ColumnType type() {
    return type;
  }

  public boolean optional() {
    return optional;
  }

  /** The type name the source reported (for example {@code jsonb}); empty when unknown. */
  public String sourceType() {
    return sourceType;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Column)) {
      return false;
    }
    Column that = (Column) o;
    return optional == that.optional
        && name.equals(that.name)
        && type.equals(that.type)
        && sourceType.equals(that.sourceType);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, optional, sourceType);
  }

  @Override
  public String toString() {
    return name + " " + type + (optional ? "" : " not null");
  }
}
