package io.tributary.sink;

import io.tributary.catalog.CatalogSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.iceberg.catalog.Catalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the writers' files to Iceberg once per completed checkpoint, exactly once. Runs as a
 * single subtask so that each table gets one ordered sequence of commits.
 *
 * <p>Protocol: the files of checkpoint {@code c} reach this operator before its barrier, so they
 * are in its state for {@code c}. When {@code c} completes they are committed, up to {@link
 * SinkSpec#commitThreads()} tables at the same time ({@link CheckpointCommitter}), each table's
 * checkpoint in one Iceberg transaction ({@link TableCommitter}); all tables of {@code c} are
 * committed before the commits of a later checkpoint start: round {@code r} holds segment {@code r}
 * of every writer, and each round is its own snapshot in the transaction, so each has its own
 * sequence number and the equality deletes of a round apply to the rows of all earlier rounds,
 * while readers see all rounds of the checkpoint or none. Every snapshot records the run id,
 * checkpoint id, round and number of rounds in its summary, with the committer session that
 * received the files. After a restore, pending files are committed unless the table's history shows
 * their session committed that checkpoint already, so a replayed checkpoint never commits twice;
 * files of the new session always commit, also when a restore from an older checkpoint makes Flink
 * reuse checkpoint ids.
 *
 * <p>The pending files are kept in state in the versioned format of {@link WriteBatch#toBytes()}.
 *
 * <p>The operator's uid must never change: a new uid drops the pending files of the last checkpoint
 * on restore.
 */
public final class IcebergCommitterOperator extends AbstractStreamOperator<TableCommit>
    implements OneInputStreamOperator<WriteBatch, TableCommit> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(IcebergCommitterOperator.class);

  /** Snapshot summary key: the run that committed the snapshot. */
  public static final String RUN_ID = StreamMarkers.RUN_ID;

  /**
   * Snapshot summary key: the committer session that received the files. A new session starts with
   * every (re)start of the committer; files restored from state keep their session.
   */
  public static final String SESSION = "tributary.committer-session";

  /** Snapshot summary key: the Flink checkpoint whose files the snapshot holds. */
  public static final String CHECKPOINT_ID = "tributary.checkpoint-id";

  /** Snapshot summary key: the round within the checkpoint. */
  public static final String ROUND = "tributary.round";

  /** Snapshot summary key: the highest source position committed so far. */
  public static final String MAX_LSN = "tributary.max-lsn";

  /** Snapshot summary key: the latest source commit time committed, in microseconds. */
  public static final String MAX_SOURCE_TS = "tributary.max-source-ts-us";

  private final SinkSpec spec;

  private transient NavigableMap<Long, List<Pending>> pending;
  private transient String session;
  private transient ListState<byte[]> pendingState;
  private transient ListState<String> runIdState;
  private transient String runId;
  private transient Catalog catalog;
  private transient CheckpointCommitter checkpoints;
  private transient boolean opened;

  public IcebergCommitterOperator(SinkSpec spec) {
    this.spec = spec;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    pending = new TreeMap<>();
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
    session = UUID.randomUUID().toString();
    catalog = spec.catalog().open();
    TableCommitter committer = new TableCommitter(runId);
    committer.newSession(session);
    checkpoints = new CheckpointCommitter(spec, runId, catalog, committer);
    if (context.isRestored()) {
      for (byte[] bytes : pendingState.get()) {
        Pending restored = Pending.fromBytes(bytes);
        pending
            .computeIfAbsent(restored.batch.checkpointId(), id -> new ArrayList<>())
            .add(restored);
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
    pending
        .computeIfAbsent(batch.checkpointId(), id -> new ArrayList<>())
        .add(new Pending(session, batch));
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    List<byte[]> all = new ArrayList<>();
    for (List<Pending> batches : pending.values()) {
      for (Pending batch : batches) {
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
    NavigableMap<Long, List<Pending>> ready = pending.headMap(checkpointId, true);
    for (Map.Entry<Long, List<Pending>> entry : ready.entrySet()) {
      Map<String, List<WriteBatch>> bySession = new LinkedHashMap<>();
      for (Pending p : entry.getValue()) {
        bySession.computeIfAbsent(p.session, s -> new ArrayList<>()).add(p.batch);
      }
      for (Map.Entry<String, List<WriteBatch>> group : bySession.entrySet()) {
        commitCheckpoint(entry.getKey(), group.getKey(), group.getValue());
      }
    }
    ready.clear();
  }

  private void commitCheckpoint(long checkpointId, String batchSession, List<WriteBatch> batches) {
    checkpoints.commit(
        checkpointId,
        batchSession,
        batches,
        commit -> {
          if (opened) { // commits replayed while restoring state are not reported downstream
            output.collect(new StreamRecord<>(commit));
          }
        });
  }

  /** The folder under the warehouse for the file lists of tables that no longer exist. */
  public static final String UNCOMMITTED = "_uncommitted";

  /** Where the uncommitted files of a table that no longer exists are listed, one JSON a line. */
  static String uncommittedPath(
      String warehouse, String table, String runId, long checkpointId, String session) {
    String root = warehouse.endsWith("/") ? warehouse : warehouse + "/";
    return root
        + UNCOMMITTED
        + "/"
        + table
        + "/"
        + runId
        + "-"
        + checkpointId
        + "-"
        + session
        + ".jsonl";
  }

  /** A write batch with the committer session that received it. */
  static final class Pending {
    private static final int MAGIC = 0x54524231;
    final String session;
    final WriteBatch batch;

    Pending(String session, WriteBatch batch) {
      this.session = session;
      this.batch = batch;
    }

    byte[] toBytes() {
      byte[] batchBytes = batch.toBytes();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(batchBytes.length + 64);
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeInt(MAGIC);
        out.writeUTF(session);
        out.write(batchBytes);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return bytes.toByteArray();
    }

    static Pending fromBytes(byte[] bytes) {
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
        if (in.readInt() != MAGIC) {
          throw new IllegalStateException("Unknown format of pending files in committer state");
        }
        String session = in.readUTF();
        return new Pending(session, WriteBatch.fromBytes(in.readAllBytes()));
      } catch (IOException e) {
        throw new IllegalStateException("Cannot read pending files from committer state", e);
      }
    }
  }

  @Override
  public void close() throws Exception {
    try {
      super.close();
    } finally {
      if (checkpoints != null) {
        checkpoints.close();
      }
      if (catalog != null) {
        CatalogSpec.closeQuietly(catalog);
      }
    }
  }
}
