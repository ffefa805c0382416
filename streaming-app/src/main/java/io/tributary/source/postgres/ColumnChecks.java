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
   * The column that splits the initial snapshot of a table without key: the first NOT NULL column
   * of a type with a natural order, else the first column of such a type (rows with null in it are
   * then only read when the table fits in one chunk; a warning says so), else null.
   */
  static String chunkColumn(Connection connection, TableId id, List<String> found)
      throws SQLException {
    String nullable = null;
    try (PreparedStatement st =
        connection.prepareStatement(
            "SELECT a.attname, a.attnotnull FROM pg_attribute a JOIN pg_type t ON t.oid ="
                + " a.atttypid WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT"
                + " a.attisdropped AND (t.typcategory IN ('N', 'S', 'D') OR t.typname = 'uuid')"
                + " AND t.typname NOT IN ('money') ORDER BY a.attnum")) {
      st.setString(1, quoted(id));
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
