package io.tributary.sink;

import io.tributary.change.ChangeEvent;
import io.tributary.change.SourceTable;
import io.tributary.change.TableId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parks the tables whose changes a writer cannot apply, and follows their recovery. A parked
 * table's changes go to the dead letters; the table property {@link TableManager#BLOCKED} is the
 * parked state every writer and every restart reads. A parked table that is dropped is rebuilt,
 * still parked, until its backfill removes the marker; the writers then write it again (see {@link
 * IcebergWriterOperator#RESUMING}).
 *
 * <p>Lives in one writer subtask, on the task's thread. Its operator state ({@link #snapshot})
 * holds the tables parked at a checkpoint, so that one dropped since is rebuilt parked after a
 * restore.
 */
final class TableParking {
  private static final Logger LOG = LoggerFactory.getLogger(TableParking.class);

  /** The parked-marker text of a table the writers rebuilt and that waits for its backfill. */
  static final String REBUILT_PREFIX = "blocked: rebuilt, waiting for its backfill; parked by: ";

  private final Catalog catalog;
  private final SinkSpec spec;
  private final TableManager tables;
  private final DeadLetterRouter deadLetters;
  private final int subtask;

  /** The restored parked tables not opened since, by table: see {@link #parkedRecord}. */
  private final Map<TableId, String> restoredParked;

  /** The tables this writer saw {@link IcebergWriterOperator#RESUMING} on, with the barrier. */
  private final Map<TableId, Long> resumingSeen = new HashMap<>();

  TableParking(
      Catalog catalog,
      SinkSpec spec,
      TableManager tables,
      DeadLetterRouter deadLetters,
      int subtask,
      Map<TableId, String> restoredParked) {
    this.catalog = catalog;
    this.spec = spec;
    this.tables = tables;
    this.deadLetters = deadLetters;
    this.subtask = subtask;
    this.restoredParked = restoredParked;
  }

  /** The restored operator state: the parked tables by table (see {@link #snapshot}). */
  static Map<TableId, String> restore(Iterable<String> entries) {
    Map<TableId, String> parked = new HashMap<>();
    for (String entry : entries) {
      int tab = entry.indexOf('\t');
      parked.put(TableId.parse(entry.substring(0, tab)), entry.substring(tab + 1));
    }
    return parked;
  }

  /** The operator state to keep: the parked tables of {@code states}, and the restored ones. */
  List<String> snapshot(Map<TableId, WriterTableState> states) {
    List<String> parked = new ArrayList<>();
    for (Map.Entry<TableId, WriterTableState> entry : states.entrySet()) {
      WriterTableState state = entry.getValue();
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
    return parked;
  }

  /**
   * A change whose schema the table cannot take. A change from before the table was rebuilt (see
   * {@link IcebergWriterOperator#REBUILT_AFTER_LSN}) goes to the dead letters alone; any other
   * parks the table.
   */
  void refused(WriterTableState state, ChangeEvent event, SchemaChangeException e) {
    long rebuiltAfter = lsnProperty(state.table, IcebergWriterOperator.REBUILT_AFTER_LSN);
    if (event.lsn() >= 0 && event.lsn() <= rebuiltAfter) {
      deadLetters.route(
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
    deadLetters.route(state, event, state.blocked);
  }

  /** A table property holding a source position, or -1. */
  static long lsnProperty(Table table, String property) {
    String value = table.properties().get(property);
    try {
      return value == null ? -1L : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return -1L;
    }
  }

  /** Parks a table: from now on its changes go to dead letters; the table's state says why. */
  private void park(WriterTableState state, String reason, long lsn) {
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
              .set(IcebergWriterOperator.BLOCKED_LSN, Long.toString(lsn))
              .commit();
        }
        return;
      } catch (CommitFailedException e) {
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
  List<TableId> check(Map<TableId, WriterTableState> states, long checkpointId) {
    List<TableId> reopen = new ArrayList<>();
    for (Map.Entry<TableId, WriterTableState> entry : states.entrySet()) {
      TableId id = entry.getKey();
      WriterTableState state = entry.getValue();
      boolean check = state.blocked != null || state.active;
      state.active = false;
      if (!check || state.appendOnly) {
        continue;
      }
      Table current;
      try {
        current = catalog.loadTable(TableNames.mirror(spec.namespace(), id));
      } catch (NoSuchTableException e) {
        current = null;
      }
      boolean replaced = current == null || !current.uuid().equals(state.table.uuid());
      if (replaced) {
        state.discard(subtask);
      }
      String marker = current == null ? null : current.properties().get(TableManager.BLOCKED);
      if (current != null
          && marker == null
          && current.properties().containsKey(IcebergWriterOperator.RESUMING)) {
        resumingSeen.putIfAbsent(id, checkpointId);
      }
      if (state.blocked == null) {
        if (replaced) {
          reopen.add(id);
        } else if (marker != null) {
          state.blocked = marker;
          state.blockedLsn = lsnProperty(current, IcebergWriterOperator.BLOCKED_LSN);
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
   * Removes {@link IcebergWriterOperator#RESUMING} from the tables this writer saw it on at a
   * barrier before the one of the completed checkpoint: every writer has checked the table since
   * the backfill committed.
   */
  void confirmResumed(long completedCheckpoint) {
    String resuming = IcebergWriterOperator.RESUMING;
    Iterator<Map.Entry<TableId, Long>> it = resumingSeen.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<TableId, Long> entry = it.next();
      if (completedCheckpoint <= entry.getValue()) {
        continue;
      }
      it.remove();
      for (int attempt = 1; attempt <= 10; attempt++) {
        try {
          Table table = catalog.loadTable(TableNames.mirror(spec.namespace(), entry.getKey()));
          if (table.properties().containsKey(resuming)) {
            table.updateProperties().remove(resuming).commit();
            LOG.info(
                "Every writer writes {} again since checkpoint {}: removed {}",
                table.name(),
                completedCheckpoint,
                resuming);
          }
          break;
        } catch (CommitFailedException e) {
          LOG.debug("Retrying to remove {} of {}", resuming, entry.getKey(), e);
        } catch (NoSuchTableException e) {
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
    properties.put(IcebergWriterOperator.BLOCKED_LSN, Long.toString(blockedLsn));
    properties.put(IcebergWriterOperator.REBUILT_AFTER_LSN, Long.toString(rebuiltAfterLsn));
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
        UpdateProperties update = table.updateProperties();
        properties.forEach(update::set);
        update.commit();
        table.refresh();
        return table;
      } catch (CommitFailedException e) {
        LOG.debug("Retrying to mark {} as parked", table.name(), e);
      }
    }
    return table;
  }

  /**
   * A table parked at the restored checkpoint and dropped since is rebuilt parked (as in {@link
   * #check}), so that no writer writes it before its backfill; otherwise loaded or created.
   */
  Table loadParkedOrCreate(SourceTable source, long schemaLsn) {
    String record = restoredParked.remove(source.id());
    if (record == null) {
      return tables.loadOrCreate(source, schemaLsn);
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
  private static String parkedRecord(WriterTableState state) {
    return state.table.uuid()
        + "\t"
        + state.blockedLsn
        + "\t"
        + Math.max(state.blockedLsn, state.seenLsn)
        + "\t"
        + state.blocked;
  }
}
