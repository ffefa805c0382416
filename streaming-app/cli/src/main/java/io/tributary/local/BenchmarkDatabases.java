package io.tributary.local;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.apache.flink.core.execution.JobClient;

/** What the benchmarks do to a database of the local stack between one job and the next. */
final class BenchmarkDatabases {
  private BenchmarkDatabases() {}

  /** Cancels the job, and waits until it stopped and none of its sessions is left in {@code db}. */
  static void stop(LocalStack stack, String db, JobClient job) throws Exception {
    job.cancel().get();
    Benchmark.waitUntil(() -> Benchmark.stopped(job), Duration.ofMinutes(2));
    Benchmark.waitUntil(
        () ->
            count(
                    stack,
                    db,
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND pid <> pg_backend_pid()")
                == 0,
        Duration.ofMinutes(2));
  }

  /**
   * Drops the replication slots of {@code db} once none of them is in use (slot names are unique in
   * the server, and the next round's job creates its own).
   */
  static void dropSlots(LocalStack stack, String db) throws Exception {
    Benchmark.waitUntil(
        () ->
            count(
                    stack,
                    db,
                    "SELECT count(*) FROM pg_replication_slots"
                        + " WHERE database = current_database() AND active")
                == 0,
        Duration.ofMinutes(1));
    try (Connection c = stack.connect(db);
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
              + " WHERE database = current_database()");
    }
  }

  /** The number a query of {@code db} answers (the first column of its first row). */
  static long count(LocalStack stack, String db, String query) throws SQLException {
    try (Connection c = stack.connect(db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
