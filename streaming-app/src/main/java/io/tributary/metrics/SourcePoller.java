package io.tributary.metrics;

import io.tributary.catalog.CatalogSpec;
import io.tributary.sink.IcebergCommitterOperator;
import io.tributary.sink.TableManager;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic task behind the metrics that need the source or the lake, run off the data path:
 * polls the replication slots ({@code pg_current_wal_lsn()} and {@code confirmed_flush_lsn}) and
 * the row estimates, and reads the tables' last commits and blocked state from the catalog. Every
 * failure is logged and retried at the next poll; nothing here ever fails the job.
 */
final class SourcePoller implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SourcePoller.class);

  /** Snapshots of a table's history read back for its last committed change. */
  private static final int HISTORY_DEPTH = 100;

  private static final String SLOTS_SQL =
      "SELECT slot_name, (extract(epoch FROM clock_timestamp()) * 1000)::bigint,"
          + " pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint,"
          + " pg_wal_lsn_diff(confirmed_flush_lsn, '0/0')::bigint"
          + " FROM pg_replication_slots"
          + " WHERE database = current_database() AND confirmed_flush_lsn IS NOT NULL"
          + " AND slot_name = ANY (?)";

  private static final String ESTIMATES_SQL =
      "SELECT n.nspname || '.' || c.relname, CASE WHEN c.relkind = 'p' THEN (SELECT"
          + " sum(greatest(p.reltuples, 0))::bigint FROM pg_inherits i JOIN pg_class p"
          + " ON p.oid = i.inhrelid WHERE i.inhparent = c.oid) ELSE c.reltuples::bigint END"
          + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE c.relkind IN ('r', 'p') AND n.nspname || '.' || c.relname = ANY (?)";

  private final MetricsSpec spec;
  private final Map<String, TableStatus> tables;
  private final Map<String, SlotWatermark> slots;
  private final Map<String, Long> checkedCommit = new HashMap<>();
  private final Map<String, Integer> failures = new HashMap<>();
  private Connection connection;
  private Catalog catalog;
  private boolean restored;
  private long lastBlockedCheck;

  SourcePoller(
      MetricsSpec spec, Map<String, TableStatus> tables, Map<String, SlotWatermark> slots) {
    this.spec = spec;
    this.tables = tables;
    this.slots = slots;
  }

  @Override
  public void run() {
    if (spec.jdbcUrl() != null) {
      attempt("slots", this::pollSlots);
      attempt("row estimates", this::pollEstimates);
    }
    if (!restored) {
      attempt("last commits", this::readLastCommits);
    }
    long now = System.currentTimeMillis();
    // Blocked state of idle tables is read from the catalog every second poll (each minute by
    // default), to keep catalog requests few.
    if (restored && now - lastBlockedCheck >= 2 * spec.pollIntervalMillis()) {
      lastBlockedCheck = now;
      attempt("blocked tables", this::checkBlocked);
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private void attempt(String what, Step step) {
    try {
      step.run();
      Integer failed = failures.remove(what);
      if (failed != null) {
        LOG.info("Metrics poll of {} works again after {} failures", what, failed);
      }
    } catch (Exception e) {
      int failed = failures.merge(what, 1, Integer::sum);
      if (failed == 1 || failed % 20 == 0) {
        LOG.warn(
            "Metrics poll of {} failed ({} times in a row; the job goes on, retried every {} ms):"
                + " {}",
            what,
            failed,
            spec.pollIntervalMillis(),
            e.toString());
      } else {
        LOG.debug("Metrics poll of {} failed", what, e);
      }
      if (e instanceof SQLException) {
        closeConnection();
      }
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      Properties props = new Properties();
      props.setProperty("user", spec.user());
      if (spec.password() != null) {
        props.setProperty("password", spec.password().resolve());
      }
      props.setProperty("ApplicationName", "tributary-metrics");
      if (spec.sslRootCert() != null) {
        spec.sslRootCert().addTo(props);
      }
      props.setProperty("connectTimeout", "10");
      props.setProperty("socketTimeout", "30");
      connection = DriverManager.getConnection(spec.jdbcUrl(), props);
      connection.setAutoCommit(true);
    }
    return connection;
  }

  private void pollSlots() throws SQLException {
    Connection c = connection();
    try (PreparedStatement st = c.prepareStatement(SLOTS_SQL)) {
      Array names = c.createArrayOf("text", slots.keySet().toArray());
      st.setArray(1, names);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          SlotWatermark slot = slots.get(rs.getString(1));
          if (slot != null) {
            slot.poll(rs.getLong(2), rs.getLong(3), rs.getLong(4));
          }
        }
      }
    }
  }

  private void pollEstimates() throws SQLException {
    Connection c = connection();
    try (PreparedStatement st = c.prepareStatement(ESTIMATES_SQL)) {
      st.setArray(1, c.createArrayOf("text", tables.keySet().toArray()));
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          TableStatus table = tables.get(rs.getString(1));
          long estimate = rs.getLong(2);
          if (table != null) {
            table.estimate(rs.wasNull() ? -1 : estimate);
          }
        }
      }
    }
  }

  /** Once: what each table held before this run, from its snapshot history. */
  private void readLastCommits() {
    Catalog lake = catalog();
    for (MetricsSpec.Table spec : this.spec.tables().values()) {
      TableStatus status = tables.get(spec.source());
      Table table;
      try {
        table = lake.loadTable(TableIdentifier.parse(spec.mirror()));
      } catch (NoSuchTableException e) {
        continue;
      }
      Snapshot current = table.currentSnapshot();
      long commitMillis = -1;
      long changeMillis = -1;
      Snapshot snapshot = current;
      for (int i = 0; snapshot != null && i < HISTORY_DEPTH; i++) {
        Map<String, String> summary = snapshot.summary();
        if (commitMillis < 0 && summary.containsKey(IcebergCommitterOperator.CHECKPOINT_ID)) {
          commitMillis = snapshot.timestampMillis();
        }
        String ts = summary.get(IcebergCommitterOperator.MAX_SOURCE_TS);
        if (ts != null) {
          changeMillis = Long.parseLong(ts) / 1000;
          break;
        }
        Long parent = snapshot.parentId();
        snapshot = parent == null ? null : table.snapshot(parent);
      }
      long rows = -1;
      if (current != null && current.summary().get("total-records") != null) {
        rows = Long.parseLong(current.summary().get("total-records"));
      }
      status.restored(commitMillis, changeMillis, rows);
      status.blocked(table.properties().get(TableManager.BLOCKED) != null);
      checkedCommit.put(spec.source(), status.lastCommitMillis());
    }
    restored = true;
  }

  /**
   * The blocked state of the tables that had no commit since the last check (a blocked table gets
   * none) and of those that were blocked (to see them recovered).
   */
  private void checkBlocked() {
    Catalog lake = catalog();
    for (MetricsSpec.Table spec : this.spec.tables().values()) {
      TableStatus status = tables.get(spec.source());
      long last = status.lastCommitMillis();
      Long checked = checkedCommit.put(spec.source(), last);
      if (status.blockedFlag() == 0 && checked != null && last > checked) {
        continue;
      }
      try {
        Table table = lake.loadTable(TableIdentifier.parse(spec.mirror()));
        status.blocked(table.properties().get(TableManager.BLOCKED) != null);
      } catch (NoSuchTableException e) {
        status.blocked(false);
      }
    }
  }

  private Catalog catalog() {
    if (catalog == null) {
      catalog = spec.catalog().open();
    }
    return catalog;
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        LOG.debug("Closing the metrics connection failed", e);
      }
      connection = null;
    }
  }

  @Override
  public void close() {
    closeConnection();
    if (catalog != null) {
      CatalogSpec.closeQuietly(catalog);
      catalog = null;
    }
  }
}
