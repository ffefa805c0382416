package io.tributary.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.CatalogSpec;
import io.tributary.change.ChangeEvent;
import io.tributary.change.Column;
import io.tributary.change.ColumnType;
import io.tributary.change.SourceTable;
import io.tributary.change.TableId;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer operator and the committer operator in Flink's operator test harnesses, on a Hadoop
 * catalog in a temporary directory, checkpoint by checkpoint, asserting the table's rows.
 */
class WriterHarnessTest {
  private static final String TABLE = "shop.accounts";
  private static final TableId ID = new TableId("public", "accounts");
  private static final Column KEY =
      new Column("id", ColumnType.of(ColumnType.Kind.LONG), false, "int8");
  private static final Column REGION =
      new Column("region", ColumnType.of(ColumnType.Kind.STRING), true, "text");
  private static final Column V = new Column("v", ColumnType.of(ColumnType.Kind.INT), true, "int4");
  private static final SourceTable SOURCE =
      new SourceTable(ID, List.of(KEY, REGION, V), new int[] {0});
  private static final SourceTable WITH_NOTE =
      new SourceTable(
          ID,
          List.of(
              KEY,
              REGION,
              V,
              new Column("note", ColumnType.of(ColumnType.Kind.STRING), true, "text")),
          new int[] {0});

  @TempDir Path warehouse;
  private Catalog catalog;
  private OneInputStreamOperatorTestHarness<ChangeEvent, WriteBatch> writer;
  private OneInputStreamOperatorTestHarness<WriteBatch, TableCommit> committer;
  private long lsn = 100;

  @BeforeEach
  void start() throws Exception {
    CatalogSpec catalogSpec =
        new CatalogSpec(
            Map.of("type", "hadoop", "warehouse", warehouse.toUri().toString()), Map.of());
    // Partitioned by the key: equality deletes are written under the table's own spec.
    SinkSpec spec = new SinkSpec(catalogSpec, "shop", Map.of(ID, List.of("id")), Set.of(), "run-1");
    catalog = catalogSpec.open();
    writer = new OneInputStreamOperatorTestHarness<>(new IcebergWriterOperator(spec), 1, 1, 0);
    writer.setup(new WriteBatchSerializer());
    writer.open();
    committer =
        new OneInputStreamOperatorTestHarness<>(new IcebergCommitterOperator(spec), 1, 1, 0);
    committer.open();
  }

  @AfterEach
  void stop() throws Exception {
    writer.close();
    committer.close();
    CatalogSpec.closeQuietly(catalog);
  }

  private void change(SourceTable source, ChangeEvent.Op op, Object... values) throws Exception {
    writer.processElement(new StreamRecord<>(new ChangeEvent(source, op, values, lsn++, 1_000L)));
  }

  /** One checkpoint: the writer's barrier, the committer's snapshot, and completion. */
  private void checkpoint(long id) throws Exception {
    writer.prepareSnapshotPreBarrier(id);
    writer.snapshot(id, id);
    for (WriteBatch batch : writer.extractOutputValues()) {
      committer.processElement(new StreamRecord<>(batch));
    }
    writer.getOutput().clear();
    committer.snapshot(id, id);
    committer.notifyOfCompletedCheckpoint(id);
    writer.notifyOfCompletedCheckpoint(id);
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

  /**
   * The partition spec changed while the job runs (here by an operator, to a non-key column): the
   * writer's equality deletes must follow the spec its data files are written with, or an update no
   * longer deletes the row version written under the new spec.
   */
  @Test
  void equalityDeletesFollowAPartitionSpecChangedWhileRunning() throws Exception {
    change(SOURCE, ChangeEvent.Op.SNAPSHOT, 1L, "US", 0);
    change(SOURCE, ChangeEvent.Op.SNAPSHOT, 2L, "EU", 0);
    checkpoint(1);
    assertThat(rows()).isEqualTo(Map.of(1L, 0, 2L, 0));

    Table table = catalog.loadTable(TableIdentifier.parse(TABLE));
    table.updateSpec().removeField("id").addField("region").commit();

    // A schema change makes the writer load the table again, with its new spec.
    change(WITH_NOTE, ChangeEvent.Op.UPDATE, 1L, "US", 1, "a");
    checkpoint(2);
    assertThat(rows()).isEqualTo(Map.of(1L, 1, 2L, 0));
    change(WITH_NOTE, ChangeEvent.Op.UPDATE, 1L, "US", 2, "b");
    change(WITH_NOTE, ChangeEvent.Op.UPDATE, 2L, "EU", 2, "c");
    checkpoint(3);
    assertThat(rows()).isEqualTo(Map.of(1L, 2, 2L, 2));
  }

  /** An update of key 1 that leaves out its region (an unchanged value stored out of line). */
  private void updateWithoutRegion(int v) throws Exception {
    writer.processElement(
        new StreamRecord<>(
            new ChangeEvent(
                SOURCE,
                ChangeEvent.Op.UPDATE,
                new Object[] {1L, null, v},
                lsn++,
                1_000L,
                new boolean[] {false, true, false})));
  }

  /** The writer's barrier and snapshot of a checkpoint, its files handed to the committer. */
  private void checkpointNotCompleted(long id) throws Exception {
    writer.prepareSnapshotPreBarrier(id);
    writer.snapshot(id, id);
    for (WriteBatch batch : writer.extractOutputValues()) {
      committer.processElement(new StreamRecord<>(batch));
    }
    writer.getOutput().clear();
    committer.snapshot(id, id);
  }

  private String region(long id) throws IOException {
    Table fresh = catalog.loadTable(TableIdentifier.parse(TABLE));
    try (CloseableIterable<Record> records = IcebergGenerics.read(fresh).build()) {
      for (Record r : records) {
        if (r.getField("id").equals(id)) {
          return (String) r.getField("region");
        }
      }
    }
    return null;
  }

  /**
   * A snapshot row is not kept in memory: an update that leaves out one of its values reads it from
   * the table once the table holds the row's checkpoint. When that checkpoint is aborted it never
   * will (its files go with the next checkpoint, which the writer cannot take while it waits): the
   * writer fails at once naming the checkpoint and the table, instead of blocking for minutes.
   */
  @Test
  @Timeout(60)
  void anUpdateNeedingRowsOfAnAbortedCheckpointFailsAtOnceNamingIt() throws Exception {
    change(SOURCE, ChangeEvent.Op.SNAPSHOT, 1L, "US", 0);
    checkpointNotCompleted(1);
    writer.getOperator().notifyCheckpointAborted(1);
    updateWithoutRegion(5);
    long started = System.nanoTime();
    Assertions.assertThatThrownBy(() -> writer.prepareSnapshotPreBarrier(2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Checkpoint 1 was aborted before table")
        .hasMessageContaining("shop.accounts")
        .hasMessageContaining("restarts from its last completed checkpoint");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
  }

  /**
   * The checkpoint of the row completes while the update waits for it (the notification reaches the
   * writer through its task's mailbox, behind the change being processed): the committer commits
   * it, and the update takes the value left out from the table.
   */
  @Test
  @Timeout(60)
  void anUpdateWaitsForACheckpointThatCompletesWhileItWaits() throws Exception {
    change(SOURCE, ChangeEvent.Op.SNAPSHOT, 1L, "US", 0);
    change(SOURCE, ChangeEvent.Op.SNAPSHOT, 2L, "EU", 0);
    checkpointNotCompleted(1);
    updateWithoutRegion(5);
    writer
        .getTaskMailbox()
        .put(
            new Mail(
                () -> {
                  committer.notifyOfCompletedCheckpoint(1);
                  writer.notifyOfCompletedCheckpoint(1);
                },
                TaskMailbox.MIN_PRIORITY,
                "checkpoint 1 completed"));
    checkpoint(2);
    assertThat(rows()).isEqualTo(Map.of(1L, 5, 2L, 0));
    assertThat(region(1)).isEqualTo("US");
  }

  private void event(ChangeEvent event) throws Exception {
    writer.processElement(new StreamRecord<>(event));
  }

  /**
   * A column added at the source while the initial snapshot runs: a split read after the {@code ADD
   * COLUMN} brings the column first, then the stream replays the changes from before it, which lack
   * the column. They are older than the schema the split was read at, not a drop: the column stays
   * live (it was once taken for dropped, so that the next change with it moved it aside and two
   * writers doing so at once stopped the job). A drop seen afterwards is still a drop.
   */
  @Test
  void aColumnASnapshotSplitSawIsNotDroppedByChangesStreamedFromBeforeIt() throws Exception {
    event(
        new ChangeEvent(SOURCE, ChangeEvent.Op.SNAPSHOT, new Object[] {1L, "US", 0}, -1L, -1L)
            .withSchemaLsn(100));
    event(
        new ChangeEvent(
                WITH_NOTE, ChangeEvent.Op.SNAPSHOT, new Object[] {2L, "EU", 0, "n"}, -1L, -1L)
            .withSchemaLsn(500));
    checkpoint(1);
    event(new ChangeEvent(SOURCE, ChangeEvent.Op.UPDATE, new Object[] {1L, "US", 1}, 200, 1L));
    event(
        new ChangeEvent(
            WITH_NOTE, ChangeEvent.Op.UPDATE, new Object[] {2L, "EU", 2, "m"}, 600, 1L));
    checkpoint(2);
    Table table = catalog.loadTable(TableIdentifier.parse(TABLE));
    assertThat(TableManager.droppedColumns(table.properties())).isEmpty();
    assertThat(table.schema().findField("note")).isNotNull();
    assertThat(table.schema().columns()).noneMatch(f -> f.name().startsWith("note__"));
    assertThat(rows()).isEqualTo(Map.of(1L, 1, 2L, 2));

    event(new ChangeEvent(SOURCE, ChangeEvent.Op.UPDATE, new Object[] {1L, "US", 3}, 700, 1L));
    checkpoint(3);
    table = catalog.loadTable(TableIdentifier.parse(TABLE));
    assertThat(TableManager.droppedColumns(table.properties()))
        .containsExactly(table.schema().findField("note").fieldId());
    assertThat(rows()).isEqualTo(Map.of(1L, 3, 2L, 2));
  }
}
