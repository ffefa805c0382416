package io.tributary.change;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import java.util.zip.CRC32C;

/**
 * The schema of a source table as seen with one change: its columns in source order and which of
 * them form the key. Instances are immutable and shared by all events of a table until its schema
 * changes; {@link #fingerprint()} identifies a schema version cheaply.
 */
public final class SourceTable implements Serializable {
  private static final long serialVersionUID = 1L;

  private final TableId id;
  private final List<Column> columns;
  private final int[] keyIndexes;
  private final long fingerprint;

  /** Why the source cannot capture the table as it is now; null when it can. */
  private final String captureProblem;

  private transient byte[] serialized;
  private transient int[] decimalIndexes;

  public SourceTable(TableId id, List<Column> columns, int[] keyIndexes) {
    this(id, columns, keyIndexes, null);
  }

  /**
   * @param captureProblem why the source cannot capture the table as it is now (a column of a type
   *     the capture cannot carry, added while the job runs), or null: a change carrying one parks
   *     the table
   */
  public SourceTable(TableId id, List<Column> columns, int[] keyIndexes, String captureProblem) {
    this.id = Objects.requireNonNull(id, "id");
    this.captureProblem = captureProblem;
    this.columns = Collections.unmodifiableList(new ArrayList<>(columns));
    this.keyIndexes = keyIndexes.clone();
    for (int index : keyIndexes) {
      if (index < 0 || index >= columns.size()) {
        throw new IllegalArgumentException("Key index " + index + " outside the columns of " + id);
      }
    }
    this.serialized = encode();
    CRC32C crc = new CRC32C();
    crc.update(serialized);
    this.fingerprint = ((long) Arrays.hashCode(serialized) << 32) ^ crc.getValue();
  }

  public TableId id() {
    return id;
  }

  public List<Column> columns() {
    return columns;
  }

  /** Positions in {@link #columns()} of the key columns, in key order. */
  public int[] keyIndexes() {
    return keyIndexes.clone();
  }

  /** Positions in {@link #columns()} of the decimal columns, found once per schema. */
  public int[] decimalIndexes() {
    int[] found = decimalIndexes;
    if (found == null) {
      found =
          IntStream.range(0, columns.size())
              .filter(i -> columns.get(i).type().kind() == ColumnType.Kind.DECIMAL)
              .toArray();
      decimalIndexes = found;
    }
    return found;
  }

  public int keySize() {
    return keyIndexes.length;
  }

  public int keyIndex(int position) {
    return keyIndexes[position];
  }

  public boolean hasKey() {
    return keyIndexes.length > 0;
  }

  /** Names of the key columns, in key order. */
  public List<String> keyNames() {
    List<String> names = new ArrayList<>(keyIndexes.length);
    for (int index : keyIndexes) {
      names.add(columns.get(index).name());
    }
    return names;
  }

  /** Position of a column by name, or -1. */
  public int indexOf(String columnName) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(columnName)) {
        return i;
      }
    }
    return -1;
  }

  /** A hash of the whole schema (names, types, key); equal schemas have equal fingerprints. */
  public long fingerprint() {
    return fingerprint;
  }

  /** The same table with another key (a configured key override for a table without one). */
  public SourceTable withKey(int[] newKeyIndexes) {
    return new SourceTable(id, columns, newKeyIndexes, captureProblem);
  }

  /**
   * Why the source cannot capture the table as it is now (a column of a type the capture cannot
   * carry, added while the job runs), with what to do; null when it can. The writer parks a table
   * whose change carries one.
   */
  public String captureProblem() {
    return captureProblem;
  }

  /** The same table, which the source cannot capture as it is now, for that reason. */
  public SourceTable withCaptureProblem(String problem) {
    return new SourceTable(id, columns, keyIndexes, Objects.requireNonNull(problem, "problem"));
  }

  /** The compact binary form used on the wire between operators. */
  byte[] serialized() {
    if (serialized == null) {
      serialized = encode();
    }
    return serialized;
  }

  private byte[] encode() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + columns.size() * 24);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeUTF(id.schema());
      out.writeUTF(id.table());
      out.writeShort(columns.size());
      for (Column column : columns) {
        out.writeUTF(column.name());
        out.writeByte(column.type().kind().ordinal());
        out.writeByte(column.type().precision());
        out.writeByte(column.type().scale());
        out.writeBoolean(column.optional());
        out.writeUTF(column.sourceType());
      }
      out.writeShort(keyIndexes.length);
      for (int index : keyIndexes) {
        out.writeShort(index);
      }
      if (captureProblem != null) {
        // Last and only when set: the form of a table without one is unchanged.
        out.writeUTF(captureProblem);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static SourceTable decode(byte[] bytes) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    TableId id = new TableId(in.readUTF(), in.readUTF());
    int count = in.readUnsignedShort();
    List<Column> columns = new ArrayList<>(count);
    ColumnType.Kind[] kinds = ColumnType.Kind.values();
    for (int i = 0; i < count; i++) {
      String name = in.readUTF();
      ColumnType.Kind kind = kinds[in.readUnsignedByte()];
      int precision = in.readUnsignedByte();
      int scale = in.readUnsignedByte();
      boolean optional = in.readBoolean();
      String sourceType = in.readUTF();
      ColumnType type =
          kind == ColumnType.Kind.DECIMAL
              ? ColumnType.decimal(precision, scale)
              : ColumnType.of(kind);
      columns.add(new Column(name, type, optional, sourceType));
    }
    int keys = in.readUnsignedShort();
    int[] keyIndexes = new int[keys];
    for (int i = 0; i < keys; i++) {
      keyIndexes[i] = in.readUnsignedShort();
    }
    String captureProblem = in.available() > 0 ? in.readUTF() : null;
    return new SourceTable(id, columns, keyIndexes, captureProblem);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SourceTable)) {
      return false;
    }
    SourceTable that = (SourceTable) o;
    return fingerprint == that.fingerprint
        && id.equals(that.id)
        && columns.equals(that.columns)
        && Arrays.equals(keyIndexes, that.keyIndexes)
        && Objects.equals(captureProblem, that.captureProblem);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(fingerprint);
  }

  @Override
  public String toString() {
    return id
        + columns.toString()
        + " key "
        + keyNames()
        + (captureProblem == null ? "" : " not capturable: " + captureProblem);
  }
}
