package io.tributary.source.postgres;

import static io.tributary.source.postgres.PgCatalog.quoteIdent;
import static io.tributary.source.postgres.PgCatalog.quoted;

import io.tributary.change.TableId;
import io.tributary.sink.IcebergSchemas;
import io.tributary.source.CapturedTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The preflight's checks of a table's columns: names the lake cannot hold, types captured lossily,
 * and the column its initial snapshot is split on when it has no key.
 */
final class ColumnChecks {
  private ColumnChecks() {}

  /** Columns whose lake names collide with each other or with Tributary's metadata columns. */
  static List<String> columnNameProblems(TableId id, Set<String> columns) {
    List<String> problems = new ArrayList<>();
    Map<String, List<String>> byField = new LinkedHashMap<>();
    for (String column : columns) {
      byField
          .computeIfAbsent(IcebergSchemas.fieldName(column), k -> new ArrayList<>())
          .add(quoteIdent(column));
    }
    for (String column : columns) {
      if (!column.chars().allMatch(c -> c < 128)) {
        problems.add(
            "Table "
                + id
                + " has a column "
                + quoteIdent(column)
                + " with a non-ASCII character in its name, which the WAL decoder corrupts (the"
                + " lake column would get another name): rename it at the source (ALTER TABLE "
                + quoted(id)
                + " RENAME COLUMN "
                + quoteIdent(column)
                + " TO ...).");
      }
    }
    for (Map.Entry<String, List<String>> entry : byField.entrySet()) {
      if (entry.getValue().size() > 1) {
        problems.add(
            "Table "
                + id
                + " has columns "
                + String.join(" and ", entry.getValue())
                + ", which would all be the lake column "
                + entry.getKey()
                + " (lake column names are lower case): rename all but one at the source (ALTER"
                + " TABLE "
                + quoted(id)
                + " RENAME COLUMN ... TO ...).");
      }
      if (IcebergSchemas.METADATA_COLUMNS.contains(entry.getKey())) {
        problems.add(
            "Table "
                + id
                + " has a column "
                + entry.getValue().get(0)
                + ", the name of one of Tributary's metadata columns "
                + IcebergSchemas.METADATA_COLUMNS
                + ": rename it at the source.");
      }
    }
    return problems;
  }

  /**
   * Why a mirrored table's key cannot be the Iceberg table's key: a key column of type {@code real}
   * or {@code double precision} (also through a domain), which Iceberg refuses as an identifier
   * field, so the writer would fail on the table at every restart and stop every table; null when
   * the key can be.
   */
  static String keyTypeProblem(Connection connection, TableId id, List<String> key)
      throws SQLException {
    try (PreparedStatement st =
        connection.prepareStatement(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN"
                + " pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type b ON t.typtype = 'd' AND"
                + " b.oid = t.typbasetype WHERE a.attrelid = ?::regclass AND a.attname = ANY (?)"
                + " AND NOT a.attisdropped AND COALESCE(b.typname, t.typname) IN ('float4',"
                + " 'float8') ORDER BY a.attnum")) {
      st.setString(1, quoted(id));
      st.setArray(2, connection.createArrayOf("text", key.toArray()));
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return "Table "
            + id
            + " is not captured: its key column "
            + quoteIdent(rs.getString(1))
            + " is of type "
            + rs.getString(2)
            + ", which Iceberg cannot use as a key (no float or double identifier field), so the"
            + " writer would fail on the table at every restart and stop every table. Configure"
            + " tables.options."
            + id
            + ".key-columns of other types (with REPLICA IDENTITY FULL), set its mode to"
            + " append-only, or leave it out of tables.include; the other tables are captured.";
      }
    }
  }

  /**
   * Element types of arrays the capture does not carry exactly: Debezium leaves arrays of {@code
   * bytea}, {@code interval}, {@code money} and geometric types out of the change (the lake table
   * would lack the column), and arrays of dates, times, timestamps and {@code numeric} arrive with
   * other values than the source's. Found by capturing each type and comparing with verify.
   */
  static final Set<String> INEXACT_ARRAY_ELEMENTS =
      Set.of(
          "bytea",
          "interval",
          "money",
          "point",
          "line",
          "lseg",
          "box",
          "path",
          "polygon",
          "circle",
          "date",
          "time",
          "timetz",
          "timestamp",
          "timestamptz",
          "numeric");

  /** A column of a type the capture cannot read, or not exactly: its quoted name, type and why. */
  static final class UncapturableColumn {
    private final String column;
    private final String type;
    private final String why;

    UncapturableColumn(String column, String type, String why) {
      this.column = column;
      this.type = type;
      this.why = why;
    }

    /** The column's name, quoted as PostgreSQL needs. */
    String column() {
      return column;
    }

    /** The column's type, as PostgreSQL prints it. */
    String type() {
      return type;
    }

    /** Why the capture cannot carry it. */
    String why() {
      return why;
    }
  }

  /**
   * Columns of a type the capture cannot read, or not exactly: {@code refcursor}, whose value the
   * JDBC driver reads by opening the cursor it names (the snapshot of every table fails); {@code
   * timetz}; arrays of the {@link #INEXACT_ARRAY_ELEMENTS}, of composite types or of domains, and
   * columns declared with more than one array dimension, whose values arrive changed or not at all.
   * The one place that decides which column types are captured: the preflight refuses a table with
   * such a column ({@link #columnTypeProblems}), the running job parks a table that gets one
   * ({@link LiveColumnCheck}).
   */
  static List<UncapturableColumn> uncapturableColumns(Connection connection, TableId id)
      throws SQLException {
    List<UncapturableColumn> found = new ArrayList<>();
    try (PreparedStatement st =
        connection.prepareStatement(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typname, e.typname,"
                + " e.typtype, a.attndims FROM pg_attribute a JOIN pg_type t ON t.oid ="
                + " a.atttypid LEFT JOIN pg_type e ON t.typcategory = 'A' AND e.oid = t.typelem"
                + " WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER"
                + " BY a.attnum")) {
      st.setString(1, quoted(id));
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          String column = quoteIdent(rs.getString(1));
          String type = rs.getString(2);
          String typname = rs.getString(3);
          String element = rs.getString(4);
          String elementKind = rs.getString(5);
          String why;
          if (typname.equals("refcursor") || "refcursor".equals(element)) {
            why =
                "which the initial snapshot cannot read (the driver opens the cursor it names, and"
                    + " the snapshot of every table would fail)";
          } else if (typname.equals("timetz")
              || (element != null
                  && (INEXACT_ARRAY_ELEMENTS.contains(element)
                      || "c".equals(elementKind)
                      || "d".equals(elementKind)))
              || rs.getInt(6) > 1) {
            why =
                "which the capture does not carry exactly (arrays of bytea, interval, money and"
                    + " geometric types are left out of the lake; arrays of dates, times,"
                    + " timestamps, numeric, composite types and domains, arrays of more than one"
                    + " dimension and timetz arrive with other values)";
          } else {
            continue;
          }
          found.add(new UncapturableColumn(column, type, why));
        }
      }
    }
    return found;
  }

  /** The preflight's refusal of a table for each column of {@link #uncapturableColumns}. */
  static List<String> columnTypeProblems(Connection connection, TableId id) throws SQLException {
    List<String> problems = new ArrayList<>();
    for (UncapturableColumn found : uncapturableColumns(connection, id)) {
      problems.add(
          "Table "
              + id
              + " is not captured: its column "
              + found.column()
              + " is of type "
              + found.type()
              + ", "
              + found.why()
              + ". Change it to text (ALTER TABLE "
              + quoted(id)
              + " ALTER COLUMN "
              + found.column()
              + " TYPE text USING "
              + found.column()
              + "::text), or leave the table out of tables.include; the other tables are"
              + " captured.");
    }
    return problems;
  }

  /** Warns about columns whose values are not captured faithfully (docs/type-mapping.md). */
  static void checkColumnTypes(
      Connection connection, List<CapturedTable> tables, PreflightReport report)
      throws SQLException {
    List<String> found = new ArrayList<>();
    try (PreparedStatement st =
        connection.prepareStatement(
            "SELECT attname, format_type(atttypid, atttypmod), t.typname FROM pg_attribute a JOIN"
                + " pg_type t ON t.oid = a.atttypid WHERE attrelid = ?::regclass AND attnum > 0"
                + " AND NOT attisdropped ORDER BY attnum")) {
      for (CapturedTable table : tables) {
        st.setString(1, quoted(table.id()));
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            String hint = lossyTypeHint(rs.getString(3));
            if (hint != null) {
              found.add(
                  "Column "
                      + table.id()
                      + "."
                      + rs.getString(1)
                      + " ("
                      + rs.getString(2)
                      + "): "
                      + hint);
            }
          }
        }
      }
    }
    report.warn(found);
  }

  /** What is lossy about a type (by pg_type.typname), or null when it is captured faithfully. */
  static String lossyTypeHint(String typname) {
    switch (typname) {
      case "money":
        return "amounts of more than 15 digits may lose cents (the value passes through a"
            + " double); change the column to numeric(19,2) if such amounts occur"
            + " (docs/type-mapping.md)";
      case "varbit":
        return "leading zero bits are lost; use bit(n) or text if they matter";
      case "box":
      case "line":
      case "lseg":
      case "path":
      case "polygon":
      case "circle":
        return "the initial snapshot writes the driver's text form, changes PostgreSQL's;"
            + " compare with verify after the snapshot";
      default:
        return null;
    }
  }

  /**
   * The types (by {@code pg_type.typname}) Flink CDC's snapshot can split a table on. Any other
   * type of the split column fails the split of that table, and with it the whole source, every
   * table of it, on every restart: an enum, {@code interval}, {@code inet}, {@code money}, a
   * domain, ... ("Doesn't support Postgres type ... yet"), {@code boolean} and {@code bytea}
   * (PostgreSQL has no {@code min} of them).
   */
  static final Set<String> SPLITTABLE_TYPES =
      Set.of(
          "int2",
          "int4",
          "int8",
          "float4",
          "float8",
          "numeric",
          "bpchar",
          "varchar",
          "text",
          "uuid",
          "date",
          "time",
          "timestamp",
          "timestamptz");

  /**
   * Why the initial snapshot cannot be split on the table's column, with what to do; null when it
   * can.
   *
   * @param role what the column is to the table, e.g. "the first column of its primary key"
   */
  static String splitProblem(Connection connection, TableId id, String column, String role)
      throws SQLException {
    String type = null;
    try (PreparedStatement st =
        connection.prepareStatement(
            "SELECT t.typname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN"
                + " pg_type t ON t.oid = a.atttypid WHERE a.attrelid = ?::regclass AND a.attname"
                + " = ? AND NOT a.attisdropped")) {
      st.setString(1, quoted(id));
      st.setString(2, column);
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next() || SPLITTABLE_TYPES.contains(rs.getString(1))) {
          return null;
        }
        type = rs.getString(2);
      }
    }
    return "Table "
        + id
        + " is not captured: its initial snapshot is read in chunks of "
        + quoteIdent(column)
        + " ("
        + role
        + "), of type "
        + type
        + ", which the snapshot cannot split on (the capture of every table would fail). Types it"
        + " can split on: smallint, integer, bigint, real, double precision, numeric, char,"
        + " varchar, text, uuid, date, time, timestamp, timestamptz (not domains or enums). Make a"
        + " column of such a type the first of its key, or leave the table out of"
        + " tables.include; the other tables are captured.";
  }

  /**
   * The column that splits the initial snapshot of a table without key: the first NOT NULL column
   * of a type the snapshot can split on ({@link #SPLITTABLE_TYPES}), else the first column of such
   * a type (rows with null in it are then only read when the table fits in one chunk; a warning
   * says so), else null.
   */
  static String chunkColumn(Connection connection, TableId id, List<String> found)
      throws SQLException {
    String nullable = null;
    try (PreparedStatement st =
        connection.prepareStatement(
            "SELECT a.attname, a.attnotnull FROM pg_attribute a JOIN pg_type t ON t.oid ="
                + " a.atttypid WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT"
                + " a.attisdropped AND t.typname = ANY (?) ORDER BY a.attnum")) {
      st.setString(1, quoted(id));
      st.setArray(2, connection.createArrayOf("text", SPLITTABLE_TYPES.toArray()));
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          if (rs.getBoolean(2)) {
            return rs.getString(1);
          }
          if (nullable == null) {
            nullable = rs.getString(1);
          }
        }
      }
    }
    if (nullable != null) {
      found.add(
          "Table "
              + id
              + " has no key and no NOT NULL column to split its initial snapshot on: it is split"
              + " on "
              + nullable
              + ", and rows where "
              + nullable
              + " is null are not read by the initial snapshot when the table is larger than"
              + " source.snapshot.chunk-size. Declare a NOT NULL column if that matters.");
    }
    return nullable;
  }
}
