package io.tributary.verify;

import io.tributary.change.TableId;
import io.tributary.sink.IcebergSchemas;
import io.tributary.source.mysql.MySqlConnections;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Compares one MySQL or MariaDB table with its mirror table, row by row by key. Values are compared
 * in {@link CanonicalValue#of} form, as for PostgreSQL. Both sides' rows are held in memory (as
 * canonical text), which suits the tables of a first MySQL capture, not large ones.
 */
final class MySqlTableVerifier {
  private static final int MAX_REPORTED = 10;

  private final Connection source;
  private final TableId id;
  private final Table mirror;

  MySqlTableVerifier(Connection source, TableId id, Table mirror) {
    this.source = source;
    this.id = id;
    this.mirror = mirror;
  }

  /** A source column and the lake field it is compared with. */
  private static final class Compared {
    final String sourceName;
    final Types.NestedField field;

    Compared(String sourceName, Types.NestedField field) {
      this.sourceName = sourceName;
      this.field = field;
    }
  }

  VerifyResult verify() throws SQLException {
    mirror.refresh();
    List<Compared> columns = new ArrayList<>();
    List<String> differences = new ArrayList<>();
    for (String column : sourceColumns()) {
      Types.NestedField field = mirror.schema().findField(IcebergSchemas.fieldName(column));
      if (field == null) {
        differences.add("column " + column + " of the source has no column in the lake");
      } else {
        columns.add(new Compared(column, field));
      }
    }
    List<Integer> keys = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      if (mirror.schema().identifierFieldIds().contains(columns.get(i).field.fieldId())) {
        keys.add(i);
      }
    }
    Map<String, List<String>> sourceRows = sourceRows(columns, keys);
    Map<String, List<String>> lakeRows = new HashMap<>();
    long lakeCount = lakeRows(columns, keys, lakeRows);
    if (lakeCount != lakeRows.size()) {
      differences.add(
          "duplicate rows in the lake: "
              + lakeCount
              + " rows for "
              + lakeRows.size()
              + " distinct keys");
    }
    Map<String, String> differing = new TreeMap<>();
    for (Map.Entry<String, List<String>> row : sourceRows.entrySet()) {
      List<String> lake = lakeRows.get(row.getKey());
      if (lake == null) {
        differing.put(row.getKey(), "missing in the lake");
      } else if (!lake.equals(row.getValue())) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
          if (!lake.get(i).equals(row.getValue().get(i))) {
            names.add(columns.get(i).sourceName);
          }
        }
        differing.put(row.getKey(), "differs in " + names);
      }
    }
    for (String key : lakeRows.keySet()) {
      if (!sourceRows.containsKey(key)) {
        differing.put(key, "in the lake only (deleted at the source)");
      }
    }
    int reported = 0;
    for (Map.Entry<String, String> row : differing.entrySet()) {
      if (reported++ == MAX_REPORTED) {
        differences.add("... and " + (differing.size() - MAX_REPORTED) + " more rows");
        break;
      }
      differences.add("key " + row.getKey() + ": " + row.getValue());
    }
    return new VerifyResult(
        mirror.name(),
        sourceRows.size(),
        lakeCount,
        differences.isEmpty() ? VerifyResult.State.EQUAL : VerifyResult.State.DIFFERENT,
        differences);
  }

  private List<String> sourceColumns() throws SQLException {
    List<String> names = new ArrayList<>();
    try (PreparedStatement st =
        source.prepareStatement(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND"
                + " table_name = ? ORDER BY ordinal_position")) {
      st.setString(1, id.schema());
      st.setString(2, id.table());
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    return names;
  }

  private Map<String, List<String>> sourceRows(List<Compared> columns, List<Integer> keys)
      throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < columns.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(MySqlConnections.quote(columns.get(i).sourceName));
    }
    sql.append(" FROM ").append(MySqlConnections.quoted(id));
    Map<String, List<String>> rows = new LinkedHashMap<>();
    try (Statement st = source.createStatement();
        ResultSet rs = st.executeQuery(sql.toString())) {
      while (rs.next()) {
        List<String> row = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
          Type type = columns.get(i).field.type();
          row.add(CanonicalValue.of(jdbcValue(rs, i + 1, type), type));
        }
        rows.put(key(row, keys), row);
      }
    }
    return rows;
  }

  private long lakeRows(
      List<Compared> columns, List<Integer> keys, Map<String, List<String>> rows) {
    String[] names = new String[columns.size()];
    for (int i = 0; i < names.length; i++) {
      names[i] = columns.get(i).field.name();
    }
    long count = 0;
    try (CloseableIterable<Record> records = LakeRows.read(mirror, names)) {
      for (Record record : records) {
        List<String> row = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
          Types.NestedField field = columns.get(i).field;
          row.add(CanonicalValue.of(record.getField(field.name()), field.type()));
        }
        rows.put(key(row, keys), row);
        count++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Reading " + mirror.name() + " failed", e);
    }
    return count;
  }

  private static String key(List<String> row, List<Integer> keys) {
    StringBuilder key = new StringBuilder();
    for (int k : keys) {
      key.append(key.length() == 0 ? "" : ", ").append(row.get(k));
    }
    return key.toString();
  }

  /** A source value read as the Java type the lake holds for the field's type. */
  private static Object jdbcValue(ResultSet rs, int index, Type type) throws SQLException {
    switch (type.typeId()) {
      case DATE:
        return rs.getObject(index, LocalDate.class);
      case TIME:
        return rs.getObject(index, LocalTime.class);
      case TIMESTAMP:
        return ((Types.TimestampType) type).shouldAdjustToUTC()
            ? rs.getObject(index, OffsetDateTime.class)
            : rs.getObject(index, LocalDateTime.class);
      case BINARY:
        return rs.getBytes(index);
      case DECIMAL:
        return rs.getBigDecimal(index);
      case BOOLEAN:
        {
          boolean v = rs.getBoolean(index);
          return rs.wasNull() ? null : v;
        }
      case FLOAT:
        {
          float v = rs.getFloat(index);
          return rs.wasNull() ? null : v;
        }
      case DOUBLE:
        {
          double v = rs.getDouble(index);
          return rs.wasNull() ? null : v;
        }
      case INTEGER:
      case LONG:
        {
          long v = rs.getLong(index);
          return rs.wasNull() ? null : v;
        }
      default:
        return rs.getString(index);
    }
  }
}
