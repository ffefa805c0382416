package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.catalog.CatalogSpec;
import io.tributary.config.TableSelection;
import io.tributary.sink.TableManager;
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
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many tables changed while their snapshot runs: a workload updates, deletes, inserts and changes
 * keys of rows of every table, from before the job starts until after the stream has started. The
 * snapshot splits are read without Flink CDC's backfill, the schemas the splits are made with are
 * read once for all tables, the enumerator splits tables while checkpoints are taken, and the
 * mirror still ends equal to the source in every table and column. Half of the tables gain a column
 * half-way through the snapshot: their splits read after the {@code ADD COLUMN} bring the column
 * before the stream replays the changes from before it, which lack it (such changes were once taken
 * for a drop of the column, which stopped the job).
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

  /** Tables that gain a column during the snapshot: every other one. */
  private static boolean altered(int i) {
    return i % 2 == 0;
  }

  /** How many mirror tables the job has created so far. */
  private static int lakeTables() {
    Catalog catalog = it.catalog.open();
    try {
      return ((SupportsNamespaces) catalog).namespaceExists(Namespace.of(it.database))
          ? catalog.listTables(Namespace.of(it.database)).size()
          : 0;
    } finally {
      CatalogSpec.closeQuietly(catalog);
    }
  }

  /**
   * Where the job's replication slot is: null before it exists, else its confirmed position. The
   * stream has started once that position moves (the source confirms positions of its stream only,
   * on completed checkpoints); the slot being in use says less, a connection may hold it earlier.
   */
  private static String slotPosition(Statement st) throws SQLException {
    try (ResultSet rs =
        st.executeQuery(
            "SELECT confirmed_flush_lsn::text FROM pg_replication_slots"
                + " WHERE database = current_database()")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /**
   * One transaction on table {@code i}: a row updated, a key changed, a row deleted and one
   * inserted (rows are picked at random among the loaded keys; one already gone changes nothing).
   */
  private static void change(Statement st, int i, Random random, long n, boolean extra)
      throws SQLException {
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
      st.executeUpdate(
          "UPDATE "
              + t
              + " SET v = v + 1, s = s || 'u'"
              + (extra ? ", extra = 'e" + n + "'" : "")
              + " WHERE id = "
              + x);
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
    AtomicBoolean jobStarting = new AtomicBoolean();
    AtomicBoolean addedDuringSnapshot = new AtomicBoolean();
    CompletableFuture<Void> workload =
        CompletableFuture.runAsync(
            () -> {
              Random random = new Random(42);
              int roundsAfterStream = 0;
              String firstPosition = null;
              long slotSeenAt = Long.MAX_VALUE - TABLES;
              try (Connection c = it.stack.connect(it.database)) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                  while (!stop.get() && roundsAfterStream < 3) {
                    for (int i = 0; i < TABLES; i++) {
                      // Looked at before every transaction, so that a slow round on a busy
                      // machine cannot hide the snapshot.
                      boolean starting = jobStarting.get();
                      String position = slotPosition(st);
                      if (firstPosition == null && position != null) {
                        firstPosition = position;
                        slotSeenAt = total.get();
                      }
                      boolean stream = position != null && !position.equals(firstPosition);
                      streamSeen.compareAndSet(false, stream);
                      // Half-way through the snapshot (half of the tables have rows in the
                      // lake): the tables being read then have splits read without the column
                      // and splits read with it, and their changes streamed from before it lack
                      // it.
                      if (i == 0
                          && position != null
                          && total.get() >= slotSeenAt + TABLES
                          && !streamSeen.get()
                          && !addedDuringSnapshot.get()
                          && lakeTables() >= TABLES / 2) {
                        for (int k = 0; k < TABLES; k++) {
                          if (altered(k)) {
                            st.execute("ALTER TABLE " + name(k) + " ADD COLUMN extra text");
                          }
                        }
                        c.commit();
                        addedDuringSnapshot.set(true);
                      }
                      change(st, i, random, total.get(), altered(i) && addedDuringSnapshot.get());
                      c.commit();
                      total.incrementAndGet();
                      if (starting && !streamSeen.get()) {
                        duringSnapshot.incrementAndGet();
                      }
                    }
                    if (streamSeen.get()) {
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
      jobStarting.set(true);
      it.start(null);
      workload.get(10, TimeUnit.MINUTES);
    } finally {
      stop.set(true);
    }
    assertThat(streamSeen).as("the stream started while the workload ran").isTrue();
    assertThat(addedDuringSnapshot)
        .as("columns were added after the slot was created and before the stream started")
        .isTrue();
    assertThat(duringSnapshot.get())
        .as(
            "transactions committed after the job was started and before its stream did, of "
                + total.get())
        .isGreaterThanOrEqualTo(TABLES);
    // Verify compares every table over all columns, which takes a while on a busy machine.
    it.awaitEqualAndStayEqual(TABLES, Duration.ofMinutes(12));
    for (int i = 0; i < TABLES; i += 2) {
      Table table = it.table(name(i));
      assertThat(table.schema().findField("extra")).as(name(i)).isNotNull();
      assertThat(TableManager.droppedColumns(table.properties()))
          .as("columns of %s taken for dropped", name(i))
          .isEmpty();
    }
  }
}
