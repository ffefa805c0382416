package io.tributary.source.debezium;

import io.tributary.change.Column;
import io.tributary.change.ColumnType;
import io.tributary.change.SourceTable;
import io.tributary.change.TableId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Field;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Schema;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Struct;

/** Converts the fields of one row schema into Tributary values; built once per schema. */
final class RowConverter {
  /**
   * What Debezium sends, under {@code REPLICA IDENTITY DEFAULT}, for a TOASTed column an update did
   * not change ({@code unavailable.value.placeholder}): as text, or as its bytes for binary
   * columns.
   */
  static final String UNAVAILABLE_VALUE = "__debezium_unavailable_value";

  private static final byte[] UNAVAILABLE_BYTES =
      UNAVAILABLE_VALUE.getBytes(StandardCharsets.UTF_8);

  final SourceTable table;
  final Field[] fields;
  final ValueConverter[] converters;

  private final boolean[] hasDefault;

  /** The record key schema this converter was built or last checked with; may be null. */
  Schema keySchema;

  private RowConverter(SourceTable table, Field[] fields, ValueConverter[] converters) {
    this.table = table;
    this.fields = fields;
    this.converters = converters;
    this.hasDefault = new boolean[fields.length];
    for (int i = 0; i < fields.length; i++) {
      hasDefault[i] = fields[i].schema().defaultValue() != null;
    }
  }

  static RowConverter create(TableId tableId, Schema rowSchema, List<String> keyColumns) {
    List<Field> fieldList = rowSchema.fields();
    Field[] fields = fieldList.toArray(new Field[0]);
    ValueConverter[] converters = new ValueConverter[fields.length];
    List<Column> columns = new ArrayList<>(fields.length);
    for (int i = 0; i < fields.length; i++) {
      Schema schema = fields[i].schema();
      ColumnType type = ValueConverters.columnType(schema);
      converters[i] = ValueConverters.valueConverter(schema, type);
      columns.add(
          new Column(
              fields[i].name(), type, schema.isOptional(), ValueConverters.sourceTypeName(schema)));
    }
    int[] keyIndexes = new int[0];
    List<String> keys = keyColumns == null ? Collections.emptyList() : keyColumns;
    keyIndexes = new int[keys.size()];
    for (int k = 0; k < keys.size(); k++) {
      int index = -1;
      for (int i = 0; i < fields.length; i++) {
        if (fields[i].name().equals(keys.get(k))) {
          index = i;
        }
      }
      if (index < 0) {
        throw new IllegalStateException(
            "Key column '"
                + keys.get(k)
                + "' configured for "
                + tableId
                + " is not a column of it; columns are "
                + columns);
      }
      keyIndexes[k] = index;
    }
    return new RowConverter(new SourceTable(tableId, columns, keyIndexes), fields, converters);
  }

  /**
   * The same converter, whose table the source cannot capture as it is now (see {@link
   * SourceTable#captureProblem()}).
   */
  RowConverter withCaptureProblem(String problem) {
    RowConverter converter =
        new RowConverter(table.withCaptureProblem(problem), fields, converters);
    converter.keySchema = keySchema;
    return converter;
  }

  /**
   * Converts a row image. A column holding Debezium's placeholder for an unchanged TOASTed value
   * becomes null, and is flagged in {@code unchanged} when that is given.
   */
  Object[] convert(Struct row, boolean[] unchanged) {
    Object[] values = new Object[fields.length];
    for (int i = 0; i < fields.length; i++) {
      // By position (no lookup by name) unless the column has a default, which get() would
      // put in place of a null.
      Object raw = hasDefault[i] ? row.getWithoutDefault(fields[i].name()) : row.get(fields[i]);
      if (raw != null && isUnavailable(raw)) {
        if (unchanged != null) {
          unchanged[i] = true;
        }
        continue;
      }
      values[i] = raw == null ? null : converters[i].convert(raw);
    }
    return values;
  }

  /**
   * Fills the values an after-image left out (flagged in {@code unchanged}) from a complete
   * before-image of the same row, by column name, and clears their flags. Only for tables with
   * {@code REPLICA IDENTITY FULL}, whose before-image holds every column (PostgreSQL writes the old
   * row with its TOASTed values inline); a column the before-image lacks or left out stays flagged.
   */
  static void fillFromBefore(
      RowConverter after,
      Object[] afterValues,
      boolean[] unchanged,
      RowConverter before,
      Object[] beforeValues,
      boolean[] beforeUnchanged) {
    for (int i = 0; i < unchanged.length; i++) {
      if (!unchanged[i]) {
        continue;
      }
      String name = after.fields[i].name();
      int j =
          i < before.fields.length && before.fields[i].name().equals(name)
              ? i
              : indexOf(before.fields, name);
      if (j >= 0 && !beforeUnchanged[j]) {
        afterValues[i] = beforeValues[j];
        unchanged[i] = false;
      }
    }
  }

  private static int indexOf(Field[] fields, String name) {
    for (int j = 0; j < fields.length; j++) {
      if (fields[j].name().equals(name)) {
        return j;
      }
    }
    return -1;
  }

  /** Whether a raw value is Debezium's placeholder for an unchanged TOASTed value. */
  static boolean isUnavailable(Object raw) {
    if (raw instanceof String) {
      return UNAVAILABLE_VALUE.equals(raw);
    }
    if (raw instanceof byte[]) {
      return Arrays.equals(UNAVAILABLE_BYTES, (byte[]) raw);
    }
    if (raw instanceof ByteBuffer) {
      return ByteBuffer.wrap(UNAVAILABLE_BYTES).equals(raw);
    }
    if (raw instanceof List) {
      List<?> list = (List<?>) raw;
      return list.size() == 1 && list.get(0) != null && isUnavailable(list.get(0));
    }
    return false;
  }
}
