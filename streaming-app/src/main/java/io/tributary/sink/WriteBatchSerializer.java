package io.tributary.sink;

import io.tributary.change.SerializerTypeInfo;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Moves {@link WriteBatch}es from the writers to the committer in their versioned form. */
public final class WriteBatchSerializer extends TypeSerializerSingleton<WriteBatch> {
  private static final long serialVersionUID = 1L;

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public WriteBatch createInstance() {
    return null;
  }

  @Override
  public WriteBatch copy(WriteBatch from) {
    return from;
  }

  @Override
  public WriteBatch copy(WriteBatch from, WriteBatch reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(WriteBatch record, DataOutputView target) throws IOException {
    byte[] bytes = record.toBytes();
    target.writeInt(bytes.length);
    target.write(bytes);
  }

  @Override
  public WriteBatch deserialize(DataInputView source) throws IOException {
    byte[] bytes = new byte[source.readInt()];
    source.readFully(bytes);
    return WriteBatch.fromBytes(bytes);
  }

  @Override
  public WriteBatch deserialize(WriteBatch reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    int length = source.readInt();
    target.writeInt(length);
    target.write(source, length);
  }

  @Override
  public TypeSerializerSnapshot<WriteBatch> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Serializer snapshot. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<WriteBatch> {
    public Snapshot() {
      super(WriteBatchSerializer::new);
    }
  }

  /** Type information for the stream between writers and committer. */
  public static TypeInformation<WriteBatch> typeInfo() {
    return new SerializerTypeInfo<>(WriteBatch.class, WriteBatchSerializer::new);
  }
}
