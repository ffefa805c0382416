package io.tributary.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The stored version of a row, for an update that leaves out columns it did not change (unchanged
 * TOASTed values). One writer subtask keeps, per table, the rows it wrote since the last checkpoint
 * known complete; older rows are read from the table once the committer has committed every
 * checkpoint whose rows were dropped from memory (so a read never misses a write of this subtask).
 *
 * <p>Only rows an update can need are kept: never rows of the initial snapshot, and no rows of a
 * table without a column that PostgreSQL can leave out of an update (a non-key column of a
 * variable-length type). A snapshot row is read back from the table: Flink CDC starts reading the
 * stream of a table only after a checkpoint that completed after its last snapshot row, so every
 * update of a snapshot row comes after that checkpoint; a lookup first waits until the table holds
 * every checkpoint in which this subtask wrote rows it did not keep. That wait needs the committer
 * to run in a task of its own (it is never chained to the writers). Memory is bounded by the rows
 * of the stream a subtask writes between two completed checkpoints.
 */
public final class StoredRows {
  private static final StoredRow DELETED = null;

  private final CommittedCheckpointWait commits;

  /**
   * Keep snapshot rows too, as releases before did: only the memory benchmark sets it, to measure
   * that behaviour as its reference in the same run (the pipeline runs in the benchmark's JVM).
   */
  private static volatile boolean keepSnapshotRows;

  /** See {@link #keepSnapshotRows}; for the memory benchmark only. */
  public static void keepSnapshotRowsForReference(boolean keep) {
    keepSnapshotRows = keep;
  }

  private List<String> keyNames;
  private Map<RowKey, StoredRow> current = new HashMap<>();
  private final NavigableMap<Long, Map<RowKey, StoredRow>> flushed = new TreeMap<>();

  /** The last version of rows deleted since the last checkpoint barrier (see {@link #deleted}). */
  private Map<RowKey, StoredRow> lastDeleted = new HashMap<>();

  /** The record type whose kept fields are {@link #keptNames} at {@link #keptPositions}. */
  private Types.StructType keptStruct;

  private String[] keptNames;
  private int[] keptPositions;
  private long lastFlushed = -1;
  private long required = -1;

  /** Whether a row was written and not kept since the last checkpoint barrier. */
  private boolean unkeptSinceFlush;

  /** The last checkpoint with rows written and not kept: a read waits for it to be committed. */
  private long unkeptFlushed = -1;

  /** Rows written, and of those kept in memory (for the benchmark and the log). */
  private long writtenRows;

  private long keptRows;

  /**
   * @param keyNames the Iceberg names of the key columns
   * @param runId the run whose commits count (see {@link IcebergCommitterOperator#RUN_ID})
   */
  StoredRows(List<String> keyNames, String runId) {
    this(keyNames, runId, CommittedCheckpointWait.ALL_COMPLETED, System::currentTimeMillis);
  }

  /**
   * @param checkpoints what the writer is told about checkpoints while a read waits
   * @param clock the time in milliseconds, for the waits' bounds
   */
  StoredRows(
      List<String> keyNames,
      String runId,
      CommittedCheckpointWait.Checkpoints checkpoints,
      LongSupplier clock) {
    this.keyNames = keyNames;
    this.commits = new CommittedCheckpointWait(runId, checkpoints, clock);
  }

  /** The Iceberg names of the key columns, in the order of the key values of {@link RowKey}. */
  List<String> keyNames() {
    return keyNames;
  }

  /**
   * Follows a rename of key columns (same fields, in the same order, under new names): rows kept so
   * far stay under their keys, whose values do not change with a rename.
   */
  void renameKeys(List<String> names) {
    if (names.size() != keyNames.size()) {
      throw new IllegalArgumentException("Key " + keyNames + " cannot be renamed to " + names);
    }
    keyNames = List.copyOf(names);
    // The kept (non-key) columns are looked up by name again with the next row.
    keptStruct = null;
  }

  /**
   * Versions of rows whose change went to dead letters: the source holds them, the lake keeps the
   * version before. Kept until the key is written or deleted again, so that the next update takes
   * its unchanged values from them (neither from the version before, nor from the lake).
   */
  private final Map<RowKey, StoredRow> deadLettered = new HashMap<>();

  /** Remembers the newest version of a row written by this subtask. */
  void written(Record row) {
    written(row, true);
  }

  /**
   * Remembers the newest version of a row written by this subtask.
   *
   * @param mayBeNeeded false for a row of the initial snapshot, which is never kept (see the class
   *     comment)
   */
  void written(Record row, boolean mayBeNeeded) {
    writtenRows++;
    StoredRow version = mayBeNeeded || keepSnapshotRows ? compact(row) : null;
    if (version == null || version.isEmpty()) {
      unkeptSinceFlush = true;
      if (holdsRows()) {
        // An older version in memory would now be stale.
        RowKey key = key(row);
        current.remove(key);
        for (Map<RowKey, StoredRow> rows : flushed.values()) {
          rows.remove(key);
        }
        deadLettered.remove(key);
      }
      return;
    }
    keptRows++;
    RowKey key = key(row);
    current.put(key, version);
    if (!deadLettered.isEmpty()) {
      deadLettered.remove(key);
    }
  }

  /**
   * Whether any version is held in memory. Checkpoints of rows not kept leave empty maps behind, so
   * a snapshot (never kept) does not compute keys to remove from memory that holds nothing.
   */
  private boolean holdsRows() {
    if (!current.isEmpty() || !deadLettered.isEmpty()) {
      return true;
    }
    for (Map<RowKey, StoredRow> rows : flushed.values()) {
      if (!rows.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** Rows written since this table was opened by this subtask. */
  long writtenRows() {
    return writtenRows;
  }

  /** Of {@link #writtenRows}, those kept in memory until their checkpoint completed. */
  long keptRows() {
    return keptRows;
  }

  /** The rows held in memory now (kept versions and deletes), for the benchmark. */
  long rowsInMemory() {
    long n = current.size() + deadLettered.size() + lastDeleted.size();
    for (Map<RowKey, StoredRow> rows : flushed.values()) {
      n += rows.size();
    }
    return n;
  }

  /**
   * Remembers the version of a row whose change went to dead letters (complete but for the values
   * the lake cannot store): it is the row's newest version at the source, although not in the lake.
   */
  void deadLettered(Record row) {
    RowKey key = key(row);
    StoredRow version = compact(row);
    current.put(key, version);
    deadLettered.put(key, version);
  }

  /** The number of dead-lettered versions kept (see {@link #deadLettered}). */
  int deadLetteredRows() {
    return deadLettered.size();
  }

  /**
   * Remembers that the row with this key was deleted. The last version known in memory is kept
   * aside for {@link #findBeforeDelete}: an update that changes the key arrives as a delete of the
   * old key and an insert of the new one, whose unchanged values come from the deleted row.
   */
  void deleted(Record keyRow) {
    RowKey key = key(keyRow);
    StoredRow last = inMemory(key);
    if (last == null) {
      last = deadLettered.get(key);
    }
    current.put(key, DELETED);
    deadLettered.remove(key);
    if (last != null) {
      lastDeleted.put(key, last);
    } else {
      lastDeleted.remove(key);
    }
  }

  /** The newest version held in memory (null when deleted or not held). */
  private StoredRow inMemory(RowKey key) {
    if (current.containsKey(key)) {
      return current.get(key);
    }
    for (Map<RowKey, StoredRow> rows : flushed.descendingMap().values()) {
      if (rows.containsKey(key)) {
        return rows.get(key);
      }
    }
    return null;
  }

  /**
   * The last version of the row with the key of {@code keyRow} before it was deleted: the row a key
   * change moved away from this key. Looks in memory, then in the table (which keeps the row until
   * the delete is committed).
   */
  StoredRow findBeforeDelete(Table table, Record keyRow) {
    StoredRow held = findBeforeDeleteInMemory(keyRow);
    return held != NOT_IN_MEMORY ? held : read(table, keyRow, key(keyRow));
  }

  /** The rows written so far were sent to the committer with this checkpoint. */
  void flushed(long checkpointId) {
    // A key change's delete and insert arrive between the same two barriers.
    lastDeleted = new HashMap<>();
    if (!current.isEmpty() || unkeptSinceFlush) {
      flushed.put(checkpointId, current);
      current = new HashMap<>();
      lastFlushed = checkpointId;
    }
    if (unkeptSinceFlush) {
      unkeptFlushed = checkpointId;
      unkeptSinceFlush = false;
    }
  }

  /** The last checkpoint with rows of this table from this subtask, or -1. */
  long lastFlushed() {
    return lastFlushed;
  }

  /** Checkpoint {@code checkpointId} is complete: its rows are (being) committed to the table. */
  void completed(long checkpointId) {
    Map<Long, Map<RowKey, StoredRow>> done = flushed.headMap(checkpointId, true);
    for (Long id : done.keySet()) {
      required = Math.max(required, id);
    }
    done.clear();
  }

  /** After a restore: the table must hold this checkpoint before it is read. */
  void requireCommitted(long checkpointId) {
    required = Math.max(required, checkpointId);
    lastFlushed = Math.max(lastFlushed, checkpointId);
  }

  /** What {@link #findInMemory} returns for a key this subtask holds nothing about. */
  static final StoredRow NOT_IN_MEMORY = new StoredRow(new String[0], new Object[0]);

  /**
   * The stored version of the row with the key of {@code keyRow} held in memory: the version, null
   * when the row was deleted, or {@link #NOT_IN_MEMORY} when it must be read from the table.
   */
  StoredRow findInMemory(Record keyRow) {
    RowKey key = key(keyRow);
    if (current.containsKey(key)) {
      return current.get(key);
    }
    for (Map<RowKey, StoredRow> rows : flushed.descendingMap().values()) {
      if (rows.containsKey(key)) {
        return rows.get(key);
      }
    }
    if (deadLettered.containsKey(key)) {
      return deadLettered.get(key);
    }
    return NOT_IN_MEMORY;
  }

  /** Like {@link #findBeforeDelete}, from memory only; {@link #NOT_IN_MEMORY} when not held. */
  StoredRow findBeforeDeleteInMemory(Record keyRow) {
    RowKey key = key(keyRow);
    StoredRow last = lastDeleted.get(key);
    if (last != null) {
      return last;
    }
    StoredRow live = inMemory(key);
    if (live == null) {
      live = deadLettered.get(key);
    }
    return live != null ? live : NOT_IN_MEMORY;
  }

  /** The key of a row, as the results of {@link #readMany} are keyed. */
  RowKey keyOf(Record row) {
    return key(row);
  }

  /**
   * Reads the stored versions of many rows from the table in one scan (after the table holds every
   * checkpoint this subtask no longer keeps in memory): the rows found, by key, and null for a key
   * without a row in the table. The scan reads only the key and the columns an update can leave
   * out, and skips data files by the range of the first key column.
   */
  Map<RowKey, StoredRow> readMany(Table table, Collection<Record> keyRows) {
    Map<RowKey, StoredRow> found = new HashMap<>();
    if (keyRows.isEmpty()) {
      return found;
    }
    awaitCommitted(table);
    Set<RowKey> wanted = new HashSet<>();
    Set<Object> firstValues = new HashSet<>();
    String first = keyNames.get(0);
    for (Record keyRow : keyRows) {
      wanted.add(key(keyRow));
      firstValues.add(literal(keyRow.getField(first)));
    }
    Expression filter = Expressions.in(first, firstValues);
    Object low = null;
    Object high = null;
    for (Object value : firstValues) {
      if (!(value instanceof Comparable)) {
        low = null;
        high = null;
        break;
      }
      if (low == null || compare(value, low) < 0) {
        low = value;
      }
      if (high == null || compare(value, high) > 0) {
        high = value;
      }
    }
    if (low != null && firstValues.size() > 1) {
      // Iceberg does not skip files by an IN list of more than 200 values; a range it does.
      filter =
          Expressions.and(
              Expressions.and(
                  Expressions.greaterThanOrEqual(first, low),
                  Expressions.lessThanOrEqual(first, high)),
              filter);
    }
    List<String> columns = new ArrayList<>(keyNames);
    for (Types.NestedField field : table.schema().columns()) {
      if (mayBeLeftOut(field.type()) && !keyNames.contains(field.name())) {
        columns.add(field.name());
      }
    }
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(table).where(filter).select(columns).build()) {
      for (Record row : rows) {
        RowKey key = key(row);
        if (wanted.contains(key)) {
          found.put(key, compact(row));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to read stored rows from " + table.name(), e);
    }
    for (RowKey key : wanted) {
      found.putIfAbsent(key, null);
    }
    return found;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compare(Object a, Object b) {
    return ((Comparable) a).compareTo(b);
  }

  /** The stored version of the row with the key of {@code keyRow}, or null when there is none. */
  StoredRow find(Table table, Record keyRow) {
    StoredRow held = findInMemory(keyRow);
    return held != NOT_IN_MEMORY ? held : read(table, keyRow, key(keyRow));
  }

  private StoredRow read(Table table, Record keyRow, RowKey key) {
    awaitCommitted(table);
    Expression filter = Expressions.alwaysTrue();
    for (String name : keyNames) {
      filter = Expressions.and(filter, Expressions.equal(name, literal(keyRow.getField(name))));
    }
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table).where(filter).build()) {
      Iterator<Record> it = rows.iterator();
      while (it.hasNext()) {
        Record row = it.next();
        if (key(row).equals(key)) {
          return compact(row);
        }
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to read the stored row from " + table.name(), e);
    }
  }

  /** Waits until the table holds the checkpoints whose rows this subtask no longer keeps. */
  private void awaitCommitted(Table table) {
    // Rows not kept in memory are read from the table once their checkpoint is committed, even if
    // this subtask has not yet been told that the checkpoint completed.
    long needed = Math.max(required, unkeptFlushed);
    if (needed < 0) {
      return;
    }
    commits.await(table, needed);
    required = Math.max(required, needed);
  }

  private static Object literal(Object value) {
    // Iceberg literals take dates and timestamps as ISO text.
    return value instanceof Temporal ? value.toString() : value;
  }

  /**
   * The values of a row that an update can leave out: PostgreSQL leaves out only values it stores
   * out of line (TOAST), which only variable-length types have. Values of fixed-width types
   * (numbers, booleans, dates and times) are not kept, so a stored row holds far fewer objects than
   * the written record, which the garbage collector would otherwise copy until the row's checkpoint
   * completes.
   */
  private StoredRow compact(Record row) {
    Types.StructType struct = row.struct();
    if (struct != keptStruct) {
      List<Types.NestedField> fields = struct.fields();
      int kept = 0;
      for (Types.NestedField field : fields) {
        if (mayBeLeftOut(field.type()) && !keyNames.contains(field.name())) {
          kept++;
        }
      }
      keptNames = new String[kept];
      keptPositions = new int[kept];
      kept = 0;
      for (int i = 0; i < fields.size(); i++) {
        if (mayBeLeftOut(fields.get(i).type()) && !keyNames.contains(fields.get(i).name())) {
          keptNames[kept] = fields.get(i).name();
          keptPositions[kept] = i;
          kept++;
        }
      }
      keptStruct = struct;
    }
    Object[] values = new Object[keptPositions.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.get(keptPositions[i], Object.class);
    }
    return new StoredRow(keptNames, values);
  }

  /** Whether a column of this type can hold a value that PostgreSQL stores out of line. */
  static boolean mayBeLeftOut(Type type) {
    switch (type.typeId()) {
      case BOOLEAN:
      case INTEGER:
      case LONG:
      case FLOAT:
      case DOUBLE:
      case DATE:
      case TIME:
      case TIMESTAMP:
      case TIMESTAMP_NANO:
        return false;
      default:
        return true;
    }
  }

  /** The kept values of a stored row, by column name. */
  static final class StoredRow {
    private final String[] names;
    private final Object[] values;

    StoredRow(String[] names, Object[] values) {
      this.names = names;
      this.values = values;
    }

    /** Whether no value is kept: the table has no column an update can leave out. */
    boolean isEmpty() {
      return names.length == 0;
    }

    /** The value of the named column, or null when it is null or not kept. */
    Object getField(String name) {
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(name)) {
          return values[i];
        }
      }
      return null;
    }
  }

  private RowKey key(Record row) {
    Object[] values = new Object[keyNames.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = Objects.requireNonNull(row.getField(keyNames.get(i)), "key value");
    }
    return new RowKey(values);
  }
}
