package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.config.TableSelection;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.util.ExceptionUtils;
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
 * A start never skips history silently: a restore behind the replication slot's confirmed position
 * (here: the slot was dropped while the job was stopped, and changes happened meanwhile) stops the
 * job with both positions named instead of streaming from the slot's position; the two ways on
 * (accept the gap explicitly, re-snapshot) behave as the message says.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestoreBehindSlotIT {
  private static final String DB = "it_behind_slot";

  @TempDir static Path workdir;
  private static ItStack it;
  private static String savepoint;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, DB);
    it.sql(
        "CREATE TABLE items (id int PRIMARY KEY, v text)",
        "INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 200) g");
    it.configure(TableSelection.builder().include("public.*").build(), Duration.ofSeconds(1), 100);
    it.start(null);
    it.awaitEqual(1, Duration.ofMinutes(2));
    it.sql("UPDATE items SET v = 'streamed' WHERE id <= 10");
    it.awaitEqual(1, Duration.ofMinutes(1));
    savepoint =
        it.job
            .stopWithSavepoint(
                false,
                workdir.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL)
            .get(2, TimeUnit.MINUTES);
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  @Test
  @Order(1)
  void aRestoreBehindARecreatedSlotStopsWithBothPositions() throws Exception {
    String slot = it.config.source().slotName();
    it.sql("SELECT pg_drop_replication_slot('" + slot + "')");
    // Changes while no slot retains WAL for the job: no stream can deliver them any more.
    it.sql(
        "INSERT INTO items SELECT g, 'in the gap' FROM generate_series(1001, 1050) g",
        "UPDATE items SET v = 'in the gap' WHERE id BETWEEN 11 AND 20");

    it.start(savepoint); // the preflight creates the slot again, at the current position
    String confirmed = query("SELECT confirmed_flush_lsn::text FROM pg_replication_slots");

    assertThatThrownBy(() -> it.job.getJobExecutionResult().get(2, TimeUnit.MINUTES))
        .satisfies(
            e -> {
              String message = ExceptionUtils.stringifyException(e);
              assertThat(message)
                  .contains(
                      "replication slot "
                          + slot
                          + " did not exist and was created by this start at "
                          + confirmed)
                  .contains("start the job without this savepoint")
                  .contains("source.allow-wal-gap: true");
            });
    // Nothing of the gap reached the lake, and nothing pretends it did.
    assertThat(verify().equal()).isFalse();
  }

  @Test
  @Order(2)
  void acceptingTheGapStreamsOnAndTheGapIsRealUntilReSnapshot() throws Exception {
    it.configure(TableSelection.builder().include("public.*").build(), Duration.ofSeconds(1), 100);
    it.config =
        it.config.toBuilder()
            .source(it.config.source().toBuilder().allowWalGap(true).build())
            .build();
    it.start(savepoint);
    it.sql("INSERT INTO items VALUES (2000, 'after the gap')");
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> lakeHas(2000));
    VerifyResult result = verify();
    // The skipped changes are missing, exactly as the message warned: rows 1001..1050 and the
    // updates of 11..20.
    assertThat(result.equal()).isFalse();
    assertThat(result.toString()).contains("1001");
    it.job.cancel().get(1, TimeUnit.MINUTES);

    // The way on that restates everything: start without the savepoint (re-snapshot).
    it.start(null);
    it.awaitEqual(1, Duration.ofMinutes(2));
    assertThat(it.job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
  }

  private static VerifyResult verify() throws Exception {
    List<VerifyResult> results = LakeVerifier.verify(it.config, it.catalog, null);
    assertThat(results).hasSize(1);
    return results.get(0);
  }

  private static boolean lakeHas(int id) throws Exception {
    try (CloseableIterable<Record> rows = IcebergGenerics.read(it.table("items")).build()) {
      for (Record row : rows) {
        if (((Number) row.getField("id")).intValue() == id) {
          return true;
        }
      }
    }
    return false;
  }

  private static String query(String sql) throws Exception {
    try (Connection c = it.stack.connect(DB);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }
}
