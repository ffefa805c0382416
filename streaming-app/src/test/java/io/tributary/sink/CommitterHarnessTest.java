package io.tributary.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.catalog.CatalogSpec;
import io.tributary.change.ChangeEvent;
import io.tributary.change.Column;
import io.tributary.change.ColumnType;
import io.tributary.change.SourceTable;
import io.tributary.change.TableId;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.WriteResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committer operator in Flink's operator test harness, on a Hadoop catalog in a temporary
 * directory: snapshot and restore, replay of a committed checkpoint, a failure between two rounds
 * of a checkpoint, and checkpoints completed out of order, asserting the table's rows after each
 * step.
 */
class CommitterHarnessTest {
  private static final String TABLE = "shop.accounts";
  private static final TableId ID = new TableId("public", "accounts");
  private static final SourceTable SOURCE =
      new SourceTable(
          ID,
          List.of(
              new Column("id", ColumnType.of(ColumnType.Kind.LONG), false, "int8"),
              new Column("region", ColumnType.of(ColumnType.Kind.STRING), true, "text"),
              new Column("v", ColumnType.of(ColumnType.Kind.INT), true, "int4")),
          new int[] {0});
  private static final OffsetDateTime NOW =
      OffsetDateTime.of(2025, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  @TempDir Path warehouse;
  private SinkSpec spec;
  private Catalog catalog;
  private Table table;
  private int fileCounter;
  private final List<OneInputStreamOperatorTestHarness<WriteBatch, TableCommit>> harnesses =
      new ArrayList<>();

  @BeforeEach
  void catalog() {
    CatalogSpec catalogSpec =
        new CatalogSpec(
            Map.of("type", "hadoop", "warehouse", warehouse.toUri().toString()), Map.of());
    spec = new SinkSpec(catalogSpec, "shop", Map.of(), Set.of(), "run-1");
    catalog = catalogSpec.open();
    table = new TableManager(catalog, "shop", Map.of(), "run-1").loadOrCreate(SOURCE);
  }

  @AfterEach
  void close() throws Exception {
    TableCommitter.roundStaged = (name, round) -> {};
    for (OneInputStreamOperatorTestHarness<WriteBatch, TableCommit> harness : harnesses) {
      try {
        harness.close();
      } catch (Exception ignored) {
        // a harness whose operator failed
      }
    }
    CatalogSpec.closeQuietly(catalog);
  }

  private OneInputStreamOperatorTestHarness<WriteBatch, TableCommit> committer(
      OperatorSubtaskState restoreFrom, long restoredCheckpoint) throws Exception {
    OneInputStreamOperatorTestHarness<WriteBatch, TableCommit> harness =
        new OneInputStreamOperatorTestHarness<>(new IcebergCommitterOperator(spec), 1, 1, 0);
    harnesses.add(harness);
    if (restoreFrom != null) {
      harness.setRestoredCheckpointId(restoredCheckpoint);
      harness.initializeState(restoreFrom);
    }
    harness.open();
    return harness;
  }

  /** Sends a batch the way the writers do: through the stream's serializer. */
  private static void send(
      OneInputStreamOperatorTestHarness<WriteBatch, TableCommit> harness, WriteBatch batch)
      throws Exception {
    WriteBatchSerializer serializer = new WriteBatchSerializer();
    DataOutputSerializer out = new DataOutputSerializer(1024);
    serializer.serialize(batch, out);
    harness.processElement(
        new StreamRecord<>(
            serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()))));
  }

  /** One segment of rows {@code from..to} with value {@code v}, as upserts or plain inserts. */
  private WriteResult segment(long from, long to, int v, boolean upsert) {
    table.refresh();
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 0, ++fileCounter).format(FileFormat.PARQUET).build();
    DeltaWriter writer =
        new DeltaWriter(
            table, table.schema(), IcebergWriterOperator.deleteSpec(table), upsert, files);
    RowMapper mapper = new RowMapper(SOURCE, table.schema());
    for (long id = from; id <= to; id++) {
      ChangeEvent.Op op = upsert ? ChangeEvent.Op.UPDATE : ChangeEvent.Op.SNAPSHOT;
      writer.write(
          mapper.toRecord(
              new ChangeEvent(SOURCE, op, new Object[] {id, "US", v}, 100 + id, 1_000_000L), NOW));
    }
    return writer.complete();
  }

  private WriteBatch batch(long checkpoint, WriteResult... segments) {
    return new WriteBatch(
        checkpoint,
        0,
        List.of(new TableWrite(TABLE, List.of(segments), 0, 0, 100, 1_000_000L, 0, table.specs())));
  }

  /** The table's rows, id to v, failing on a key held twice. */
  private Map<Long, Integer> rows() throws IOException {
    Table fresh = catalog.loadTable(TableIdentifier.parse(TABLE));
    Map<Long, Integer> rows = new HashMap<>();
    List<Long> duplicates = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(fresh).build()) {
      for (Record r : records) {
        if (rows.put((Long) r.getField("id"), (Integer) r.getField("v")) != null) {
          duplicates.add((Long) r.getField("id"));
        }
      }
    }
    assertThat(duplicates).as("keys held more than once").isEmpty();
    return rows;
  }

  private List<String> committedCheckpoints() {
    Table fresh = catalog.loadTable(TableIdentifier.parse(TABLE));
    List<String> out = new ArrayList<>();
    for (Snapshot s : fresh.snapshots()) {
      out.add(
          s.summary().get(IcebergCommitterOperator.CHECKPOINT_ID)
              + "/"
              + s.summary().get(IcebergCommitterOperator.ROUND));
    }
    return out;
  }

  private static Map<Long, Integer> expected(long from, long to, int v) {
    Map<Long, Integer> rows = new HashMap<>();
    for (long id = from; id <= to; id++) {
      rows.put(id, v);
    }
    return rows;
  }

  @Test
  void pendingFilesOfASnapshotAreCommittedOnRestoreAndOnlyOnce() throws Exception {
    var first = committer(null, 0);
    send(first, batch(1, segment(1, 10, 0, false), segment(1, 5, 1, true)));
    OperatorSubtaskState state = first.snapshot(1, 1);
    // The job fails before checkpoint 1 is reported complete.
    first.close();
    assertThat(rows()).isEmpty();

    var second = committer(state, 1);
    Map<Long, Integer> want = expected(1, 10, 0);
    want.putAll(expected(1, 5, 1));
    assertThat(rows()).as("committed on restore").isEqualTo(want);
    second.notifyOfCompletedCheckpoint(1);
    assertThat(rows()).isEqualTo(want);

    send(second, batch(2, segment(6, 10, 2, true)));
    second.snapshot(2, 2);
    second.notifyOfCompletedCheckpoint(2);
    want.putAll(expected(6, 10, 2));
    assertThat(rows()).isEqualTo(want);
    assertThat(committedCheckpoints()).containsExactly("1/0", "1/1", "2/0");
  }

  @Test
  void aCheckpointReplayedAfterItsCommitIsNotCommittedAgain() throws Exception {
    var first = committer(null, 0);
    send(first, batch(1, segment(1, 10, 0, false), segment(1, 10, 1, true)));
    OperatorSubtaskState state = first.snapshot(1, 1);
    first.notifyOfCompletedCheckpoint(1);
    assertThat(rows()).isEqualTo(expected(1, 10, 1));
    List<String> before = committedCheckpoints();
    first.close();

    // Restored from checkpoint 1, whose state still holds its files: they are not committed again.
    var second = committer(state, 1);
    second.notifyOfCompletedCheckpoint(1);
    assertThat(rows()).isEqualTo(expected(1, 10, 1));
    assertThat(committedCheckpoints()).isEqualTo(before);
  }

  @Test
  void aFailureBetweenTwoRoundsLeavesNothingOfTheCheckpointVisible() throws Exception {
    var first = committer(null, 0);
    send(first, batch(1, segment(1, 10, 0, false)));
    first.snapshot(1, 1);
    first.notifyOfCompletedCheckpoint(1);
    assertThat(rows()).isEqualTo(expected(1, 10, 0));

    send(first, batch(2, segment(11, 20, 0, false), segment(1, 20, 2, true)));
    OperatorSubtaskState state = first.snapshot(2, 2);
    TableCommitter.roundStaged =
        (name, round) -> {
          if (round == 1) {
            throw new IllegalStateException("failure between rounds");
          }
        };
    assertThatThrownBy(() -> first.notifyOfCompletedCheckpoint(2))
        .hasMessageContaining("failure between rounds");
    assertThat(rows()).as("nothing of checkpoint 2").isEqualTo(expected(1, 10, 0));
    assertThat(committedCheckpoints()).containsExactly("1/0");

    TableCommitter.roundStaged = (name, round) -> {};
    var second = committer(state, 2);
    assertThat(rows()).as("all of checkpoint 2, once").isEqualTo(expected(1, 20, 2));
    second.notifyOfCompletedCheckpoint(2);
    assertThat(rows()).isEqualTo(expected(1, 20, 2));
    assertThat(committedCheckpoints()).containsExactly("1/0", "2/0", "2/1");
  }

  @Test
  void checkpointsCompletedOutOfOrderCommitInCheckpointOrder() throws Exception {
    var harness = committer(null, 0);
    send(harness, batch(2, segment(1, 10, 2, true)));
    harness.snapshot(2, 2);
    send(harness, batch(3, segment(1, 5, 3, true)));
    harness.snapshot(3, 3);

    harness.notifyOfCompletedCheckpoint(3);
    Map<Long, Integer> want = expected(1, 10, 2);
    want.putAll(expected(1, 5, 3));
    assertThat(rows()).isEqualTo(want);
    assertThat(committedCheckpoints()).containsExactly("2/0", "3/0");

    harness.notifyOfCompletedCheckpoint(2);
    assertThat(rows()).isEqualTo(want);
    assertThat(committedCheckpoints()).containsExactly("2/0", "3/0");
  }

  @Test
  void filesOfATableDroppedWhileTheJobRanAreListedAndTheTableReportedBlocked() throws Exception {
    SourceTable ordersSource =
        new SourceTable(new TableId("public", "orders"), SOURCE.columns(), new int[] {0});
    Table orders = new TableManager(catalog, "shop", Map.of(), "run-1").loadOrCreate(ordersSource);
    var harness = committer(null, 0);
    WriteResult accountRows = segment(1, 10, 0, false);
    Table accounts = table;
    table = orders;
    WriteResult orderRows = segment(1, 3, 7, false);
    table = accounts;
    harness.processElement(
        new StreamRecord<>(
            new WriteBatch(
                1,
                0,
                List.of(
                    new TableWrite(
                        TABLE, List.of(accountRows), 10, 0, 100, 1_000_000L, 0, accounts.specs()),
                    new TableWrite(
                        "shop.orders",
                        List.of(orderRows),
                        3,
                        0,
                        100,
                        1_000_000L,
                        0,
                        orders.specs())))));
    harness.snapshot(1, 1);
    catalog.dropTable(TableIdentifier.parse(TABLE), false);

    harness.notifyOfCompletedCheckpoint(1);

    Map<Long, Integer> orderRowsNow = new HashMap<>();
    try (CloseableIterable<Record> records =
        IcebergGenerics.read(catalog.loadTable(TableIdentifier.parse("shop.orders"))).build()) {
      records.forEach(r -> orderRowsNow.put((Long) r.getField("id"), (Integer) r.getField("v")));
    }
    assertThat(orderRowsNow).as("the other table commits").isEqualTo(expected(1, 3, 7));
    List<TableCommit> commits = harness.extractOutputValues();
    TableCommit gone =
        commits.stream().filter(c -> c.table().equals(TABLE)).findFirst().orElseThrow();
    String path =
        IcebergCommitterOperator.uncommittedPath(
            warehouse.toUri().toString(), TABLE, "run-1", 1, "");
    assertThat(gone.blockedReason())
        .contains("Table shop.accounts no longer exists")
        .contains("1 files of checkpoint 1 (10 rows")
        .contains(path.substring(0, path.length() - ".jsonl".length()))
        .contains("Recreate the table");
    assertThat(gone.snapshotId()).isEqualTo(-1);
    String listed = gone.blockedReason().replaceAll("(?s).*kept in (\\S+\\.jsonl)\\..*", "$1");
    List<String> lines = Files.readAllLines(Path.of(URI.create(listed)));
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).contains(accountRows.dataFiles()[0].location());
  }

  /** Holds committer state as the release that wrote the first state format left it. */
  private static final class FirstFormatState extends AbstractStreamOperator<TableCommit>
      implements OneInputStreamOperator<WriteBatch, TableCommit> {
    private final byte[] pending;
    private transient ListState<byte[]> pendingState;
    private transient ListState<String> runIdState;

    FirstFormatState(byte[] pending) {
      this.pending = pending;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
      super.initializeState(context);
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
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
      super.snapshotState(context);
      pendingState.update(List.of(pending));
      runIdState.update(List.of("run-1"));
    }

    @Override
    public void processElement(StreamRecord<WriteBatch> element) {}
  }

  @Test
  void aSavepointOfTheFirstStateFormatRestoresAndCommitsItsPendingFiles() throws Exception {
    byte[] fixture;
    try (InputStream in = getClass().getResourceAsStream(CommitterStateFixture.V1_RESOURCE)) {
      fixture = in.readAllBytes();
    }
    OneInputStreamOperatorTestHarness<WriteBatch, TableCommit> old =
        new OneInputStreamOperatorTestHarness<>(new FirstFormatState(fixture), 1, 1, 0);
    harnesses.add(old);
    old.open();
    OperatorSubtaskState savepoint = old.snapshot(CommitterStateFixture.CHECKPOINT, 1);
    Map<String, String> v2 = Map.of("format-version", "2");
    Table orders =
        catalog.createTable(
            TableIdentifier.parse("shop.orders"),
            CommitterStateFixture.SCHEMA,
            CommitterStateFixture.BY_REGION,
            v2);

    committer(savepoint, CommitterStateFixture.CHECKPOINT);

    WriteBatch expected = CommitterStateFixture.batch();
    table.refresh();
    orders.refresh();
    assertThat(committedFiles(table)).isEqualTo(filesOf(expected, TABLE));
    assertThat(committedFiles(orders)).isEqualTo(filesOf(expected, "shop.orders"));
    assertThat(committedCheckpoints())
        .containsExactly(
            CommitterStateFixture.CHECKPOINT + "/0", CommitterStateFixture.CHECKPOINT + "/1");
    assertThat(table.currentSnapshot().summary())
        .containsEntry(IcebergCommitterOperator.SESSION, CommitterStateFixture.SESSION);
  }

  /** The described data and delete files of a table's write in a batch. */
  private static Set<String> filesOf(WriteBatch batch, String name) {
    Set<String> files = new TreeSet<>();
    for (TableWrite write : batch.tables()) {
      if (write.table().equals(name)) {
        for (WriteResult segment : write.segments()) {
          for (DataFile f : segment.dataFiles()) {
            files.add(f.location() + " " + f.content() + " " + f.recordCount());
          }
          for (DeleteFile f : segment.deleteFiles()) {
            files.add(f.location() + " " + f.content() + " " + f.recordCount());
          }
        }
      }
    }
    return files;
  }

  /** The data and delete files the table's snapshots added, described like {@link #filesOf}. */
  private static Set<String> committedFiles(Table table) {
    Set<String> files = new TreeSet<>();
    for (Snapshot snapshot : table.snapshots()) {
      for (DataFile f : snapshot.addedDataFiles(table.io())) {
        files.add(f.location() + " " + f.content() + " " + f.recordCount());
      }
      for (DeleteFile f : snapshot.addedDeleteFiles(table.io())) {
        files.add(f.location() + " " + f.content() + " " + f.recordCount());
      }
    }
    return files;
  }
}
