package io.tributary.sink;

import io.tributary.change.ChangeEvent;
import io.tributary.change.TableId;
import io.tributary.deadletter.DeadLetters;
import io.tributary.metrics.MetricNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the changes a writer subtask does not apply to the dead letters (see {@link DeadLetters}):
 * a table's dead letters are kept in memory until the next checkpoint barrier, written then to a
 * pending file, and published once that checkpoint completed, so that a dead letter is visible
 * exactly when the changes around it are committed. Counts them per table ({@code deadLetters}).
 *
 * <p>Lives in one writer subtask, on the task's thread. Its operator state ({@link #snapshot})
 * holds the pending files of checkpoints not known to be complete; a restore publishes them (their
 * checkpoint completed before the restore, or its notification may have been lost).
 */
final class DeadLetterRouter {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterRouter.class);

  private final SinkSpec spec;
  private final Catalog catalog;
  private final String runId;
  private final long startMillis;
  private final int subtask;
  private final MetricGroup metrics;

  /** One counter per table for the operator's life. */
  private final Map<TableId, Counter> counters = new HashMap<>();

  /** Pending files by checkpoint, each as "table TAB path". */
  private final TreeMap<Long, List<String>> pending = new TreeMap<>();

  /**
   * @param startMillis when this start of the writer began: part of dead-letter file names
   */
  DeadLetterRouter(
      SinkSpec spec,
      Catalog catalog,
      String runId,
      long startMillis,
      int subtask,
      MetricGroup metrics) {
    this.spec = spec;
    this.catalog = catalog;
    this.runId = runId;
    this.startMillis = startMillis;
    this.subtask = subtask;
    this.metrics = metrics;
  }

  /** Sends a change of the table to its dead letters, saying why it was not applied. */
  void route(WriterTableState state, ChangeEvent event, String reason) {
    state.deadLetters.add(DeadLetters.line(event, reason));
    if (state.deadLetterCount == null) {
      // One counter per table for the operator's life: a table's state is opened again after a
      // recovery, and a metric group keeps the first counter of a name.
      state.deadLetterCount =
          counters.computeIfAbsent(
              event.table().id(),
              t ->
                  MetricNames.tableGroup(metrics, t.qualified()).counter(MetricNames.DEAD_LETTERS));
    }
    state.deadLetterCount.inc();
  }

  /**
   * At the barrier of a checkpoint: writes the table's dead letters since the last barrier to a
   * pending file, published when the checkpoint completes.
   */
  void writePending(WriterTableState state, TableId source, long checkpointId) {
    if (state.deadLetters.isEmpty()) {
      return;
    }
    String path =
        DeadLetters.pendingPath(
            spec.catalog().warehouse(), source, runId, startMillis, checkpointId, subtask);
    DeadLetters.write(state.table.io(), path, state.deadLetters);
    LOG.info(
        "Wrote {} dead letters of {} for checkpoint {}",
        state.deadLetters.size(),
        state.table.name(),
        checkpointId);
    state.deadLetters.clear();
    pending
        .computeIfAbsent(checkpointId, c -> new ArrayList<>())
        .add(source.qualified() + "\t" + path);
  }

  /** Publishes the pending files of the completed checkpoint and of those before it. */
  void publishCompleted(long checkpointId) {
    Map<Long, List<String>> done = pending.headMap(checkpointId, true);
    for (List<String> files : done.values()) {
      for (String file : files) {
        String[] parts = file.split("\t", 2);
        publish(TableId.parse(parts[0]), parts[1]);
      }
    }
    done.clear();
  }

  /**
   * Publishes the files of a restored state ({@link #snapshot}): of checkpoints that completed
   * before the restore (their notification may be lost).
   */
  void publishRestored(Iterable<String> entries) {
    for (String entry : entries) {
      String[] parts = entry.split("\t", 3);
      publish(TableId.parse(parts[1]), parts[2]);
    }
  }

  /** The operator state to keep: the pending files, each as "checkpoint TAB table TAB path". */
  List<String> snapshot() {
    List<String> files = new ArrayList<>();
    for (Map.Entry<Long, List<String>> entry : pending.entrySet()) {
      for (String file : entry.getValue()) {
        files.add(entry.getKey() + "\t" + file);
      }
    }
    return files;
  }

  private void publish(TableId table, String pendingPath) {
    Table mirror;
    try {
      mirror =
          catalog.loadTable(
              spec.appendOnlyTables().contains(table)
                  ? TableNames.changelog(spec.namespace(), table)
                  : TableNames.mirror(spec.namespace(), table));
    } catch (NoSuchTableException e) {
      // Dropped for its recovery (see TableParking): the warehouse's FileIO publishes the file.
      try (FileIO warehouse = spec.catalog().openFileIo()) {
        DeadLetters.publish(warehouse, pendingPath);
      }
      LOG.info("Published dead letters of {}: {}", table, pendingPath);
      return;
    }
    DeadLetters.publish(mirror.io(), pendingPath);
    LOG.info("Published dead letters of {}: {}", table, pendingPath);
  }
}
