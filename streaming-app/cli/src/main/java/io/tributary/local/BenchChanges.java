package io.tributary.local;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The benchmark's change workload on its {@code bench} table: mixed changes in transactions of
 * 1,000, 60% updates and 20% deletes from the lowest key up, 20% inserts above the highest. Each
 * run continues where the last one stopped, so that both pipelines of a round get changes of their
 * own that all find their rows.
 */
final class BenchChanges {
  private final LocalStack stack;
  private final String db;
  private long cursor = 1;
  private long nextId;

  /**
   * @param stack the local stack whose database holds the table
   * @param db the round's database
   * @param firstNewId the first key above the table's rows, the key of the first insert
   */
  BenchChanges(LocalStack stack, String db, long firstNewId) {
    this.stack = stack;
    this.db = db;
    this.nextId = firstNewId;
  }

  /**
   * Applies {@code changes} changes; returns the WAL position before the last transaction's
   * inserts, which a pipeline has caught up with once it committed a position at or after it.
   */
  String apply(int changes) throws SQLException {
    int done = 0;
    String lastLsn = null;
    try (Connection c = stack.connect(db)) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        while (done < changes) {
          int batch = Math.min(1000, changes - done);
          int updates = batch * 6 / 10;
          int deletes = batch * 2 / 10;
          int inserts = batch - updates - deletes;
          st.executeUpdate(
              "UPDATE bench SET a = a + 1, d = 'updated' WHERE id BETWEEN "
                  + cursor
                  + " AND "
                  + (cursor + updates - 1));
          cursor += updates;
          st.executeUpdate(
              "DELETE FROM bench WHERE id BETWEEN " + cursor + " AND " + (cursor + deletes - 1));
          cursor += deletes;
          if (done + batch >= changes) {
            try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
              rs.next();
              lastLsn = rs.getString(1);
            }
          }
          st.executeUpdate(
              "INSERT INTO bench SELECT g, 1, 2, 'new', 'inserted', 1.00, localtimestamp FROM generate_series("
                  + nextId
                  + ", "
                  + (nextId + inserts - 1)
                  + ") g");
          nextId += inserts;
          c.commit();
          done += batch;
        }
      }
    }
    return lastLsn;
  }
}
