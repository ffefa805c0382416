package io.tributary.source.postgres;

import io.debezium.connector.postgresql.connection.Lsn;
import io.tributary.source.SourceNotReadyException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses to stream from a position the replication slot can no longer deliver.
 *
 * <p>PostgreSQL starts a logical replication stream at the slot's {@code confirmed_flush_lsn}
 * whenever the client asks for an earlier position, without an error. A job restored from a
 * savepoint or snapshot onto a slot that this start had to create (the slot was dropped while the
 * job was down, or the database was restored from a backup) would therefore skip every change
 * between the restored position and the slot's creation; a slot that has lost WAL ({@code
 * wal_status = 'lost'}) cannot deliver the changes either. Before the stream starts, such a start
 * stops for good (no restart would help), with both positions and the ways on, unless the operator
 * set {@code source.allow-wal-gap}.
 *
 * <p>A slot that existed and has confirmed past the restored position is not refused, only logged:
 * the JDBC driver confirms the server's position on keepalives once every message it received is
 * flushed, so an idle slot legitimately moves past the last checkpoint's position with no change in
 * between. Only a restore from a savepoint older than the latest completed checkpoint skips changes
 * that way, which the log line names.
 */
final class SlotPositionCheck {
  private static final Logger LOG = LoggerFactory.getLogger(SlotPositionCheck.class);

  private static final String SLOT_QUERY =
      "SELECT confirmed_flush_lsn::text, wal_status FROM pg_replication_slots"
          + " WHERE slot_name = ? AND database = current_database()";

  private SlotPositionCheck() {}

  /** What the slot says about itself: its confirmed position (if any) and its WAL status. */
  static final class SlotState {
    final Lsn confirmed;
    final String walStatus;

    SlotState(Lsn confirmed, String walStatus) {
      this.confirmed = confirmed;
      this.walStatus = walStatus;
    }
  }

  /** Reads the slot's state; empty when the slot does not exist. */
  static Optional<SlotState> read(Connection jdbc, String slot) throws SQLException {
    try (PreparedStatement st = jdbc.prepareStatement(SLOT_QUERY)) {
      st.setString(1, slot);
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        String confirmed = rs.getString(1);
        return Optional.of(
            new SlotState(confirmed == null ? null : Lsn.valueOf(confirmed), rs.getString(2)));
      }
    }
  }

  /**
   * The reason a stream must not start at {@code restored} on this slot, or empty when it may.
   *
   * @param slot the slot's name, for the message
   * @param restored the position the stream split starts from
   * @param state the slot as it is now
   * @param createdAtStart this start created the slot (it did not exist)
   * @param allowGap the operator accepted skipped changes ({@code source.allow-wal-gap})
   */
  static Optional<String> problem(
      String slot, Lsn restored, SlotState state, boolean createdAtStart, boolean allowGap) {
    if (restored == null || !restored.isValid()) {
      return Optional.empty();
    }
    if ("lost".equals(state.walStatus)) {
      return Optional.of(
          "Replication slot "
              + slot
              + " has lost WAL it still needed (wal_status = lost): the changes after "
              + restored.asString()
              + " are gone from the server. Re-snapshot: drop the slot (SELECT"
              + " pg_drop_replication_slot('"
              + slot
              + "')) and start the job without its savepoint, so that every table is read again."
              + " Raise max_slot_wal_keep_size to keep this from happening again.");
    }
    if (state.confirmed == null || restored.compareTo(state.confirmed) >= 0) {
      return Optional.empty();
    }
    if (!createdAtStart) {
      LOG.info(
          "Replication slot {} has confirmed {}, past the restored position {}: normal for an idle"
              + " slot (the server's position is confirmed on keepalives); if this start restored"
              + " a savepoint older than the latest checkpoint, the changes in between are not"
              + " streamed again: verify and backfill the tables that differ.",
          slot,
          state.confirmed.asString(),
          restored.asString());
      return Optional.empty();
    }
    String gap =
        "The job was restored at WAL position "
            + restored.asString()
            + " but replication slot "
            + slot
            + " did not exist and was created by this start at "
            + state.confirmed.asString()
            + " (it was dropped while the job was down, or the database was restored from a"
            + " backup); PostgreSQL would stream from "
            + state.confirmed.asString()
            + " and the changes in between would be skipped.";
    if (allowGap) {
      LOG.warn(
          "{} Continuing because source.allow-wal-gap is true: backfill the captured tables to"
              + " restate the skipped changes.",
          gap);
      return Optional.empty();
    }
    return Optional.of(
        gap
            + " Ways on: (1) re-snapshot: start the job without this savepoint (every table is"
            + " read again); (2) accept the gap: set source.allow-wal-gap: true for this start, then backfill"
            + " the captured tables.");
  }

  /**
   * Checks the stream's start against the slot, and stops the job for good (no restarts) when it
   * must not start.
   */
  static void check(
      Connection jdbc, String slot, Lsn restored, boolean createdAtStart, boolean allowGap) {
    Optional<SlotState> state;
    try {
      state = read(jdbc, slot);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cannot read replication slot " + slot + " from pg_replication_slots", e);
    }
    if (state.isEmpty()) {
      return; // the stream creates it; nothing was confirmed on it
    }
    Optional<String> problem = problem(slot, restored, state.get(), createdAtStart, allowGap);
    if (problem.isPresent()) {
      LOG.error("{}", problem.get());
      throw new SuppressRestartsException(new SourceNotReadyException(List.of(problem.get())));
    }
    LOG.info(
        "Stream of slot {} starts at {} (slot confirmed {})",
        slot,
        restored,
        state.get().confirmed);
  }
}
