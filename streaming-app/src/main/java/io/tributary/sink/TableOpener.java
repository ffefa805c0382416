package io.tributary.sink;

import io.tributary.change.SourceTable;
import io.tributary.change.TableId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.OutputFileFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a table for a writer subtask when its first change arrives: loads or creates its lake table
 * (its changelog table too, when configured) and decides how its rows are written (initial load or
 * upserts, the spec of its deletes, whether it keeps stored rows, whether it is parked).
 */
final class TableOpener {
  private static final Logger LOG = LoggerFactory.getLogger(TableOpener.class);

  private final SinkSpec spec;
  private final TableManager tables;
  private final TableParking parking;
  private final boolean restored;
  private final String runId;
  private final int subtask;
  private final CommittedCheckpointWait.Checkpoints checkpoints;
  private final Map<TableId, Long> restoredFlushed;
  private long fileCounter;

  /**
   * @param restored whether the job was restored (snapshot rows are then upserts)
   * @param restoredFlushed per table, the checkpoint its stored rows were last flushed in before
   *     the restore
   */
  TableOpener(
      SinkSpec spec,
      TableManager tables,
      TableParking parking,
      boolean restored,
      String runId,
      int subtask,
      CommittedCheckpointWait.Checkpoints checkpoints,
      Map<TableId, Long> restoredFlushed) {
    this.spec = spec;
    this.tables = tables;
    this.parking = parking;
    this.restored = restored;
    this.runId = runId;
    this.subtask = subtask;
    this.checkpoints = checkpoints;
    this.restoredFlushed = restoredFlushed;
  }

  /**
   * The writer's state of a table it has not written since it started or reopened it; a table
   * created now records {@code schemaLsn} as the position of its schema (see {@link
   * TableManager#loadOrCreate(SourceTable, long)}).
   */
  WriterTableState open(SourceTable source, long schemaLsn) {
    if (spec.appendOnlyTables().contains(source.id())) {
      return openAppendOnly(source);
    }
    WriterTableState state = new WriterTableState();
    state.table = parking.loadParkedOrCreate(source, schemaLsn);
    state.identifier = TableNames.mirror(spec.namespace(), source.id()).toString();
    // After a restore, snapshot chunks that were being read at the checkpoint are read again and
    // some of their rows may already be committed: from then on snapshot rows are upserts too.
    state.initialLoad =
        !restored && runId.equals(state.table.properties().get(TableManager.INITIAL_LOAD_RUN));
    state.deleteSpec = WriterTableState.deleteSpec(state.table);
    state.blocked = state.table.properties().get(TableManager.BLOCKED);
    state.blockedLsn = TableParking.lsnProperty(state.table, IcebergWriterOperator.BLOCKED_LSN);
    if (state.blocked != null) {
      LOG.warn("Table {} is parked: {}", state.table.name(), state.blocked);
    }
    state.files = files(state.table);
    List<String> keyNames = WriterTableState.keyNames(state.table.schema());
    if (!keyNames.isEmpty()) {
      state.stored = new StoredRows(keyNames, runId, checkpoints, System::currentTimeMillis);
      Long flushedBefore = restoredFlushed.get(source.id());
      if (flushedBefore != null) {
        state.stored.requireCommitted(flushedBefore);
      }
    }
    if (spec.changelogTables().contains(source.id())) {
      WriterTableState log = new WriterTableState();
      log.table = tables.loadOrCreateChangelog(source);
      log.identifier = TableNames.changelog(spec.namespace(), source.id()).toString();
      log.deleteSpec = log.table.spec();
      log.files = files(log.table);
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

  /** An append-only table: its changelog table, written insert-only, and no mirror. */
  private WriterTableState openAppendOnly(SourceTable source) {
    WriterTableState state = new WriterTableState();
    state.appendOnly = true;
    state.table = tables.loadOrCreateChangelog(source);
    state.identifier = TableNames.changelog(spec.namespace(), source.id()).toString();
    state.deleteSpec = state.table.spec();
    state.blocked = state.table.properties().get(TableManager.BLOCKED);
    state.files = files(state.table);
    LOG.info("Writer {} opened append-only table {}", subtask, state.table.name());
    return state;
  }

  /** The factory of this subtask's data and delete files of a table, unique per opening. */
  private OutputFileFactory files(Table table) {
    return OutputFileFactory.builderFor(table, subtask, ++fileCounter)
        .format(FileFormat.PARQUET)
        .operationId(UUID.randomUUID().toString())
        .build();
  }
}
