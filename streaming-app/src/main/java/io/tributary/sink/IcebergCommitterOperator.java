package io.tributary.sink;

import io.tributary.catalog.CatalogSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the writers' files to Iceberg once per completed checkpoint, exactly once. Runs as a
 * single subtask so that each table gets one ordered sequence of commits.
 *
 * <p>Protocol: the files of checkpoint {@code c} reach this operator before its barrier, so they
 * are in its state for {@code c}. When {@code c} completes they are committed, table by table and
 * round by round: round {@code r} holds segment {@code r} of every writer, and each round is its
 * own snapshot, so each has its own sequence number and the equality deletes of a round apply to
 * the rows of all earlier rounds. Every snapshot records the run id, checkpoint id and round in its
 * summary. After a restore, pending files are committed again unless the table's history already
 * holds that run's commit for that checkpoint and round, so a replayed checkpoint never commits
 * twice.
 *
 * <p>The operator's uid must never change: a new uid drops the pending files of the last checkpoint
 * on restore.
 */
public final class IcebergCommitterOperator extends AbstractStreamOperator<TableCommit>
    implements OneInputStreamOperator<WriteBatch, TableCommit> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(IcebergCommitterOperator.class);

  /** Snapshot summary key: the run that committed the snapshot. */
  public static final String RUN_ID = "tributary.run-id";

  /** Snapshot summary key: the Flink checkpoint whose files the snapshot holds. */
  public static final String CHECKPOINT_ID = "tributary.checkpoint-id";

  /** Snapshot summary key: the round within the checkpoint. */
  public static final String ROUND = "tributary.round";

  /** Snapshot summary key: the highest source position committed so far. */
  public static final String MAX_LSN = "tributary.max-lsn";

  /** Snapshot summary key: the latest source commit time committed, in microseconds. */
  public static final String MAX_SOURCE_TS = "tributary.max-source-ts-us";

  private final SinkSpec spec;

  private transient NavigableMap<Long, List<WriteBatch>> pending;
  private transient ListState<byte[]> pendingState;
  private transient ListState<String> runIdState;
  private transient String runId;
  private transient Catalog catalog;
  private transient Map<String, Table> tables;
  private transient TableCommitter committer;
  private transient boolean opened;

  public IcebergCommitterOperator(SinkSpec spec) {
    this.spec = spec;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    pending = new TreeMap<>();
    tables = new HashMap<>();
    pendingState =
        context
            .getOperatorStateStore()
            .getListState(
                new ListStateDescriptor<>(
                    "pending-writes", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    runIdState =
        context
            .getOperatorStateStore()
            .getListState(new ListStateDescriptor<>("run-id", Types.STRING));
    runId = spec.runId();
    for (String restored : runIdState.get()) {
      runId = restored;
    }
    catalog = spec.catalog().open();
    committer = new TableCommitter(runId);
    if (context.isRestored()) {
      for (byte[] bytes : pendingState.get()) {
        WriteBatch batch = WriteBatch.fromBytes(bytes);
        pending.computeIfAbsent(batch.checkpointId(), id -> new ArrayList<>()).add(batch);
      }
      if (!pending.isEmpty()) {
        long restoredId = context.getRestoredCheckpointId().orElse(pending.lastKey());
        LOG.info(
            "Restored files of checkpoints {} for run {}; committing those not yet committed",
            pending.keySet(),
            runId);
        commitUpTo(restoredId);
      }
    }
  }

  @Override
  public void open() throws Exception {
    super.open();
    opened = true;
  }

  @Override
  public void processElement(StreamRecord<WriteBatch> element) {
    WriteBatch batch = element.getValue();
    pending.computeIfAbsent(batch.checkpointId(), id -> new ArrayList<>()).add(batch);
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    List<byte[]> all = new ArrayList<>();
    for (List<WriteBatch> batches : pending.values()) {
      for (WriteBatch batch : batches) {
        all.add(batch.toBytes());
      }
    }
    pendingState.update(all);
    runIdState.update(List.of(runId));
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    super.notifyCheckpointComplete(checkpointId);
    commitUpTo(checkpointId);
  }

  private void commitUpTo(long checkpointId) {
    NavigableMap<Long, List<WriteBatch>> ready = pending.headMap(checkpointId, true);
    for (Map.Entry<Long, List<WriteBatch>> entry : ready.entrySet()) {
      commitCheckpoint(entry.getKey(), entry.getValue());
    }
    ready.clear();
  }

  private void commitCheckpoint(long checkpointId, List<WriteBatch> batches) {
    Map<String, List<TableWrite>> byTable = new LinkedHashMap<>();
    for (WriteBatch batch : batches) {
      for (TableWrite write : batch.tables()) {
        byTable.computeIfAbsent(write.table(), t -> new ArrayList<>()).add(write);
      }
    }
    for (Map.Entry<String, List<TableWrite>> entry : byTable.entrySet()) {
      commitTable(checkpointId, entry.getKey(), entry.getValue());
    }
  }

  private void commitTable(long checkpointId, String name, List<TableWrite> writes) {
    Table table = tables.computeIfAbsent(name, n -> catalog.loadTable(TableIdentifier.parse(n)));
    TableCommit commit = committer.commit(table, name, checkpointId, writes);
    if (!opened) {
      return; // commits replayed while restoring state are not reported downstream
    }
    output.collect(new StreamRecord<>(commit));
  }

  @Override
  public void close() throws Exception {
    try {
      super.close();
    } finally {
      if (catalog != null) {
        CatalogSpec.closeQuietly(catalog);
      }
    }
  }
}
