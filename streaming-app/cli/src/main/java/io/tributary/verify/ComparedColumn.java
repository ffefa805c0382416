package io.tributary.verify;

import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** A source column and the lake column it is compared with. */
final class ComparedColumn {
  private final String sourceName;
  private final String sourceType;
  private final Types.NestedField field;

  /**
   * @param sourceName the column's name in the source table
   * @param sourceType the source column's type name, as {@code format_type} prints it
   * @param field the live lake column
   */
  ComparedColumn(String sourceName, String sourceType, Types.NestedField field) {
    this.sourceName = sourceName;
    this.sourceType = sourceType;
    this.field = field;
  }

  /** The column's name in the source table. */
  String sourceName() {
    return sourceName;
  }

  /** The source column's type name. */
  String sourceType() {
    return sourceType;
  }

  /** The live lake column. */
  Types.NestedField field() {
    return field;
  }

  /** The lake column's name. */
  String name() {
    return field.name();
  }

  /** The lake column's type, which decides how values of both sides are read and compared. */
  Type type() {
    return field.type();
  }
}
