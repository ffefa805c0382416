package io.tributary.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.config.TableSelection;
import io.tributary.glue.JobMarkers;
import io.tributary.glue.LakeSettings;
import io.tributary.glue.LocalLake;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.deletes.PositionDelete;
import org.apache.iceberg.deletes.PositionDeleteWriter;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload of a damaged table while the stream runs and a workload updates, deletes and re-inserts
 * the same keys: afterwards the lake equals the source, so the backfill neither overwrote a newer
 * change nor brought back a deleted row, and it repaired the damage. Three incidents: a lost data
 * file, all data files lost, and rows lost to a stray delete; and a partial reload of the key range
 * a bad batch overwrote.
 */
class BackfillIT {
  private static final String DB = "fill_shop";

  @TempDir static Path workdir;
  private static LocalLake lake;

  /** The tables, each damaged in its own way; the stream captures all of them. */
  private static final List<String> TABLES = List.of("items", "emptied", "holes", "batch");

  @BeforeAll
  static void start() throws Exception {
    // Checkpoints every 3 s: the backfill's commit needs a window between two of the stream's
    // commits longer than one of its rounds (a few seconds on a busy 2-core machine); the
    // deployment's interval is 60 s.
    lake =
        LocalLake.start(
            workdir,
            DB,
            TableSelection.builder().include("public.*").build(),
            1,
            Duration.ofSeconds(3));
    for (String table : TABLES) {
      lake.sql(
          "CREATE TABLE "
              + table
              + " (id bigint PRIMARY KEY, name text, qty integer, price numeric(10,2),"
              + " updated timestamptz, day date, at time, raw bytea, doc jsonb, ref uuid, flag"
              + " boolean, ratio double precision)",
          "INSERT INTO "
              + table
              + " SELECT g, 'item ' || g, g % 100, g * 0.25, timestamptz '2024-03-01"
              + " 10:00:00.123456+02' + g * interval '1 minute', date '2024-01-01' + g % 365,"
              + " time '08:00:00.5' + g * interval '1 second', decode(lpad(to_hex(g), 8, '0'),"
              + " 'hex'), jsonb_build_object('g', g), gen_random_uuid(), g % 2 = 0, g / 7.0 FROM"
              + " generate_series(1, 3000) g");
    }
    lake.startStream(null);
    lake.awaitLakeEqualsSource(TABLES.size());
  }

  @AfterAll
  static void stop() throws Exception {
    if (lake != null) {
      lake.close();
    }
  }

  @Test
  void reloadOfATableThatLostAFile() throws Exception {
    // The incident: rows lost from the mirror by a commit outside the stream.
    // (Iceberg's API, not Spark SQL: Spark 3.5 cannot read the table's time column.)
    Table damaged = lake.table("items");
    // The largest file: the snapshot may commit over several checkpoints, and a file of a few
    // rows would make the damage too small to tell a repair from a coincidence.
    DataFile lost = lake.largestDataFile("items");
    assertThat(lost.recordCount()).as("rows of the lost file").isGreaterThan(3);
    damaged.newDelete().deleteFile(lost).commit();
    reloadWhileTheSameKeysChange("items", true);
  }

  @Test
  void reloadOfATableThatLostAllItsFiles() throws Exception {
    Table damaged = lake.table("emptied");
    DeleteFiles delete = damaged.newDelete();
    try (CloseableIterable<FileScanTask> tasks = damaged.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        delete.deleteFile(task.file());
      }
    }
    delete.commit();
    // A light workload: the stream's files since the loss must stay far smaller than the table.
    // Before the backfill commits, the stream commits some of the workload's changes, so that
    // rows the backfill loaded are superseded by newer ones however fast the load was.
    BackfillCommit.beforeCommit =
        loaded -> {
          long before = loaded.currentSnapshot().snapshotId();
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () -> {
                    loaded.refresh();
                    return loaded.currentSnapshot().snapshotId() != before;
                  });
        };
    BackfillReport report;
    try {
      report = reloadWhileTheSameKeysChange("emptied", false);
    } finally {
      BackfillCommit.beforeCommit = null;
    }
    // The replaced files held only the stream's few rows since the loss: most loaded rows were
    // added with a new sequence number, and the rows of keys the workload changed meanwhile were
    // superseded by the stream's.
    assertThat(report.appendedRows()).isGreaterThan(report.rows() / 2);
    assertThat(report.supersededRows()).isGreaterThan(0);
  }

  @Test
  void reloadOfATableThatLostRows() throws Exception {
    // Every other row of the largest file deleted by a stray position delete.
    Table damaged = lake.table("holes");
    DataFile file = lake.largestDataFile("holes");
    GenericAppenderFactory factory = new GenericAppenderFactory(damaged.schema(), damaged.spec());
    OutputFileFactory files =
        OutputFileFactory.builderFor(damaged, 9, 9).format(FileFormat.PARQUET).build();
    PositionDeleteWriter<Record> writer =
        factory.newPosDeleteWriter(files.newOutputFile(), FileFormat.PARQUET, file.partition());
    PositionDelete<Record> row = PositionDelete.create();
    try (PositionDeleteWriter<Record> open = writer) {
      for (long position = 0; position < file.recordCount(); position += 2) {
        open.write(row.set(file.location(), position, null));
      }
    }
    damaged.newRowDelta().addDeletes(writer.toDeleteFile()).commit();
    reloadWhileTheSameKeysChange("holes", true);
  }

  @Test
  void partialReloadOfABadBatch() throws Exception {
    // The incident: a batch committed outside the stream replaced the rows of keys 1001 to 1300
    // with wrong values (an equality delete of the keys and the wrong rows, as one commit).
    Table damaged = lake.table("batch");
    List<Record> wrong = new ArrayList<>();
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(damaged)
            .where(
                Expressions.and(
                    Expressions.greaterThanOrEqual("id", 1001L),
                    Expressions.lessThanOrEqual("id", 1300L)))
            .build()) {
      for (Record row : rows) {
        if (((Long) row.getField("id")) >= 1001 && ((Long) row.getField("id")) <= 1300) {
          Record bad = row.copy();
          bad.setField("qty", -999);
          wrong.add(bad);
        }
      }
    }
    assertThat(wrong).hasSize(300);
    Schema keySchema = damaged.schema().select("id");
    int[] keyIds = {damaged.schema().findField("id").fieldId()};
    GenericAppenderFactory factory =
        new GenericAppenderFactory(damaged.schema(), damaged.spec(), keyIds, keySchema, null);
    OutputFileFactory files =
        OutputFileFactory.builderFor(damaged, 8, 8).format(FileFormat.PARQUET).build();
    EqualityDeleteWriter<Record> deletes =
        factory.newEqDeleteWriter(files.newOutputFile(), FileFormat.PARQUET, null);
    try (EqualityDeleteWriter<Record> open = deletes) {
      for (Record row : wrong) {
        Record key = GenericRecord.create(keySchema);
        key.setField("id", row.getField("id"));
        open.write(key);
      }
    }
    DataWriter<Record> data =
        factory.newDataWriter(files.newOutputFile(), FileFormat.PARQUET, null);
    try (DataWriter<Record> open = data) {
      wrong.forEach(open::write);
    }
    damaged.newRowDelta().addRows(data.toDataFile()).addDeletes(deletes.toDeleteFile()).commit();

    BackfillReport report =
        reloadWhileTheSameKeysChange(
            "batch", true, options -> options.withKeyRange("1001", "1300"));

    assertThat(report.keyRange()).isEqualTo("id from 1001 to 1300");
    // Only rows in the range were loaded (the workload deletes some of them meanwhile).
    assertThat(report.rows()).isBetween(150L, 300L);
    assertThat(report.removedRows()).isGreaterThanOrEqualTo(300);
    assertThat(report.replacedDataFiles()).isZero();
    // No file was replaced: the rows outside the range stayed in their files.
    Table reloaded = lake.table("batch");
    for (Snapshot snapshot : reloaded.snapshots()) {
      if (snapshot.summary().containsKey(JobMarkers.BACKFILL)) {
        assertThat(snapshot.summary()).doesNotContainKey("deleted-data-files");
      }
    }
  }

  /**
   * Backfills {@code table}, damaged, while a workload updates, deletes and re-inserts its keys
   * (about 140 rows a transaction when {@code heavy}, else 3), and waits until it equals its
   * source.
   */
  private static BackfillReport reloadWhileTheSameKeysChange(String table, boolean heavy)
      throws Exception {
    return reloadWhileTheSameKeysChange(table, heavy, options -> options);
  }

  private static BackfillReport reloadWhileTheSameKeysChange(
      String table, boolean heavy, UnaryOperator<BackfillOptions> options) throws Exception {
    List<VerifyResult> damaged = LakeVerifier.verify(lake.config(), lake.catalogSpec(), null);
    assertThat(damaged)
        .filteredOn(r -> r.table().endsWith("." + table))
        .singleElement()
        .satisfies(r -> assertThat(r.equal()).as(r.toString()).isFalse());

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong transactions = new AtomicLong();
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    Thread workload =
        new Thread(
            () -> {
              long i = 0;
              while (running.get()) {
                try {
                  if (heavy) {
                    heavyTransaction(table, i);
                  } else {
                    lightTransaction(table, i);
                  }
                  transactions.incrementAndGet();
                  i++;
                  Thread.sleep(100);
                } catch (Throwable t) {
                  errors.add(t);
                  return;
                }
              }
            },
            "workload-" + table);
    workload.start();
    BackfillReport report;
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> transactions.get() >= 5);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
        report =
            BackfillJob.run(
                lake.spark(),
                LakeSettings.of(lake.config()),
                options.apply(new BackfillOptions(table, null, null, 3, 500)),
                SourceAccess.of(lake.config().source()),
                out);
      }
      assertThat(bytes.toString(StandardCharsets.UTF_8)).startsWith(BackfillJob.REPORT_PREFIX);
      long after = transactions.get();
      await().atMost(Duration.ofSeconds(30)).until(() -> transactions.get() >= after + 5);
    } finally {
      running.set(false);
      workload.join();
    }
    assertThat(errors).isEmpty();
    // The heavy workload deletes about 21 rows a transaction and re-inserts others 50 transactions
    // later, so the table holds between about 1,950 and 3,000 rows when the backfill reads it.
    if (report.keyRange() == null) {
      assertThat(report.rows()).isGreaterThan(1000);
      assertThat(report.dataFiles()).isGreaterThanOrEqualTo(2);
    }
    assertThat(report.baseSnapshotId()).isNotNull();
    assertThat(report.sourceTable()).isEqualTo("public." + table);
    Table reloaded = lake.table(table);
    assertThat(reloaded.properties()).doesNotContainKey(JobMarkers.BACKFILL_STARTED_AT);
    assertThat(reloaded.snapshot(report.committedSnapshotId()).summary())
        .containsKey(JobMarkers.BACKFILL);
    lake.awaitTableEqualsSource(table);
    return report;
  }

  /** Updates about 100 rows, deletes about 21, re-inserts others deleted 50 transactions ago. */
  private static void heavyTransaction(String table, long i) throws Exception {
    long k = i % 20;
    // Keys divisible by 3 are never touched: of the lost rows, only the backfill can bring those
    // back, so a backfill that wrote nothing fails the check.
    lake.sql(
        "UPDATE "
            + table
            + " SET qty = qty + 1, name = name || '+', updated = now() WHERE"
            + " id % 3 <> 0 AND id % 20 = "
            + k,
        "DELETE FROM " + table + " WHERE id % 3 <> 0 AND id % 97 = " + (i % 97),
        "INSERT INTO "
            + table
            + " (id, name, qty) SELECT id, 'back', -1 FROM"
            + " generate_series(1, 3000) id WHERE id % 3 <> 0 AND id % 97 = "
            + ((i + 50) % 97)
            + " ON CONFLICT (id) DO UPDATE SET name = 'kept', qty = -2",
        "INSERT INTO " + table + " (id, name) VALUES (" + (100_000 + i) + ", 'new')");
  }

  /** Updates one row, deletes one, re-inserts one deleted ten transactions ago, inserts one. */
  private static void lightTransaction(String table, long i) throws Exception {
    lake.sql(
        "UPDATE "
            + table
            + " SET qty = qty + 1, name = name || '+', updated = now() WHERE id % 3 <> 0 AND id = "
            + (i * 7 % 3000 + 1),
        "DELETE FROM " + table + " WHERE id % 3 <> 0 AND id = " + (i * 13 % 3000 + 1),
        "INSERT INTO "
            + table
            + " (id, name, qty) SELECT id, 'back', -1 FROM (VALUES ("
            + ((i + 2990) * 13 % 3000 + 1)
            + "::bigint)) v(id) WHERE id % 3 <> 0 ON CONFLICT (id) DO UPDATE SET name = 'kept',"
            + " qty = -2",
        "INSERT INTO " + table + " (id, name) VALUES (" + (100_000 + i) + ", 'new')");
  }
}
