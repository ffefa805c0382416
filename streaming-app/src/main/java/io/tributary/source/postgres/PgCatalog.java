package io.tributary.source.postgres;

import io.tributary.change.TableId;
import io.tributary.config.TableSelection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the preflight reads from PostgreSQL's catalog: the tables a selection matches, their keys,
 * columns, privileges and partitioning, the server version; and how names are quoted in SQL.
 */
final class PgCatalog {
  private PgCatalog() {}

  /** The columns of the table that may hold NULL. */
  static Set<String> nullableColumns(Connection connection, TableId id) throws SQLException {
    Set<String> nullable = new TreeSet<>();
    try (PreparedStatement st =
        connection.prepareStatement(
            "SELECT attname FROM pg_attribute WHERE attrelid = ?::regclass AND attnum > 0 AND NOT"
                + " attisdropped AND NOT attnotnull")) {
      st.setString(1, quoted(id));
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          nullable.add(rs.getString(1));
        }
      }
    }
    return nullable;
  }

  /** The tables of the source that the selection matches, with their replica identity. */
  static Map<TableId, String> matchingTables(Connection connection, TableSelection selection)
      throws SQLException {
    Map<TableId, String> identities = new LinkedHashMap<>();
    String sql =
        "SELECT n.nspname, c.relname, c.relreplident FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition"
            + " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2";
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        TableId id = new TableId(rs.getString(1), rs.getString(2));
        if (selection.matches(id.qualified())) {
          identities.put(id, replicaIdentityName(rs.getString(3)));
        }
      }
    }
    return identities;
  }

  /** The primary key columns of a table, in key order; empty when it has none. */
  static List<String> primaryKey(Connection connection, TableId id) throws SQLException {
    List<String> key = new ArrayList<>();
    String sql =
        "SELECT a.attname FROM pg_index i"
            + " JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true"
            + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum"
            + " WHERE i.indisprimary AND n.nspname = ? AND c.relname = ? ORDER BY k.ord";
    try (PreparedStatement st = connection.prepareStatement(sql)) {
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

  static Set<String> columns(Connection connection, TableId id) throws SQLException {
    Set<String> columns = new TreeSet<>();
    try (PreparedStatement st =
        connection.prepareStatement(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND"
                + " table_name = ?")) {
      st.setString(1, id.schema());
      st.setString(2, id.table());
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          columns.add(rs.getString(1));
        }
      }
    }
    return columns;
  }

  /** PostgreSQL's server_version_num, e.g. 150004. */
  static int serverVersion(Connection connection) throws SQLException {
    return Integer.parseInt(single(connection, "SHOW server_version_num"));
  }

  /** Whether the table is a partitioned table (the root of declarative partitions). */
  static boolean isPartitioned(Connection connection, TableId id) throws SQLException {
    try (PreparedStatement st =
        connection.prepareStatement(
            "SELECT c.relkind = 'p' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ?")) {
      st.setString(1, id.schema());
      st.setString(2, id.table());
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  static boolean hasSelect(Connection connection, TableId id) throws SQLException {
    try (PreparedStatement st =
        connection.prepareStatement("SELECT has_table_privilege(?, 'SELECT')")) {
      st.setString(1, quoted(id));
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  static String single(Connection connection, String sql) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  static String replicaIdentityName(String code) {
    switch (code) {
      case "d":
        return "default";
      case "f":
        return "full";
      case "i":
        return "index";
      case "n":
        return "nothing";
      default:
        return code;
    }
  }

  static String quoted(TableId id) {
    return id.quoted();
  }

  static String quoteIdent(String identifier) {
    return TableId.quoteIdent(identifier);
  }
}
