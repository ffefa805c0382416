package io.tributary.sink;

import io.tributary.change.SerializerTypeInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Moves {@link TableCommit}s from the committer to the metrics and control-table sinks, field by
 * field (rather than through Kryo, which the job does not allow). A commit is never kept in
 * checkpointed state, so the format can change with the class.
 */
public final class TableCommitSerializer extends TypeSerializerSingleton<TableCommit> {
  private static final long serialVersionUID = 1L;

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public TableCommit createInstance() {
    return null;
  }

  @Override
  public TableCommit copy(TableCommit from) {
    return from;
  }

  @Override
  public TableCommit copy(TableCommit from, TableCommit reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(TableCommit commit, DataOutputView target) throws IOException {
    writeNullable(commit.table(), target);
    target.writeLong(commit.checkpointId());
    target.writeLong(commit.snapshotId());
    target.writeLong(commit.rows());
    target.writeLong(commit.deletes());
    target.writeLong(commit.maxLsn());
    target.writeLong(commit.maxSourceTsMicros());
    target.writeLong(commit.committedAtMillis());
    target.writeInt(commit.dataFiles());
    target.writeInt(commit.deleteFiles());
    writeNullable(commit.blockedReason(), target);
    writeNullable(commit.notice(), target);
  }

  @Override
  public TableCommit deserialize(DataInputView source) throws IOException {
    String table = readNullable(source);
    long checkpointId = source.readLong();
    long snapshotId = source.readLong();
    long rows = source.readLong();
    long deletes = source.readLong();
    long maxLsn = source.readLong();
    long maxSourceTsMicros = source.readLong();
    long committedAtMillis = source.readLong();
    int dataFiles = source.readInt();
    int deleteFiles = source.readInt();
    String blockedReason = readNullable(source);
    String notice = readNullable(source);
    return new TableCommit(
        table,
        checkpointId,
        snapshotId,
        rows,
        deletes,
        maxLsn,
        maxSourceTsMicros,
        committedAtMillis,
        dataFiles,
        deleteFiles,
        blockedReason,
        notice);
  }

  @Override
  public TableCommit deserialize(TableCommit reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  @Override
  public TypeSerializerSnapshot<TableCommit> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Serializer snapshot. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<TableCommit> {
    public Snapshot() {
      super(TableCommitSerializer::new);
    }
  }

  /** Type information for the stream from the committer to the sinks. */
  public static TypeInformation<TableCommit> typeInfo() {
    return new SerializerTypeInfo<>(TableCommit.class, TableCommitSerializer::new);
  }

  // DataOutput.writeUTF holds at most 64 KiB of modified UTF-8; a reason or notice may be longer.
  private static void writeNullable(String value, DataOutputView target) throws IOException {
    if (value == null) {
      target.writeInt(-1);
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    target.writeInt(bytes.length);
    target.write(bytes);
  }

  private static String readNullable(DataInputView source) throws IOException {
    int length = source.readInt();
    if (length < 0) {
      return null;
    }
    byte[] bytes = new byte[length];
    source.readFully(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
