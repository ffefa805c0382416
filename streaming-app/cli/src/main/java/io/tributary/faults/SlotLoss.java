package io.tributary.faults;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;

/**
 * The replication slot invalidated while the job is down: the job is stopped, the source removes
 * WAL the slot still needs (max_slot_wal_keep_size small, WAL written outside the captured schema,
 * checkpoints), then the job is started again. The job must not recover from this: it must stop for
 * good and say why.
 */
final class SlotLoss implements FaultInjection {
  @Override
  public void inject(FaultContext c) throws Exception {
    c.job.kill();
    String slot = "tributary_" + c.database;
    try (Connection admin = c.source.connect("postgres");
        Statement st = admin.createStatement()) {
      st.execute("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'");
      st.execute("SELECT pg_reload_conf()");
      try (Connection db = c.source.connect(c.database);
          Statement w = db.createStatement()) {
        w.execute("CREATE SCHEMA IF NOT EXISTS filler");
        w.execute("CREATE TABLE IF NOT EXISTS filler.wal (x text)");
        String status = "";
        for (int i = 0; i < 40 && !"lost".equals(status); i++) {
          w.execute("INSERT INTO filler.wal SELECT md5(g::text) FROM generate_series(1, 50000) g");
          w.execute("SELECT pg_switch_wal()");
          st.execute("CHECKPOINT");
          try (ResultSet rs =
              st.executeQuery(
                  "SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            status = rs.next() ? String.valueOf(rs.getString(1)) : "(no slot)";
          }
        }
        if (!"lost".equals(status)) {
          throw new IllegalStateException("slot " + slot + " is still " + status);
        }
      } finally {
        st.execute("ALTER SYSTEM RESET max_slot_wal_keep_size");
        st.execute("SELECT pg_reload_conf()");
      }
    }
    c.cleared = Instant.now();
    c.job.start();
  }
}
