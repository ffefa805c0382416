package io.tributary.source.postgres;

import java.io.IOException;
import java.io.Serializable;
import java.lang.reflect.Field;
import org.apache.flink.cdc.connectors.base.source.assigner.HybridSplitAssigner;
import org.apache.flink.cdc.connectors.base.source.assigner.SnapshotSplitAssigner;
import org.apache.flink.cdc.connectors.base.source.assigner.SplitAssigner;
import org.apache.flink.cdc.connectors.base.source.assigner.state.PendingSplitsState;
import org.apache.flink.cdc.connectors.base.source.enumerator.IncrementalSourceEnumerator;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Serializes the enumerator's checkpoint state while its table splitting is held off.
 *
 * <p>Flink CDC's snapshot split assigner splits tables on a thread of its own, which adds the new
 * splits, their tables' schemas and the remaining tables to the maps and lists that its checkpoint
 * state refers to (not copies of them); the state is serialized later, on the coordinator's thread.
 * A table split while a checkpoint's state is being written fails that checkpoint with a {@code
 * ConcurrentModificationException} (or could write a table neither among the remaining tables nor
 * with its splits). The splitting thread holds the assigner's lock while it splits a table and
 * records the result; serializing under the same lock writes the state between two tables. With the
 * schemas read once ({@link CapturedSchemas}) a table is split in milliseconds, one right after the
 * other, and checkpoints taken while the first tables are read failed this way.
 */
final class EnumeratorStateLock implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The lock of the enumerator created in this process, or null (none, or no snapshot phase). */
  private transient volatile Object lock;

  /** Notes the lock of the enumerator's snapshot split assigner; returns the enumerator. */
  <E extends IncrementalSourceEnumerator> E track(E enumerator) {
    SplitAssigner assigner =
        (SplitAssigner) read(IncrementalSourceEnumerator.class, "splitAssigner", enumerator);
    if (assigner instanceof HybridSplitAssigner) {
      assigner = (SplitAssigner) read(HybridSplitAssigner.class, "snapshotSplitAssigner", assigner);
    }
    lock =
        assigner instanceof SnapshotSplitAssigner
            ? read(SnapshotSplitAssigner.class, "lock", assigner)
            : null;
    return enumerator;
  }

  /** The serializer, writing each state under the lock when there is one. */
  SimpleVersionedSerializer<PendingSplitsState> serializer(
      SimpleVersionedSerializer<PendingSplitsState> serializer) {
    return new SimpleVersionedSerializer<>() {
      @Override
      public int getVersion() {
        return serializer.getVersion();
      }

      @Override
      public byte[] serialize(PendingSplitsState state) throws IOException {
        Object held = lock;
        if (held == null) {
          return serializer.serialize(state);
        }
        synchronized (held) {
          return serializer.serialize(state);
        }
      }

      @Override
      public PendingSplitsState deserialize(int version, byte[] serialized) throws IOException {
        return serializer.deserialize(version, serialized);
      }
    };
  }

  private static Object read(Class<?> owner, String name, Object instance) {
    try {
      Field field = owner.getDeclaredField(name);
      field.setAccessible(true);
      Object value = field.get(instance);
      if (value == null) {
        throw new IllegalStateException("Flink CDC's " + owner.getSimpleName() + " has no " + name);
      }
      return value;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "This Flink CDC version's "
              + owner.getName()
              + " has no field "
              + name
              + "; EnumeratorStateLock is written for flink-connector-postgres-cdc 3.5",
          e);
    }
  }
}
