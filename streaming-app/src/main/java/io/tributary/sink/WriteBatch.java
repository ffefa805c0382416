package io.tributary.sink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Everything one writer subtask wrote within one checkpoint: one {@link TableWrite} per table. */
public final class WriteBatch implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int FORMAT_VERSION = 1;

  private final long checkpointId;
  private final int subtask;
  private final List<TableWrite> tables;

  public WriteBatch(long checkpointId, int subtask, List<TableWrite> tables) {
    this.checkpointId = checkpointId;
    this.subtask = subtask;
    this.tables = Collections.unmodifiableList(new ArrayList<>(tables));
  }

  public long checkpointId() {
    return checkpointId;
  }

  public int subtask() {
    return subtask;
  }

  public List<TableWrite> tables() {
    return tables;
  }

  /** The versioned binary form kept in the committer's state. */
  public byte[] toBytes() {
    try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(bytes)) {
      data.writeInt(FORMAT_VERSION);
      try (ObjectOutputStream out = new ObjectOutputStream(data)) {
        out.writeObject(this);
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot serialize the write batch of checkpoint " + checkpointId, e);
    }
  }

  /** Reads {@link #toBytes()}. */
  public static WriteBatch fromBytes(byte[] bytes) {
    try (DataInputStream data = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int version = data.readInt();
      if (version != FORMAT_VERSION) {
        throw new IllegalStateException(
            "Write batch in committer state has format version "
                + version
                + "; this release reads version "
                + FORMAT_VERSION);
      }
      try (ObjectInputStream in = new ObjectInputStream(data)) {
        return (WriteBatch) in.readObject();
      }
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalStateException("Cannot read a write batch from committer state", e);
    }
  }

  @Override
  public String toString() {
    return "WriteBatch{checkpoint=" + checkpointId + ", subtask=" + subtask + ", " + tables + "}";
  }
}
