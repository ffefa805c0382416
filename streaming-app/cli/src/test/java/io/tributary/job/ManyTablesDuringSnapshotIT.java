package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.config.TableSelection;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many tables changed while their snapshot runs: a workload updates, deletes, inserts and changes
 * keys of rows of every table, from before the job starts until after the stream has started. The
 * snapshot splits are read without Flink CDC's backfill, the schemas the splits are made with are
 * read once for all tables, the enumerator splits tables while checkpoints are taken, and the
 * mirror still ends equal to the source in every table and column.
 */
class ManyTablesDuringSnapshotIT {
  private static final int TABLES = 32;
  private static final int ROWS = 250;

  @TempDir static Path workdir;
  private static ItStack it;

  /** The SQL name of table {@code i}: key {@code id}, or a composite key of text and time. */
  private static String name(int i) {
    if (i == 1) {
      return "\"MixedCase\"";
    }
    return String.format(Locale.ROOT, i % 2 == 0 ? "a%02d" : "b%02d", i);
  }

  private static boolean composite(int i) {
    return i % 2 == 1 && i != 1;
  }

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, "it_many_during");
    List<String> ddl = new ArrayList<>();
    for (int i = 0; i < TABLES; i++) {
      if (composite(i)) {
        ddl.add(
            "CREATE TABLE "
                + name(i)
                + " (k text, ts timestamp, v int, s text, PRIMARY KEY (k, ts))");
        ddl.add(
            "INSERT INTO "
                + name(i)
                + " SELECT 'k' || g, timestamp '2024-01-01' + g * interval '1 minute', g, 's' || g"
                + " FROM generate_series(1, "
                + ROWS
                + ") g");
      } else {
        ddl.add("CREATE TABLE " + name(i) + " (id bigint PRIMARY KEY, v int, s text)");
        ddl.add(
            "INSERT INTO "
                + name(i)
                + " SELECT g, g, 's' || g FROM generate_series(1, "
                + ROWS
                + ") g");
      }
    }
    it.sql(ddl.toArray(new String[0]));
    // Chunks of 100 rows: three snapshot splits per table, read over many checkpoints.
    it.configure(TableSelection.builder().include("public.*").build(), Duration.ofSeconds(1), 100);
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  /** Whether the source's stream runs: its slot is in use once every snapshot split is read. */
  private static boolean streaming() throws SQLException {
    try (Connection c = it.stack.connect(it.database);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT coalesce(bool_or(active), false) FROM pg_replication_slots"
                    + " WHERE database = current_database()")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /**
   * One transaction on table {@code i}: a row updated, a key changed, a row deleted and one
   * inserted (rows are picked at random among the loaded keys; one already gone changes nothing).
   */
  private static void change(Statement st, int i, Random random, long n) throws SQLException {
    String t = name(i);
    int x = 1 + random.nextInt(ROWS);
    int y = 1 + random.nextInt(ROWS);
    int z = 1 + random.nextInt(ROWS);
    if (composite(i)) {
      st.executeUpdate("UPDATE " + t + " SET v = v + 1, s = s || 'u' WHERE k = 'k" + x + "'");
      st.executeUpdate("UPDATE " + t + " SET ts = ts + interval '1 day' WHERE k = 'k" + y + "'");
      st.executeUpdate("DELETE FROM " + t + " WHERE k = 'k" + z + "'");
      st.executeUpdate(
          "INSERT INTO " + t + " VALUES ('new" + n + "', localtimestamp, " + n + ", 'new')");
    } else {
      st.executeUpdate("UPDATE " + t + " SET v = v + 1, s = s || 'u' WHERE id = " + x);
      st.executeUpdate("UPDATE " + t + " SET id = id + 1000000 WHERE id = " + y);
      st.executeUpdate("DELETE FROM " + t + " WHERE id = " + z);
      st.executeUpdate("INSERT INTO " + t + " VALUES (" + (2_000_000 + n) + ", " + n + ", 'new')");
    }
  }

  @Test
  void everyTableEndsEqualAfterChangesDuringItsSnapshot() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong duringSnapshot = new AtomicLong();
    AtomicLong total = new AtomicLong();
    AtomicBoolean streamSeen = new AtomicBoolean();
    AtomicBoolean jobStarted = new AtomicBoolean();
    CompletableFuture<Void> workload =
        CompletableFuture.runAsync(
            () -> {
              Random random = new Random(42);
              int roundsAfterStream = 0;
              try (Connection c = it.stack.connect(it.database)) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                  while (!stop.get() && roundsAfterStream < 3) {
                    boolean started = jobStarted.get();
                    boolean stream = streaming();
                    for (int i = 0; i < TABLES; i++) {
                      change(st, i, random, total.get());
                      c.commit();
                      total.incrementAndGet();
                      if (started && !stream) {
                        duringSnapshot.incrementAndGet();
                      }
                    }
                    if (stream) {
                      streamSeen.set(true);
                      roundsAfterStream++;
                    }
                    TimeUnit.MILLISECONDS.sleep(20);
                  }
                }
              } catch (SQLException e) {
                throw new IllegalStateException(e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    try {
      // The workload starts before the job, so that every table changes while it is read.
      await().atMost(Duration.ofMinutes(1)).until(() -> total.get() >= TABLES);
      it.start(null);
      jobStarted.set(true);
      workload.get(10, TimeUnit.MINUTES);
    } finally {
      stop.set(true);
    }
    assertThat(streamSeen).as("the stream started while the workload ran").isTrue();
    assertThat(duringSnapshot.get())
        .as(
            "transactions committed after the job started and before its stream did, of "
                + total.get())
        .isGreaterThanOrEqualTo(3L * TABLES);
    // Verify compares every table over all columns, which takes a while on a busy machine.
    it.awaitEqualAndStayEqual(TABLES, Duration.ofMinutes(12));
  }
}
