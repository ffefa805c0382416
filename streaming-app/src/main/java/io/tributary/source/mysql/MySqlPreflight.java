package io.tributary.source.mysql;

import io.tributary.change.TableId;
import io.tributary.config.SourceConfig;
import io.tributary.config.TableMode;
import io.tributary.config.TableOptions;
import io.tributary.config.TableSelection;
import io.tributary.source.CaptureNames;
import io.tributary.source.CapturedTable;
import io.tributary.source.SourceNotReadyException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before a start, that a MySQL or MariaDB server can be captured: the server's flavour and
 * version (reported), binary logging in row format with full row images, the job's server ids, the
 * user's replication privileges, and every selected table's primary key and readability. Every
 * problem is reported at once with the statement that fixes it; a table that alone cannot be
 * captured is refused and the others are captured.
 */
public final class MySqlPreflight {
  private static final Logger LOG = LoggerFactory.getLogger(MySqlPreflight.class);

  /** Databases of the server itself, never captured. */
  static final List<String> SYSTEM_DATABASES =
      List.of("mysql", "information_schema", "performance_schema", "sys");

  private final SourceConfig source;
  private final TableSelection selection;
  private final Map<TableId, String> refused = new TreeMap<>();
  private String server;

  public MySqlPreflight(SourceConfig source, TableSelection selection) {
    this.source = source;
    this.selection = selection;
  }

  /**
   * Runs every check and returns the tables to capture.
   *
   * @throws SourceNotReadyException listing every problem found
   */
  public List<CapturedTable> run() {
    List<String> problems = new ArrayList<>();
    List<CapturedTable> tables = new ArrayList<>();
    refused.clear();
    try (Connection connection = MySqlConnections.connect(source)) {
      server = serverDescription(connection);
      LOG.info("Source is {} at {}:{}", server, source.host(), source.port());
      checkBinlog(connection, problems);
      checkPrivileges(connection, problems);
      tables = resolveTables(connection);
    } catch (SQLException e) {
      problems.add(e.getMessage());
    }
    if (problems.isEmpty() && tables.isEmpty()) {
      problems.add(
          "No table can be captured: tables.include "
              + selection.include()
              + " matches no base table with a primary key on the server"
              + (refused.isEmpty() ? "" : " (refused: " + refused.keySet() + ")")
              + "; name tables as database.table, e.g. "
              + source.database()
              + ".*");
    }
    if (!problems.isEmpty()) {
      throw new SourceNotReadyException(problems);
    }
    refused.forEach((id, reason) -> LOG.warn("{}", reason));
    return tables;
  }

  /** The tables refused, with why; filled by {@link #run()}. */
  public Map<TableId, String> refused() {
    return refused;
  }

  /** The server's flavour and version, e.g. {@code MariaDB 10.11.19}; after {@link #run()}. */
  public String server() {
    return server;
  }

  /** {@code MariaDB <version>} or {@code MySQL <version>}, from {@code VERSION()}. */
  static String serverDescription(Connection connection) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT VERSION()")) {
      rs.next();
      return describe(rs.getString(1));
    }
  }

  /** The flavour and version of a {@code VERSION()} text. */
  static String describe(String version) {
    boolean mariaDb = version.toLowerCase(Locale.ROOT).contains("mariadb");
    String number = version.split("-", 2)[0];
    return (mariaDb ? "MariaDB " : "MySQL ") + number;
  }

  private static Map<String, String> globals(Connection connection) throws SQLException {
    Map<String, String> values = new LinkedHashMap<>();
    try (Statement st = connection.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', 'binlog_format',"
                    + " 'binlog_row_image', 'server_id')")) {
      while (rs.next()) {
        values.put(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2));
      }
    }
    return values;
  }

  private void checkBinlog(Connection connection, List<String> problems) throws SQLException {
    Map<String, String> globals = globals(connection);
    if (!"ON".equalsIgnoreCase(globals.get("log_bin"))) {
      problems.add(
          "Binary logging is off on "
              + server
              + ": start the server with log_bin (e.g. log-bin=mysql-bin and a server_id in its"
              + " configuration file), then restart it");
    }
    if (!"ROW".equalsIgnoreCase(globals.get("binlog_format"))) {
      problems.add(
          "binlog_format is "
              + globals.get("binlog_format")
              + ", the capture needs ROW: SET GLOBAL binlog_format = 'ROW'; and binlog_format=ROW"
              + " in the server's configuration file (sessions opened before keep theirs)");
    }
    if (!"FULL".equalsIgnoreCase(globals.get("binlog_row_image"))) {
      problems.add(
          "binlog_row_image is "
              + globals.get("binlog_row_image")
              + ", the capture needs FULL (whole rows before and after each change): SET GLOBAL"
              + " binlog_row_image = 'FULL'; and binlog_row_image=FULL in the server's"
              + " configuration file");
    }
    String serverId = globals.get("server_id");
    if (serverId != null && source.serverId() != null) {
      long own = Long.parseLong(serverId);
      if (own >= source.serverId().start() && own <= source.serverId().end()) {
        problems.add(
            "source.server-id "
                + source.serverId()
                + " holds the server's own server_id "
                + own
                + ": choose a range that no server or replica of it uses");
      }
    }
  }

  private void checkPrivileges(Connection connection, List<String> problems) throws SQLException {
    List<String> global = new ArrayList<>();
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SHOW GRANTS")) {
      while (rs.next()) {
        String grant = rs.getString(1).toUpperCase(Locale.ROOT);
        if (grant.startsWith("GRANT ") && grant.contains(" ON *.* TO ")) {
          global.add(grant);
        }
      }
    }
    List<String> missing = missingReplicationPrivileges(global);
    if (!missing.isEmpty()) {
      problems.add(
          "User "
              + source.user()
              + " lacks "
              + String.join(" and ", missing)
              + " on *.*, which reading the binlog needs: GRANT "
              + String.join(", ", missing)
              + " ON *.* TO '"
              + source.user()
              + "'@'<host>';");
    }
  }

  /** The replication privileges the global grants lack (MariaDB names one BINLOG MONITOR). */
  static List<String> missingReplicationPrivileges(List<String> globalGrants) {
    String all = String.join("\n", globalGrants).toUpperCase(Locale.ROOT);
    List<String> missing = new ArrayList<>();
    if (all.contains("ALL PRIVILEGES")) {
      return missing;
    }
    if (!all.contains("REPLICATION SLAVE")) {
      missing.add("REPLICATION SLAVE");
    }
    if (!all.contains("REPLICATION CLIENT") && !all.contains("BINLOG MONITOR")) {
      missing.add("REPLICATION CLIENT");
    }
    return missing;
  }

  /** The selected base tables of the server, by database and name. */
  public static List<TableId> matchingTables(Connection connection, TableSelection selection)
      throws SQLException {
    List<TableId> tables = new ArrayList<>();
    try (Statement st = connection.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type"
                    + " = 'BASE TABLE' ORDER BY table_schema, table_name")) {
      while (rs.next()) {
        TableId id = new TableId(rs.getString(1), rs.getString(2));
        if (!SYSTEM_DATABASES.contains(id.schema().toLowerCase(Locale.ROOT))
            && selection.matches(id.qualified())) {
          tables.add(id);
        }
      }
    }
    return tables;
  }

  /** The table's primary key columns in key order; empty when it has none. */
  public static List<String> primaryKey(Connection connection, TableId id) throws SQLException {
    List<String> key = new ArrayList<>();
    try (PreparedStatement st =
        connection.prepareStatement(
            "SELECT column_name FROM information_schema.key_column_usage WHERE table_schema = ?"
                + " AND table_name = ? AND constraint_name = 'PRIMARY' ORDER BY"
                + " ordinal_position")) {
      st.setString(1, id.schema());
      st.setString(2, id.table());
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          key.add(rs.getString(1));
        }
      }
    }
    return key;
  }

  private List<CapturedTable> resolveTables(Connection connection) throws SQLException {
    List<TableId> matching = matchingTables(connection, selection);
    refused.putAll(CaptureNames.refusedForNames(matching));
    List<CapturedTable> tables = new ArrayList<>();
    for (TableId id : matching) {
      if (refused.containsKey(id)) {
        continue;
      }
      String problem = tableProblem(connection, id);
      if (problem != null) {
        refused.put(id, problem);
        continue;
      }
      List<String> key = primaryKey(connection, id);
      tables.add(new CapturedTable(id, key, key, "full", TableMode.MIRROR, key.get(0)));
    }
    return tables;
  }

  /** Why the table is refused, with what to do; null when it can be captured. */
  private String tableProblem(Connection connection, TableId id) throws SQLException {
    String quoted = MySqlConnections.quoted(id);
    TableOptions options = selection.optionsFor(id.qualified());
    if (options.mode() == TableMode.APPEND_ONLY || !options.keyColumns().isEmpty()) {
      return "Table "
          + quoted
          + " is not captured: tables.options mode and key-columns are not available for MySQL"
          + " sources yet; remove them (the table is mirrored by its primary key)";
    }
    if (primaryKey(connection, id).isEmpty()) {
      return "Table "
          + quoted
          + " is not captured: it has no primary key, and tables without one are not captured"
          + " from MySQL yet; add one (ALTER TABLE "
          + quoted
          + " ADD PRIMARY KEY (...)) or leave it out of tables.include";
    }
    try (Statement st = connection.createStatement()) {
      st.executeQuery("SELECT 1 FROM " + quoted + " LIMIT 0").close();
    } catch (SQLException e) {
      return "Table "
          + quoted
          + " is not captured: user "
          + source.user()
          + " cannot read it ("
          + e.getMessage()
          + "): GRANT SELECT ON "
          + quoted
          + " TO '"
          + source.user()
          + "'@'<host>';";
    }
    return null;
  }
}
