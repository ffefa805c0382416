package io.tributary.faults;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault matrix's workload on one database: tables with hot keys, large values stored out of
 * line (under both replica identities), inserts, updates, key changes, deletes and a truncate.
 * Whatever the source committed is the truth {@code verify} compares against, so a transaction that
 * fails in a fault is simply retried later on a new connection.
 */
final class FaultWorkload implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FaultWorkload.class);

  /** A value of about 12 KB that PostgreSQL stores out of line (hex text compresses only 2x). */
  private static final String LARGE = "fault_large_text()";

  interface Connections {
    Connection open() throws SQLException;
  }

  private final Connections connections;
  private final int transactionsPerSecond;
  private final Random random = new Random(7);
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile boolean truncateRequested;
  private Thread thread;
  private long nextDoc;
  private long nextKeyChange = 1_000_000;

  FaultWorkload(Connections connections, int transactionsPerSecond) {
    this.connections = connections;
    this.transactionsPerSecond = transactionsPerSecond;
  }

  /** Creates the tables and their first rows; {@code bulkRows} makes the snapshot take a while. */
  static void create(Connection c, int bulkRows) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(
          "CREATE FUNCTION fault_large_text() RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT"
              + " string_agg(md5(random()::text), '') FROM generate_series(1, 400) $$");
      st.execute("CREATE TABLE hot (id integer PRIMARY KEY, n bigint NOT NULL, v text)");
      st.execute("INSERT INTO hot SELECT g, 0, 'h' || g FROM generate_series(1, 50) g");
      st.execute(
          "CREATE TABLE docs (id bigint PRIMARY KEY, title text, body text, version integer)");
      st.execute("ALTER TABLE docs REPLICA IDENTITY FULL");
      st.execute(
          "INSERT INTO docs SELECT g, 'doc ' || g, "
              + LARGE
              + ", 0 FROM generate_series(1, 100) g");
      st.execute("CREATE TABLE notes (id bigint PRIMARY KEY, body text, touched integer)");
      st.execute("INSERT INTO notes SELECT g, " + LARGE + ", 0 FROM generate_series(1, 100) g");
      st.execute(
          "CREATE TABLE events (id bigserial PRIMARY KEY, kind text NOT NULL, payload jsonb,"
              + " at timestamptz NOT NULL DEFAULT now())");
      st.execute(
          "INSERT INTO events (kind, payload) SELECT 'seed', jsonb_build_object('g', g)"
              + " FROM generate_series(1, 1000) g");
      st.execute("CREATE TABLE scratch (id integer PRIMARY KEY, v text)");
      st.execute("INSERT INTO scratch SELECT g, 's' || g FROM generate_series(1, 200) g");
      st.execute("CREATE TABLE bulk (id bigint PRIMARY KEY, a integer, b text)");
      st.execute(
          "INSERT INTO bulk SELECT g, g % 1000, md5(g::text) FROM generate_series(1, "
              + bulkRows
              + ") g");
    }
  }

  void start() {
    running.set(true);
    thread = new Thread(this::run, "fault-workload");
    thread.setDaemon(true);
    thread.start();
  }

  /** Asks for one TRUNCATE of {@code scratch} (and new rows in it) in the next transaction. */
  void truncateOnce() {
    truncateRequested = true;
  }

  long committed() {
    return committed.get();
  }

  long failed() {
    return failed.get();
  }

  private void run() {
    long interval = 1_000_000_000L / Math.max(1, transactionsPerSecond);
    Connection c = null;
    long next = System.nanoTime();
    while (running.get()) {
      try {
        if (c == null) {
          c = connections.open();
          c.setAutoCommit(false);
          try (Statement st = c.createStatement()) {
            st.execute("SET statement_timeout = '10s'");
          }
          c.commit();
          nextDoc = Math.max(nextDoc, max(c, "docs", 1_000_000) + 1);
        }
        transaction(c);
        c.commit();
        committed.incrementAndGet();
      } catch (SQLException e) {
        failed.incrementAndGet();
        LOG.debug("Workload transaction failed, retrying on a new connection", e);
        close(c);
        c = null;
        sleep(500_000_000L);
      }
      next += interval;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        sleep(wait);
      } else {
        next = System.nanoTime();
      }
    }
    close(c);
  }

  private void transaction(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      int hot = 1 + random.nextInt(50);
      st.executeUpdate("UPDATE hot SET n = n + 1, v = 'h' || n WHERE id = " + hot);
      st.executeUpdate(
          "INSERT INTO events (kind, payload) VALUES ('tick', jsonb_build_object('hot', "
              + hot
              + "))");
      int pick = random.nextInt(20);
      if (pick < 6) {
        // an update that leaves the large value out (TOAST unchanged), under both identities
        st.executeUpdate(
            "UPDATE docs SET version = version + 1 WHERE id = (SELECT id FROM docs ORDER BY"
                + " random() LIMIT 1)");
        st.executeUpdate(
            "UPDATE notes SET touched = touched + 1 WHERE id = (SELECT id FROM notes ORDER BY"
                + " random() LIMIT 1)");
      } else if (pick < 8) {
        st.executeUpdate(
            "INSERT INTO docs VALUES ("
                + nextDoc++
                + ", 'new', "
                + LARGE
                + ", 0) ON CONFLICT (id) DO NOTHING");
      } else if (pick == 8) {
        // a key change of a row with an unchanged large value
        st.executeUpdate(
            "UPDATE docs SET id = "
                + (nextKeyChange++ + 2_000_000_000L)
                + " WHERE id = (SELECT min(id) FROM docs)");
      } else if (pick == 9) {
        st.executeUpdate("DELETE FROM docs WHERE id = (SELECT max(id) FROM docs WHERE id < 1e9)");
      } else if (pick == 10) {
        st.executeUpdate("UPDATE hot SET id = id + 1000 WHERE id = " + hot);
        st.executeUpdate("UPDATE hot SET id = id - 1000 WHERE id = " + (hot + 1000));
      } else if (pick < 14) {
        st.executeUpdate(
            "DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id LIMIT 3)");
      } else if (pick < 17) {
        st.executeUpdate(
            "UPDATE bulk SET a = a + 1 WHERE id = " + (1 + random.nextInt(1000)) + " * 7");
      } else {
        st.executeUpdate("UPDATE scratch SET v = v || '.' WHERE id = " + (1 + random.nextInt(200)));
      }
      if (truncateRequested) {
        truncateRequested = false;
        st.execute("TRUNCATE scratch");
        st.executeUpdate(
            "INSERT INTO scratch SELECT g, 'after truncate ' || g FROM generate_series(1, 150) g");
      }
    }
  }

  private static long max(Connection c, String table, long floor) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT coalesce(max(id), 0) FROM " + table + " WHERE id < 1e9")) {
      rs.next();
      return Math.max(floor, rs.getLong(1));
    }
  }

  private static void close(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // gone already
      }
    }
  }

  private static void sleep(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    if (thread != null) {
      thread.join(30_000);
    }
  }
}
