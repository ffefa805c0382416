package io.tributary.verify;

import io.tributary.sink.IcebergSchemas;
import io.tributary.sink.TableManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * Which lake column each source column is compared with: the live lake column of its lake name
 * ({@link IcebergSchemas#fieldName}), or of a former name the lake table recorded for a renamed
 * column. Lake columns kept for history ({@code tributary.dropped-columns}) are never matched.
 */
final class ColumnMatch {
  /** The matched columns, in the source table's column order. */
  final List<ComparedColumn> columns;

  /** The source columns that have no live column in the lake. */
  final List<String> notInLake;

  private ColumnMatch(List<ComparedColumn> columns, List<String> notInLake) {
    this.columns = columns;
    this.notInLake = notInLake;
  }

  /**
   * Matches source columns with the live columns of a lake table.
   *
   * @param sourceColumns the source columns' names and type names, in the table's column order
   * @param schema the lake table's current schema
   * @param properties the lake table's properties (renamed and dropped columns)
   */
  static ColumnMatch of(
      Map<String, String> sourceColumns, Schema schema, Map<String, String> properties) {
    Map<String, Integer> renamed = TableManager.renamedColumns(properties);
    List<ComparedColumn> columns = new ArrayList<>();
    List<String> notInLake = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (String column : sourceColumns.keySet()) {
      names.add(IcebergSchemas.fieldName(column));
    }
    // Only live columns: a column kept for history (dropped at the source, perhaps moved aside for
    // a reused name) is never compared with a source column.
    Set<Integer> dropped = TableManager.droppedColumns(properties);
    List<Types.NestedField> live = new ArrayList<>();
    for (Types.NestedField field : schema.columns()) {
      if (!IcebergSchemas.METADATA_COLUMNS.contains(field.name())
          && !dropped.contains(field.fieldId())) {
        live.add(field);
      }
    }
    Map<String, Integer> former = new HashMap<>(renamed);
    for (Types.NestedField field : live) {
      former.remove(field.name());
    }
    // By name among the live columns: the writer moves a column kept for history aside when a
    // source column reuses its name, so a live name is never ambiguous. (Not by the writer's
    // order-aware match, which would take every column after one missing from the lake, for
    // example deleted from it by hand, for new columns.)
    Map<String, Types.NestedField> byName = new HashMap<>();
    for (Types.NestedField field : live) {
      byName.put(field.name(), field);
    }
    Map<Integer, Types.NestedField> byId = new HashMap<>();
    for (Types.NestedField field : live) {
      byId.put(field.fieldId(), field);
    }
    Types.NestedField[] matched = new Types.NestedField[names.size()];
    for (int i = 0; i < matched.length; i++) {
      Types.NestedField field = byName.get(names.get(i));
      if (field == null && former.containsKey(names.get(i))) {
        field = byId.get(former.get(names.get(i)));
      }
      matched[i] = field;
    }
    int index = 0;
    for (Map.Entry<String, String> column : sourceColumns.entrySet()) {
      Types.NestedField field = matched[index++];
      if (field == null) {
        notInLake.add(column.getKey());
      } else {
        columns.add(new ComparedColumn(column.getKey(), column.getValue(), field));
      }
    }
    return new ColumnMatch(columns, notInLake);
  }

  /**
   * The field ids of the matched columns that make a row's key: the lake table's identifier fields,
   * or every matched column for a changelog, whose rows are compared whole.
   */
  Set<Integer> keys(Schema schema, boolean changelog) {
    Set<Integer> keys = new HashSet<>();
    for (ComparedColumn c : columns) {
      if (changelog || schema.identifierFieldIds().contains(c.field().fieldId())) {
        keys.add(c.field().fieldId());
      }
    }
    return keys;
  }
}
