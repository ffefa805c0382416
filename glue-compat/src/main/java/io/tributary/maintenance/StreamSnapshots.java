package io.tributary.maintenance;

import io.tributary.sink.StreamMarkers;
import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/** Finds the snapshots the streaming job committed among a table's history. */
public final class StreamSnapshots {
  private StreamSnapshots() {}

  /** Whether the streaming job committed this snapshot. */
  public static boolean isStreamCommit(Snapshot snapshot) {
    return snapshot.summary().containsKey(StreamMarkers.RUN_ID);
  }

  /**
   * The newest snapshot the streaming job committed, walking back from the current snapshot, and
   * how many snapshots (itself included) that walk passed: keeping that many newest ancestors keeps
   * it and the chain of parents that leads to it, which the job follows after a restore to find
   * what it already committed.
   */
  public static Optional<Found> lastStreamCommit(Table table) {
    Snapshot snapshot = table.currentSnapshot();
    int depth = 0;
    while (snapshot != null) {
      depth++;
      if (isStreamCommit(snapshot)) {
        return Optional.of(new Found(snapshot, depth));
      }
      Long parent = snapshot.parentId();
      snapshot = parent == null ? null : table.snapshot(parent);
    }
    return Optional.empty();
  }

  /**
   * The streaming job's last snapshot and its distance from the current one.
   *
   * @param depth 1 when it is the current snapshot
   */
  public record Found(Snapshot snapshot, int depth) {}
}
