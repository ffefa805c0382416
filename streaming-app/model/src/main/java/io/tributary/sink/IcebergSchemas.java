package io.tributary.sink;

import io.tributary.change.Column;
import io.tributary.change.ColumnType;
import io.tributary.change.SourceTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** Maps source table schemas to Iceberg schemas, including the metadata columns. */
public final class IcebergSchemas {
  /** The operation that produced the row's current version: r, c or u. */
  public static final String OP = "_op";

  /** The source position (PostgreSQL LSN as a number) of the row's current version. */
  public static final String SOURCE_LSN = "_source_lsn";

  /** The source commit time of the row's current version. */
  public static final String SOURCE_TS = "_source_ts";

  /** When Tributary wrote the row's current version. */
  public static final String INGESTED_AT = "_ingested_at";

  /** All metadata columns, in table order. */
  public static final List<String> METADATA_COLUMNS =
      List.of(OP, SOURCE_LSN, SOURCE_TS, INGESTED_AT);

  private IcebergSchemas() {}

  /** The Iceberg type for a column type. */
  public static Type icebergType(ColumnType type) {
    switch (type.kind()) {
      case BOOLEAN:
        return Types.BooleanType.get();
      case INT:
        return Types.IntegerType.get();
      case LONG:
        return Types.LongType.get();
      case FLOAT:
        return Types.FloatType.get();
      case DOUBLE:
        return Types.DoubleType.get();
      case DECIMAL:
        return Types.DecimalType.of(type.precision(), type.scale());
      case STRING:
        return Types.StringType.get();
      case BINARY:
        return Types.BinaryType.get();
      case DATE:
        return Types.DateType.get();
      case TIME:
        return Types.TimeType.get();
      case TIMESTAMP:
        return Types.TimestampType.withoutZone();
      case TIMESTAMPTZ:
        return Types.TimestampType.withZone();
      default:
        throw new IllegalArgumentException("No Iceberg type for " + type);
    }
  }

  /**
   * The Iceberg schema of a new mirror table: the source columns in source order (key columns
   * required and the identifier fields), then the metadata columns.
   */
  public static Schema mirrorSchema(SourceTable table) {
    List<Types.NestedField> fields = new ArrayList<>();
    Set<Integer> keyIds = new HashSet<>();
    Set<Integer> keyPositions = new HashSet<>();
    for (int i = 0; i < table.keySize(); i++) {
      keyPositions.add(table.keyIndex(i));
    }
    int id = 1;
    for (int i = 0; i < table.columns().size(); i++) {
      Column column = table.columns().get(i);
      String name = fieldName(column.name());
      if (METADATA_COLUMNS.contains(name)) {
        throw new IllegalArgumentException(
            "Column '"
                + column.name()
                + "' of "
                + table.id()
                + " has the name of a Tributary metadata column; rename it at the source");
      }
      boolean key = keyPositions.contains(i);
      Type type = icebergType(column.type());
      fields.add(
          key
              ? Types.NestedField.required(id, name, type)
              : Types.NestedField.optional(id, name, type));
      if (key) {
        keyIds.add(id);
      }
      id++;
    }
    fields.add(Types.NestedField.optional(id++, OP, Types.StringType.get()));
    fields.add(Types.NestedField.optional(id++, SOURCE_LSN, Types.LongType.get()));
    fields.add(Types.NestedField.optional(id++, SOURCE_TS, Types.TimestampType.withZone()));
    fields.add(Types.NestedField.optional(id, INGESTED_AT, Types.TimestampType.withZone()));
    return new Schema(fields, keyIds);
  }

  /**
   * The schema of a changelog table: the mirror's columns, all optional and without identifier
   * fields (a key appears once per change), then the metadata columns.
   */
  public static Schema changelogSchema(SourceTable table) {
    Schema mirror = mirrorSchema(table);
    List<Types.NestedField> fields = new ArrayList<>();
    for (Types.NestedField field : mirror.columns()) {
      fields.add(field.asOptional());
    }
    return new Schema(fields);
  }

  /** The Iceberg field name of a source column: lower case, as Glue and Athena require. */
  public static String fieldName(String sourceColumn) {
    return sourceColumn.toLowerCase(Locale.ROOT);
  }

  /**
   * Whether Iceberg can change a column of type {@code from} to {@code to} in place: int to long,
   * float to double, and a decimal to a larger precision with the same scale.
   */
  public static boolean canPromote(Type from, Type to) {
    if (from.equals(to)) {
      return true;
    }
    if (from.typeId() == Type.TypeID.INTEGER && to.typeId() == Type.TypeID.LONG) {
      return true;
    }
    if (from.typeId() == Type.TypeID.FLOAT && to.typeId() == Type.TypeID.DOUBLE) {
      return true;
    }
    if (from.typeId() == Type.TypeID.DECIMAL && to.typeId() == Type.TypeID.DECIMAL) {
      Types.DecimalType f = (Types.DecimalType) from;
      Types.DecimalType t = (Types.DecimalType) to;
      return f.scale() == t.scale() && f.precision() <= t.precision();
    }
    return false;
  }
}
