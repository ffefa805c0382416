package io.tributary.source.postgres;

import static io.tributary.source.postgres.PgCatalog.single;

import io.tributary.config.SourceConfig;
import io.tributary.source.CapturedTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replication slots of the capture: the preflight's check of existing slots and of free slots
 * and WAL senders, and their creation when a job starts.
 */
final class SlotChecks {
  // Logs under the preflight's name, as before the check was split by subject.
  private static final Logger LOG = LoggerFactory.getLogger(SourcePreflight.class);

  private final SourceConfig source;
  private final PreflightReport report;

  SlotChecks(SourceConfig source, PreflightReport report) {
    this.source = source;
    this.report = report;
  }

  /**
   * Checks the replication slots of the groups: an existing slot must be a pgoutput slot of this
   * database (and is reported with the WAL it retains), and the server must have a free slot for
   * each slot still to create and a free WAL sender for each group.
   */
  void checkSlots(Connection connection, Set<String> groups, List<String> problems)
      throws SQLException {
    int maxSlots = Integer.parseInt(single(connection, "SHOW max_replication_slots"));
    int maxSenders = Integer.parseInt(single(connection, "SHOW max_wal_senders"));
    int usedSlots =
        Integer.parseInt(single(connection, "SELECT count(*) FROM pg_replication_slots"));
    int usedSenders =
        Integer.parseInt(
            single(
                connection,
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'walsender'"));
    List<String> found = new ArrayList<>();
    int toCreate = 0;
    int ownActive = 0;
    List<String> slots = new ArrayList<>();
    for (String group : groups) {
      String slot = PostgresSources.slotName(source, group);
      slots.add(slot);
      try (PreparedStatement st =
          connection.prepareStatement(
              "SELECT plugin, slot_type, database, active,"
                  + " pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)),"
                  + " restart_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
        st.setString(1, slot);
        try (ResultSet rs = st.executeQuery()) {
          if (!rs.next()) {
            toCreate++;
            continue;
          }
          if (!"logical".equals(rs.getString(2))
              || !"pgoutput".equals(rs.getString(1))
              || !source.database().equals(rs.getString(3))) {
            problems.add(
                "Replication slot "
                    + slot
                    + " exists but is a "
                    + rs.getString(2)
                    + " slot"
                    + (rs.getString(1) == null ? "" : " of plugin " + rs.getString(1))
                    + (rs.getString(3) == null ? "" : " in database " + rs.getString(3))
                    + ", not a pgoutput slot of database "
                    + source.database()
                    + ": set source.slot-name to another name, or drop it if nothing uses it:"
                    + " SELECT pg_drop_replication_slot('"
                    + slot
                    + "');");
            continue;
          }
          if (rs.getBoolean(4)) {
            ownActive++;
          }
          found.add(
              "Replication slot "
                  + slot
                  + " exists and retains "
                  + (rs.getString(5) == null ? "no" : rs.getString(5))
                  + " of WAL (from "
                  + rs.getString(6)
                  + "): the job resumes from it. If no job reads it any more, drop it so that"
                  + " PostgreSQL can recycle that WAL: SELECT pg_drop_replication_slot('"
                  + slot
                  + "');");
        }
      }
    }
    int freeSlots = maxSlots - usedSlots;
    if (toCreate > freeSlots) {
      problems.add(
          "Tributary needs "
              + toCreate
              + " new replication slot(s) "
              + slots
              + " but max_replication_slots is "
              + maxSlots
              + " and "
              + usedSlots
              + " are in use: run ALTER SYSTEM SET max_replication_slots = "
              + (usedSlots + toCreate + 4)
              + "; and restart PostgreSQL, or drop slots nothing reads (see pg_replication_slots).");
    }
    int freeSenders = maxSenders - (usedSenders - ownActive);
    if (groups.size() > freeSenders) {
      problems.add(
          "Tributary needs "
              + groups.size()
              + " WAL sender(s), one per replication slot, but max_wal_senders is "
              + maxSenders
              + " and "
              + (usedSenders - ownActive)
              + " are in use by other clients: run ALTER SYSTEM SET max_wal_senders = "
              + (usedSenders + groups.size() + 4)
              + "; and restart PostgreSQL.");
    }
    report.warn(found);
  }

  /**
   * Creates the replication slots of the tables' groups that do not exist yet, with PostgreSQL's
   * {@code pg_create_logical_replication_slot} on an ordinary connection, which holds no slot once
   * it returns. Called only when a job starts (a check must not leave a slot behind, since a slot
   * nobody reads keeps WAL forever). Left to the connector, the slot is created on a replication
   * connection that can still hold it when the stream starts; the stream then waits ten seconds and
   * retries. A slot that cannot be created here is left to the connector, as before.
   */
  static Set<String> createMissingSlots(SourceConfig source, List<CapturedTable> tables) {
    Set<String> created = new TreeSet<>();
    try (Connection connection = PgConnections.connect(source)) {
      for (String group : PostgresSources.groups(tables).keySet()) {
        String slot = PostgresSources.slotName(source, group);
        try (PreparedStatement st =
            connection.prepareStatement(
                "SELECT pg_create_logical_replication_slot(?, 'pgoutput')"
                    + " WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = ?)")) {
          st.setString(1, slot);
          st.setString(2, slot);
          try (ResultSet rs = st.executeQuery()) {
            if (rs.next()) {
              LOG.info("Created replication slot {} in database {}", slot, source.database());
              created.add(slot);
            }
          }
        } catch (SQLException e) {
          LOG.warn(
              "Could not create replication slot {} ({}); the connector creates it",
              slot,
              e.getMessage());
        }
      }
    } catch (SQLException e) {
      LOG.warn("Could not connect to create the replication slots: {}", e.getMessage());
    }
    return created;
  }
}
