package io.tributary.sink;

import io.tributary.change.ChangeEvent;
import io.tributary.change.SourceTable;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Builds Iceberg records of one table schema from change events of one source schema. Built once
 * per (source schema, table schema) pair; per event it only places and, where the table column is
 * wider, widens values.
 */
final class RowMapper {
  private static final int NONE = -1;

  private final Schema schema;
  private final Record template;
  private final int[] targetPositions;
  private final Widen[] widen;
  private final int opPosition;
  private final int lsnPosition;
  private final int sourceTsPosition;
  private final int ingestedAtPosition;

  private enum Widen {
    NONE,
    TO_LONG,
    TO_DOUBLE,
    TO_BUFFER
  }

  RowMapper(SourceTable source, Schema schema) {
    this(source, schema, Collections.emptyMap());
  }

  /**
   * @param renamed former column names and the field id each now names: a change seen with the
   *     schema from before a rename still finds its column. Columns are matched as {@link
   *     ColumnMatch} does, against every column of the table (including those kept for history), so
   *     a change seen with the schema from before a name was reused fills the old column, and one
   *     seen with the schema after it the new one.
   */
  RowMapper(SourceTable source, Schema schema, Map<String, Integer> renamed) {
    this.schema = schema;
    this.template = GenericRecord.create(schema);
    List<Types.NestedField> columns = schema.columns();
    this.targetPositions = new int[source.columns().size()];
    this.widen = new Widen[source.columns().size()];
    List<Types.NestedField> fields = new ArrayList<>();
    for (Types.NestedField field : columns) {
      if (!IcebergSchemas.METADATA_COLUMNS.contains(field.name())) {
        fields.add(field);
      }
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < targetPositions.length; i++) {
      names.add(IcebergSchemas.fieldName(source.columns().get(i).name()));
    }
    Types.NestedField[] matched = ColumnMatch.match(fields, renamed, names);
    Set<Integer> claimed = new HashSet<>();
    for (Types.NestedField field : matched) {
      if (field != null) {
        claimed.add(field.fieldId());
      }
    }
    for (int i = 0; i < targetPositions.length; i++) {
      String name = names.get(i);
      Types.NestedField field = matched[i];
      if (field == null) {
        // Out of order with the table (see TableManager#ensureColumns): by name when still free.
        Types.NestedField byName = schema.findField(name);
        if (byName != null
            && !IcebergSchemas.METADATA_COLUMNS.contains(name)
            && claimed.add(byName.fieldId())) {
          field = byName;
        }
      }
      int position = field == null ? NONE : position(columns, field.name());
      if (position == NONE) {
        throw new IllegalStateException(
            "Table " + source.id() + " column '" + name + "' is missing from the Iceberg schema");
      }
      targetPositions[i] = position;
      Type type = columns.get(position).type();
      if (type.typeId() == Type.TypeID.LONG) {
        widen[i] = Widen.TO_LONG;
      } else if (type.typeId() == Type.TypeID.DOUBLE) {
        widen[i] = Widen.TO_DOUBLE;
      } else if (type.typeId() == Type.TypeID.BINARY) {
        widen[i] = Widen.TO_BUFFER;
      } else {
        widen[i] = Widen.NONE;
      }
    }
    this.opPosition = position(columns, IcebergSchemas.OP);
    this.lsnPosition = position(columns, IcebergSchemas.SOURCE_LSN);
    this.sourceTsPosition = position(columns, IcebergSchemas.SOURCE_TS);
    this.ingestedAtPosition = position(columns, IcebergSchemas.INGESTED_AT);
  }

  private static int position(List<Types.NestedField> columns, String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    return NONE;
  }

  Schema schema() {
    return schema;
  }

  /** The Iceberg name of the field that source column {@code index} fills. */
  String targetName(int index) {
    return schema.columns().get(targetPositions[index]).name();
  }

  Record toRecord(ChangeEvent event, OffsetDateTime ingestedAt) {
    Record record = template.copy();
    Object[] values = event.values();
    for (int i = 0; i < values.length; i++) {
      Object value = values[i];
      if (value != null) {
        switch (widen[i]) {
          case TO_LONG:
            value = ((Number) value).longValue();
            break;
          case TO_DOUBLE:
            value = ((Number) value).doubleValue();
            break;
          case TO_BUFFER:
            value = ByteBuffer.wrap((byte[]) value);
            break;
          default:
            break;
        }
      }
      record.set(targetPositions[i], value);
    }
    if (opPosition != NONE) {
      record.set(opPosition, event.op().code());
    }
    if (lsnPosition != NONE && event.lsn() >= 0) {
      record.set(lsnPosition, event.lsn());
    }
    if (sourceTsPosition != NONE && event.sourceTsMicros() >= 0) {
      long micros = event.sourceTsMicros();
      record.set(
          sourceTsPosition,
          OffsetDateTime.ofInstant(
              Instant.ofEpochSecond(
                  Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L),
              ZoneOffset.UTC));
    }
    if (ingestedAtPosition != NONE) {
      record.set(ingestedAtPosition, ingestedAt);
    }
    return record;
  }
}
