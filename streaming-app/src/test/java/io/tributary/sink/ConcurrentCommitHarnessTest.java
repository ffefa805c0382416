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
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
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
 * The committer operator with several commit threads, in Flink's operator test harness on a Hadoop
 * catalog: checkpoints that touch many tables, each with two rounds, committed by several threads
 * at once. Asserts each table's snapshots (checkpoint and round, in order, each once) and rows,
 * also when one table's commit fails while the others commit and the job is restored.
 */
class ConcurrentCommitHarnessTest {
  private static final int TABLES = 12;
  private static final int THREADS = 4;
  private static final OffsetDateTime NOW =
      OffsetDateTime.of(2025, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  @TempDir Path warehouse;
  private SinkSpec spec;
  private Catalog catalog;
  private final Map<String, Table> tables = new HashMap<>();
  private final Map<String, SourceTable> sources = new HashMap<>();
  private int fileCounter;
  private final List<OneInputStreamOperatorTestHarness<WriteBatch, TableCommit>> harnesses =
      new ArrayList<>();

  @BeforeEach
  void catalog() {
    CatalogSpec catalogSpec =
        new CatalogSpec(
            Map.of("type", "hadoop", "warehouse", warehouse.toUri().toString()), Map.of());
    spec =
        new SinkSpec(catalogSpec, "shop", Map.of(), Set.of(), "run-1").withCommitThreads(THREADS);
    catalog = catalogSpec.open();
    TableManager manager = new TableManager(catalog, "shop", Map.of(), "run-1");
    for (int i = 0; i < TABLES; i++) {
      SourceTable source =
          new SourceTable(
              new TableId("public", "t" + i),
              List.of(
                  new Column("id", ColumnType.of(ColumnType.Kind.LONG), false, "int8"),
                  new Column("v", ColumnType.of(ColumnType.Kind.INT), true, "int4")),
              new int[] {0});
      String name = "shop.t" + i;
      sources.put(name, source);
      tables.put(name, manager.loadOrCreate(source));
    }
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

  private static String name(int i) {
    return "shop.t" + i;
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

  /**
   * One segment of rows {@code from..to} of a table with value {@code v}, as upserts or inserts.
   */
  private WriteResult segment(String name, long from, long to, int v, boolean upsert) {
    Table table = tables.get(name);
    table.refresh();
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 0, ++fileCounter).format(FileFormat.PARQUET).build();
    DeltaWriter writer =
        new DeltaWriter(
            table, table.schema(), IcebergWriterOperator.deleteSpec(table), upsert, files);
    SourceTable source = sources.get(name);
    RowMapper mapper = new RowMapper(source, table.schema());
    for (long id = from; id <= to; id++) {
      ChangeEvent.Op op = upsert ? ChangeEvent.Op.UPDATE : ChangeEvent.Op.SNAPSHOT;
      writer.write(
          mapper.toRecord(
              new ChangeEvent(source, op, new Object[] {id, v}, 100 + id, 1_000_000L), NOW));
    }
    return writer.complete();
  }

  /**
   * The batch of checkpoint {@code c} for every table, in two rounds: rows {@code 1..10c} inserted
   * with value 0, then rows {@code 1..5c} updated to value {@code c} (so only round order gives one
   * row per key with the right value).
   */
  private WriteBatch checkpoint(long c) {
    List<TableWrite> writes = new ArrayList<>();
    for (int i = 0; i < TABLES; i++) {
      String name = name(i);
      long base = (c - 1) * 10;
      writes.add(
          new TableWrite(
              name,
              List.of(
                  segment(name, base + 1, base + 10, 0, false),
                  segment(name, 1, 5 * c, (int) c, true)),
              0,
              0,
              100,
              1_000_000L,
              0,
              tables.get(name).specs()));
    }
    return new WriteBatch(c, 0, writes);
  }

  /** The rows after checkpoints {@code 1..c}. */
  private static Map<Long, Integer> expected(long c) {
    Map<Long, Integer> rows = new HashMap<>();
    for (long id = 1; id <= 10 * c; id++) {
      rows.put(id, 0);
    }
    for (long k = 1; k <= c; k++) {
      for (long id = 1; id <= 5 * k; id++) {
        rows.put(id, (int) k);
      }
    }
    return rows;
  }

  /** The table's rows, id to v, failing on a key held twice. */
  private Map<Long, Integer> rows(String name) throws IOException {
    Table fresh = catalog.loadTable(TableIdentifier.parse(name));
    Map<Long, Integer> rows = new HashMap<>();
    List<Long> duplicates = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(fresh).build()) {
      for (Record r : records) {
        if (rows.put((Long) r.getField("id"), (Integer) r.getField("v")) != null) {
          duplicates.add((Long) r.getField("id"));
        }
      }
    }
    assertThat(duplicates).as("keys of %s held more than once", name).isEmpty();
    return rows;
  }

  /** The table's snapshots, oldest first, as checkpoint/round. */
  private List<String> committed(String name) {
    Table fresh = catalog.loadTable(TableIdentifier.parse(name));
    List<String> out = new ArrayList<>();
    for (Snapshot s : fresh.snapshots()) {
      out.add(
          s.summary().get(IcebergCommitterOperator.CHECKPOINT_ID)
              + "/"
              + s.summary().get(IcebergCommitterOperator.ROUND));
    }
    return out;
  }

  private static List<String> rounds(long upTo) {
    List<String> out = new ArrayList<>();
    for (long c = 1; c <= upTo; c++) {
      out.add(c + "/0");
      out.add(c + "/1");
    }
    return out;
  }

  @Test
  void tablesCommitAtTheSameTimeAndEachTableInCheckpointAndRoundOrder() throws Exception {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    TableCommitter.roundStaged =
        (name, round) -> {
          threads.add(Thread.currentThread().getName());
          if (round == 0) {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            sleep(30); // a slow catalog: the other threads' tables commit meanwhile
          } else {
            running.decrementAndGet();
          }
        };
    var harness = committer(null, 0);
    harness.processElement(new StreamRecord<>(checkpoint(1)));
    harness.snapshot(1, 1);
    harness.notifyOfCompletedCheckpoint(1);
    // Checkpoints 2 and 3 complete together (3 is reported first): each table commits 2, then 3.
    harness.processElement(new StreamRecord<>(checkpoint(2)));
    harness.snapshot(2, 2);
    harness.processElement(new StreamRecord<>(checkpoint(3)));
    harness.snapshot(3, 3);
    harness.notifyOfCompletedCheckpoint(3);
    harness.notifyOfCompletedCheckpoint(2);

    assertThat(threads)
        .as("commit threads used")
        .hasSizeGreaterThan(1)
        .hasSizeLessThan(THREADS + 1);
    assertThat(mostAtOnce.get()).as("tables committing at once").isBetween(2, THREADS);
    for (int i = 0; i < TABLES; i++) {
      assertThat(committed(name(i))).as(name(i)).isEqualTo(rounds(3));
      assertThat(rows(name(i))).as(name(i)).isEqualTo(expected(3));
    }
    List<TableCommit> reported = harness.extractOutputValues();
    assertThat(reported).hasSize(3 * TABLES);
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < TABLES; i++) {
        TableCommit commit = reported.get(c * TABLES + i);
        assertThat(commit.table()).as("reported in the batch's table order").isEqualTo(name(i));
        assertThat(commit.checkpointId()).isEqualTo(c + 1);
      }
    }
  }

  @Test
  void oneTableFailingLeavesTheOthersCommittedAndTheRestoreCommitsItOnce() throws Exception {
    var first = committer(null, 0);
    first.processElement(new StreamRecord<>(checkpoint(1)));
    first.snapshot(1, 1);
    first.notifyOfCompletedCheckpoint(1);

    first.processElement(new StreamRecord<>(checkpoint(2)));
    OperatorSubtaskState state = first.snapshot(2, 2);
    String failing = name(5);
    TableCommitter.roundStaged =
        (name, round) -> {
          if (name.equals(failing) && round == 1) {
            throw new IllegalStateException("catalog unreachable while committing " + name);
          }
        };
    assertThatThrownBy(() -> first.notifyOfCompletedCheckpoint(2))
        .hasMessageContaining("catalog unreachable while committing " + failing);
    assertThat(committed(failing)).as("nothing of checkpoint 2").isEqualTo(rounds(1));
    assertThat(rows(failing)).isEqualTo(expected(1));
    List<String> reported = new ArrayList<>();
    for (int i = 0; i < TABLES; i++) {
      if (!name(i).equals(failing)) {
        assertThat(committed(name(i))).as("the other tables commit").isEqualTo(rounds(2));
        reported.add(name(i));
      }
    }
    assertThat(
            first.extractOutputValues().stream()
                .filter(c -> c.checkpointId() == 2)
                .map(TableCommit::table))
        .as("the tables that committed are reported before the failure")
        .containsExactlyElementsOf(reported);

    // The job restarts from checkpoint 2: only the failed table is committed, once.
    TableCommitter.roundStaged = (name, round) -> {};
    first.close();
    var second = committer(state, 2);
    second.notifyOfCompletedCheckpoint(2);
    for (int i = 0; i < TABLES; i++) {
      assertThat(committed(name(i))).as(name(i)).isEqualTo(rounds(2));
      assertThat(rows(name(i))).as(name(i)).isEqualTo(expected(2));
    }

    // And from checkpoint 2 again (a second failover before checkpoint 3): nothing commits twice.
    second.close();
    var third = committer(state, 2);
    third.processElement(new StreamRecord<>(checkpoint(3)));
    third.snapshot(3, 3);
    third.notifyOfCompletedCheckpoint(3);
    for (int i = 0; i < TABLES; i++) {
      assertThat(committed(name(i))).as(name(i)).isEqualTo(rounds(3));
      assertThat(rows(name(i))).as(name(i)).isEqualTo(expected(3));
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
