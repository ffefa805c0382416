package io.tributary.backfill;

import io.tributary.change.TableId;
import io.tributary.sink.TableNames;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The coordinator's side of the source: a {@code REPEATABLE READ} transaction whose snapshot is
 * exported for the tasks and held open until they are done, the source table behind a lake name,
 * its columns, and the key ranges the tasks read.
 */
final class SourceSnapshot implements AutoCloseable {
  private final Connection connection;
  private final String snapshotId;
  private final long lsn;
  private final OffsetDateTime time;

  private SourceSnapshot(Connection connection, String snapshotId, long lsn, OffsetDateTime time) {
    this.connection = connection;
    this.snapshotId = snapshotId;
    this.lsn = lsn;
    this.time = time;
  }

  /** Opens the transaction and exports its snapshot. */
  static SourceSnapshot open(SourceAccess access) throws SQLException {
    Connection c = access.connect();
    try {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery("SELECT pg_export_snapshot(), pg_current_wal_lsn()::text, now()")) {
        rs.next();
        return new SourceSnapshot(
            c,
            rs.getString(1),
            parseLsn(rs.getString(2)),
            rs.getObject(3, OffsetDateTime.class).withOffsetSameInstant(ZoneOffset.UTC));
      }
    } catch (SQLException e) {
      c.close();
      throw e;
    }
  }

  /** The exported snapshot's id, for {@code SET TRANSACTION SNAPSHOT}. */
  String snapshotId() {
    return snapshotId;
  }

  /** The WAL position when the snapshot was taken. */
  long lsn() {
    return lsn;
  }

  /** The source's clock when the snapshot was taken. */
  OffsetDateTime time() {
    return time;
  }

  /** A PostgreSQL LSN ({@code 16/B374D848}) as the number the stream stores. */
  static long parseLsn(String lsn) {
    int slash = lsn.indexOf('/');
    return (Long.parseLong(lsn.substring(0, slash), 16) << 32)
        | Long.parseLong(lsn.substring(slash + 1), 16);
  }

  /**
   * The source table whose mirror is {@code lakeName}.
   *
   * @throws IllegalArgumentException when no source table, or more than one, has that mirror name
   */
  TableId findTable(String lakeName) throws SQLException {
    List<TableId> found = new ArrayList<>();
    try (Statement st = connection.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type"
                    + " = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog',"
                    + " 'information_schema')")) {
      while (rs.next()) {
        TableId id = new TableId(rs.getString(1), rs.getString(2));
        if (TableNames.mirrorName(id).equals(lakeName)) {
          found.add(id);
        }
      }
    }
    if (found.size() != 1) {
      throw new IllegalArgumentException(
          found.isEmpty()
              ? "No source table has the lake name '" + lakeName + "': check --table"
              : "Several source tables map to '" + lakeName + "': " + found);
    }
    return found.get(0);
  }

  /**
   * The source's {@code money} columns (lake column names): the driver reads money only as text
   * with a currency symbol, so the backfill selects them as {@code numeric}, the value the stream
   * stores.
   */
  Set<String> moneyColumns(TableId table) throws SQLException {
    Set<String> money = new HashSet<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND"
                + " table_name = ? AND udt_name = 'money'")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          money.add(rs.getString(1).toLowerCase(Locale.ROOT));
        }
      }
    }
    return money;
  }

  /** The source's columns by lake column name (lower case), each with its quoted source name. */
  Map<String, String> columns(TableId table) throws SQLException {
    Map<String, String> columns = new LinkedHashMap<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND"
                + " table_name = ? ORDER BY ordinal_position")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          columns.put(name.toLowerCase(Locale.ROOT), quote(name));
        }
      }
    }
    return columns;
  }

  /**
   * Splits the table into {@code parallelism} key ranges: equal spans of a single integer key
   * between its minimum and maximum in the snapshot, otherwise buckets of a hash of the key; each
   * within {@code restriction}, a SQL condition (a partial reload's key range), or null.
   */
  List<KeyRange> ranges(
      String quotedTable,
      List<String> quotedKeys,
      boolean integerKey,
      int parallelism,
      String restriction)
      throws SQLException {
    List<KeyRange> ranges =
        splitRanges(quotedTable, quotedKeys, integerKey, parallelism, restriction);
    if (restriction == null) {
      return ranges;
    }
    List<KeyRange> restricted = new ArrayList<>();
    for (KeyRange range : ranges) {
      restricted.add(
          new KeyRange(range.index(), "(" + restriction + ") AND (" + range.condition() + ")"));
    }
    return restricted;
  }

  private List<KeyRange> splitRanges(
      String quotedTable,
      List<String> quotedKeys,
      boolean integerKey,
      int parallelism,
      String restriction)
      throws SQLException {
    List<KeyRange> ranges = new ArrayList<>();
    if (parallelism == 1) {
      ranges.add(new KeyRange(0, "TRUE"));
      return ranges;
    }
    if (integerKey && quotedKeys.size() == 1) {
      String key = quotedKeys.get(0);
      BigInteger min;
      BigInteger max;
      try (Statement st = connection.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT min("
                      + key
                      + "), max("
                      + key
                      + ") FROM "
                      + quotedTable
                      + (restriction == null ? "" : " WHERE " + restriction))) {
        rs.next();
        if (rs.getObject(1) == null) {
          ranges.add(new KeyRange(0, "TRUE"));
          return ranges;
        }
        min = BigInteger.valueOf(rs.getLong(1));
        max = BigInteger.valueOf(rs.getLong(2));
      }
      BigInteger span = max.subtract(min).add(BigInteger.ONE);
      BigInteger n = BigInteger.valueOf(parallelism);
      for (int i = 0; i < parallelism; i++) {
        BigInteger from = min.add(span.multiply(BigInteger.valueOf(i)).divide(n));
        BigInteger to = min.add(span.multiply(BigInteger.valueOf(i + 1)).divide(n));
        if (from.equals(to)) {
          continue;
        }
        ranges.add(
            new KeyRange(
                ranges.size(),
                i == parallelism - 1
                    ? key + " >= " + from
                    : key + " >= " + from + " AND " + key + " < " + to));
      }
      // rows below the minimum cannot exist in this snapshot; the first range starts there
      return ranges;
    }
    String hashed =
        "mod(hashtext(concat_ws('|', "
            + String.join(", ", quotedKeys.stream().map(k -> k + "::text").toList())
            + "))::bigint + 2147483648, "
            + parallelism
            + ")";
    for (int i = 0; i < parallelism; i++) {
      ranges.add(new KeyRange(i, hashed + " = " + i));
    }
    return ranges;
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /** Ends the transaction (nothing was written) and closes the connection. */
  @Override
  public void close() throws SQLException {
    try {
      connection.rollback();
    } finally {
      connection.close();
    }
  }
}
