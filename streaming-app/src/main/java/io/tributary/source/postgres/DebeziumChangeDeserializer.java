package io.tributary.source.postgres;

import io.tributary.change.ChangeEvent;
import io.tributary.change.ChangeEventTypeInfo;
import io.tributary.change.Column;
import io.tributary.change.ColumnType;
import io.tributary.change.Infinity;
import io.tributary.change.SourceTable;
import io.tributary.change.SpecialDecimal;
import io.tributary.change.TableId;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Date;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Decimal;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Field;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Schema;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Struct;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Time;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Timestamp;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.source.SourceRecord;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns Debezium change records into {@link ChangeEvent}s. The row schema is read from the record
 * itself, so a column added at the source is seen with the first change after it. Converters are
 * built once per schema version and cached.
 *
 * <p>An update that changes the key becomes a delete of the old key followed by an insert of the
 * new row, so that every change of one key is handled by the writer that owns that key.
 */
public final class DebeziumChangeDeserializer
    implements DebeziumDeserializationSchema<ChangeEvent> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(DebeziumChangeDeserializer.class);

  static final String SOURCE_TYPE_PARAM = "__debezium.source.column.type";
  static final String SOURCE_LENGTH_PARAM = "__debezium.source.column.length";
  static final String SOURCE_SCALE_PARAM = "__debezium.source.column.scale";
  private static final int MAX_CACHED_SCHEMAS = 4096;
  private static final int MAX_BIT_LENGTH = 83_886_080;
  private static final long DEBEZIUM_DATE_INFINITY = -2147472692L;
  private static final long DEBEZIUM_DATE_MINUS_INFINITY = -2147472691L;
  private static final long INFINITY_SECONDS = Infinity.TIMESTAMP_MAX.toEpochSecond(ZoneOffset.UTC);
  private static final long MINUS_INFINITY_SECONDS =
      Infinity.TIMESTAMP_MIN.toEpochSecond(ZoneOffset.UTC);

  /**
   * What Debezium sends, under {@code REPLICA IDENTITY DEFAULT}, for a TOASTed column an update did
   * not change ({@code unavailable.value.placeholder}): as text, or as its bytes for binary
   * columns.
   */
  static final String UNAVAILABLE_VALUE = "__debezium_unavailable_value";

  /** The header Debezium puts on the create record of an update that changed the primary key. */
  static final String OLD_KEY_HEADER = "__debezium.oldkey";

  private static final byte[] UNAVAILABLE_BYTES =
      UNAVAILABLE_VALUE.getBytes(java.nio.charset.StandardCharsets.UTF_8);

  private final Map<TableId, List<String>> keyOverrides;
  private final java.util.Set<TableId> fullIdentity;
  private final java.util.Set<TableId> sourceKeyed;

  /** The key columns each table's latest row schema was read with. */
  private transient Map<TableId, List<String>> lastKeys;

  /**
   * The before-image of the last delete of a {@link #fullIdentity} table: a primary-key change
   * arrives as that delete and then a create at the same position, whose unchanged TOASTed values
   * are taken from it.
   */
  private transient Object[] lastDeleteValues;

  private transient RowConverter lastDeleteConverter;
  private transient long lastDeleteLsn;
  private transient Map<Schema, Envelope> envelopes;
  private transient Map<Schema, RowConverter> byIdentity;
  private transient Map<Schema, RowConverter> byValue;
  private transient Map<TableId, SourceTable> truncatedTables;

  /**
   * @param keyOverrides the key columns of each table; a table absent here uses the record key
   */
  public DebeziumChangeDeserializer(Map<TableId, List<String>> keyOverrides) {
    this(keyOverrides, java.util.Set.of());
  }

  /**
   * @param keyOverrides the key columns of each table; a table absent here uses the record key
   * @param fullIdentity the tables with {@code REPLICA IDENTITY FULL}: their updates carry the
   *     whole previous row, from which the values an update leaves out (unchanged TOASTed values)
   *     are filled here, so the writer never looks them up
   */
  public DebeziumChangeDeserializer(
      Map<TableId, List<String>> keyOverrides, java.util.Set<TableId> fullIdentity) {
    this(keyOverrides, fullIdentity, java.util.Set.of());
  }

  /**
   * @param keyOverrides the key columns of each table, as the preflight check found them
   * @param fullIdentity see {@link #DebeziumChangeDeserializer(Map, java.util.Set)}
   * @param sourceKeyed the tables whose key is their primary key, or that had no key at all: for
   *     them the key of a streamed record (Debezium's key schema, the primary key as the source has
   *     it now) wins over {@code keyOverrides}, so that a renamed key column, or a primary key
   *     added while the job runs, is followed
   */
  public DebeziumChangeDeserializer(
      Map<TableId, List<String>> keyOverrides,
      java.util.Set<TableId> fullIdentity,
      java.util.Set<TableId> sourceKeyed) {
    this.keyOverrides = new HashMap<>(keyOverrides);
    this.fullIdentity = new java.util.HashSet<>(fullIdentity);
    this.sourceKeyed = new java.util.HashSet<>(sourceKeyed);
  }

  @Override
  public void deserialize(SourceRecord record, Collector<ChangeEvent> out) {
    Object rawValue = record.value();
    if (!(rawValue instanceof Struct)) {
      return; // tombstone or non-data record
    }
    Struct value = (Struct) rawValue;
    Envelope envelope = envelope(value.schema());
    if (envelope == null) {
      return; // heartbeat, transaction or watermark record
    }
    String op = (String) value.get(envelope.op);
    Struct source = (Struct) value.get(envelope.source);
    long lsn = -1L;
    if (envelope.lsn != null && source.get(envelope.lsn) instanceof Number) {
      lsn = ((Number) source.get(envelope.lsn)).longValue();
    }
    Object tsMs = envelope.tsMs == null ? null : source.get(envelope.tsMs);
    long tsMicros = tsMs instanceof Number ? ((Number) tsMs).longValue() * 1000L : -1L;
    Struct before = envelope.before == null ? null : (Struct) value.get(envelope.before);
    Struct after = envelope.after == null ? null : (Struct) value.get(envelope.after);
    TableId tableId =
        new TableId((String) source.get(envelope.schema), (String) source.get(envelope.table));
    switch (op) {
      case "r":
        emit(out, tableId, record, ChangeEvent.Op.SNAPSHOT, after, lsn, tsMicros);
        break;
      case "c":
        if (record.headers() != null
            && record.headers().lastWithName(OLD_KEY_HEADER) != null
            && after != null) {
          insertOfKeyChange(out, tableId, record, after, lsn, tsMicros);
        } else {
          emit(out, tableId, record, ChangeEvent.Op.INSERT, after, lsn, tsMicros);
        }
        break;
      case "u":
        {
          RowConverter afterConverter = converter(tableId, after.schema(), record);
          boolean[] unchanged = new boolean[afterConverter.fields.length];
          Object[] afterValues = afterConverter.convert(after, unchanged);
          if (before != null) {
            RowConverter beforeConverter = converter(tableId, before.schema(), record);
            boolean[] beforeUnchanged = new boolean[beforeConverter.fields.length];
            Object[] beforeValues = beforeConverter.convert(before, beforeUnchanged);
            if (fullIdentity.contains(tableId)) {
              fillFromBefore(
                  afterConverter,
                  afterValues,
                  unchanged,
                  beforeConverter,
                  beforeValues,
                  beforeUnchanged);
            }
            if (keyChanged(beforeConverter.table, beforeValues, afterValues)) {
              out.collect(
                  new ChangeEvent(
                      beforeConverter.table, ChangeEvent.Op.DELETE, beforeValues, lsn, tsMicros));
              // The new row keeps the unchanged (TOASTed) values the source did not send: the
              // writer takes them from the row stored under the previous key.
              Object[] previousKey = new Object[afterConverter.table.keySize()];
              for (int k = 0; k < previousKey.length; k++) {
                previousKey[k] = beforeValues[beforeConverter.table.keyIndex(k)];
              }
              out.collect(
                  new ChangeEvent(
                      afterConverter.table,
                      ChangeEvent.Op.INSERT,
                      afterValues,
                      lsn,
                      tsMicros,
                      unchanged,
                      previousKey));
              break;
            }
          }
          out.collect(
              new ChangeEvent(
                  afterConverter.table,
                  ChangeEvent.Op.UPDATE,
                  afterValues,
                  lsn,
                  tsMicros,
                  unchanged));
          break;
        }
      case "d":
        if (before != null && fullIdentity.contains(tableId)) {
          lastDeleteConverter = converter(tableId, before.schema(), record);
          lastDeleteValues = lastDeleteConverter.convert(before, null);
          lastDeleteLsn = lsn;
        }
        emit(out, tableId, record, ChangeEvent.Op.DELETE, before, lsn, tsMicros);
        break;
      case "t":
        // Handled by the writer, as tables.truncate says (apply or ignore).
        out.collect(
            new ChangeEvent(
                truncated(tableId), ChangeEvent.Op.TRUNCATE, new Object[0], lsn, tsMicros));
        break;
      default:
        LOG.debug("Ignoring change record with operation '{}' on {}", op, tableId);
    }
  }

  private void emit(
      Collector<ChangeEvent> out,
      TableId tableId,
      SourceRecord record,
      ChangeEvent.Op op,
      Struct row,
      long lsn,
      long tsMicros) {
    if (row == null) {
      throw new IllegalStateException(
          "Change record for "
              + tableId
              + " with operation "
              + op
              + " has no row image. For deletes this means the table's REPLICA IDENTITY sends"
              + " nothing: give the table a primary key or set REPLICA IDENTITY FULL.");
    }
    RowConverter converter = converter(tableId, row.schema(), record);
    out.collect(new ChangeEvent(converter.table, op, converter.convert(row, null), lsn, tsMicros));
  }

  /**
   * The insert of the new row of an update that changed the key (Debezium sends such an update as a
   * delete of the old key and a create whose header holds the old key). Unchanged TOASTed values
   * arrive as placeholders here too: they are flagged, and the event carries the old key, so that
   * the writer takes them from the row stored under it.
   */
  private void insertOfKeyChange(
      Collector<ChangeEvent> out,
      TableId tableId,
      SourceRecord record,
      Struct after,
      long lsn,
      long tsMicros) {
    RowConverter converter = converter(tableId, after.schema(), record);
    boolean[] unchanged = new boolean[converter.fields.length];
    Object[] values = converter.convert(after, unchanged);
    if (lastDeleteValues != null
        && lastDeleteLsn == lsn
        && lastDeleteConverter.table.id().equals(tableId)) {
      // REPLICA IDENTITY FULL: the delete just before held the whole previous row.
      fillFromBefore(
          converter,
          values,
          unchanged,
          lastDeleteConverter,
          lastDeleteValues,
          new boolean[lastDeleteConverter.fields.length]);
    }
    lastDeleteValues = null;
    lastDeleteConverter = null;
    Object oldKey = record.headers().lastWithName(OLD_KEY_HEADER).value();
    Object[] previousKey = null;
    if (oldKey instanceof Struct) {
      Struct key = (Struct) oldKey;
      previousKey = new Object[converter.table.keySize()];
      for (int k = 0; k < previousKey.length; k++) {
        int index = converter.table.keyIndex(k);
        Field field = key.schema().field(converter.fields[index].name());
        Object raw = field == null ? null : key.get(field);
        previousKey[k] = raw == null ? null : converter.converters[index].convert(raw);
        if (previousKey[k] == null) {
          previousKey = null; // a configured key that is not the table's primary key
          break;
        }
      }
    }
    out.collect(
        new ChangeEvent(
            converter.table, ChangeEvent.Op.INSERT, values, lsn, tsMicros, unchanged, previousKey));
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

  /** The schema a truncate event carries: the table without columns. */
  private SourceTable truncated(TableId tableId) {
    if (truncatedTables == null) {
      truncatedTables = new HashMap<>();
    }
    return truncatedTables.computeIfAbsent(
        tableId, id -> new SourceTable(id, Collections.emptyList(), new int[0]));
  }

  private static boolean keyChanged(SourceTable table, Object[] before, Object[] after) {
    boolean beforeHasKey = false;
    for (int i = 0; i < table.keySize(); i++) {
      beforeHasKey |= before[table.keyIndex(i)] != null;
    }
    // A before-image without the key (REPLICA IDENTITY NOTHING) cannot tell: treat as unchanged.
    if (!beforeHasKey) {
      return false;
    }
    for (int i = 0; i < table.keySize(); i++) {
      if (!valueEquals(before[table.keyIndex(i)], after[table.keyIndex(i)])) {
        return true;
      }
    }
    return false;
  }

  private static boolean valueEquals(Object a, Object b) {
    if (a instanceof byte[] && b instanceof byte[]) {
      return java.util.Arrays.equals((byte[]) a, (byte[]) b);
    }
    return Objects.equals(a, b);
  }

  /** The fields of a change record's envelope, found by name once per envelope schema. */
  private static final class Envelope {
    final Field op;
    final Field source;
    final Field before;
    final Field after;
    final Field lsn;
    final Field tsMs;
    final Field schema;
    final Field table;

    Envelope(Schema envelope) {
      this.op = envelope.field("op");
      this.source = envelope.field("source");
      this.before = envelope.field("before");
      this.after = envelope.field("after");
      Schema info = source.schema();
      this.lsn = info.field("lsn");
      this.tsMs = info.field("ts_ms");
      this.schema = info.field("schema");
      this.table = info.field("table");
    }
  }

  /** The envelope of a record schema, or null for records that are not changes of a row. */
  private Envelope envelope(Schema schema) {
    if (envelopes == null) {
      envelopes = new IdentityHashMap<>();
    }
    Envelope envelope = envelopes.get(schema);
    if (envelope == null && !envelopes.containsKey(schema)) {
      boolean change =
          schema.type() == Schema.Type.STRUCT
              && schema.field("op") != null
              && schema.field("source") != null
              && schema.field("source").schema().field("schema") != null
              && schema.field("source").schema().field("table") != null;
      envelope = change ? new Envelope(schema) : null;
      if (envelopes.size() >= MAX_CACHED_SCHEMAS) {
        envelopes.clear();
      }
      envelopes.put(schema, envelope);
    }
    return envelope;
  }

  private RowConverter converter(TableId tableId, Schema rowSchema, SourceRecord record) {
    if (byIdentity == null) {
      byIdentity = new IdentityHashMap<>();
      byValue = new HashMap<>();
    }
    RowConverter converter = byIdentity.get(rowSchema);
    if (converter != null && keyChanged(converter, tableId, record)) {
      // Same columns, another key (a primary key added or dropped at the source): a new schema.
      byIdentity.remove(rowSchema);
      byValue.remove(rowSchema);
      converter = null;
    }
    if (converter == null) {
      converter = byValue.get(rowSchema);
      if (converter != null && keyChanged(converter, tableId, record)) {
        byValue.remove(rowSchema);
        converter = null;
      }
      if (converter == null) {
        converter = RowConverter.create(tableId, rowSchema, keyColumns(tableId, rowSchema, record));
        converter.keySchema = record == null ? null : record.keySchema();
        if (lastKeys == null) {
          lastKeys = new HashMap<>();
        }
        lastKeys.put(tableId, converter.table.keyNames());
        if (byValue.size() >= MAX_CACHED_SCHEMAS) {
          byValue.clear();
        }
        byValue.put(rowSchema, converter);
        LOG.info("Schema of {}: {}", tableId, converter.table);
      }
      if (byIdentity.size() >= MAX_CACHED_SCHEMAS) {
        byIdentity.clear();
      }
      byIdentity.put(rowSchema, converter);
    }
    return converter;
  }

  /**
   * Whether a streamed record carries another key than the converter of its row schema was built
   * with (only for tables whose record key wins, see {@link #sourceKeyed}).
   */
  private boolean keyChanged(RowConverter converter, TableId tableId, SourceRecord record) {
    if (record == null || record.keySchema() == null || record.keySchema() == converter.keySchema) {
      return false;
    }
    if (!sourceKeyed.contains(tableId) && !keylessOverride(tableId)) {
      return false;
    }
    List<String> names = keyNames(record.keySchema());
    if (new java.util.HashSet<>(names)
        .equals(new java.util.HashSet<>(converter.table.keyNames()))) {
      converter.keySchema = record.keySchema();
      return false;
    }
    LOG.info(
        "Key of {} changed at the source from {} to {} (Debezium's record key)",
        tableId,
        converter.table.keyNames(),
        names);
    return true;
  }

  private boolean keylessOverride(TableId tableId) {
    List<String> override = keyOverrides.get(tableId);
    return override == null || override.isEmpty();
  }

  private static List<String> keyNames(Schema keySchema) {
    List<String> names = new ArrayList<>();
    for (Field field : keySchema.fields()) {
      names.add(field.name());
    }
    return names;
  }

  /**
   * The key columns of a row schema: a streamed record's key when the table's key is its primary
   * key (or it had none), else the configured or preflight key; when the row schema does not have
   * those columns (a key column renamed since the start), the key the table's latest row schema was
   * read with, when the row has it.
   */
  private List<String> keyColumns(TableId tableId, Schema rowSchema, SourceRecord record) {
    List<String> override = keyOverrides.get(tableId);
    boolean keyless = override == null || override.isEmpty();
    if ((keyless || sourceKeyed.contains(tableId))
        && record != null
        && record.keySchema() != null) {
      List<String> names = keyNames(record.keySchema());
      if (!keyless
          && names.size() == override.size()
          && new java.util.HashSet<>(names).equals(new java.util.HashSet<>(override))) {
        // The same key: in the preflight's order, which snapshot rows (no record key) use too,
        // so that every change of one key is routed alike.
        return override;
      }
      if (hasColumns(rowSchema, names)) {
        return names;
      }
    }
    if (!keyless && hasColumns(rowSchema, override)) {
      return override;
    }
    List<String> last = lastKeys == null ? null : lastKeys.get(tableId);
    if (last != null && !last.isEmpty() && hasColumns(rowSchema, last)) {
      return last;
    }
    return keyless ? null : override;
  }

  private static boolean hasColumns(Schema rowSchema, List<String> names) {
    for (String name : names) {
      if (rowSchema.field(name) == null) {
        return false;
      }
    }
    return true;
  }

  @Override
  public TypeInformation<ChangeEvent> getProducedType() {
    return ChangeEventTypeInfo.INSTANCE;
  }

  /** Converts the fields of one row schema into Tributary values; built once per schema. */
  static final class RowConverter {
    final SourceTable table;
    private final Field[] fields;
    private final ValueConverter[] converters;

    private final boolean[] hasDefault;

    /** The record key schema this converter was built or last checked with; may be null. */
    private Schema keySchema;

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
        ColumnType type = columnType(schema);
        converters[i] = valueConverter(schema, type);
        columns.add(
            new Column(fields[i].name(), type, schema.isOptional(), sourceTypeName(schema)));
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
  }

  /** Whether a raw value is Debezium's placeholder for an unchanged TOASTed value. */
  static boolean isUnavailable(Object raw) {
    if (raw instanceof String) {
      return UNAVAILABLE_VALUE.equals(raw);
    }
    if (raw instanceof byte[]) {
      return java.util.Arrays.equals(UNAVAILABLE_BYTES, (byte[]) raw);
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

  @FunctionalInterface
  interface ValueConverter {
    Object convert(Object raw);
  }

  private static String sourceTypeName(Schema schema) {
    Map<String, String> params = schema.parameters();
    if (params == null) {
      return "";
    }
    String type = params.get(SOURCE_TYPE_PARAM);
    return type == null ? "" : type.toLowerCase(java.util.Locale.ROOT);
  }

  static ColumnType columnType(Schema schema) {
    String logical = schema.name();
    if (logical != null) {
      // Kafka Connect's own logical names are relocated with the connector's shaded classes.
      if (logical.equals(Decimal.LOGICAL_NAME)) {
        logical = "org.apache.kafka.connect.data.Decimal";
      } else if (logical.equals(Date.LOGICAL_NAME)) {
        logical = "org.apache.kafka.connect.data.Date";
      } else if (logical.equals(Time.LOGICAL_NAME)) {
        logical = "org.apache.kafka.connect.data.Time";
      } else if (logical.equals(Timestamp.LOGICAL_NAME)) {
        logical = "org.apache.kafka.connect.data.Timestamp";
      }
      switch (logical) {
        case "io.debezium.time.Date":
        case "org.apache.kafka.connect.data.Date":
          return ColumnType.of(ColumnType.Kind.DATE);
        case "io.debezium.time.Time":
        case "io.debezium.time.MicroTime":
        case "io.debezium.time.NanoTime":
        case "org.apache.kafka.connect.data.Time":
          return ColumnType.of(ColumnType.Kind.TIME);
        case "io.debezium.time.Timestamp":
        case "io.debezium.time.MicroTimestamp":
        case "io.debezium.time.NanoTimestamp":
        case "org.apache.kafka.connect.data.Timestamp":
          return ColumnType.of(ColumnType.Kind.TIMESTAMP);
        case "io.debezium.time.ZonedTimestamp":
          return ColumnType.of(ColumnType.Kind.TIMESTAMPTZ);
        case "org.apache.kafka.connect.data.Decimal":
          {
            Map<String, String> params = schema.parameters();
            int scale = Integer.parseInt(params.get("scale"));
            String p = params.get("connect.decimal.precision");
            if (p == null) {
              p = params.get(SOURCE_LENGTH_PARAM);
            }
            int precision = p == null ? 38 : Integer.parseInt(p);
            if ("money".equalsIgnoreCase(sourceTypeName(schema))) {
              // money is a 64-bit integer count of cents: at most 19 digits.
              precision = 19;
            }
            if (precision <= 38 && scale <= precision && scale >= 0) {
              return ColumnType.decimal(precision, scale);
            }
            return ColumnType.of(ColumnType.Kind.STRING);
          }
        case "io.debezium.data.VariableScaleDecimal":
        case "io.debezium.data.Bits":
          return ColumnType.of(ColumnType.Kind.STRING);
        default:
          break;
      }
    }
    switch (schema.type()) {
      case BOOLEAN:
        return ColumnType.of(ColumnType.Kind.BOOLEAN);
      case INT8:
      case INT16:
      case INT32:
        return ColumnType.of(ColumnType.Kind.INT);
      case INT64:
        return ColumnType.of(ColumnType.Kind.LONG);
      case FLOAT32:
        return ColumnType.of(ColumnType.Kind.FLOAT);
      case FLOAT64:
        return ColumnType.of(ColumnType.Kind.DOUBLE);
      case BYTES:
        {
          String source = sourceTypeName(schema);
          // Types Debezium does not know arrive as the bytes of their text form.
          return source.isEmpty() || source.equals("bytea")
              ? ColumnType.of(ColumnType.Kind.BINARY)
              : ColumnType.of(ColumnType.Kind.STRING);
        }
      default:
        return ColumnType.of(ColumnType.Kind.STRING);
    }
  }

  private static ValueConverter valueConverter(Schema schema, ColumnType type) {
    String logical = schema.name() == null ? "" : schema.name();
    switch (type.kind()) {
      case BOOLEAN:
        return raw -> raw;
      case INT:
        return raw -> raw instanceof Integer ? raw : ((Number) raw).intValue();
      case LONG:
        return raw -> ((Number) raw).longValue();
      case FLOAT:
        return raw -> ((Number) raw).floatValue();
      case DOUBLE:
        return raw -> ((Number) raw).doubleValue();
      case DECIMAL:
        {
          int scale = type.scale();
          return raw -> {
            BigDecimal d = (BigDecimal) raw;
            // A SpecialDecimal (NaN, ±Infinity) keeps its marking scale: the writer dead-letters
            // it.
            return d.scale() == scale || d.scale() == SpecialDecimal.SCALE
                ? d
                : d.setScale(scale, java.math.RoundingMode.UNNECESSARY);
          };
        }
      case BINARY:
        return raw -> {
          if (raw instanceof byte[]) {
            return raw;
          }
          ByteBuffer buffer = ((ByteBuffer) raw).duplicate();
          byte[] bytes = new byte[buffer.remaining()];
          buffer.get(bytes);
          return bytes;
        };
      case DATE:
        return raw -> {
          if (raw instanceof java.util.Date) {
            return Infinity.date(
                ((java.util.Date) raw).toInstant().atZone(ZoneOffset.UTC).toLocalDate());
          }
          long days = ((Number) raw).longValue();
          // What Debezium sends for 'infinity' and '-infinity' (overflowed day counts).
          if (days == DEBEZIUM_DATE_INFINITY) {
            return Infinity.DATE_MAX;
          }
          if (days == DEBEZIUM_DATE_MINUS_INFINITY) {
            return Infinity.DATE_MIN;
          }
          if (days > Infinity.DATE_MAX.toEpochDay()) {
            return Infinity.DATE_MAX;
          }
          return days < Infinity.DATE_MIN.toEpochDay()
              ? Infinity.DATE_MIN
              : LocalDate.ofEpochDay(days);
        };
      case TIME:
        {
          long nanosPerUnit;
          if (logical.equals("io.debezium.time.MicroTime")) {
            nanosPerUnit = 1_000L;
          } else if (logical.equals("io.debezium.time.NanoTime")) {
            nanosPerUnit = 1L;
          } else {
            nanosPerUnit = 1_000_000L;
          }
          return raw -> {
            if (raw instanceof java.util.Date) {
              return LocalTime.ofNanoOfDay(((java.util.Date) raw).getTime() * 1_000_000L);
            }
            long nanos = ((Number) raw).longValue() * nanosPerUnit;
            // PostgreSQL allows 24:00:00; Iceberg's time cannot hold it.
            return LocalTime.ofNanoOfDay(
                Math.min(nanos, LocalTime.MAX.toNanoOfDay() / 1000 * 1000));
          };
        }
      case TIMESTAMP:
        {
          long nanosPerUnit;
          if (logical.equals("io.debezium.time.MicroTimestamp")) {
            nanosPerUnit = 1_000L;
          } else if (logical.equals("io.debezium.time.NanoTimestamp")) {
            nanosPerUnit = 1L;
          } else {
            nanosPerUnit = 1_000_000L;
          }
          return raw -> {
            if (raw instanceof java.util.Date) {
              return LocalDateTime.ofInstant(((java.util.Date) raw).toInstant(), ZoneOffset.UTC);
            }
            long units = ((Number) raw).longValue();
            long unitsPerSecond = 1_000_000_000L / nanosPerUnit;
            long seconds = Math.floorDiv(units, unitsPerSecond);
            long nanos = Math.floorMod(units, unitsPerSecond) * nanosPerUnit;
            if (seconds > INFINITY_SECONDS) {
              return Infinity.TIMESTAMP_MAX;
            }
            if (seconds < MINUS_INFINITY_SECONDS) {
              return Infinity.TIMESTAMP_MIN;
            }
            return LocalDateTime.ofEpochSecond(seconds, (int) nanos, ZoneOffset.UTC);
          };
        }
      case TIMESTAMPTZ:
        return raw -> {
          String text = (String) raw;
          if (text.equals("infinity")) {
            return Infinity.TIMESTAMPTZ_MAX;
          }
          if (text.equals("-infinity")) {
            return Infinity.TIMESTAMPTZ_MIN;
          }
          return Infinity.timestamptz(
              OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC));
        };
      case STRING:
        if (logical.equals("io.debezium.data.VariableScaleDecimal")) {
          return raw -> {
            Struct s = (Struct) raw;
            BigDecimal d = new BigDecimal(new BigInteger(s.getBytes("value")), s.getInt32("scale"));
            return d.toPlainString();
          };
        }
        if (logical.equals(Decimal.LOGICAL_NAME)) {
          // numeric(p,s) wider than decimal(38) or with a negative scale. A column whose own
          // scale is the marking one (numeric(p,-100)) has no special values of its own.
          boolean marks =
              schema.parameters() == null
                  || !String.valueOf(SpecialDecimal.SCALE).equals(schema.parameters().get("scale"));
          return raw -> {
            String special = marks ? SpecialDecimal.name(raw) : null;
            return special != null ? special : ((BigDecimal) raw).toPlainString();
          };
        }
        if (logical.equals("io.debezium.data.Bits")) {
          String length = schema.parameters() == null ? null : schema.parameters().get("length");
          // bit(n) has its length; varbit's actual length is not sent, so its leading zeros are.
          int bits = length == null ? -1 : Integer.parseInt(length);
          return raw -> {
            byte[] bytes = raw instanceof byte[] ? (byte[]) raw : toBytes((ByteBuffer) raw);
            int n = bits;
            if (n < 0 || n > MAX_BIT_LENGTH) {
              n = Math.max(1, java.util.BitSet.valueOf(bytes).length());
            }
            return PgText.bits(bytes, n);
          };
        }
        if (logical.equals("io.debezium.time.Interval")) {
          return raw -> PgText.interval((String) raw);
        }
        if (logical.equals("io.debezium.data.geometry.Point")) {
          return raw -> PgText.point((Struct) raw);
        }
        if (sourceTypeName(schema).equals("hstore")) {
          return raw -> raw instanceof String ? PgText.hstore((String) raw) : String.valueOf(raw);
        }
        return raw -> {
          if (raw instanceof List) {
            return PgText.array((List<?>) raw);
          }
          if (raw instanceof String) {
            return raw;
          }
          if (raw instanceof ByteBuffer || raw instanceof byte[]) {
            // The text form of a type Debezium does not know.
            return new String(
                raw instanceof byte[] ? (byte[]) raw : toBytes((ByteBuffer) raw),
                java.nio.charset.StandardCharsets.UTF_8);
          }
          return String.valueOf(raw);
        };
      default:
        throw new IllegalStateException("No converter for " + type);
    }
  }

  private static byte[] toBytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return bytes;
  }
}
