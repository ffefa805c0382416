package io.tributary.sink;

import io.tributary.change.ChangeEvent;
import io.tributary.change.Column;
import io.tributary.change.SourceTable;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types.NestedField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes the updates that left out unchanged (TOASTed) values with the table's stored row (see
 * {@link StoredRows}), and batches the reads of stored rows that are not in memory: the first
 * change of a table whose stored row must be read from the table waits, with every later change of
 * that table (their order is kept), until {@link #BATCH} changes wait, a TRUNCATE of the table
 * comes, or the next checkpoint barrier; then one scan of the table reads every row they need
 * (which costs about what one key-filtered read costs) and the changes are applied in order.
 *
 * <p>Lives in one writer subtask, on the task's thread; holds no state across checkpoints.
 */
final class StoredRowLookups {
  private static final Logger LOG = LoggerFactory.getLogger(StoredRowLookups.class);

  /** The most changes of one table that wait for a batched read. */
  static final int BATCH = 50_000;

  /** The changes of one table that wait for a batched read of stored rows, and the keys to read. */
  static final class Pending {
    final List<ChangeEvent> events = new ArrayList<>();
    final List<Record> keys = new ArrayList<>();
  }

  /** Thrown by {@link #fillUnchanged} when a stored row must be read from the table. */
  static final class LookupNeeded extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Record key;

    LookupNeeded(Record key) {
      super(null, null, false, false);
      this.key = key;
    }
  }

  private final Supplier<OffsetDateTime> now;
  private final Consumer<ChangeEvent> process;

  /**
   * @param now the time written into the rows' ingestion column
   * @param process applies one change, as the writer does with a change that does not wait
   */
  StoredRowLookups(Supplier<OffsetDateTime> now, Consumer<ChangeEvent> process) {
    this.now = now;
    this.process = process;
  }

  /** Makes the change that needs the row read from the table the first one of a new batch. */
  void start(WriterTableState state, ChangeEvent event, LookupNeeded needed) {
    state.lookups = new Pending();
    state.lookups.events.add(event);
    state.lookups.keys.add(needed.key);
  }

  /** Queues a change behind the table's pending lookups, noting the stored row it will need. */
  void enqueue(WriterTableState state, ChangeEvent event) {
    state.lookups.events.add(event);
    if (event.hasUnchanged()
        && state.stored != null
        && state.mapper != null
        && state.sourceFingerprint == event.table().fingerprint()) {
      Record key =
          event.previousKey() == null
              ? state.mapper.toRecord(event, now.get())
              : previousKeyRecord(state, event);
      StoredRows.StoredRow held =
          event.previousKey() == null
              ? state.stored.findInMemory(key)
              : state.stored.findBeforeDeleteInMemory(key);
      if (held == StoredRows.NOT_IN_MEMORY) {
        state.lookups.keys.add(key);
      }
    }
    if (state.lookups.events.size() >= BATCH) {
      resolve(state);
    }
  }

  /** Reads the stored rows the table's waiting changes need in one scan, then applies them. */
  void resolve(WriterTableState state) {
    Pending pending = state.lookups;
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
        process.accept(event);
      }
    } finally {
      state.lookedUp = null;
    }
  }

  /**
   * Completes an update that left out unchanged (TOASTed) columns with the values of the stored
   * row; equality-delete upserts replace whole rows, so the old values must be written again.
   *
   * @throws LookupNeeded when the stored row is not in memory and was not read yet
   */
  void fillUnchanged(WriterTableState state, ChangeEvent event, Record record) {
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
    List<Column> columns = event.table().columns();
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
   * Keeps the version of a row whose change went to dead letters as the row's stored version: the
   * source holds it, so the row's next update that leaves out unchanged values must take them from
   * it, not from the version before (which the lake keeps). The value the lake cannot store is kept
   * as null; the next change sends it again.
   */
  void rememberDeadLettered(WriterTableState state, ChangeEvent event) {
    if (state.stored == null
        || state.appendOnly
        || event.op() == ChangeEvent.Op.DELETE
        || UnstorableValues.isKey(event.table(), UnstorableValues.specialDecimal(event))) {
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
    Object[] values = UnstorableValues.withoutSpecialDecimals(event);
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
    Record record = state.mapper.toRecord(storable, now.get());
    if (storable.hasUnchanged()) {
      fillUnchanged(state, storable, record);
    }
    state.stored.deadLettered(record);
  }

  /**
   * A record holding the key from before a key change (see {@link ChangeEvent#previousKey}), for
   * finding the row the change moved away from.
   */
  private Record previousKeyRecord(WriterTableState state, ChangeEvent event) {
    SourceTable source = event.table();
    Object[] values = new Object[source.columns().size()];
    for (int k = 0; k < source.keySize(); k++) {
      values[source.keyIndex(k)] = event.previousKey()[k];
    }
    return state.mapper.toRecord(
        new ChangeEvent(source, ChangeEvent.Op.DELETE, values, event.lsn(), -1L), now.get());
  }

  /** A stored value in the type of the record's field (a column may have been widened since). */
  static Object widen(Record record, String name, Object value) {
    NestedField field = record.struct().field(name);
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
}
