package io.tributary.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.change.ChangeEvent;
import io.tributary.change.Column;
import io.tributary.change.ColumnType;
import io.tributary.change.SourceTable;
import io.tributary.change.TableId;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.WriteResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The commit protocol at the level of files and snapshots, without Flink: segments of one
 * checkpoint committed in order as separate snapshots keep exactly one row per key, where one
 * combined commit (what a sink that commits all writers of a checkpoint together does) leaves
 * duplicates. Also: a replayed checkpoint is not committed twice, and an update that moves a row to
 * another partition leaves no copy behind.
 */
class OrderedCommitTest {
  private static final TableId ID = new TableId("public", "accounts");
  private static final SourceTable V1 =
      new SourceTable(
          ID,
          List.of(
              new Column("id", ColumnType.of(ColumnType.Kind.LONG), false, "int8"),
              new Column("region", ColumnType.of(ColumnType.Kind.STRING), true, "text"),
              new Column("v", ColumnType.of(ColumnType.Kind.INT), true, "int4")),
          new int[] {0});
  private static final SourceTable V2 =
      new SourceTable(
          ID,
          List.of(
              new Column("id", ColumnType.of(ColumnType.Kind.LONG), false, "int8"),
              new Column("region", ColumnType.of(ColumnType.Kind.STRING), true, "text"),
              new Column("v", ColumnType.of(ColumnType.Kind.INT), true, "int4"),
              new Column("extra", ColumnType.of(ColumnType.Kind.STRING), true, "text")),
          new int[] {0});
  private static final OffsetDateTime NOW =
      OffsetDateTime.of(2025, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  private InMemoryCatalog catalog;
  private int fileCounter;

  @BeforeEach
  void catalog() {
    catalog = new InMemoryCatalog();
    catalog.initialize("mem", Map.of(CatalogProperties.WAREHOUSE_LOCATION, "/mem/warehouse"));
  }

  private Table create(List<String> partitionTerms) {
    Map<TableId, List<String>> terms = new HashMap<>();
    if (!partitionTerms.isEmpty()) {
      terms.put(ID, partitionTerms);
    }
    return new TableManager(catalog, "shop", terms, "run-1").loadOrCreate(V1);
  }

  /** Writes events as one segment (snapshot rows insert-only, everything else upsert). */
  private WriteResult segment(
      Table table, SourceTable source, boolean upsert, List<ChangeEvent> events) {
    table.refresh();
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 0, ++fileCounter).format(FileFormat.PARQUET).build();
    DeltaWriter writer =
        new DeltaWriter(
            table, table.schema(), IcebergWriterOperator.deleteSpec(table), upsert, files);
    RowMapper mapper = new RowMapper(source, table.schema());
    for (ChangeEvent event : events) {
      Record record = mapper.toRecord(event, NOW);
      if (event.op() == ChangeEvent.Op.DELETE) {
        writer.delete(record);
      } else {
        writer.write(record);
      }
    }
    return writer.complete();
  }

  private static ChangeEvent event(
      SourceTable t, ChangeEvent.Op op, long id, String region, int v) {
    Object[] values = new Object[t.columns().size()];
    values[0] = id;
    values[1] = region;
    values[2] = v;
    if (values.length > 3) {
      values[3] = "x" + id;
    }
    return new ChangeEvent(t, op, values, 100 + id, 1_000_000L);
  }

  private static List<ChangeEvent> events(
      SourceTable t, ChangeEvent.Op op, long from, long to, String region, int v) {
    List<ChangeEvent> events = new ArrayList<>();
    for (long id = from; id <= to; id++) {
      events.add(event(t, op, id, region, v));
    }
    return events;
  }

  private static Map<Long, Integer> rows(Table table) throws IOException {
    table.refresh();
    Map<Long, Integer> rows = new HashMap<>();
    List<Long> duplicates = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      for (Record r : records) {
        if (rows.put((Long) r.getField("id"), (Integer) r.getField("v")) != null) {
          duplicates.add((Long) r.getField("id"));
        }
      }
    }
    assertThat(duplicates).as("keys held more than once").isEmpty();
    return rows;
  }

  private static TableWrite write(List<WriteResult> segments) {
    return new TableWrite("shop.accounts", segments, 0, 0, 200, 1_000_000L);
  }

  @Test
  void snapshotRowsAndTheirChangesInOneCheckpointEndAsOneRowPerKey() throws IOException {
    Table table = create(List.of());
    WriteResult snapshotRows =
        segment(table, V1, false, events(V1, ChangeEvent.Op.SNAPSHOT, 1, 1000, "US", 0));
    List<ChangeEvent> changes =
        new ArrayList<>(events(V1, ChangeEvent.Op.UPDATE, 1, 1000, "US", 1));
    changes.addAll(events(V1, ChangeEvent.Op.DELETE, 1, 100, "US", 1));
    WriteResult upserts = segment(table, V1, true, changes);

    new TableCommitter("run-1")
        .commit(
            table, "shop.accounts", "session-a", 1, List.of(write(List.of(snapshotRows, upserts))));

    Map<Long, Integer> rows = rows(table);
    assertThat(rows).hasSize(900).doesNotContainKey(50L);
    assertThat(rows.values()).containsOnly(1);
    assertThat(table.snapshots()).hasSize(2);
    assertThat(table.snapshots().iterator().next().summary())
        .doesNotContainKey("added-delete-files");
  }

  @Test
  void oneCombinedCommitOfBothSegmentsWouldLeaveDuplicates() throws IOException {
    Table table = create(List.of());
    WriteResult snapshotRows =
        segment(table, V1, false, events(V1, ChangeEvent.Op.SNAPSHOT, 1, 100, "US", 0));
    WriteResult upserts =
        segment(table, V1, true, events(V1, ChangeEvent.Op.UPDATE, 1, 100, "US", 1));
    RowDelta together = table.newRowDelta();
    for (WriteResult r : List.of(snapshotRows, upserts)) {
      Arrays.stream(r.dataFiles()).forEach(together::addRows);
      Arrays.stream(r.deleteFiles()).forEach(together::addDeletes);
    }
    together.commit();
    table.refresh();
    long live = 0;
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      for (Record ignored : records) {
        live++;
      }
    }
    // The equality deletes share the sequence number of the snapshot rows and miss them.
    assertThat(live).isEqualTo(200);
  }

  @Test
  void rowsBeforeAndAfterAnAddedColumnInOneCheckpoint() throws IOException {
    Table table = create(List.of());
    WriteResult before =
        segment(table, V1, true, events(V1, ChangeEvent.Op.INSERT, 1, 500, "US", 0));
    new TableManager(catalog, "shop", Map.of(), "run-1").ensureColumns(table, V2);
    List<ChangeEvent> after = new ArrayList<>(events(V2, ChangeEvent.Op.UPDATE, 1, 500, "US", 2));
    after.addAll(events(V2, ChangeEvent.Op.DELETE, 451, 500, "US", 2));
    WriteResult afterColumn = segment(table, V2, true, after);

    new TableCommitter("run-1")
        .commit(
            table, "shop.accounts", "session-a", 7, List.of(write(List.of(before, afterColumn))));

    Map<Long, Integer> rows = rows(table);
    assertThat(rows).hasSize(450);
    assertThat(rows.values()).containsOnly(2);
  }

  @Test
  void aReplayedCheckpointIsNotCommittedTwice() throws IOException {
    Table table = create(List.of());
    WriteResult inserts =
        segment(table, V1, true, events(V1, ChangeEvent.Op.INSERT, 1, 10, "US", 0));
    WriteResult updates =
        segment(table, V1, true, events(V1, ChangeEvent.Op.UPDATE, 1, 10, "US", 5));
    List<TableWrite> writes = List.of(write(List.of(inserts, updates)));
    new TableCommitter("run-1").commit(table, "shop.accounts", "session-a", 3, writes);
    int snapshots = sizeOf(table.snapshots());

    // A restored committer (same run, fresh memory) replays checkpoint 3: nothing is committed.
    table.refresh();
    new TableCommitter("run-1").commit(table, "shop.accounts", "session-a", 3, writes);
    table.refresh();
    assertThat(sizeOf(table.snapshots())).isEqualTo(snapshots);
    assertThat(rows(table)).hasSize(10);
  }

  @Test
  void anUpdateThatMovesARowToAnotherPartitionLeavesNoCopy() throws IOException {
    Table table = create(List.of("region"));
    assertThat(IcebergWriterOperator.deleteSpec(table).isUnpartitioned()).isTrue();
    WriteResult inserts =
        segment(table, V1, true, events(V1, ChangeEvent.Op.INSERT, 1, 300, "US", 0));
    new TableCommitter("run-1")
        .commit(table, "shop.accounts", "session-a", 1, List.of(write(List.of(inserts))));
    // The before-image of REPLICA IDENTITY DEFAULT carries only the key: the update knows only
    // the new partition.
    WriteResult moves =
        segment(table, V1, true, events(V1, ChangeEvent.Op.UPDATE, 1, 300, "EU", 1));
    new TableCommitter("run-1")
        .commit(table, "shop.accounts", "session-a", 2, List.of(write(List.of(moves))));

    Map<Long, Integer> rows = rows(table);
    assertThat(rows).hasSize(300);
    assertThat(rows.values()).containsOnly(1);
  }

  @Test
  void afterARestoreFromAnOlderCheckpointRepeatedCheckpointIdsStillCommit() throws IOException {
    Table table = create(List.of());
    for (int checkpoint = 1; checkpoint <= 3; checkpoint++) {
      WriteResult w =
          segment(
              table, V1, true, events(V1, ChangeEvent.Op.INSERT, checkpoint, checkpoint, "US", 0));
      new TableCommitter("run-1")
          .commit(table, "shop.accounts", "session-a", checkpoint, List.of(write(List.of(w))));
    }
    // Restored from checkpoint 1: the new session's checkpoints are numbered 2, 3, ... again.
    WriteResult again = segment(table, V1, true, events(V1, ChangeEvent.Op.UPDATE, 1, 1, "US", 9));
    new TableCommitter("run-1")
        .commit(table, "shop.accounts", "session-b", 2, List.of(write(List.of(again))));
    assertThat(rows(table)).containsEntry(1L, 9).hasSize(3);
  }

  @Test
  void aReplayedInsertOnlyCheckpointIsNotCommittedAgainWhenTheHistoryIsCut() throws IOException {
    Table table = create(List.of());
    WriteResult snapshotRows =
        segment(table, V1, false, events(V1, ChangeEvent.Op.SNAPSHOT, 1, 50, "US", 0));
    List<TableWrite> writes = List.of(write(List.of(snapshotRows)));
    new TableCommitter("run-1").commit(table, "shop.accounts", "session-a", 4, writes);
    long committed = table.currentSnapshot().snapshotId();
    // Another party appends rows, then maintenance expires the job's snapshot: the history walk
    // from the current snapshot ends at a missing parent.
    WriteResult other =
        segment(table, V1, false, events(V1, ChangeEvent.Op.SNAPSHOT, 100, 104, "US", 0));
    AppendFiles append = table.newFastAppend();
    Arrays.stream(other.dataFiles()).forEach(append::appendFile);
    append.commit();
    table.expireSnapshots().expireSnapshotId(committed).commit();
    table.refresh();
    assertThat(table.snapshot(committed)).isNull();

    // A restored committer replays checkpoint 4 of session-a: its files are live, so it is skipped.
    new TableCommitter("run-1").commit(table, "shop.accounts", "session-a", 4, writes);
    assertThat(rows(table)).hasSize(55);

    // Files that are not in the table are committed, also when the history is cut.
    WriteResult later =
        segment(table, V1, false, events(V1, ChangeEvent.Op.SNAPSHOT, 200, 209, "US", 0));
    new TableCommitter("run-1")
        .commit(table, "shop.accounts", "session-b", 1, List.of(write(List.of(later))));
    assertThat(rows(table)).hasSize(65);
  }

  @Test
  void aTruncateAndTheRoundsOfItsCheckpointCommitInOneTransaction() throws IOException {
    Table table = create(List.of());
    WriteResult first = segment(table, V1, true, events(V1, ChangeEvent.Op.INSERT, 1, 10, "US", 0));
    new TableCommitter("run-1")
        .commit(table, "shop.accounts", "session-a", 1, List.of(write(List.of(first))));
    int before = sizeOf(table.snapshots());
    // Checkpoint 2: rows before the TRUNCATE (source positions 111..122), then rows after it (350..
    // 355), partly in the same file as rows before it; the TRUNCATE is at position 300.
    WriteResult beforeTruncate =
        segment(table, V1, true, events(V1, ChangeEvent.Op.INSERT, 11, 20, "US", 0));
    List<ChangeEvent> mixed = new ArrayList<>(events(V1, ChangeEvent.Op.INSERT, 21, 22, "US", 0));
    mixed.addAll(events(V1, ChangeEvent.Op.INSERT, 250, 255, "US", 0));
    WriteResult mixedSegment = segment(table, V1, false, mixed);
    List<TableWrite> writes =
        List.of(
            new TableWrite(
                "shop.accounts",
                List.of(beforeTruncate, mixedSegment),
                18,
                0,
                355,
                1_000_000L,
                300));
    long parent = table.currentSnapshot().snapshotId();

    new TableCommitter("run-1").commit(table, "shop.accounts", "session-a", 2, writes);

    table.refresh();
    assertThat(rows(table).keySet()).containsExactlyInAnyOrder(250L, 251L, 252L, 253L, 254L, 255L);
    List<Snapshot> added = new ArrayList<>();
    for (Snapshot s = table.currentSnapshot(); s.snapshotId() != parent; ) {
      added.add(0, s);
      s = table.snapshot(s.parentId());
    }
    assertThat(added).hasSize(3);
    for (int i = 0; i < added.size(); i++) {
      assertThat(added.get(i).summary())
          .containsEntry(IcebergCommitterOperator.CHECKPOINT_ID, "2")
          .containsEntry(IcebergCommitterOperator.ROUND, Integer.toString(i))
          .containsEntry(TableCommitter.ROUNDS, "2");
      if (i > 0) {
        assertThat(added.get(i).sequenceNumber()).isGreaterThan(added.get(i - 1).sequenceNumber());
      }
    }
    assertThat(added.get(2).summary()).containsEntry(TableCommitter.TRUNCATE_LSN, "300");
    assertThat(sizeOf(table.snapshots())).isEqualTo(before + 3);

    // Replayed by a restored committer: nothing more is committed.
    new TableCommitter("run-1").commit(table, "shop.accounts", "session-a", 2, writes);
    table.refresh();
    assertThat(sizeOf(table.snapshots())).isEqualTo(before + 3);
    assertThat(rows(table)).hasSize(6);
  }

  @Test
  void aCheckpointThatAnEarlierReleaseCommittedInPartResumesAfterItsLastVisibleRound()
      throws IOException {
    Table table = create(List.of());
    WriteResult snapshotRows =
        segment(table, V1, false, events(V1, ChangeEvent.Op.SNAPSHOT, 1, 20, "US", 0));
    WriteResult upserts =
        segment(table, V1, true, events(V1, ChangeEvent.Op.UPDATE, 1, 20, "US", 3));
    // An earlier release committed round 0 of checkpoint 5 as a snapshot of its own (no number of
    // rounds in its summary), then failed before round 1.
    AppendFiles round0 = table.newFastAppend();
    Arrays.stream(snapshotRows.dataFiles()).forEach(round0::appendFile);
    round0.set(IcebergCommitterOperator.RUN_ID, "run-1");
    round0.set(IcebergCommitterOperator.SESSION, "session-a");
    round0.set(IcebergCommitterOperator.CHECKPOINT_ID, "5");
    round0.set(IcebergCommitterOperator.ROUND, "0");
    round0.commit();

    new TableCommitter("run-1")
        .commit(
            table, "shop.accounts", "session-a", 5, List.of(write(List.of(snapshotRows, upserts))));

    assertThat(rows(table)).hasSize(20);
    assertThat(rows(table).values()).containsOnly(3);
    assertThat(sizeOf(table.snapshots())).isEqualTo(2);
    assertThat(table.currentSnapshot().summary())
        .containsEntry(IcebergCommitterOperator.ROUND, "1")
        .containsEntry(TableCommitter.ROUNDS, "2");
  }

  private static int sizeOf(Iterable<?> items) {
    int n = 0;
    for (Object ignored : items) {
      n++;
    }
    return n;
  }
}
