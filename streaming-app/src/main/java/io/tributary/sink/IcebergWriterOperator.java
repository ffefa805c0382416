package io.tributary.sink;

import io.tributary.catalog.CatalogSpec;
import io.tributary.change.ChangeEvent;
import io.tributary.change.SourceTable;
import io.tributary.change.SpecialDecimal;
import io.tributary.change.TableId;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the change events of many tables into Iceberg data and delete files. Events arrive keyed
 * by table and key, so every change of one key reaches the same subtask in source order. Before
 * each checkpoint barrier the subtask closes its files and sends them, per table and in write
 * order, to the committer; nothing is kept between checkpoints but the set of tables that have left
 * their initial snapshot.
 *
 * <p>A table's rows are written in segments ({@link DeltaWriter}): a new segment starts when the
 * table's schema changes or when it switches from snapshot rows (insert-only) to changes (upsert).
 * Snapshot rows are written insert-only only while the table is in the initial load that this run
 * created it for, before this subtask has seen any change of it, and before any restore of the job;
 * otherwise they are upserts. (A restore re-reads the snapshot chunks that were unfinished at the
 * checkpoint, and a chunk's rows can be committed in part before its end: only upserts make the
 * second reading replace the first.)
 */
public final class IcebergWriterOperator extends AbstractStreamOperator<WriteBatch>
    implements OneInputStreamOperator<ChangeEvent, WriteBatch> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(IcebergWriterOperator.class);

  private final SinkSpec spec;

  private transient Catalog catalog;
  private transient TableManager tables;
  private transient Map<TableId, TableState> states;
  private transient Set<TableId> streaming;
  private transient ListState<String> streamingState;
  private transient ListState<String> runIdState;
  private transient ListState<String> flushedState;
  private transient ListState<String> deadLetterState;
  private transient List<String> restoredDeadLetters;
  private transient java.util.TreeMap<Long, List<String>> pendingDeadLetters;
  private transient Map<TableId, Long> restoredFlushed;
  private transient String runId;

  /** When this start of the writer began: part of dead-letter file names, see DeadLetters. */
  private transient long startMillis;

  private transient long cachedMillis;
  private transient OffsetDateTime cachedNow;
  private transient int subtask;
  private transient long fileCounter;
  private transient boolean restored;
  private transient Map<String, Long> pendingTruncates;
  private transient Map<TableId, org.apache.flink.metrics.Counter> truncateCounters;
  private transient ListState<String> parkedState;
  private transient Map<TableId, String> restoredParked;
  private transient Map<TableId, org.apache.flink.metrics.Counter> deadLetterCounters;
  private transient Map<TableId, Long> resumingSeen;

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

  /** The parked-marker text of a table the writers rebuilt and that waits for its backfill. */
  static final String REBUILT_PREFIX = "blocked: rebuilt, waiting for its backfill; parked by: ";

  public IcebergWriterOperator(SinkSpec spec) {
    this.spec = spec;
  }

  /** Per-table state of this subtask. */
  private final class TableState {
    Table table;
    String identifier;
    boolean initialLoad;
    PartitionSpec deleteSpec;

    /** The id of the table spec that {@link #deleteSpec} was chosen for. */
    int deleteSpecOf = -1;

    long sourceFingerprint;
    RowMapper mapper;
    DeltaWriter writer;
    final List<WriteResult> done = new ArrayList<>();
    long rows;
    long deletes;
    long maxLsn = -1;
    long maxSourceTs = -1;
    OutputFileFactory files;

    /** Why the table is parked (its changes go to dead letters), or null. */
    String blocked;

    /** The source position of the change that parked the table, or -1. */
    long blockedLsn = -1;

    /** The latest source schema of the table this writer received, for rebuilding it. */
    SourceTable lastSource;

    /** The highest source position of the table this writer received. */
    long seenLsn = -1;

    /** The source position of the change that brought {@link #lastSource}. */
    long lastSourceLsn = -1;

    /** Whether this writer received a change of the table since the last checkpoint barrier. */
    boolean active;

    /** Dead letters of this table since the last checkpoint barrier, as JSON lines. */
    final List<String> deadLetters = new ArrayList<>();

    org.apache.flink.metrics.Counter deadLetterCount;

    /** Recent rows of a keyed mirror table, for updates with unchanged columns; else null. */
    StoredRows stored;

    /**
     * Changes waiting for one batched read of the stored rows they need (see {@link
     * #processElement}); null when none wait.
     */
    PendingLookups lookups;

    /** The rows read for the changes being replayed after a batched read, by key; else null. */
    Map<RowKey, StoredRows.StoredRow> lookedUp;

    /** The table's changelog table, when configured. */
    TableState changelog;

    /** Whether this is an append-only table: {@link #table} is its changelog table. */
    boolean appendOnly;

    /** Whether this writer reported the primary key the append-only table gained. */
    boolean keyAddedReported;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    // The checkpoint restored from completed (its commit is finished by the committer's restore).
    lastCompletedCheckpoint = context.getRestoredCheckpointId().orElse(-1L);
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
    restoredParked = new HashMap<>();
    for (String entry : parkedState.get()) {
      int tab = entry.indexOf('\t');
      restoredParked.put(TableId.parse(entry.substring(0, tab)), entry.substring(tab + 1));
    }
    restoredDeadLetters = new ArrayList<>();
    for (String entry : deadLetterState.get()) {
      restoredDeadLetters.add(entry);
    }
    pendingDeadLetters = new java.util.TreeMap<>();
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

  /** The newest checkpoint this subtask was told completed, or -1. */
  private transient long lastCompletedCheckpoint = -1;

  /** Checkpoints this subtask was told were aborted, after the last completed one. */
  private transient java.util.NavigableSet<Long> abortedCheckpoints;

  /** Runs the task's mails (checkpoint notifications) while a read of stored rows waits. */
  private transient org.apache.flink.api.common.operators.MailboxExecutor mailbox;

  /**
   * What a read of stored rows learns about checkpoints while it waits: the notifications this
   * writer is sent, processed by yielding to the task's mailbox (they would otherwise wait behind
   * the change being processed).
   */
  private transient StoredRows.Checkpoints checkpoints;

  private StoredRows.Checkpoints checkpointNotifications() {
    return new StoredRows.Checkpoints() {
      @Override
      public long lastCompleted() {
        return lastCompletedCheckpoint;
      }

      @Override
      public boolean aborted(long checkpointId) {
        return abortedCheckpoints != null && abortedCheckpoints.contains(checkpointId);
      }

      @Override
      public void pause() throws InterruptedException {
        if (mailbox == null || !mailbox.tryYield()) {
          Thread.sleep(50);
        }
      }
    };
  }

  @Override
  public void open() throws Exception {
    super.open();
    abortedCheckpoints = new java.util.TreeSet<>();
    checkpoints = checkpointNotifications();
    if (getContainingTask() != null) {
      mailbox =
          getContainingTask()
              .getMailboxExecutorFactory()
              .createExecutor(
                  org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox.MIN_PRIORITY);
    }
    subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    catalog = spec.catalog().open();
    tables = new TableManager(catalog, spec.namespace(), spec.partitionTerms(), runId);
    states = new HashMap<>();
    pendingTruncates = new HashMap<>();
    truncateCounters = new HashMap<>();
    deadLetterCounters = new HashMap<>();
    resumingSeen = new HashMap<>();
    // Files of checkpoints that completed before the restore (their notification may be lost).
    for (String entry : restoredDeadLetters) {
      String[] parts = entry.split("\t", 3);
      publishDeadLetters(TableId.parse(parts[1]), parts[2]);
    }
    restoredDeadLetters.clear();
  }

  private void publishDeadLetters(TableId table, String pendingPath) {
    Table mirror;
    try {
      mirror =
          catalog.loadTable(
              spec.appendOnlyTables().contains(table)
                  ? TableNames.changelog(spec.namespace(), table)
                  : TableNames.mirror(spec.namespace(), table));
    } catch (org.apache.iceberg.exceptions.NoSuchTableException e) {
      // Dropped for its recovery (see checkParking): the warehouse's FileIO publishes the file.
      try (org.apache.iceberg.io.FileIO warehouse = spec.catalog().openFileIo()) {
        io.tributary.deadletter.DeadLetters.publish(warehouse, pendingPath);
      }
      LOG.info("Published dead letters of {}: {}", table, pendingPath);
      return;
    }
    io.tributary.deadletter.DeadLetters.publish(mirror.io(), pendingPath);
    LOG.info("Published dead letters of {}: {}", table, pendingPath);
  }

  /**
   * The changes of one table that wait for a batched read of stored rows: the first change whose
   * stored row was neither in memory nor read yet, and every later change of the table (their order
   * is kept). Reading many rows in one scan of the table costs about what one key-filtered read
   * costs.
   */
  private static final class PendingLookups {
    final List<ChangeEvent> events = new ArrayList<>();
    final List<Record> keys = new ArrayList<>();
  }

  /** Thrown by {@link #fillUnchanged} when a stored row must be read from the table. */
  private static final class LookupNeeded extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Record key;

    LookupNeeded(Record key) {
      super(null, null, false, false);
      this.key = key;
    }
  }

  /** The most changes of one table that wait for a batched read. */
  static final int LOOKUP_BATCH = 50_000;

  @Override
  public void processElement(StreamRecord<ChangeEvent> element) {
    ChangeEvent event = element.getValue();
    TableState waiting = states.get(event.table().id());
    if (waiting != null && waiting.lookups != null) {
      if (event.op() == ChangeEvent.Op.TRUNCATE) {
        resolveLookups(waiting);
      } else {
        waitForLookup(waiting, event);
        return;
      }
    }
    try {
      process(event);
    } catch (LookupNeeded needed) {
      TableState state = states.get(event.table().id());
      state.lookups = new PendingLookups();
      state.lookups.events.add(event);
      state.lookups.keys.add(needed.key);
    }
  }

  /** Queues a change behind the table's pending lookups, noting the stored row it will need. */
  private void waitForLookup(TableState state, ChangeEvent event) {
    state.lookups.events.add(event);
    if (event.hasUnchanged()
        && state.stored != null
        && state.mapper != null
        && state.sourceFingerprint == event.table().fingerprint()) {
      Record key =
          event.previousKey() == null
              ? state.mapper.toRecord(event, now())
              : previousKeyRecord(state, event);
      StoredRows.StoredRow held =
          event.previousKey() == null
              ? state.stored.findInMemory(key)
              : state.stored.findBeforeDeleteInMemory(key);
      if (held == StoredRows.NOT_IN_MEMORY) {
        state.lookups.keys.add(key);
      }
    }
    if (state.lookups.events.size() >= LOOKUP_BATCH) {
      resolveLookups(state);
    }
  }

  /** Reads the stored rows the table's waiting changes need in one scan, then applies them. */
  private void resolveLookups(TableState state) {
    PendingLookups pending = state.lookups;
    state.lookups = null;
    if (pending == null) {
      return;
    }
    long started = System.nanoTime();
    state.lookedUp = state.stored.readMany(state.table, pending.keys);
    LOG.debug(
        "Read {} stored rows of {} for {} waiting changes in {} ms",
        pending.keys.size(),
        state.table.name(),
        pending.events.size(),
        (System.nanoTime() - started) / 1_000_000);
    try {
      for (ChangeEvent event : pending.events) {
        process(event);
      }
    } finally {
      state.lookedUp = null;
    }
  }

  private void process(ChangeEvent event) {
    if (event.op() == ChangeEvent.Op.TRUNCATE) {
      truncate(event);
      return;
    }
    SourceTable source = event.table();
    TableState state = states.get(source.id());
    if (state == null) {
      state = openTable(source);
      states.put(source.id(), state);
    }
    state.lastSource = source;
    state.lastSourceLsn = event.lsn();
    state.active = true;
    state.seenLsn = Math.max(state.seenLsn, event.lsn());
    if (state.blocked != null) {
      deadLetter(state, event, state.blocked);
      return;
    }
    int special = specialDecimal(event);
    if (special >= 0) {
      if (event.op() == ChangeEvent.Op.DELETE && !isKey(source, special)) {
        // A delete needs only the key: the value that cannot be stored is not written.
        event = event.withValues(withoutSpecialDecimals(event));
      } else {
        deadLetter(state, event, unstorableReason(source, special, event));
        rememberDeadLettered(state, event);
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
        deadLetter(
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
        appendChange(state, event, null);
      } catch (SchemaChangeException e) {
        refused(state, event, e);
      }
      return;
    }
    if (state.sourceFingerprint != source.fingerprint() || state.mapper == null) {
      try {
        state.table = tables.ensureColumns(state.table, source, event.lsn());
      } catch (SchemaChangeException e) {
        refused(state, event, e);
        return;
      }
      state.mapper =
          new RowMapper(
              source, state.table.schema(), TableManager.renamedColumns(state.table.properties()));
      state.sourceFingerprint = source.fingerprint();
      if (state.stored != null) {
        List<String> keys = keyNames(state.table.schema());
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
    DeltaWriter writer = state.writer;
    if (writer == null
        || writer.upsert() != upsert
        || writer.schema().schemaId() != state.mapper.schema().schemaId()) {
      if (writer != null) {
        state.done.add(writer.complete());
      }
      if (state.table.spec().specId() != state.deleteSpecOf) {
        // The table was loaded again with another partition spec (changed while the job runs):
        // the data files follow it, so the equality deletes must too.
        state.deleteSpec = deleteSpec(state.table);
        state.deleteSpecOf = state.table.spec().specId();
      }
      writer =
          new DeltaWriter(
              state.table, state.mapper.schema(), state.deleteSpec, upsert, state.files);
      state.writer = writer;
    }
    Record record = state.mapper.toRecord(event, now());
    if (event.hasUnchanged()) {
      fillUnchanged(state, event, record);
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
    track(state, event);
    if (state.changelog != null) {
      appendChange(state.changelog, event, event.hasUnchanged() ? record : null);
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
  private void reportKeyAdded(TableState state, SourceTable source, long lsn) {
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
      } catch (org.apache.iceberg.exceptions.CommitFailedException e) {
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
    org.apache.flink.metrics.Counter counter =
        truncateCounters.computeIfAbsent(
            id, t -> getMetricGroup().addGroup("table", t.qualified()).counter("truncates"));
    counter.inc();
    TableState state = states.get(id);
    if (state != null && state.blocked != null) {
      deadLetter(state, event, state.blocked);
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

  /**
   * A change whose schema the table cannot take. A change from before the table was rebuilt (see
   * {@link #REBUILT_AFTER_LSN}) goes to the dead letters alone; any other parks the table.
   */
  private void refused(TableState state, ChangeEvent event, SchemaChangeException e) {
    long rebuiltAfter = lsnProperty(state.table, REBUILT_AFTER_LSN);
    if (event.lsn() >= 0 && event.lsn() <= rebuiltAfter) {
      deadLetter(
          state,
          event,
          "set aside: "
              + e.getMessage()
              + "; the change is from before the table was rebuilt (at or below LSN "
              + rebuiltAfter
              + ") and carries the schema of that time: the table's backfill holds the row's"
              + " later state");
      return;
    }
    park(state, e.getMessage(), event.lsn());
    deadLetter(state, event, state.blocked);
  }

  private static long lsnProperty(Table table, String property) {
    String value = table.properties().get(property);
    try {
      return value == null ? -1L : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return -1L;
    }
  }

  /** Parks a table: from now on its changes go to dead letters; the table's state says why. */
  private void park(TableState state, String reason, long lsn) {
    state.blocked = "blocked: " + reason;
    state.blockedLsn = lsn;
    LOG.error(
        "Table {} is parked, its changes go to dead letters until it is recovered (see the"
            + " runbook): {}",
        state.table.name(),
        reason);
    for (int attempt = 1; attempt <= 10; attempt++) {
      try {
        state.table.refresh();
        if (!state.blocked.equals(state.table.properties().get(TableManager.BLOCKED))) {
          state
              .table
              .updateProperties()
              .set(TableManager.BLOCKED, state.blocked)
              .set(BLOCKED_LSN, Long.toString(lsn))
              .commit();
        }
        return;
      } catch (org.apache.iceberg.exceptions.CommitFailedException e) {
        LOG.debug("Retrying to mark {} as blocked", state.table.name(), e);
      }
    }
    LOG.warn("Could not mark {} as blocked in its properties", state.table.name());
  }

  /**
   * Makes this writer agree with the catalog about the tables it parked or wrote since the last
   * barrier, one catalog read per such table (the table property {@link TableManager#BLOCKED} is
   * the parked state every writer and every restart reads):
   *
   * <ul>
   *   <li>a table another writer parked: this writer parks it too;
   *   <li>a parked table that was dropped: rebuilt with the source's current schema, still parked
   *       ({@link #REBUILT_PREFIX}), so that its backfill loads it while no writer writes it;
   *   <li>a parked table whose marker is gone (the backfill removes it when it commits, or an
   *       operator did): opened again with the next change, which is written as usual;
   *   <li>a table dropped or replaced while this writer wrote it: the files written since the last
   *       barrier belong to the old table and are dropped (the recovery's backfill loads their
   *       rows), and the table is opened again with the next change.
   * </ul>
   *
   * @return the tables to open again with their next change
   */
  private List<TableId> checkParking(long checkpointId) {
    List<TableId> reopen = new ArrayList<>();
    for (Map.Entry<TableId, TableState> entry : states.entrySet()) {
      TableId id = entry.getKey();
      TableState state = entry.getValue();
      boolean check = state.blocked != null || state.active;
      state.active = false;
      if (!check || state.appendOnly) {
        continue;
      }
      Table current;
      try {
        current = catalog.loadTable(TableNames.mirror(spec.namespace(), id));
      } catch (org.apache.iceberg.exceptions.NoSuchTableException e) {
        current = null;
      }
      boolean replaced = current == null || !current.uuid().equals(state.table.uuid());
      if (replaced) {
        discard(state);
      }
      String marker = current == null ? null : current.properties().get(TableManager.BLOCKED);
      if (current != null && marker == null && current.properties().containsKey(RESUMING)) {
        resumingSeen.putIfAbsent(id, checkpointId);
      }
      if (state.blocked == null) {
        if (replaced) {
          reopen.add(id);
        } else if (marker != null) {
          state.blocked = marker;
          state.blockedLsn = lsnProperty(current, BLOCKED_LSN);
          LOG.warn(
              "Table {} was parked by another writer, writer {} sends its changes to the dead"
                  + " letters too: {}",
              id,
              subtask,
              marker);
        }
        continue;
      }
      if (current == null) {
        if (state.lastSource == null
            || (state.blockedLsn >= 0 && state.lastSourceLsn < state.blockedLsn)) {
          // This writer has not seen the schema that parked the table: another one rebuilds it.
          continue;
        }
        current =
            tables.loadOrCreate(
                state.lastSource,
                rebuiltProperties(
                    state.blocked, state.blockedLsn, Math.max(state.blockedLsn, state.seenLsn)));
        marker = current.properties().get(TableManager.BLOCKED);
        LOG.warn(
            "Parked table {} was dropped: writer {} rebuilt it with the source's current schema;"
                + " its changes go to the dead letters until its backfill commits",
            current.name(),
            subtask);
      } else if (marker == null && replaced && current.currentSnapshot() == null) {
        // Created by a writer that did not know the table was parked: parked until backfilled.
        current =
            markRebuilt(
                current,
                rebuiltProperties(
                    state.blocked, state.blockedLsn, Math.max(state.blockedLsn, state.seenLsn)));
        marker = current.properties().get(TableManager.BLOCKED);
      }
      if (marker == null) {
        LOG.warn(
            "Table {} is no longer parked: writer {} writes its changes again from now on",
            current.name(),
            subtask);
        reopen.add(id);
        continue;
      }
      state.table = current;
      state.blocked = marker;
    }
    return reopen;
  }

  /**
   * Removes {@link #RESUMING} from the tables this writer saw it on at a barrier before the one of
   * the completed checkpoint: every writer has checked the table since the backfill committed.
   */
  private void confirmResumed(long completedCheckpoint) {
    java.util.Iterator<Map.Entry<TableId, Long>> it = resumingSeen.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<TableId, Long> entry = it.next();
      if (completedCheckpoint <= entry.getValue()) {
        continue;
      }
      it.remove();
      for (int attempt = 1; attempt <= 10; attempt++) {
        try {
          Table table = catalog.loadTable(TableNames.mirror(spec.namespace(), entry.getKey()));
          if (table.properties().containsKey(RESUMING)) {
            table.updateProperties().remove(RESUMING).commit();
            LOG.info(
                "Every writer writes {} again since checkpoint {}: removed {}",
                table.name(),
                completedCheckpoint,
                RESUMING);
          }
          break;
        } catch (org.apache.iceberg.exceptions.CommitFailedException e) {
          LOG.debug("Retrying to remove {} of {}", RESUMING, entry.getKey(), e);
        } catch (org.apache.iceberg.exceptions.NoSuchTableException e) {
          break;
        }
      }
    }
  }

  /** The properties of a table rebuilt for a parked one: still parked, and where it starts. */
  private static Map<String, String> rebuiltProperties(
      String blocked, long blockedLsn, long rebuiltAfterLsn) {
    String reason = blocked;
    if (reason.startsWith(REBUILT_PREFIX)) {
      reason = reason.substring(REBUILT_PREFIX.length());
    } else if (reason.startsWith("blocked: ")) {
      reason = reason.substring("blocked: ".length());
    }
    Map<String, String> properties = new HashMap<>();
    properties.put(TableManager.BLOCKED, REBUILT_PREFIX + reason);
    properties.put(BLOCKED_LSN, Long.toString(blockedLsn));
    properties.put(REBUILT_AFTER_LSN, Long.toString(rebuiltAfterLsn));
    return properties;
  }

  private static Table markRebuilt(Table table, Map<String, String> properties) {
    for (int attempt = 1; attempt <= 10; attempt++) {
      try {
        table.refresh();
        if (table.properties().get(TableManager.BLOCKED) != null
            || table.currentSnapshot() != null) {
          return table;
        }
        org.apache.iceberg.UpdateProperties update = table.updateProperties();
        properties.forEach(update::set);
        update.commit();
        table.refresh();
        return table;
      } catch (org.apache.iceberg.exceptions.CommitFailedException e) {
        LOG.debug("Retrying to mark {} as parked", table.name(), e);
      }
    }
    return table;
  }

  /**
   * Drops what this writer wrote to a mirror table since the last barrier: the table is gone. (Its
   * changelog table's rows stay: that table is another one.)
   */
  private void discard(TableState state) {
    long rows = state.rows + state.deletes;
    if (state.writer != null) {
      state.writer.complete();
      state.writer = null;
    }
    if (!state.done.isEmpty() || rows > 0) {
      LOG.warn(
          "Table {} was dropped or replaced: writer {} drops the {} changes it wrote to it since"
              + " the last checkpoint (the backfill of the table loads their rows)",
          state.identifier,
          subtask,
          rows);
    }
    state.done.clear();
    state.rows = 0;
    state.deletes = 0;
    state.maxLsn = -1;
    state.maxSourceTs = -1;
  }

  /**
   * A table parked at the restored checkpoint and dropped since is rebuilt parked (as in {@link
   * #checkParking}), so that no writer writes it before its backfill; otherwise loaded or created.
   */
  private Table loadParkedOrCreate(SourceTable source) {
    String record = restoredParked.remove(source.id());
    if (record == null) {
      return tables.loadOrCreate(source);
    }
    String[] parts = record.split("\t", 4);
    String uuid = parts[0];
    long blockedLsn = Long.parseLong(parts[1]);
    long seenLsn = Long.parseLong(parts[2]);
    Map<String, String> properties = rebuiltProperties(parts[3], blockedLsn, seenLsn);
    Table table = tables.loadOrCreate(source, properties);
    if (!table.uuid().toString().equals(uuid)
        && table.properties().get(TableManager.BLOCKED) == null
        && table.currentSnapshot() == null) {
      table = markRebuilt(table, properties);
    }
    return table;
  }

  /** The operator-state record of a parked table: uuid, parking LSN, highest LSN, reason. */
  private static String parkedRecord(TableState state) {
    return state.table.uuid()
        + "\t"
        + state.blockedLsn
        + "\t"
        + Math.max(state.blockedLsn, state.seenLsn)
        + "\t"
        + state.blocked;
  }

  /** The first decimal column holding NaN or ±Infinity ({@link SpecialDecimal}), or -1. */
  static int specialDecimal(ChangeEvent event) {
    for (int i : event.table().decimalIndexes()) {
      if (SpecialDecimal.name(event.value(i)) != null) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isKey(SourceTable source, int column) {
    for (int key : source.keyIndexes()) {
      if (key == column) {
        return true;
      }
    }
    return false;
  }

  private static Object[] withoutSpecialDecimals(ChangeEvent event) {
    Object[] values = event.values().clone();
    for (int i = 0; i < values.length; i++) {
      if (SpecialDecimal.name(values[i]) != null) {
        values[i] = null;
      }
    }
    return values;
  }

  static String unstorableReason(SourceTable source, int column, ChangeEvent event) {
    io.tributary.change.Column c = source.columns().get(column);
    return "column '"
        + c.name()
        + "' holds "
        + SpecialDecimal.name(event.value(column))
        + ", which the lake's decimal("
        + c.type().precision()
        + ", "
        + c.type().scale()
        + ") cannot hold: this change is not applied, the row keeps its previous version in the"
        + " lake; set a number or NULL at the source (the next change of the row applies as"
        + " usual)";
  }

  /**
   * Keeps the version of a row whose change went to dead letters as the row's stored version: the
   * source holds it, so the row's next update that leaves out unchanged values must take them from
   * it, not from the version before (which the lake keeps). The value the lake cannot store is kept
   * as null; the next change sends it again.
   */
  private void rememberDeadLettered(TableState state, ChangeEvent event) {
    if (state.stored == null
        || state.appendOnly
        || event.op() == ChangeEvent.Op.DELETE
        || isKey(event.table(), specialDecimal(event))) {
      return;
    }
    SourceTable source = event.table();
    if (state.sourceFingerprint != source.fingerprint() || state.mapper == null) {
      // A schema not applied yet to the table: the version cannot be mapped to its columns.
      LOG.warn(
          "Change of {} at LSN {} went to dead letters with a schema not applied yet: the next"
              + " update of its row that leaves out unchanged values takes them from the lake",
          source.id(),
          event.lsn());
      return;
    }
    Object[] values = withoutSpecialDecimals(event);
    boolean[] unchanged = new boolean[values.length];
    for (int i = 0; i < values.length; i++) {
      unchanged[i] = event.isUnchanged(i);
    }
    ChangeEvent storable =
        new ChangeEvent(
            source,
            event.op(),
            values,
            event.lsn(),
            event.sourceTsMicros(),
            unchanged,
            event.previousKey());
    Record record = state.mapper.toRecord(storable, now());
    if (storable.hasUnchanged()) {
      fillUnchanged(state, storable, record);
    }
    state.stored.deadLettered(record);
  }

  private void deadLetter(TableState state, ChangeEvent event, String reason) {
    state.deadLetters.add(io.tributary.deadletter.DeadLetters.line(event, reason));
    if (state.deadLetterCount == null) {
      // One counter per table for the operator's life: a table's state is opened again after a
      // recovery, and a metric group keeps the first counter of a name.
      state.deadLetterCount =
          deadLetterCounters.computeIfAbsent(
              event.table().id(),
              t ->
                  io.tributary.metrics.MetricNames.tableGroup(getMetricGroup(), t.qualified())
                      .counter(io.tributary.metrics.MetricNames.DEAD_LETTERS));
    }
    state.deadLetterCount.inc();
  }

  /**
   * Completes an update that left out unchanged (TOASTed) columns with the values of the stored
   * row; equality-delete upserts replace whole rows, so the old values must be written again.
   */
  private void fillUnchanged(TableState state, ChangeEvent event, Record record) {
    StoredRows.StoredRow stored = null;
    if (state.stored != null) {
      Record key = event.previousKey() == null ? record : previousKeyRecord(state, event);
      stored =
          event.previousKey() == null
              ? state.stored.findInMemory(key)
              : state.stored.findBeforeDeleteInMemory(key);
      if (stored == StoredRows.NOT_IN_MEMORY) {
        if (state.lookedUp == null) {
          // Read with the next batch of this table's changes (nothing of this one is written).
          throw new LookupNeeded(key);
        }
        RowKey rowKey = state.stored.keyOf(key);
        stored =
            state.lookedUp.containsKey(rowKey)
                ? state.lookedUp.get(rowKey)
                : event.previousKey() == null
                    ? state.stored.find(state.table, key)
                    : state.stored.findBeforeDelete(state.table, key);
      }
    }
    List<io.tributary.change.Column> columns = event.table().columns();
    for (int i = 0; i < columns.size(); i++) {
      if (event.isUnchanged(i)) {
        String name = state.mapper.targetName(i);
        record.setField(name, stored == null ? null : widen(record, name, stored.getField(name)));
      }
    }
    if (stored == null) {
      LOG.warn(
          "Update of {} at LSN {} left out unchanged columns, but no stored row of its key was"
              + " found: they are written as null",
          event.table().id(),
          event.lsn());
    }
  }

  /**
   * A record holding the key from before a key change (see {@link ChangeEvent#previousKey}), for
   * finding the row the change moved away from.
   */
  private Record previousKeyRecord(TableState state, ChangeEvent event) {
    SourceTable source = event.table();
    Object[] values = new Object[source.columns().size()];
    for (int k = 0; k < source.keySize(); k++) {
      values[source.keyIndex(k)] = event.previousKey()[k];
    }
    return state.mapper.toRecord(
        new ChangeEvent(source, ChangeEvent.Op.DELETE, values, event.lsn(), -1L), now());
  }

  /** A stored value in the type of the record's field (a column may have been widened since). */
  private static Object widen(Record record, String name, Object value) {
    org.apache.iceberg.types.Types.NestedField field = record.struct().field(name);
    if (value == null || field == null) {
      return value;
    }
    switch (field.type().typeId()) {
      case LONG:
        return ((Number) value).longValue();
      case DOUBLE:
        return ((Number) value).doubleValue();
      default:
        return value;
    }
  }

  private static void track(TableState state, ChangeEvent event) {
    if (event.lsn() > state.maxLsn) {
      state.maxLsn = event.lsn();
    }
    if (event.sourceTsMicros() > state.maxSourceTs) {
      state.maxSourceTs = event.sourceTsMicros();
    }
  }

  /** Appends the event as a row of the changelog table (deletes as their before-image). */
  private void appendChange(TableState log, ChangeEvent event, Record completed) {
    SourceTable source = event.table();
    if (log.sourceFingerprint != source.fingerprint() || log.mapper == null) {
      log.table = tables.ensureColumns(log.table, source, event.lsn());
      log.mapper =
          new RowMapper(
              source, log.table.schema(), TableManager.renamedColumns(log.table.properties()));
      log.sourceFingerprint = source.fingerprint();
    }
    if (log.writer == null || log.writer.schema().schemaId() != log.mapper.schema().schemaId()) {
      if (log.writer != null) {
        log.done.add(log.writer.complete());
      }
      log.writer =
          new DeltaWriter(log.table, log.mapper.schema(), log.deleteSpec, false, log.files);
    }
    Record row = log.mapper.toRecord(event, now());
    if (completed != null) {
      List<io.tributary.change.Column> columns = source.columns();
      for (int i = 0; i < columns.size(); i++) {
        if (event.isUnchanged(i)) {
          String name = log.mapper.targetName(i);
          row.setField(name, widen(row, name, completed.getField(name)));
        }
      }
    }
    log.writer.write(row);
    log.rows++;
    track(log, event);
  }

  private TableState openTable(SourceTable source) {
    if (spec.appendOnlyTables().contains(source.id())) {
      return openAppendOnly(source);
    }
    TableState state = new TableState();
    state.table = loadParkedOrCreate(source);
    state.identifier = TableNames.mirror(spec.namespace(), source.id()).toString();
    // After a restore, snapshot chunks that were being read at the checkpoint are read again and
    // some of their rows may already be committed: from then on snapshot rows are upserts too.
    state.initialLoad =
        !restored && runId.equals(state.table.properties().get(TableManager.INITIAL_LOAD_RUN));
    state.deleteSpec = deleteSpec(state.table);
    state.blocked = state.table.properties().get(TableManager.BLOCKED);
    state.blockedLsn = lsnProperty(state.table, BLOCKED_LSN);
    if (state.blocked != null) {
      LOG.warn("Table {} is parked: {}", state.table.name(), state.blocked);
    }
    state.files =
        OutputFileFactory.builderFor(state.table, subtask, ++fileCounter)
            .format(FileFormat.PARQUET)
            .operationId(UUID.randomUUID().toString())
            .build();
    List<String> keyNames = keyNames(state.table.schema());
    if (!keyNames.isEmpty()) {
      state.stored = new StoredRows(keyNames, runId, checkpoints, System::currentTimeMillis);
      Long flushedBefore = restoredFlushed.get(source.id());
      if (flushedBefore != null) {
        state.stored.requireCommitted(flushedBefore);
      }
    }
    if (spec.changelogTables().contains(source.id())) {
      TableState log = new TableState();
      log.table = tables.loadOrCreateChangelog(source);
      log.identifier = TableNames.changelog(spec.namespace(), source.id()).toString();
      log.deleteSpec = log.table.spec();
      log.files =
          OutputFileFactory.builderFor(log.table, subtask, ++fileCounter)
              .format(FileFormat.PARQUET)
              .operationId(UUID.randomUUID().toString())
              .build();
      state.changelog = log;
    }
    LOG.info(
        "Writer {} opened {} (initial load of this run: {}, deletes under spec {})",
        subtask,
        state.table.name(),
        state.initialLoad,
        state.deleteSpec.specId());
    return state;
  }

  /**
   * The names of a table's key (identifier) fields, ordered by field id: a rename of a key column
   * keeps the field and its place in this order, so the values of a row's key stay in the same
   * order (see {@link StoredRows#renameKeys}).
   */
  static List<String> keyNames(org.apache.iceberg.Schema schema) {
    List<Integer> ids = new ArrayList<>(schema.identifierFieldIds());
    java.util.Collections.sort(ids);
    List<String> names = new ArrayList<>();
    for (Integer id : ids) {
      names.add(schema.findColumnName(id));
    }
    return names;
  }

  /** An append-only table: its changelog table, written insert-only, and no mirror. */
  private TableState openAppendOnly(SourceTable source) {
    TableState state = new TableState();
    state.appendOnly = true;
    state.table = tables.loadOrCreateChangelog(source);
    state.identifier = TableNames.changelog(spec.namespace(), source.id()).toString();
    state.deleteSpec = state.table.spec();
    state.blocked = state.table.properties().get(TableManager.BLOCKED);
    state.files =
        OutputFileFactory.builderFor(state.table, subtask, ++fileCounter)
            .format(FileFormat.PARQUET)
            .operationId(UUID.randomUUID().toString())
            .build();
    LOG.info("Writer {} opened append-only table {}", subtask, state.table.name());
    return state;
  }

  /**
   * The spec for equality deletes: the table's when every partition source column is a key column
   * (the key then determines the partition), else the unpartitioned spec.
   */
  static PartitionSpec deleteSpec(Table table) {
    PartitionSpec spec = table.spec();
    if (spec.isUnpartitioned()) {
      return spec;
    }
    Set<Integer> keyIds = table.schema().identifierFieldIds();
    boolean keyDetermined = true;
    for (PartitionField field : spec.fields()) {
      keyDetermined &= keyIds.contains(field.sourceId());
    }
    if (keyDetermined) {
      return spec;
    }
    for (PartitionSpec candidate : table.specs().values()) {
      if (candidate.isUnpartitioned()) {
        return candidate;
      }
    }
    LOG.warn(
        "Table {} is partitioned on non-key columns and has no unpartitioned spec: an update that"
            + " moves a row to another partition can leave the old copy. Recreate the table with"
            + " Tributary or add the key to the partition spec.",
        table.name());
    return spec;
  }

  private OffsetDateTime now() {
    long millis = System.currentTimeMillis();
    if (millis != cachedMillis || cachedNow == null) {
      cachedMillis = millis;
      cachedNow = OffsetDateTime.ofInstant(java.time.Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }
    return cachedNow;
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    for (TableState state : states.values()) {
      if (state.lookups != null) {
        resolveLookups(state);
      }
    }
    List<TableId> reopen = checkParking(checkpointId);
    List<TableWrite> writes = new ArrayList<>();
    for (TableState state : states.values()) {
      if (state.stored != null) {
        state.stored.flushed(checkpointId);
      }
      flush(state, writes);
      if (!state.deadLetters.isEmpty()) {
        String path =
            io.tributary.deadletter.DeadLetters.pendingPath(
                spec.catalog().warehouse(),
                sourceOf(state),
                runId,
                startMillis,
                checkpointId,
                subtask);
        io.tributary.deadletter.DeadLetters.write(state.table.io(), path, state.deadLetters);
        LOG.info(
            "Wrote {} dead letters of {} for checkpoint {}",
            state.deadLetters.size(),
            state.table.name(),
            checkpointId);
        state.deadLetters.clear();
        pendingDeadLetters
            .computeIfAbsent(checkpointId, c -> new ArrayList<>())
            .add(sourceOf(state).qualified() + "\t" + path);
      }
      if (state.changelog != null) {
        flush(state.changelog, writes);
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

  private static void flush(TableState state, List<TableWrite> writes) {
    if (state.writer != null) {
      state.done.add(state.writer.complete());
      state.writer = null;
    }
    if (!state.done.isEmpty()) {
      writes.add(
          new TableWrite(
              state.identifier,
              state.done,
              state.rows,
              state.deletes,
              state.maxLsn,
              state.maxSourceTs,
              0,
              state.table.specs()));
      state.done.clear();
      state.rows = 0;
      state.deletes = 0;
      state.maxLsn = -1;
      state.maxSourceTs = -1;
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
    for (Map.Entry<TableId, TableState> entry : states.entrySet()) {
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
    List<String> deadLetterFiles = new ArrayList<>();
    for (Map.Entry<Long, List<String>> entry : pendingDeadLetters.entrySet()) {
      for (String file : entry.getValue()) {
        deadLetterFiles.add(entry.getKey() + "\t" + file);
      }
    }
    deadLetterState.update(deadLetterFiles);
    List<String> parked = new ArrayList<>();
    for (Map.Entry<TableId, TableState> entry : states.entrySet()) {
      TableState state = entry.getValue();
      if (state.blocked != null && !state.appendOnly) {
        parked.add(entry.getKey().qualified() + "\t" + parkedRecord(state));
      }
    }
    // Parked tables not opened since the restore stay parked.
    for (Map.Entry<TableId, String> entry : restoredParked.entrySet()) {
      if (!states.containsKey(entry.getKey())) {
        parked.add(entry.getKey().qualified() + "\t" + entry.getValue());
      }
    }
    parkedState.update(parked);
  }

  private TableId sourceOf(TableState state) {
    for (Map.Entry<TableId, TableState> entry : states.entrySet()) {
      if (entry.getValue() == state) {
        return entry.getKey();
      }
    }
    throw new IllegalStateException("Unknown table state of " + state.identifier);
  }

  @Override
  public void notifyCheckpointAborted(long checkpointId) throws Exception {
    super.notifyCheckpointAborted(checkpointId);
    if (checkpointId > lastCompletedCheckpoint && abortedCheckpoints != null) {
      abortedCheckpoints.add(checkpointId);
    }
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    super.notifyCheckpointComplete(checkpointId);
    if (checkpointId > lastCompletedCheckpoint) {
      lastCompletedCheckpoint = checkpointId;
      if (abortedCheckpoints != null) {
        abortedCheckpoints.headSet(checkpointId, true).clear();
      }
    }
    Map<Long, List<String>> done = pendingDeadLetters.headMap(checkpointId, true);
    for (List<String> files : done.values()) {
      for (String file : files) {
        String[] parts = file.split("\t", 2);
        publishDeadLetters(TableId.parse(parts[0]), parts[1]);
      }
    }
    done.clear();
    confirmResumed(checkpointId);
    for (TableState state : states.values()) {
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
      if (catalog != null) {
        CatalogSpec.closeQuietly(catalog);
      }
    }
  }
}
