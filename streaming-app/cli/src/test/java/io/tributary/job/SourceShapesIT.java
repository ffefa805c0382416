package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.catalog.CatalogSpec;
import io.tributary.config.TableOptions;
import io.tributary.config.TableSelection;
import io.tributary.config.TruncateMode;
import io.tributary.sink.IcebergSchemas;
import io.tributary.sink.TableCommitter;
import io.tributary.source.CapturedTable;
import io.tributary.source.postgres.NewTableWatcher;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sources as they are: tables without a key (append-only to their changelog table), TRUNCATE
 * applied and ignored, and a table created while the job runs (found while running, captured from
 * the next start).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SourceShapesIT {
  private static final String DB = "it_shapes";

  @TempDir static Path workdir;
  private static ItStack it;
  private static List<CapturedTable> captured;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, DB);
    it.sql(
        "CREATE TABLE t_apply (id int PRIMARY KEY, v text)",
        "INSERT INTO t_apply SELECT g, 'old ' || g FROM generate_series(1, 300) g",
        "CREATE TABLE t_ignore (id int PRIMARY KEY, v text)",
        "INSERT INTO t_ignore SELECT g, 'old ' || g FROM generate_series(1, 50) g",
        "CREATE TABLE ev_full (a int NOT NULL, b text)",
        "ALTER TABLE ev_full REPLICA IDENTITY FULL",
        "INSERT INTO ev_full SELECT g, 'b' || g FROM generate_series(1, 20) g",
        "CREATE TABLE ev_default (a int, b text)",
        "INSERT INTO ev_default SELECT g, 'b' || g FROM generate_series(1, 10) g");
    it.configure(
        TableSelection.builder()
            .include("public.*")
            .option("public.t_ignore", TableOptions.builder().truncate(TruncateMode.IGNORE).build())
            .build(),
        Duration.ofSeconds(1),
        100);
    it.start(null);
    captured = TributaryJob.preflight(it.config);
    it.awaitEqual(4, Duration.ofMinutes(2));
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  private static List<Record> rows(Table table) throws Exception {
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> all = IcebergGenerics.read(table).build()) {
      all.forEach(rows::add);
    }
    return rows;
  }

  private static boolean exists(String name) {
    Catalog catalog = it.catalog.open();
    try {
      return catalog.tableExists(TableIdentifier.of(DB, name));
    } finally {
      CatalogSpec.closeQuietly(catalog);
    }
  }

  private static String lsn(String query) throws Exception {
    try (Connection c = it.stack.connect(DB);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static VerifyResult verify(String table) throws Exception {
    List<VerifyResult> results = LakeVerifier.verify(it.config, it.catalog, table);
    assertThat(results).hasSize(1);
    return results.get(0);
  }

  @Test
  @Order(1)
  void keylessTablesAreAppendedToTheirChangelogTableOnly() throws Exception {
    it.sql(
        "INSERT INTO ev_full VALUES (100, 'new')",
        "UPDATE ev_full SET b = 'changed' WHERE a = 5",
        "DELETE FROM ev_full WHERE a = 6");
    // Without replica identity, only inserts are published, so the source's updates and
    // deletes still work.
    it.sql(
        "INSERT INTO ev_default VALUES (100, 'new')",
        "UPDATE ev_default SET b = 'changed' WHERE a = 5",
        "DELETE FROM ev_default WHERE a = 6");
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              Map<Integer, List<String>> full = opsByKey(it.table("ev_full__changes"));
              assertThat(full.get(5)).containsExactly("r", "u");
              assertThat(full.get(6)).containsExactly("r", "d");
              assertThat(full.get(100)).containsExactly("c");
              assertThat(full.get(7)).containsExactly("r");
              Map<Integer, List<String>> def = opsByKey(it.table("ev_default__changes"));
              assertThat(def.get(100)).containsExactly("c");
              assertThat(def.get(5)).containsExactly("r");
              assertThat(def.get(6)).containsExactly("r");
            });
    // The deleted row's before-image is complete under REPLICA IDENTITY FULL.
    assertThat(rows(it.table("ev_full__changes")))
        .anySatisfy(
            r -> {
              assertThat(r.getField("a")).isEqualTo(6);
              assertThat(r.getField(IcebergSchemas.OP)).isEqualTo("d");
              assertThat(r.getField("b")).isEqualTo("b6");
            });
    assertThat(exists("ev_full")).isFalse();
    assertThat(exists("ev_default")).isFalse();
    // The changelog holds an update without the row before it: verify cannot rebuild the rows
    // and says so, never EQUAL.
    VerifyResult result = verify("public.ev_full");
    assertThat(result.state()).as(result.toString()).isEqualTo(VerifyResult.State.NOT_COMPARED);
    assertThat(result.differences())
        .singleElement()
        .asString()
        .contains("append-only")
        .contains("1 updates");
  }

  private static Map<Integer, List<String>> opsByKey(Table changes) throws Exception {
    List<Record> rows = rows(changes);
    rows.sort(
        Comparator.comparing(
            r -> (Long) r.getField(IcebergSchemas.SOURCE_LSN),
            Comparator.nullsFirst(Comparator.naturalOrder())));
    Map<Integer, List<String>> ops = new TreeMap<>();
    for (Record row : rows) {
      ops.computeIfAbsent((Integer) row.getField("a"), k -> new ArrayList<>())
          .add((String) row.getField(IcebergSchemas.OP));
    }
    return ops;
  }

  @Test
  @Order(2)
  void aTruncateIsAppliedAtItsPlaceInTheChangeOrder() throws Exception {
    // Changes before and after the truncate, in one transaction and so in one checkpoint;
    // keys written before it come back after it.
    it.sql(
        "UPDATE t_apply SET v = 'before' WHERE id <= 20",
        "INSERT INTO t_apply VALUES (5000, 'before')",
        "TRUNCATE t_apply",
        "INSERT INTO t_apply SELECT g, 'after ' || g FROM generate_series(1, 10) g",
        "INSERT INTO t_apply VALUES (6000, 'after')",
        "UPDATE t_apply SET v = 'after, updated' WHERE id = 3");
    // The table with truncate: ignore, truncated in the same moment, keeps its rows.
    it.sql("TRUNCATE t_ignore", "INSERT INTO t_ignore VALUES (1, 'after'), (1000, 'after')");
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(verify("public.t_apply").equal()).isTrue());
    Table applied = it.table("t_apply");
    assertThat(rows(applied)).hasSize(11);
    List<String> truncates = new ArrayList<>();
    for (Snapshot snapshot : applied.snapshots()) {
      String lsn = snapshot.summary().get(TableCommitter.TRUNCATE_LSN);
      if (lsn != null) {
        truncates.add(lsn);
      }
    }
    assertThat(truncates).hasSize(1);

    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              Map<Integer, Object> values = new TreeMap<>();
              for (Record r : rows(it.table("t_ignore"))) {
                values.put((Integer) r.getField("id"), r.getField("v"));
              }
              assertThat(values).hasSize(51).containsEntry(1, "after").containsEntry(1000, "after");
              assertThat(values).containsEntry(2, "old 2");
            });
    VerifyResult ignored = verify("public.t_ignore");
    assertThat(ignored.equal()).isFalse();
    assertThat(ignored.sourceRows()).isEqualTo(2);
    assertThat(ignored.mirrorRows()).isEqualTo(51);
  }

  @Test
  @Order(3)
  void aNewTableIsFoundWhileRunningAndCapturedFromTheNextStart() throws Exception {
    it.sql(
        "CREATE TABLE added (id int PRIMARY KEY, v text)",
        "INSERT INTO added SELECT g, 'v' || g FROM generate_series(1, 40) g");
    NewTableWatcher watcher = new NewTableWatcher(it.config.source(), it.config.tables(), captured);
    assertThat(watcher.check(it.config.tables())).containsExactly("public.added");
    assertThat(exists("added")).isFalse();

    String savepoint =
        it.job
            .stopWithSavepoint(
                false,
                workdir.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL)
            .get(2, TimeUnit.MINUTES);
    it.sql("INSERT INTO added VALUES (41, 'while stopped')");
    it.start(savepoint);
    String before = lsn("SELECT pg_current_wal_lsn()::text");
    it.sql(
        "UPDATE added SET v = 'streamed' WHERE id <= 5",
        "DELETE FROM added WHERE id = 40",
        "INSERT INTO t_apply VALUES (7000, 'still flowing')",
        "INSERT INTO ev_full VALUES (200, 'after the restore')");
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              assertThat(verify("public.added").equal())
                  .as(verify("public.added").toString())
                  .isTrue();
              assertThat(verify("public.t_apply").equal()).isTrue();
              assertThat(opsByKey(it.table("ev_full__changes"))).containsKey(200);
            });
    // A few checkpoints later, the changelog tables hold no change twice across the restore (they
    // cannot be compared with the source, see above, but a change held twice is a difference).
    long first = it.newestCheckpoint();
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> it.newestCheckpoint() >= first + 3);
    for (String log : List.of("public.ev_full", "public.ev_default")) {
      VerifyResult result = verify(log);
      assertThat(result.state()).as(result.toString()).isEqualTo(VerifyResult.State.NOT_COMPARED);
    }
    assertThat(verify("public.added").equal()).isTrue();
    assertThat(rows(it.table("added"))).hasSize(40);
    // With newly added tables scanned, the slot still advances after checkpoints.
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                "t"
                    .equals(
                        lsn(
                            "SELECT (confirmed_flush_lsn > '"
                                + before
                                + "'::pg_lsn)::text::char FROM pg_replication_slots WHERE"
                                + " slot_name = 'tributary'")));
    // The publication now lists the table.
    try (Connection c = it.stack.connect(DB);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FROM pg_publication_tables WHERE pubname = 'tributary'"
                    + " AND tablename = 'added'")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
  }
}
