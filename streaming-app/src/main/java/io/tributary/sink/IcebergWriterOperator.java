package io.tributary.sink;

import io.tributary.catalog.CatalogSpec;
import io.tributary.change.ChangeEvent;
import io.tributary.change.SourceTable;
import io.tributary.change.TableId;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the change events of many tables into Iceberg data and delete files. Events arrive keyed
 * by table and key, so every change of one key reaches the same subtask in source order. Before
 * each checkpoint barrier the subtask closes its files and sends them, per table and in write
 * order, to the committer. Its operator state holds the tables that have left their initial
 * snapshot, the parked tables ({@link TableParking}) and the dead-letter files not yet published
 * ({@link DeadLetterRouter}); the rows of checkpoints not yet committed are {@link StoredRows}'.
 *
 * <p>A table's rows are written in segments ({@link WriterTableState#segment}): a new segment
 * starts when the table's schema changes or when it switches from snapshot rows (insert-only) to
 * changes (upsert). Snapshot rows are written insert-only only while the table is in the initial
 * load that this run created it for, before this subtask has seen any change of it, and before any
 * restore of the job; otherwise they are upserts. (A restore re-reads the snapshot chunks that were
 * unfinished at the checkpoint, and a chunk's rows can be committed in part before its end: only
 * upserts make the second reading replace the first.)
 *
 * <p>This class orchestrates; the roles are in classes of their own: {@link TableOpener} opens a
 * table, {@link WriterTableState} holds one table's writing, {@link StoredRowLookups} completes
 * updates that left out unchanged values, {@link TableParking} parks tables and follows their
 * recovery, {@link DeadLetterRouter} sends what is not applied to the dead letters.
 */
public final class IcebergWriterOperator extends AbstractStreamOperator<WriteBatch>
    implements OneInputStreamOperator<ChangeEvent, WriteBatch> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(IcebergWriterOperator.class);

  /**
   * Table property: the source position (LSN) of the change that parked the table. Removed with
   * {@link TableManager#BLOCKED} when the table is recovered.
   */
  public static final String BLOCKED_LSN = StreamMarkers.BLOCKED_LSN;

  /**
   * Table property of a mirror table the writers rebuilt after its parked predecessor was dropped:
   * changes at or below this source position are from before the rebuild. One whose schema the new
   * table cannot take (a change still in flight with the schema from before the incompatible
   * change) goes to the dead letters without parking the new table; the backfill of the new table
   * holds the row's later state.
   */
  public static final String REBUILT_AFTER_LSN = "tributary.rebuilt-after-lsn";

  /**
   * Table property set by a backfill that removed the parked marker: the writers still parked on it
   * resume at their next checkpoint barrier. A writer that saw the property at barrier {@code c}
   * removes it once checkpoint {@code c + 1} completed: every writer then passed a barrier after
   * the backfill's commit, so writes the table again. The next backfill waits for that.
   */
  public static final String RESUMING = StreamMarkers.RESUMING;

  private final SinkSpec spec;

  private transient Catalog catalog;
  private transient TableManager tables;
  private transient Map<TableId, WriterTableState> states;
  private transient Set<TableId> streaming;
  private transient ListState<String> streamingState;
  private transient ListState<String> runIdState;
  private transient ListState<String> flushedState;
  private transient ListState<String> deadLetterState;
  private transient ListState<String> parkedState;
  private transient List<String> restoredDeadLetters;
  private transient Map<TableId, Long> restoredFlushed;
  private transient Map<TableId, String> restoredParked;
  private transient String runId;

  /** When this start of the writer began: part of dead-letter file names, see DeadLetters. */
  private transient long startMillis;

  private transient long cachedMillis;
  private transient OffsetDateTime cachedNow;
  private transient int subtask;
  private transient boolean restored;
  private transient Map<String, Long> pendingTruncates;
  private transient Map<TableId, Counter> truncateCounters;
  private transient WriterCheckpoints checkpoints;
  private transient TableOpener opener;
  private transient StoredRowLookups lookups;
  private transient TableParking parking;
  private transient DeadLetterRouter deadLetters;
  private transient SegmentCloser closer;

  public IcebergWriterOperator(SinkSpec spec) {
    this.spec = spec;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    // The checkpoint restored from completed (its commit is finished by the committer's restore).
    checkpoints = new WriterCheckpoints(context.getRestoredCheckpointId().orElse(-1L));
    streamingState =
        context
            .getOperatorStateStore()
            .getUnionListState(new ListStateDescriptor<>("streaming-tables", Types.STRING));
    runIdState =
        context
            .getOperatorStateStore()
            .getUnionListState(new ListStateDescriptor<>("run-id", Types.STRING));
    flushedState =
        context
            .getOperatorStateStore()
            .getUnionListState(new ListStateDescriptor<>("flushed-checkpoints", Types.STRING));
    deadLetterState =
        context
            .getOperatorStateStore()
            .getListState(new ListStateDescriptor<>("dead-letter-files", Types.STRING));
    parkedState =
        context
            .getOperatorStateStore()
            .getUnionListState(new ListStateDescriptor<>("parked-tables", Types.STRING));
    restoredParked = TableParking.restore(parkedState.get());
    restoredDeadLetters = new ArrayList<>();
    for (String entry : deadLetterState.get()) {
      restoredDeadLetters.add(entry);
    }
    restored = context.isRestored();
    restoredFlushed = new HashMap<>();
    for (String entry : flushedState.get()) {
      int tab = entry.lastIndexOf('\t');
      restoredFlushed.merge(
          TableId.parse(entry.substring(0, tab)),
          Long.parseLong(entry.substring(tab + 1)),
          Math::max);
    }
    streaming = new HashSet<>();
    for (String table : streamingState.get()) {
      streaming.add(TableId.parse(table));
    }
    startMillis = System.currentTimeMillis();
    runId = spec.runId();
    for (String restored : runIdState.get()) {
      runId = restored;
    }
  }

  @Override
  public void open() throws Exception {
    super.open();
    if (getContainingTask() != null) {
      checkpoints.useMailbox(
          getContainingTask().getMailboxExecutorFactory().createExecutor(TaskMailbox.MIN_PRIORITY));
    }
    subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    catalog = spec.catalog().open();
    tables = new TableManager(catalog, spec.namespace(), spec.partitionTerms(), runId);
    states = new HashMap<>();
    pendingTruncates = new HashMap<>();
    truncateCounters = new HashMap<>();
    deadLetters =
        new DeadLetterRouter(spec, catalog, runId, startMillis, subtask, getMetricGroup());
    parking = new TableParking(catalog, spec, tables, deadLetters, subtask, restoredParked);
    opener =
        new TableOpener(
            spec, tables, parking, restored, runId, subtask, checkpoints, restoredFlushed);
    lookups = new StoredRowLookups(this::now, this::process);
    closer = new SegmentCloser(SegmentCloser.DEFAULT_THREADS, "tributary-segment-close-" + subtask);
    // Files of checkpoints that completed before the restore (their notification may be lost).
    deadLetters.publishRestored(restoredDeadLetters);
    restoredDeadLetters.clear();
  }

  @Override
  public void processElement(StreamRecord<ChangeEvent> element) {
    ChangeEvent event = element.getValue();
    WriterTableState waiting = states.get(event.table().id());
    if (waiting != null && waiting.lookups != null) {
      if (event.op() == ChangeEvent.Op.TRUNCATE) {
        lookups.resolve(waiting);
      } else {
        lookups.enqueue(waiting, event);
        return;
      }
    }
    try {
      process(event);
    } catch (StoredRowLookups.LookupNeeded needed) {
      lookups.start(states.get(event.table().id()), event, needed);
    }
  }

  private void process(ChangeEvent event) {
    if (event.op() == ChangeEvent.Op.TRUNCATE) {
      truncate(event);
      return;
    }
    SourceTable source = event.table();
    WriterTableState state = states.get(source.id());
    if (state == null) {
      state = opener.open(source, event.schemaLsn());
      states.put(source.id(), state);
    }
    state.lastSource = source;
    state.lastSourceLsn = event.lsn();
    state.active = true;
    state.seenLsn = Math.max(state.seenLsn, event.lsn());
    if (state.blocked != null) {
      deadLetters.route(state, event, state.blocked);
      return;
    }
    int special = UnstorableValues.specialDecimal(event);
    if (special >= 0) {
      if (event.op() == ChangeEvent.Op.DELETE && !UnstorableValues.isKey(source, special)) {
        // A delete needs only the key: the value that cannot be stored is not written.
        event = event.withValues(UnstorableValues.withoutSpecialDecimals(event));
      } else {
        deadLetters.route(state, event, UnstorableValues.reason(source, special, event));
        lookups.rememberDeadLettered(state, event);
        return;
      }
    }
    if (state.appendOnly) {
      if (!state.keyAddedReported
          && source.keySize() > 0
          && spec.keylessTables().contains(source.id())) {
        reportKeyAdded(state, source, event.lsn());
      }
      if (event.hasUnchanged()) {
        // No mirror holds the row's other values: the changelog row would hold null for them.
        deadLetters.route(
            state,
            event,
            "left out: the update did not carry unchanged TOASTed values (REPLICA IDENTITY of "
                + source.id()
                + " is not FULL), and an append-only table has no stored row to take them from;"
                + " run ALTER TABLE "
                + source.id()
                + " REPLICA IDENTITY FULL; so that updates carry every value");
        return;
      }
      try {
        state.append(event, null, tables, this::now);
      } catch (SchemaChangeException e) {
        parking.refused(state, event, e);
      }
      return;
    }
    if (state.sourceFingerprint != source.fingerprint() || state.mapper == null) {
      try {
        state.table = tables.ensureColumns(state.table, source, event.schemaLsn());
      } catch (SchemaChangeException e) {
        parking.refused(state, event, e);
        return;
      }
      state.mapper =
          new RowMapper(
              source, state.table.schema(), TableManager.renamedColumns(state.table.properties()));
      state.sourceFingerprint = source.fingerprint();
      if (state.stored != null) {
        List<String> keys = WriterTableState.keyNames(state.table.schema());
        if (!keys.equals(state.stored.keyNames())) {
          // A key column was renamed (same field): rows are found under its new name.
          LOG.info(
              "Key of {} renamed from {} to {}: writer {} follows it",
              state.table.name(),
              state.stored.keyNames(),
              keys,
              subtask);
          state.stored.renameKeys(keys);
        }
      }
    }
    boolean snapshotRow = event.op() == ChangeEvent.Op.SNAPSHOT;
    if (!snapshotRow && streaming.add(source.id())) {
      LOG.info(
          "Table {} receives changes on writer {}: rows are upserts from now on",
          source.id(),
          subtask);
    }
    boolean upsert = !snapshotRow || !state.initialLoad || streaming.contains(source.id());
    DeltaWriter writer = state.segment(upsert);
    Record record = state.mapper.toRecord(event, now());
    if (event.hasUnchanged()) {
      lookups.fillUnchanged(state, event, record);
    }
    if (event.op() == ChangeEvent.Op.DELETE) {
      writer.delete(record);
      state.deletes++;
      if (state.stored != null) {
        state.stored.deleted(record);
      }
    } else {
      writer.write(record);
      state.rows++;
      if (state.stored != null) {
        state.stored.written(record, event.op() != ChangeEvent.Op.SNAPSHOT);
      }
    }
    state.track(event);
    if (state.changelog != null) {
      state.changelog.append(event, event.hasUnchanged() ? record : null, tables, this::now);
    }
  }

  /**
   * An append-only table (captured without a primary key) whose changes now carry a primary key:
   * the key was added at the source while the job runs. The table stays append-only for this run,
   * its changes still go to its changelog table as captured so far (only the inserts of a table
   * captured insert-only; a mirror started now would miss every row not changed since), and the
   * start from a savepoint keeps it so (see the preflight check). Logged once per writer, and
   * recorded on the changelog table ({@link TableManager#KEY_ADDED}), where the control table's
   * status reason shows it.
   */
  private void reportKeyAdded(WriterTableState state, SourceTable source, long lsn) {
    state.keyAddedReported = true;
    String key = source.keyNames().toString();
    LOG.warn(
        "Table {} gained the primary key {} at the source (seen at LSN {}), but it is captured"
            + " append-only: it stays append-only, its changes still go to {} as captured so far"
            + " (only its inserts if it was captured insert-only, without a replica identity) and"
            + " no mirror table is created, also after a restart. To mirror it by key instead"
            + " (which also captures the updates and deletes of a table captured insert-only), see"
            + " docs/schema-changes-and-dead-letters.md#a-primary-key-added-at-the-source",
        source.id(),
        key,
        lsn,
        state.identifier);
    String value = key + " at LSN " + lsn;
    for (int attempt = 1; attempt <= 10; attempt++) {
      try {
        state.table.refresh();
        if (state.table.properties().get(TableManager.KEY_ADDED) == null) {
          state.table.updateProperties().set(TableManager.KEY_ADDED, value).commit();
        }
        return;
      } catch (CommitFailedException e) {
        LOG.debug("Retrying to record the key added to {}", source.id(), e);
      }
    }
    LOG.warn("Could not record the key added to {} on {}", source.id(), state.identifier);
  }

  /**
   * A TRUNCATE at the source. Applied: remembered for this checkpoint and sent to the committer,
   * which deletes the mirror's rows from before it after committing the checkpoint's files (see
   * {@link TruncateApplier}). Ignored, or of an append-only table: logged and counted.
   */
  private void truncate(ChangeEvent event) {
    TableId id = event.table().id();
    Counter counter =
        truncateCounters.computeIfAbsent(
            id, t -> getMetricGroup().addGroup("table", t.qualified()).counter("truncates"));
    counter.inc();
    WriterTableState state = states.get(id);
    if (state != null && state.blocked != null) {
      deadLetters.route(state, event, state.blocked);
      return;
    }
    if (spec.appendOnlyTables().contains(id)) {
      LOG.warn(
          "TRUNCATE of append-only table {} at LSN {}: its changelog table keeps every change"
              + " (a truncate is not a row there)",
          id,
          event.lsn());
    } else if (spec.truncateIgnored().contains(id)) {
      LOG.warn(
          "TRUNCATE of {} at LSN {} is ignored (truncate: ignore): its mirror table keeps its"
              + " rows",
          id,
          event.lsn());
    } else {
      LOG.info(
          "TRUNCATE of {} at LSN {}: its mirror table is emptied at that point", id, event.lsn());
      pendingTruncates.merge(
          TableNames.mirror(spec.namespace(), id).toString(), event.lsn(), Math::max);
    }
  }

  /** The spec for equality deletes of a table: see {@link WriterTableState#deleteSpec}. */
  static PartitionSpec deleteSpec(Table table) {
    return WriterTableState.deleteSpec(table);
  }

  private OffsetDateTime now() {
    long millis = System.currentTimeMillis();
    if (millis != cachedMillis || cachedNow == null) {
      cachedMillis = millis;
      cachedNow = OffsetDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }
    return cachedNow;
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    for (WriterTableState state : states.values()) {
      if (state.lookups != null) {
        lookups.resolve(state);
      }
    }
    List<TableId> reopen = parking.check(states, checkpointId);
    closer.closeAll(states.values());
    List<TableWrite> writes = new ArrayList<>();
    for (Map.Entry<TableId, WriterTableState> entry : states.entrySet()) {
      WriterTableState state = entry.getValue();
      if (state.stored != null) {
        state.stored.flushed(checkpointId);
      }
      state.flush(writes);
      deadLetters.writePending(state, entry.getKey(), checkpointId);
      if (state.changelog != null) {
        state.changelog.flush(writes);
      }
    }
    for (Map.Entry<String, Long> truncate : pendingTruncates.entrySet()) {
      writes.add(TableWrite.truncate(truncate.getKey(), truncate.getValue()));
    }
    pendingTruncates.clear();
    if (!writes.isEmpty()) {
      output.collect(new StreamRecord<>(new WriteBatch(checkpointId, subtask, writes)));
    }
    // Opened again with the next change: the table was recovered or replaced.
    for (TableId id : reopen) {
      states.remove(id);
    }
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    List<String> names = new ArrayList<>();
    for (TableId id : streaming) {
      names.add(id.qualified());
    }
    streamingState.update(names);
    runIdState.update(List.of(runId));
    List<String> flushed = new ArrayList<>();
    for (Map.Entry<TableId, WriterTableState> entry : states.entrySet()) {
      StoredRows stored = entry.getValue().stored;
      if (stored != null && stored.lastFlushed() >= 0) {
        flushed.add(entry.getKey().qualified() + "\t" + stored.lastFlushed());
      }
    }
    // Tables not opened since the restore keep what they had.
    for (Map.Entry<TableId, Long> entry : restoredFlushed.entrySet()) {
      if (!states.containsKey(entry.getKey())) {
        flushed.add(entry.getKey().qualified() + "\t" + entry.getValue());
      }
    }
    flushedState.update(flushed);
    deadLetterState.update(deadLetters.snapshot());
    parkedState.update(parking.snapshot(states));
  }

  @Override
  public void notifyCheckpointAborted(long checkpointId) throws Exception {
    super.notifyCheckpointAborted(checkpointId);
    checkpoints.abort(checkpointId);
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    super.notifyCheckpointComplete(checkpointId);
    checkpoints.completed(checkpointId);
    deadLetters.publishCompleted(checkpointId);
    parking.confirmResumed(checkpointId);
    for (WriterTableState state : states.values()) {
      if (state.stored != null) {
        state.stored.completed(checkpointId);
      }
    }
  }

  @Override
  public void close() throws Exception {
    try {
      super.close();
    } finally {
      if (closer != null) {
        closer.close();
      }
      if (catalog != null) {
        CatalogSpec.closeQuietly(catalog);
      }
    }
  }
}
