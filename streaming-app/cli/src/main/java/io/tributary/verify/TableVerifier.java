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
 * Compares a source table with its lake table without holding either in memory: every row of both
 * sides is hashed over all columns into one of many buckets by its key; buckets are compared by row
 * count and the sum of row hashes; only the rows of differing buckets are read again to name the
 * differing keys.
 *
 * <p>A mirror table is compared key by key. A changelog table (of an append-only table) is replayed
 * as a multiset of whole rows: snapshot rows and inserts add a row, deletes (their before-images)
 * remove one; a changelog that holds updates, or deletes without their whole row, cannot be
 * replayed and is reported as not compared.
 *
 * <p>Columns are matched by name: each source column with the live lake column of its lake name
 * ({@link IcebergSchemas#fieldName}, or a former name the lake table recorded for a renamed
 * column). A source column without a lake column makes the table different; lake columns the source
 * no longer has (listed in {@code tributary.dropped-columns}, or not yet marked) are not compared.
 */
public final class TableVerifier {
  private static final int BUCKETS = 1 << 14;
  private static final int MAX_REPORTED = 10;

  private final Connection source;
  private final String sourceTable;
  private final Table mirror;
  private final boolean changelog;
  private final boolean wholeRowDeletes;
  private final String uncapturedChanges;

  /**
   * @param source a connection to the source database
   * @param sourceTable the quoted source table name, e.g. {@code "public"."orders"}
   * @param mirror the Iceberg mirror table
   */
  public TableVerifier(Connection source, String sourceTable, Table mirror) {
    this(source, sourceTable, mirror, false, false, null);
  }

  private TableVerifier(
      Connection source,
      String sourceTable,
      Table mirror,
      boolean changelog,
      boolean wholeRowDeletes,
      String uncapturedChanges) {
    this.source = source;
    this.sourceTable = sourceTable;
    this.mirror = mirror;
    this.changelog = changelog;
    this.wholeRowDeletes = wholeRowDeletes;
    this.uncapturedChanges = uncapturedChanges;
  }

  /**
   * A verifier of an append-only table against its changelog table.
   *
   * @param wholeRowDeletes whether a delete's change row holds the whole row (REPLICA IDENTITY
   *     FULL), so that it can be replayed
   * @param uncapturedChanges why some changes of the source table never reach the changelog (e.g.
   *     updates and deletes of a table without key are not published), or null when all do: a
   *     difference is then reported as not compared, with this reason
   */
  public static TableVerifier forChangelog(
      Connection source,
      String sourceTable,
      Table changelog,
      boolean wholeRowDeletes,
      String uncapturedChanges) {
    return new TableVerifier(
        source, sourceTable, changelog, true, wholeRowDeletes, uncapturedChanges);
  }

  /** A source column and the lake column it is compared with. */
  private static final class Compared {
    final String sourceName;
    final String sourceType;
    final Types.NestedField field;

    Compared(String sourceName, String sourceType, Types.NestedField field) {
      this.sourceName = sourceName;
      this.sourceType = sourceType;
      this.field = field;
    }

    String name() {
      return field.name();
    }

    Type type() {
      return field.type();
    }
  }

  /** The rows of one key (a whole row for a changelog) seen on one side. */
  private static final class Seen {
    final List<String> values;
    long count;

    Seen(List<String> values) {
      this.values = values;
    }
  }

  /** Change rows of a changelog by operation, counted while it is read. */
  private static final class Ops {
    long inserts;
    long updates;
    long deletes;
  }

  /** Compares both sides. */
  public VerifyResult verify() throws SQLException {
    mirror.refresh();
    Schema schema = mirror.schema();
    Map<String, Integer> renamed =
        io.tributary.sink.TableManager.renamedColumns(mirror.properties());
    List<Compared> columns = new ArrayList<>();
    List<String> notInLake = new ArrayList<>();
    Map<String, String> sourceColumns = sourceColumns();
    List<String> names = new ArrayList<>();
    for (String column : sourceColumns.keySet()) {
      names.add(IcebergSchemas.fieldName(column));
    }
    // Only live columns: a column kept for history (dropped at the source, perhaps moved aside for
    // a reused name) is never compared with a source column.
    java.util.Set<Integer> dropped =
        io.tributary.sink.TableManager.droppedColumns(mirror.properties());
    List<Types.NestedField> live = new ArrayList<>();
    for (Types.NestedField field : schema.columns()) {
      if (!IcebergSchemas.METADATA_COLUMNS.contains(field.name())
          && !dropped.contains(field.fieldId())) {
        live.add(field);
      }
    }
    Map<String, Integer> former = new java.util.HashMap<>(renamed);
    for (Types.NestedField field : live) {
      former.remove(field.name());
    }
    // By name among the live columns: the writer moves a column kept for history aside when a
    // source column reuses its name, so a live name is never ambiguous. (Not by the writer's
    // order-aware match, which would take every column after one missing from the lake, for
    // example deleted from it by hand, for new columns.)
    Map<String, Types.NestedField> byName = new java.util.HashMap<>();
    for (Types.NestedField field : live) {
      byName.put(field.name(), field);
    }
    Map<Integer, Types.NestedField> byId = new java.util.HashMap<>();
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
        columns.add(new Compared(column.getKey(), column.getValue(), field));
      }
    }
    java.util.Set<Integer> keys = new java.util.HashSet<>();
    for (Compared c : columns) {
      if (changelog || schema.identifierFieldIds().contains(c.field.fieldId())) {
        keys.add(c.field.fieldId());
      }
    }
    Buckets sourceBuckets = new Buckets();
    Buckets mirrorBuckets = new Buckets();
    Ops ops = new Ops();
    scanSource(columns, keys, sourceBuckets, null, null);
    scanMirror(columns, keys, mirrorBuckets, null, null, ops);
    if (changelog && ops.updates > 0) {
      return notCompared(
          sourceBuckets,
          ops,
          "append-only: "
              + mirror.name()
              + " holds "
              + ops.updates
              + " updates, and a change row keeps no row's values before its update: the current"
              + " rows cannot be rebuilt from it, so it is not compared (query it to check the"
              + " changes themselves)");
    }
    if (changelog && ops.deletes > 0 && !wholeRowDeletes) {
      return notCompared(
          sourceBuckets,
          ops,
          "append-only: "
              + mirror.name()
              + " holds "
              + ops.deletes
              + " deletes that carry only the key (the table's REPLICA IDENTITY is not FULL): the"
              + " current rows cannot be rebuilt from it, so it is not compared");
    }
    List<Integer> differing = new ArrayList<>();
    for (int b = 0; b < BUCKETS; b++) {
      if (sourceBuckets.counts[b] != mirrorBuckets.counts[b]
          || sourceBuckets.sums[b] != mirrorBuckets.sums[b]) {
        differing.add(b);
      }
    }
    List<String> differences = new ArrayList<>();
    for (String column : notInLake) {
      differences.add(
          "column "
              + column
              + " of the source has no column in the lake (it is added with the next change the"
              + " job writes after the column was added; backfill the table to fill it)");
    }
    if (!differing.isEmpty()) {
      java.util.Set<Integer> wanted = new java.util.HashSet<>(differing);
      Map<String, Seen> sourceRows = new TreeMap<>();
      Map<String, Seen> mirrorRows = new TreeMap<>();
      scanSource(columns, keys, null, wanted, sourceRows);
      scanMirror(columns, keys, null, wanted, mirrorRows, new Ops());
      if (changelog) {
        describeMultisets(sourceRows, mirrorRows, differences);
      } else {
        describeKeys(columns, sourceRows, mirrorRows, differences);
      }
      if (differences.size() == notInLake.size()) {
        differences.add("duplicate rows in the lake (row counts differ for equal keys)");
      }
    }
    if (changelog && !differences.isEmpty() && uncapturedChanges != null) {
      differences.add(
          0,
          "append-only: the rows the changelog inserted differ from the source rows, and "
              + uncapturedChanges
              + ", so the difference cannot be told from lost changes");
      return new VerifyResult(
          mirror.name(),
          sourceBuckets.total(),
          mirrorBuckets.total(),
          VerifyResult.State.NOT_COMPARED,
          differences);
    }
    return new VerifyResult(
        mirror.name(),
        sourceBuckets.total(),
        mirrorBuckets.total(),
        differences.isEmpty() ? VerifyResult.State.EQUAL : VerifyResult.State.DIFFERENT,
        differences);
  }

  private VerifyResult notCompared(Buckets sourceBuckets, Ops ops, String reason) {
    return new VerifyResult(
        mirror.name(),
        sourceBuckets.total(),
        ops.inserts + ops.updates + ops.deletes,
        VerifyResult.State.NOT_COMPARED,
        List.of(reason));
  }

  private static void describeKeys(
      List<Compared> columns,
      Map<String, Seen> sourceRows,
      Map<String, Seen> mirrorRows,
      List<String> differences) {
    for (Map.Entry<String, Seen> e : sourceRows.entrySet()) {
      if (differences.size() >= MAX_REPORTED) {
        return;
      }
      Seen other = mirrorRows.get(e.getKey());
      Seen own = e.getValue();
      if (other == null) {
        differences.add(e.getKey() + ": missing in the lake");
      } else if (other.count > 1) {
        differences.add(e.getKey() + ": the lake holds the key " + other.count + " times");
      } else if (own.count > 1) {
        differences.add(e.getKey() + ": the source holds the key " + own.count + " times");
      } else if (!other.values.equals(own.values)) {
        List<String> differingColumns = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
          if (!other.values.get(i).equals(own.values.get(i))) {
            differingColumns.add(columns.get(i).name());
          }
        }
        differences.add(e.getKey() + ": values differ in " + differingColumns);
      }
    }
    for (Map.Entry<String, Seen> e : mirrorRows.entrySet()) {
      if (differences.size() >= MAX_REPORTED) {
        return;
      }
      if (!sourceRows.containsKey(e.getKey())) {
        differences.add(e.getKey() + ": in the lake but not in the source");
      }
    }
  }

  private static void describeMultisets(
      Map<String, Seen> sourceRows, Map<String, Seen> mirrorRows, List<String> differences) {
    java.util.Set<String> rows = new java.util.TreeSet<>(sourceRows.keySet());
    rows.addAll(mirrorRows.keySet());
    for (String row : rows) {
      if (differences.size() >= MAX_REPORTED) {
        return;
      }
      long own = sourceRows.containsKey(row) ? sourceRows.get(row).count : 0;
      long other = mirrorRows.containsKey(row) ? mirrorRows.get(row).count : 0;
      if (own == other) {
        continue;
      }
      String how;
      if (other == 0) {
        how = "missing in the lake";
      } else if (own == 0) {
        how = "in the lake but not in the source";
      } else {
        how = own + " times in the source, " + other + " times in the lake";
      }
      differences.add("row (" + row + "): " + how);
    }
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  private void scanSource(
      List<Compared> columns,
      java.util.Set<Integer> keys,
      Buckets buckets,
      java.util.Set<Integer> wanted,
      Map<String, Seen> rows)
      throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < columns.size(); i++) {
      Compared column = columns.get(i);
      sql.append(i == 0 ? "" : ", ").append(quote(column.sourceName));
      if ("money".equals(column.sourceType)) {
        // The driver reads money only as text with a currency symbol.
        sql.append("::numeric");
      }
    }
    if (columns.isEmpty()) {
      sql.append("1");
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
          accept(columns, keys, values, 1, buckets, wanted, rows);
        }
      }
      source.commit();
    } finally {
      source.setAutoCommit(autoCommit);
    }
  }

  /** The source columns' names and type names, in the table's column order. */
  private Map<String, String> sourceColumns() throws SQLException {
    Map<String, String> types = new java.util.LinkedHashMap<>();
    try (PreparedStatement st =
        source.prepareStatement(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid ="
                + " ?::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
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
      List<Compared> columns,
      java.util.Set<Integer> keys,
      Buckets buckets,
      java.util.Set<Integer> wanted,
      Map<String, Seen> rows,
      Ops ops) {
    List<String> names = new ArrayList<>();
    for (Compared c : columns) {
      names.add(c.name());
    }
    if (changelog) {
      names.add(IcebergSchemas.OP);
    }
    try (CloseableIterable<Record> records =
        IcebergGenerics.read(mirror).select(names.toArray(new String[0])).build()) {
      Object[] values = new Object[columns.size()];
      for (Record record : records) {
        int sign = 1;
        if (changelog) {
          String op = String.valueOf(record.getField(IcebergSchemas.OP));
          if ("u".equals(op)) {
            ops.updates++;
            continue;
          } else if ("d".equals(op)) {
            ops.deletes++;
            sign = -1;
          } else {
            ops.inserts++;
          }
        }
        for (int i = 0; i < values.length; i++) {
          values[i] = record.getField(columns.get(i).name());
        }
        accept(columns, keys, values, sign, buckets, wanted, rows);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Reading " + mirror.name() + " failed", e);
    }
  }

  private static void accept(
      List<Compared> columns,
      java.util.Set<Integer> keys,
      Object[] values,
      int sign,
      Buckets buckets,
      java.util.Set<Integer> wanted,
      Map<String, Seen> rows) {
    long keyHash = 0x9E3779B97F4A7C15L;
    long rowHash = 0x632BE59BD9B4E019L;
    StringBuilder keyText = rows == null ? null : new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      Compared column = columns.get(i);
      long h = hash(canonical(values[i], column.type()));
      rowHash = mix(rowHash ^ h) + i;
      if (keys.contains(column.field.fieldId())) {
        keyHash = mix(keyHash ^ h);
        if (keyText != null) {
          keyText
              .append(keyText.length() == 0 ? "" : ", ")
              .append(column.name())
              .append('=')
              .append(canonical(values[i], column.type()));
        }
      }
    }
    int bucket = (int) (keyHash & (BUCKETS - 1));
    if (buckets != null) {
      buckets.counts[bucket] += sign;
      buckets.sums[bucket] += sign * mix(rowHash);
    }
    if (rows != null && wanted.contains(bucket)) {
      List<String> canonicalRow = new ArrayList<>(values.length);
      for (int i = 0; i < values.length; i++) {
        canonicalRow.add(canonical(values[i], columns.get(i).type()));
      }
      rows.computeIfAbsent(keyText.toString(), k -> new Seen(canonicalRow)).count += sign;
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

  /**
   * The changes a changelog table holds more than once: two change rows with the same operation,
   * source position ({@code _source_lsn}) and key are one change written twice, as a commit
   * replayed after a restart would leave it. Snapshot rows, which share one position, are told
   * apart by the time they were written ({@code _ingested_at}) instead: the same snapshot row twice
   * is a replayed commit, a later snapshot of the same key is not. The mirror table cannot show
   * this (an upsert of the same values changes nothing), its changelog can.
   *
   * <p>Memory holds one hash per change row; only the rows of repeated hashes are read again to
   * name them.
   *
   * @param changelog the changelog table
   * @param keyColumns the lake names of the table's key columns; empty for a table without key,
   *     whose whole row is its key (its snapshot rows are then not checked: equal rows of one
   *     snapshot chunk share a position)
   * @return one line per repeated change (at most a few, then how many more), empty when none
   */
  public static List<String> duplicateChanges(Table changelog, List<String> keyColumns) {
    changelog.refresh();
    Schema schema = changelog.schema();
    List<Types.NestedField> key = new ArrayList<>();
    boolean wholeRow = keyColumns.isEmpty();
    for (String name : keyColumns) {
      Types.NestedField field = schema.findField(name);
      if (field == null) {
        // A key column renamed or dropped since: the whole row identifies the change.
        wholeRow = true;
        key.clear();
        break;
      }
      key.add(field);
    }
    if (wholeRow) {
      for (Types.NestedField field : schema.columns()) {
        if (!IcebergSchemas.METADATA_COLUMNS.contains(field.name())) {
          key.add(field);
        }
      }
    }
    if (schema.findField(IcebergSchemas.SOURCE_LSN) == null
        || schema.findField(IcebergSchemas.OP) == null) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (Types.NestedField field : key) {
      names.add(field.name());
    }
    names.add(IcebergSchemas.OP);
    names.add(IcebergSchemas.SOURCE_LSN);
    if (schema.findField(IcebergSchemas.INGESTED_AT) != null) {
      names.add(IcebergSchemas.INGESTED_AT);
    }
    long[] hashes = new long[1024];
    int n = 0;
    try (CloseableIterable<Record> records =
        IcebergGenerics.read(changelog).select(names.toArray(new String[0])).build()) {
      for (Record record : records) {
        String identity = changeIdentity(record, key, wholeRow);
        if (identity == null) {
          continue;
        }
        if (n == hashes.length) {
          hashes = java.util.Arrays.copyOf(hashes, n * 2);
        }
        hashes[n++] = hash(identity);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Reading " + changelog.name() + " failed", e);
    }
    java.util.Arrays.sort(hashes, 0, n);
    java.util.Set<Long> repeated = new java.util.HashSet<>();
    for (int i = 1; i < n; i++) {
      if (hashes[i] == hashes[i - 1]) {
        repeated.add(hashes[i]);
      }
    }
    if (repeated.isEmpty()) {
      return List.of();
    }
    Map<String, Long> counts = new TreeMap<>();
    try (CloseableIterable<Record> records =
        IcebergGenerics.read(changelog).select(names.toArray(new String[0])).build()) {
      for (Record record : records) {
        String identity = changeIdentity(record, key, wholeRow);
        if (identity != null && repeated.contains(hash(identity))) {
          counts.merge(identity, 1L, Long::sum);
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Reading " + changelog.name() + " failed", e);
    }
    List<String> lines = new ArrayList<>();
    long more = 0;
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      if (e.getValue() < 2) {
        continue;
      }
      if (lines.size() < MAX_REPORTED) {
        lines.add(
            e.getKey()
                + ": "
                + changelog.name()
                + " holds this change "
                + e.getValue()
                + " times (a commit applied twice)");
      } else {
        more++;
      }
    }
    if (more > 0) {
      lines.add(more + " more changes held more than once in " + changelog.name());
    }
    return lines;
  }

  /**
   * The text that identifies one change row: its key, operation and source position; null for a row
   * that is not checked (a snapshot row of a table without key).
   */
  private static String changeIdentity(
      Record record, List<Types.NestedField> key, boolean wholeRow) {
    String op = String.valueOf(record.getField(IcebergSchemas.OP));
    if (wholeRow && "r".equals(op)) {
      return null;
    }
    StringBuilder text = new StringBuilder();
    for (Types.NestedField field : key) {
      Object value = record.getField(field.name());
      text.append(text.length() == 0 ? "" : ", ")
          .append(field.name())
          .append('=')
          .append(value == null ? "null" : canonical(value, field.type()));
    }
    if ("r".equals(op)) {
      // Snapshot rows carry no position of their own (every chunk's rows share one): a snapshot
      // row is one write, told apart by when it was written, so that a table snapshotted again
      // (started without its savepoint) is not a repeated change, and a commit replayed is.
      return text.append(" (snapshot row written at ")
          .append(record.getField(IcebergSchemas.INGESTED_AT))
          .append(')')
          .toString();
    }
    Object lsn = record.getField(IcebergSchemas.SOURCE_LSN);
    return text.append(" (op ")
        .append(op)
        .append(lsn == null ? ", no source position" : " at LSN " + lsn)
        .append(')')
        .toString();
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
