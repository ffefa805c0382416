package io.tributary.verify;

import io.tributary.sink.IcebergSchemas;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Compares a source table with its mirror table without holding either in memory: every row of both
 * sides is hashed over all columns into one of many buckets by its key; buckets are compared by row
 * count and the sum of row hashes; only the rows of differing buckets are read again to name the
 * differing keys.
 */
public final class TableVerifier {
  private static final int BUCKETS = 1 << 14;
  private static final int MAX_REPORTED = 10;

  private final Connection source;
  private final String sourceTable;
  private final Table mirror;

  /**
   * @param source a connection to the source database
   * @param sourceTable the quoted source table name, e.g. {@code "public"."orders"}
   * @param mirror the Iceberg mirror table
   */
  public TableVerifier(Connection source, String sourceTable, Table mirror) {
    this.source = source;
    this.sourceTable = sourceTable;
    this.mirror = mirror;
  }

  /** Compares both sides. */
  public VerifyResult verify() throws SQLException {
    mirror.refresh();
    Schema schema = mirror.schema();
    List<Types.NestedField> columns = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    // Columns dropped at the source stay in the lake, unfilled: they are not compared.
    java.util.Set<Integer> dropped =
        io.tributary.sink.TableManager.droppedColumns(mirror.properties());
    for (Types.NestedField field : schema.columns()) {
      if (!IcebergSchemas.METADATA_COLUMNS.contains(field.name())
          && !dropped.contains(field.fieldId())) {
        columns.add(field);
      }
    }
    for (Integer id : schema.identifierFieldIds()) {
      keys.add(schema.findField(id).name());
    }
    Buckets sourceBuckets = new Buckets();
    Buckets mirrorBuckets = new Buckets();
    scanSource(columns, keys, sourceBuckets, null, null);
    scanMirror(columns, keys, mirrorBuckets, null, null);
    List<Integer> differing = new ArrayList<>();
    for (int b = 0; b < BUCKETS; b++) {
      if (sourceBuckets.counts[b] != mirrorBuckets.counts[b]
          || sourceBuckets.sums[b] != mirrorBuckets.sums[b]) {
        differing.add(b);
      }
    }
    List<String> differences = new ArrayList<>();
    if (!differing.isEmpty()) {
      java.util.Set<Integer> wanted = new java.util.HashSet<>(differing);
      Map<String, List<String>> sourceRows = new TreeMap<>();
      Map<String, List<String>> mirrorRows = new TreeMap<>();
      scanSource(columns, keys, null, wanted, sourceRows);
      scanMirror(columns, keys, null, wanted, mirrorRows);
      for (Map.Entry<String, List<String>> e : sourceRows.entrySet()) {
        List<String> other = mirrorRows.get(e.getKey());
        if (other == null) {
          differences.add(e.getKey() + ": missing in the lake");
        } else if (!other.equals(e.getValue())) {
          List<String> differingColumns = new ArrayList<>();
          for (int i = 0; i < columns.size() && i < other.size(); i++) {
            if (!other.get(i).equals(e.getValue().get(i))) {
              differingColumns.add(columns.get(i).name());
            }
          }
          differences.add(
              e.getKey()
                  + ": "
                  + (other.size() != e.getValue().size()
                      ? "the lake holds the key more than once"
                      : "values differ in " + differingColumns));
        }
        if (differences.size() >= MAX_REPORTED) {
          break;
        }
      }
      for (Map.Entry<String, List<String>> e : mirrorRows.entrySet()) {
        if (differences.size() >= MAX_REPORTED) {
          break;
        }
        if (!sourceRows.containsKey(e.getKey())) {
          differences.add(e.getKey() + ": in the lake but not in the source");
        }
      }
      if (differences.isEmpty()) {
        differences.add("duplicate rows in the lake (row counts differ for equal keys)");
      }
    }
    return new VerifyResult(
        mirror.name(),
        sourceBuckets.total(),
        mirrorBuckets.total(),
        differing.isEmpty(),
        differences);
  }

  private void scanSource(
      List<Types.NestedField> columns,
      List<String> keys,
      Buckets buckets,
      java.util.Set<Integer> wanted,
      Map<String, List<String>> rows)
      throws SQLException {
    Map<String, String> sourceTypes = sourceTypes();
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < columns.size(); i++) {
      String name = columns.get(i).name();
      sql.append(i == 0 ? "" : ", ").append('"').append(name).append('"');
      if ("money".equals(sourceTypes.get(name))) {
        // The driver reads money only as text with a currency symbol.
        sql.append("::numeric");
      }
    }
    sql.append(" FROM ").append(sourceTable);
    boolean autoCommit = source.getAutoCommit();
    source.setAutoCommit(false);
    try (Statement style = source.createStatement()) {
      // Intervals are stored as ISO 8601 durations.
      style.execute("SET intervalstyle = iso_8601");
    }
    try (PreparedStatement st = source.prepareStatement(sql.toString())) {
      st.setFetchSize(10_000);
      try (ResultSet rs = st.executeQuery()) {
        Object[] values = new Object[columns.size()];
        while (rs.next()) {
          for (int i = 0; i < values.length; i++) {
            values[i] = jdbcValue(rs, i + 1, columns.get(i).type());
          }
          accept(columns, keys, values, buckets, wanted, rows);
        }
      }
      source.commit();
    } finally {
      source.setAutoCommit(autoCommit);
    }
  }

  /** The source columns' type names, by column name. */
  private Map<String, String> sourceTypes() throws SQLException {
    Map<String, String> types = new java.util.HashMap<>();
    try (PreparedStatement st =
        source.prepareStatement(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid ="
                + " ?::regclass AND attnum > 0 AND NOT attisdropped")) {
      st.setString(1, sourceTable);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          types.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return types;
  }

  private void scanMirror(
      List<Types.NestedField> columns,
      List<String> keys,
      Buckets buckets,
      java.util.Set<Integer> wanted,
      Map<String, List<String>> rows) {
    List<String> names = new ArrayList<>();
    for (Types.NestedField f : columns) {
      names.add(f.name());
    }
    try (CloseableIterable<Record> records =
        IcebergGenerics.read(mirror).select(names.toArray(new String[0])).build()) {
      Object[] values = new Object[columns.size()];
      for (Record record : records) {
        for (int i = 0; i < values.length; i++) {
          values[i] = record.getField(columns.get(i).name());
        }
        accept(columns, keys, values, buckets, wanted, rows);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Reading " + mirror.name() + " failed", e);
    }
  }

  private static void accept(
      List<Types.NestedField> columns,
      List<String> keys,
      Object[] values,
      Buckets buckets,
      java.util.Set<Integer> wanted,
      Map<String, List<String>> rows) {
    long keyHash = 0x9E3779B97F4A7C15L;
    long rowHash = 0x632BE59BD9B4E019L;
    StringBuilder keyText = rows == null ? null : new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      long h = hash(canonical(values[i], columns.get(i).type()));
      rowHash = mix(rowHash ^ h) + i;
      if (keys.contains(columns.get(i).name())) {
        keyHash = mix(keyHash ^ h);
        if (keyText != null) {
          keyText
              .append(keyText.length() == 0 ? "" : ", ")
              .append(columns.get(i).name())
              .append('=')
              .append(canonical(values[i], columns.get(i).type()));
        }
      }
    }
    int bucket = (int) (keyHash & (BUCKETS - 1));
    if (buckets != null) {
      buckets.counts[bucket]++;
      buckets.sums[bucket] += mix(rowHash);
    }
    if (rows != null && wanted.contains(bucket)) {
      List<String> canonicalRow = new ArrayList<>(values.length);
      for (int i = 0; i < values.length; i++) {
        canonicalRow.add(canonical(values[i], columns.get(i).type()));
      }
      List<String> existing = rows.putIfAbsent(keyText.toString(), canonicalRow);
      if (existing != null) {
        existing.addAll(canonicalRow); // a duplicate key: the sizes then differ
      }
    }
  }

  private static Object jdbcValue(ResultSet rs, int index, Type type) throws SQLException {
    switch (type.typeId()) {
      case DATE:
        {
          // The driver reads infinity as LocalDate.MAX and -infinity as LocalDate.MIN.
          LocalDate d = rs.getObject(index, LocalDate.class);
          return d == null ? null : io.tributary.change.Infinity.date(d);
        }
      case TIME:
        return rs.getObject(index, LocalTime.class);
      case TIMESTAMP:
        if (((Types.TimestampType) type).shouldAdjustToUTC()) {
          OffsetDateTime t = rs.getObject(index, OffsetDateTime.class);
          return t == null ? null : io.tributary.change.Infinity.timestamptz(t);
        } else {
          LocalDateTime t = rs.getObject(index, LocalDateTime.class);
          return t == null ? null : io.tributary.change.Infinity.timestamp(t);
        }
      case BINARY:
        return rs.getBytes(index);
      case STRING:
        return rs.getString(index);
      case DECIMAL:
        {
          // numeric(p,s) may hold NaN, which the lake cannot (such changes are dead letters):
          // its text never equals a lake value, so the row is reported as different.
          String text = rs.getString(index);
          if (text == null) {
            return null;
          }
          return text.equals("NaN") ? text : new BigDecimal(text);
        }
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

  /** A text form that is equal for equal values on both sides. */
  static String canonical(Object value, Type type) {
    if (value == null) {
      return "\u0000null";
    }
    switch (type.typeId()) {
      case INTEGER:
      case LONG:
        return Long.toString(((Number) value).longValue());
      case FLOAT:
        return Float.toString(((Number) value).floatValue());
      case DOUBLE:
        return Double.toString(((Number) value).doubleValue());
      case DECIMAL:
        if (!(value instanceof BigDecimal)) {
          return value.toString();
        }
        return ((BigDecimal) value)
            .setScale(((Types.DecimalType) type).scale(), java.math.RoundingMode.UNNECESSARY)
            .toPlainString();
      case BINARY:
        {
          byte[] bytes;
          if (value instanceof ByteBuffer) {
            ByteBuffer b = ((ByteBuffer) value).duplicate();
            bytes = new byte[b.remaining()];
            b.get(bytes);
          } else {
            bytes = (byte[]) value;
          }
          return java.util.Base64.getEncoder().encodeToString(bytes);
        }
      case TIMESTAMP:
        if (value instanceof OffsetDateTime) {
          return ((OffsetDateTime) value).withOffsetSameInstant(ZoneOffset.UTC).toString();
        }
        return value.toString();
      default:
        return value.toString();
    }
  }

  private static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      h ^= b;
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static final class Buckets {
    final long[] counts = new long[BUCKETS];
    final long[] sums = new long[BUCKETS];

    long total() {
      long t = 0;
      for (long c : counts) {
        t += c;
      }
      return t;
    }
  }
}
