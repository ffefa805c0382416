package io.tributary.change;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Binary serializer for {@link ChangeEvent}s between operators. Values are written by their
 * column's kind (no per-value type tags). The table schema travels with each event as a fingerprint
 * plus its compact form; a reader that has seen the fingerprint skips the bytes and reuses its
 * decoded schema, so a schema costs one decode per reader, not one per event.
 */
public final class ChangeEventSerializer extends TypeSerializer<ChangeEvent> {
  private static final long serialVersionUID = 1L;
  private static final long NANOS_PER_MICRO = 1_000L;

  private transient Map<Long, SourceTable> schemaCache;

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public TypeSerializer<ChangeEvent> duplicate() {
    return new ChangeEventSerializer();
  }

  @Override
  public ChangeEvent createInstance() {
    return null;
  }

  @Override
  public ChangeEvent copy(ChangeEvent from) {
    return from;
  }

  @Override
  public ChangeEvent copy(ChangeEvent from, ChangeEvent reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(ChangeEvent event, DataOutputView out) throws IOException {
    SourceTable table = event.table();
    byte[] schema = table.serialized();
    out.writeLong(table.fingerprint());
    out.writeInt(schema.length);
    out.write(schema);
    out.writeByte(event.op().ordinal());
    out.writeLong(event.lsn());
    out.writeLong(event.schemaLsn());
    out.writeLong(event.sourceTsMicros());
    List<Column> columns = table.columns();
    Object[] values = event.values();
    // Null bitmap, then the non-null values.
    int bytes = (values.length + 7) / 8;
    for (int b = 0; b < bytes; b++) {
      int bits = 0;
      for (int i = b * 8; i < Math.min(values.length, b * 8 + 8); i++) {
        if (values[i] == null) {
          bits |= 1 << (i - b * 8);
        }
      }
      out.writeByte(bits);
    }
    // Unchanged-column bitmap, present only when some column is unchanged.
    out.writeBoolean(event.hasUnchanged());
    if (event.hasUnchanged()) {
      for (int b = 0; b < bytes; b++) {
        int bits = 0;
        for (int i = b * 8; i < Math.min(values.length, b * 8 + 8); i++) {
          if (event.isUnchanged(i)) {
            bits |= 1 << (i - b * 8);
          }
        }
        out.writeByte(bits);
      }
    }
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null) {
        writeValue(columns.get(i).type().kind(), values[i], out);
      }
    }
    // The key before a key change, present only on the insert of the new row.
    Object[] previousKey = event.previousKey();
    out.writeBoolean(previousKey != null);
    if (previousKey != null) {
      for (int k = 0; k < previousKey.length; k++) {
        out.writeBoolean(previousKey[k] != null);
        if (previousKey[k] != null) {
          writeValue(columns.get(table.keyIndex(k)).type().kind(), previousKey[k], out);
        }
      }
    }
  }

  @Override
  public ChangeEvent deserialize(DataInputView in) throws IOException {
    long fingerprint = in.readLong();
    int length = in.readInt();
    SourceTable table = cache().get(fingerprint);
    if (table == null) {
      byte[] schema = new byte[length];
      in.readFully(schema);
      table = SourceTable.decode(schema);
      cache().put(fingerprint, table);
    } else {
      in.skipBytesToRead(length);
    }
    ChangeEvent.Op op = ChangeEvent.Op.values()[in.readUnsignedByte()];
    long lsn = in.readLong();
    long schemaLsn = in.readLong();
    long ts = in.readLong();
    List<Column> columns = table.columns();
    Object[] values = new Object[columns.size()];
    int bytes = (values.length + 7) / 8;
    int[] nullBits = new int[bytes];
    for (int b = 0; b < bytes; b++) {
      nullBits[b] = in.readUnsignedByte();
    }
    boolean[] unchanged = null;
    if (in.readBoolean()) {
      unchanged = new boolean[values.length];
      for (int b = 0; b < bytes; b++) {
        int bits = in.readUnsignedByte();
        for (int i = b * 8; i < Math.min(values.length, b * 8 + 8); i++) {
          unchanged[i] = (bits & (1 << (i - b * 8))) != 0;
        }
      }
    }
    for (int i = 0; i < values.length; i++) {
      boolean isNull = (nullBits[i / 8] & (1 << (i % 8))) != 0;
      if (!isNull) {
        values[i] = readValue(columns.get(i).type(), in);
      }
    }
    Object[] previousKey = null;
    if (in.readBoolean()) {
      previousKey = new Object[table.keySize()];
      for (int k = 0; k < previousKey.length; k++) {
        if (in.readBoolean()) {
          previousKey[k] = readValue(columns.get(table.keyIndex(k)).type(), in);
        }
      }
    }
    return new ChangeEvent(table, op, values, lsn, ts, unchanged, previousKey)
        .withSchemaLsn(schemaLsn);
  }

  private Map<Long, SourceTable> cache() {
    if (schemaCache == null) {
      schemaCache = new HashMap<>();
    }
    return schemaCache;
  }

  @Override
  public ChangeEvent deserialize(ChangeEvent reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  static void writeValue(ColumnType.Kind kind, Object value, DataOutputView out)
      throws IOException {
    switch (kind) {
      case BOOLEAN:
        out.writeBoolean((Boolean) value);
        break;
      case INT:
        out.writeInt(((Number) value).intValue());
        break;
      case LONG:
        out.writeLong(((Number) value).longValue());
        break;
      case FLOAT:
        out.writeFloat((Float) value);
        break;
      case DOUBLE:
        out.writeDouble((Double) value);
        break;
      case DECIMAL:
        {
          BigDecimal decimal = (BigDecimal) value;
          byte[] unscaled = decimal.unscaledValue().toByteArray();
          out.writeByte(decimal.scale());
          out.writeByte(unscaled.length);
          out.write(unscaled);
          break;
        }
      case STRING:
        {
          String s = (String) value;
          if (s.length() < 16384) {
            out.writeBoolean(true);
            out.writeUTF(s);
          } else {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            out.writeBoolean(false);
            out.writeInt(utf8.length);
            out.write(utf8);
          }
          break;
        }
      case BINARY:
        {
          byte[] b = (byte[]) value;
          out.writeInt(b.length);
          out.write(b);
          break;
        }
      case DATE:
        out.writeLong(((LocalDate) value).toEpochDay());
        break;
      case TIME:
        out.writeLong(((LocalTime) value).toNanoOfDay() / NANOS_PER_MICRO);
        break;
      case TIMESTAMP:
        {
          LocalDateTime t = (LocalDateTime) value;
          out.writeLong(t.toEpochSecond(ZoneOffset.UTC));
          out.writeInt(t.getNano());
          break;
        }
      case TIMESTAMPTZ:
        {
          OffsetDateTime t = (OffsetDateTime) value;
          out.writeLong(t.toEpochSecond());
          out.writeInt(t.getNano());
          break;
        }
      default:
        throw new IllegalStateException("Unknown kind " + kind);
    }
  }

  static Object readValue(ColumnType type, DataInputView in) throws IOException {
    switch (type.kind()) {
      case BOOLEAN:
        return in.readBoolean();
      case INT:
        return in.readInt();
      case LONG:
        return in.readLong();
      case FLOAT:
        return in.readFloat();
      case DOUBLE:
        return in.readDouble();
      case DECIMAL:
        {
          int scale = in.readByte();
          byte[] unscaled = new byte[in.readUnsignedByte()];
          in.readFully(unscaled);
          return new BigDecimal(new BigInteger(unscaled), scale);
        }
      case STRING:
        {
          if (in.readBoolean()) {
            return in.readUTF();
          }
          byte[] utf8 = new byte[in.readInt()];
          in.readFully(utf8);
          return new String(utf8, StandardCharsets.UTF_8);
        }
      case BINARY:
        {
          byte[] b = new byte[in.readInt()];
          in.readFully(b);
          return b;
        }
      case DATE:
        return LocalDate.ofEpochDay(in.readLong());
      case TIME:
        return LocalTime.ofNanoOfDay(in.readLong() * NANOS_PER_MICRO);
      case TIMESTAMP:
        return LocalDateTime.ofEpochSecond(in.readLong(), in.readInt(), ZoneOffset.UTC);
      case TIMESTAMPTZ:
        {
          long seconds = in.readLong();
          int nanos = in.readInt();
          return OffsetDateTime.ofInstant(Instant.ofEpochSecond(seconds, nanos), ZoneOffset.UTC);
        }
      default:
        throw new IllegalStateException("Unknown kind " + type.kind());
    }
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof ChangeEventSerializer;
  }

  @Override
  public int hashCode() {
    return ChangeEventSerializer.class.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<ChangeEvent> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Serializer snapshot (events are only in flight, never in operator state). */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<ChangeEvent> {
    public Snapshot() {
      super(ChangeEventSerializer::new);
    }
  }
}
