package io.tributary.source.postgres;

import java.util.Map;
import org.apache.flink.cdc.connectors.base.source.meta.offset.Offset;
import org.apache.flink.cdc.connectors.postgres.source.offset.PostgresOffset;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.source.SourceRecord;

/**
 * The stream position of a change, built from the change's source offset only when it is used.
 * Flink CDC's split fetcher asks for the position of every change but compares it only while the
 * change's table is not yet past its snapshot; building it (a map of strings) cost more than the
 * rest of the fetcher's work per change. Equal in every use to {@code PostgresOffset.of(record)}.
 */
final class LazyStreamOffset extends Offset {
  private static final long serialVersionUID = 1L;

  private final transient SourceRecord record;
  private PostgresOffset resolved;

  LazyStreamOffset(SourceRecord record) {
    this.record = record;
  }

  PostgresOffset resolved() {
    if (resolved == null) {
      resolved = PostgresOffset.of(record);
      offset = resolved.getOffset();
    }
    return resolved;
  }

  private static Offset unwrap(Object other) {
    return other instanceof LazyStreamOffset
        ? ((LazyStreamOffset) other).resolved()
        : (Offset) other;
  }

  @Override
  public Map<String, String> getOffset() {
    return resolved().getOffset();
  }

  @Override
  public int compareTo(Offset other) {
    return resolved().compareTo(unwrap(other));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Offset && resolved().equals(unwrap(other));
  }

  @Override
  public int hashCode() {
    return resolved().hashCode();
  }

  @Override
  public String toString() {
    return resolved().toString();
  }

  /** Serialized as the position it stands for. */
  private Object writeReplace() {
    return resolved();
  }
}
