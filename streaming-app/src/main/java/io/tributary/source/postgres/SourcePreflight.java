package io.tributary.source.postgres;

import io.tributary.change.TableId;
import io.tributary.config.SourceConfig;
import io.tributary.config.TableMode;
import io.tributary.config.TableOptions;
import io.tributary.config.TableSelection;
import io.tributary.sink.IcebergSchemas;
import io.tributary.sink.TableNames;
import io.tributary.source.CapturedTable;
import io.tributary.source.SourceNotReadyException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before anything starts, that a PostgreSQL source can be captured: logical replication,
 * free replication slots and WAL senders, existing slots, the user's privileges, every selected
 * table's key and replica identity (and so whether it is mirrored or append-only), the
 * publications; and creates or extends the publications Tributary reads when nothing else is wrong.
 * Every problem is reported at once, each with what to do about it; findings that do not block the
 * start are {@link #warnings()}.
 */
public final class SourcePreflight {
  private static final Logger LOG = LoggerFactory.getLogger(SourcePreflight.class);

  private final SourceConfig source;
  private final TableSelection selection;
  private final List<String> warnings = new ArrayList<>();
  private final Map<TableId, List<String>> refused = new LinkedHashMap<>();

  /** Whether the lake holds a table as captured append-only (see {@link #lakeAppendOnly}). */
  private java.util.function.Predicate<TableId> lakeAppendOnly = id -> false;

  public SourcePreflight(SourceConfig source, TableSelection selection) {
    this.source = source;
    this.selection = selection;
  }

  /**
   * Tells the check which tables the lake holds as captured append-only (a changelog table and no
   * mirror table): such a table that has a primary key now, and no configured mode or key, stays
   * append-only and keyless, as it was captured (see {@link #run()}).
   */
  public SourcePreflight lakeAppendOnly(java.util.function.Predicate<TableId> appendOnly) {
    this.lakeAppendOnly = appendOnly;
    return this;
  }

  /** Opens a JDBC connection to the source with the configured credentials and TLS mode. */
  public static Connection connect(SourceConfig source) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", source.user());
    if (source.password() != null && source.password().isPresent()) {
      props.setProperty("password", source.password().resolve());
    }
    props.setProperty("ApplicationName", "tributary");
    props.setProperty("connectTimeout", "10");
    source.addTlsProperties(props);
    try {
      return DriverManager.getConnection(source.jdbcUrl(), props);
    } catch (SQLException e) {
      throw explainTls(source, e);
    }
  }

  /**
   * The exception with what to do added when the server's certificate could not be verified: a
   * certificate problem is almost always the wrong or missing {@code source.ssl-root-cert}.
   */
  static SQLException explainTls(SourceConfig source, SQLException e) {
    String text = String.valueOf(e.getMessage());
    Throwable cause = e.getCause();
    while (cause != null) {
      text = text + " " + cause;
      cause = cause.getCause();
    }
    if (!text.contains("SSL")
        && !text.contains("certificate")
        && !text.contains("PKIX")
        && !text.contains("root.crt")) {
      return e;
    }
    String given =
        source.sslRootCert() == null
            ? "source.ssl-root-cert is not set, so the driver looked for ~/.postgresql/root.crt"
            : "source.ssl-root-cert is " + source.sslRootCert().reference();
    return new SQLException(
        "Cannot open a TLS connection to "
            + source.host()
            + ":"
            + source.port()
            + " with ssl-mode "
            + source.sslMode().libpqName()
            + " ("
            + given
            + "): set source.ssl-root-cert to the certificate authority (PEM) that signed the"
            + " server's certificate. "
            + e.getMessage(),
        e.getSQLState(),
        e);
  }

  /**
   * Runs every check and returns the tables to capture.
   *
   * @throws SourceNotReadyException listing every problem found
   */
  public List<CapturedTable> run() {
    List<String> problems = new ArrayList<>();
    List<CapturedTable> tables = new ArrayList<>();
    warnings.clear();
    refused.clear();
    try (Connection connection = connect(source)) {
      checkServer(connection, problems);
      checkRole(connection, problems);
      tables = resolveTables(connection, problems);
      checkColumnTypes(connection, tables);
      Map<String, List<CapturedTable>> groups = PostgresSources.groups(tables);
      checkSlots(connection, groups.keySet(), problems);
      // Publications are created or extended only when nothing else is wrong; otherwise what is
      // missing is reported when the user could not fix it at start.
      boolean apply = problems.isEmpty();
      for (Map.Entry<String, List<CapturedTable>> group : groups.entrySet()) {
        ensurePublication(
            connection,
            PostgresSources.publicationName(source, group.getKey()),
            PostgresSources.insertOnly(group.getKey()),
            group.getValue(),
            apply,
            problems);
      }
    } catch (SQLException e) {
      throw new SourceNotReadyException(
          List.of(
              "Cannot connect to PostgreSQL at "
                  + source.host()
                  + ":"
                  + source.port()
                  + " database "
                  + source.database()
                  + " as user "
                  + source.user()
                  + ": "
                  + e.getMessage()
                  + ". Check source.host, source.port, source.database, source.user, the password"
                  + " ("
                  + (source.password() == null ? "none" : source.password().describe())
                  + ") and that pg_hba.conf allows this client."));
    }
    if (!problems.isEmpty()) {
      throw new SourceNotReadyException(problems);
    }
    LOG.info("Preflight passed for {} tables of {}: {}", tables.size(), source.database(), tables);
    return tables;
  }

  /**
   * Creates the replication slots of the tables' groups that do not exist yet, with PostgreSQL's
   * {@code pg_create_logical_replication_slot} on an ordinary connection, which holds no slot once
   * it returns. Called only when a job starts (a check must not leave a slot behind, since a slot
   * nobody reads keeps WAL forever). Left to the connector, the slot is created on a replication
   * connection that can still hold it when the stream starts; the stream then waits ten seconds and
   * retries. A slot that cannot be created here is left to the connector, as before.
   */
  public static Set<String> createMissingSlots(SourceConfig source, List<CapturedTable> tables) {
    Set<String> created = new TreeSet<>();
    try (Connection connection = connect(source)) {
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

  /**
   * Findings that do not block the start (append-only tables, lossy column types, an existing slot
   * and the WAL it retains), from the last {@link #run()}.
   */
  public List<String> warnings() {
    return java.util.Collections.unmodifiableList(warnings);
  }

  /** Warns about columns whose values are not captured faithfully (docs/type-mapping.md). */
  /**
   * The selected tables that are not captured, each with the reasons and what to do; the other
   * tables are captured. When no table is left, the refusals are the start's problems instead.
   */
  public Map<TableId, List<String>> refused() {
    return java.util.Collections.unmodifiableMap(refused);
  }

  private void refuse(TableId id, List<String> reasons) {
    for (String reason : reasons) {
      LOG.warn("Not capturing {}: {}", id, reason);
    }
    refused.computeIfAbsent(id, k -> new ArrayList<>()).addAll(reasons);
  }

  /** Two selected tables whose lake tables would have one name: both are refused. */
  private void refuseLakeNameCollisions(List<CapturedTable> tables) {
    Map<String, List<CapturedTable>> byLakeName = new LinkedHashMap<>();
    for (CapturedTable table : tables) {
      byLakeName
          .computeIfAbsent(TableNames.mirrorName(table.id()), k -> new ArrayList<>())
          .add(table);
    }
    for (Map.Entry<String, List<CapturedTable>> entry : byLakeName.entrySet()) {
      if (entry.getValue().size() < 2) {
        continue;
      }
      List<String> names = new ArrayList<>();
      for (CapturedTable table : entry.getValue()) {
        names.add(quoted(table.id()));
      }
      for (CapturedTable table : entry.getValue()) {
        tables.remove(table);
        refuse(
            table.id(),
            List.of(
                "Tables "
                    + String.join(" and ", names)
                    + " would both be the lake table "
                    + entry.getKey()
                    + " (lake names are the table's name, prefixed with its schema outside public,"
                    + " in lower case, other characters than a-z, 0-9 and _ replaced by _), so"
                    + " neither is captured: leave all but one out with tables.exclude, or rename"
                    + " one at the source."));
      }
    }
  }

  /** Columns whose lake names collide with each other or with Tributary's metadata columns. */
  private static List<String> columnNameProblems(TableId id, Set<String> columns) {
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

  /** The columns of the table that may hold NULL. */
  private static Set<String> nullableColumns(Connection connection, TableId id)
      throws SQLException {
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

  private void checkColumnTypes(Connection connection, List<CapturedTable> tables)
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
    warn(found);
  }

  private void warn(List<String> found) {
    for (String warning : found) {
      LOG.warn("Preflight: {}", warning);
      warnings.add(warning);
    }
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

  private void checkServer(Connection connection, List<String> problems) throws SQLException {
    int version = connection.getMetaData().getDatabaseMajorVersion();
    if (version < 10) {
      problems.add(
          "PostgreSQL "
              + version
              + " has no pgoutput logical decoding: Tributary needs PostgreSQL 10 or later.");
    }
    String walLevel = single(connection, "SHOW wal_level");
    if (!"logical".equals(walLevel)) {
      problems.add(
          "wal_level is '"
              + walLevel
              + "' but must be 'logical': run ALTER SYSTEM SET wal_level = logical; and restart"
              + " PostgreSQL (on Amazon RDS set rds.logical_replication = 1 in the parameter"
              + " group).");
    }
  }

  /**
   * Checks the replication slots of the groups: an existing slot must be a pgoutput slot of this
   * database (and is reported with the WAL it retains), and the server must have a free slot for
   * each slot still to create and a free WAL sender for each group.
   */
  private void checkSlots(Connection connection, Set<String> groups, List<String> problems)
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
    warn(found);
  }

  private void checkRole(Connection connection, List<String> problems) throws SQLException {
    try (PreparedStatement st =
        connection.prepareStatement(
            "SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user")) {
      try (ResultSet rs = st.executeQuery()) {
        if (rs.next() && !rs.getBoolean(1)) {
          problems.add(
              "User "
                  + source.user()
                  + " may not use logical replication: run ALTER ROLE "
                  + source.user()
                  + " WITH REPLICATION; (on Amazon RDS: GRANT rds_replication TO "
                  + source.user()
                  + ";).");
        }
      }
    }
  }

  /** The tables of the source that the selection matches, with their replica identity. */
  public static Map<TableId, String> matchingTables(Connection connection, TableSelection selection)
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

  private List<CapturedTable> resolveTables(Connection connection, List<String> problems)
      throws SQLException {
    Map<TableId, String> identities = matchingTables(connection, selection);
    if (identities.isEmpty()) {
      problems.add(
          "No table of database "
              + source.database()
              + " matches tables.include "
              + selection.include()
              + (selection.exclude().isEmpty()
                  ? ""
                  : " minus tables.exclude " + selection.exclude())
              + ": check the patterns (schema.table, with * and ?) and that user "
              + source.user()
              + " can see the tables.");
      return List.of();
    }
    for (String configured : selection.options().keySet()) {
      if (!identities.containsKey(TableId.parse(configured))) {
        problems.add(
            "tables.options names "
                + configured
                + ", which is not a captured table of database "
                + source.database()
                + ": fix the name or remove its options.");
      }
    }
    List<CapturedTable> tables = new ArrayList<>();
    List<String> found = new ArrayList<>();
    boolean publishesViaRoot = serverVersion(connection) >= 130000;
    for (Map.Entry<TableId, String> entry : identities.entrySet()) {
      TableId id = entry.getKey();
      String identity = entry.getValue();
      List<String> refusals = new ArrayList<>();
      Optional<String> nameProblem = CaptureNames.problem(id);
      if (nameProblem.isPresent()) {
        refuse(id, List.of(nameProblem.get()));
        continue;
      }
      if (!publishesViaRoot && isPartitioned(connection, id)) {
        refuse(
            id,
            List.of(
                "Table "
                    + id
                    + " is not captured: it is a partitioned table, and PostgreSQL before 13"
                    + " cannot publish a partitioned table's changes under its own name"
                    + " (publish_via_partition_root). Upgrade PostgreSQL to 13 or later, or"
                    + " exclude it with tables.exclude."));
        continue;
      }
      String identityName = identity.toUpperCase(java.util.Locale.ROOT);
      List<String> primaryKey = primaryKey(connection, id);
      Set<String> columns = columns(connection, id);
      TableOptions options = selection.optionsFor(id.qualified());
      if (!primaryKey.isEmpty() && options.keyColumns().isEmpty() && lakeAppendOnly.test(id)) {
        String lake = TableNames.mirrorName(id) + TableNames.CHANGELOG_SUFFIX;
        if (options.mode() == null) {
          found.add(
              "Table "
                  + id
                  + " has the primary key "
                  + primaryKey
                  + " now, but it was captured append-only without one (the lake holds "
                  + lake
                  + " and no mirror table): it stays append-only, captured as before (same source,"
                  + " slot and publication), every change going to "
                  + lake
                  + ", so that no mirror table is started that lacks the rows not changed since."
                  + " To mirror it by key, set tables.options."
                  + id
                  + ".mode: mirror and start from the savepoint (see"
                  + " docs/schema-changes-and-dead-letters.md#a-primary-key-added-at-the-source).");
          primaryKey = List.of();
        } else if (options.mode() == TableMode.MIRROR) {
          found.add(
              "Table "
                  + id
                  + " was captured append-only (the lake holds "
                  + lake
                  + " and no mirror table) and is configured with mode mirror, on its primary key "
                  + primaryKey
                  + ": from this start it is captured like a new table, an initial snapshot into"
                  + " the new mirror table "
                  + TableNames.mirrorName(id)
                  + ", then its changes; "
                  + lake
                  + " keeps the changes captured until now. If it was the only table of its former"
                  + " source, start from the savepoint allowing non-restored state, and drop that"
                  + " source's replication slot afterwards (see"
                  + " docs/schema-changes-and-dead-letters.md#a-primary-key-added-at-the-source).");
        }
      }
      List<String> key = options.keyColumns().isEmpty() ? primaryKey : options.keyColumns();
      refusals.addAll(columnNameProblems(id, columns));
      Set<String> nullable = nullableColumns(connection, id);
      for (String column : options.keyColumns()) {
        if (columns.contains(column) && nullable.contains(column)) {
          refusals.add(
              "Table "
                  + id
                  + " is configured with key-columns "
                  + options.keyColumns()
                  + ", but column "
                  + column
                  + " may be NULL, and a NULL key cannot identify a row (the writer would fail on"
                  + " it, the initial snapshot would skip it): run ALTER TABLE "
                  + id
                  + " ALTER COLUMN "
                  + quoteIdent(column)
                  + " SET NOT NULL; or configure key-columns that are NOT NULL.");
        }
        if (!columns.contains(column)) {
          refusals.add(
              "tables.options."
                  + id
                  + ".key-columns names column '"
                  + column
                  + "', which "
                  + id
                  + " does not have; its columns are "
                  + columns
                  + ".");
        }
      }
      TableMode mode = mode(options, key);
      String chunk;
      if (!primaryKey.isEmpty()) {
        chunk = primaryKey.get(0);
      } else if (!key.isEmpty() && mode == TableMode.MIRROR) {
        chunk = key.get(0);
      } else {
        chunk = chunkColumn(connection, id, found);
      }
      boolean noIdentity =
          primaryKey.isEmpty() && ("default".equals(identity) || "nothing".equals(identity));
      if (mode == TableMode.APPEND_ONLY) {
        String lake = TableNames.mirrorName(id) + TableNames.CHANGELOG_SUFFIX;
        if (options.mode() == null) {
          found.add(
              "Table "
                  + id
                  + " has no primary key and no key-columns: it is written append-only, every"
                  + " change with its _op to "
                  + lake
                  + ", and no mirror table is created. To mirror it, add a primary key (or set"
                  + " REPLICA IDENTITY FULL and configure tables.options."
                  + id
                  + ".key-columns); to keep it append-only without this warning, set"
                  + " tables.options."
                  + id
                  + ".mode: append-only.");
        }
        if (!primaryKey.isEmpty() && !"full".equals(identity)) {
          found.add(
              "Table "
                  + id
                  + " is append-only under REPLICA IDENTITY "
                  + identityName
                  + ": an update that leaves a large (TOASTed) value unchanged does not carry it,"
                  + " and goes to dead letters instead of "
                  + lake
                  + ". To capture every update whole, run ALTER TABLE "
                  + id
                  + " REPLICA IDENTITY FULL;");
        }
        if (noIdentity) {
          found.add(
              "Table "
                  + id
                  + " has no primary key and REPLICA IDENTITY "
                  + identityName
                  + ": PostgreSQL rejects UPDATE and DELETE of a table in a publication that"
                  + " publishes them, so only its inserts (and truncates) are captured, through"
                  + " publication "
                  + PostgresSources.publicationName(
                      source, chunk + PostgresSources.INSERT_ONLY_SUFFIX)
                  + "; its updates and deletes are not. To capture them, run ALTER TABLE "
                  + id
                  + " REPLICA IDENTITY FULL;");
        }
      } else if (key.isEmpty()) {
        refusals.add(
            "Table "
                + id
                + " is configured with mode mirror but has no primary key (REPLICA IDENTITY "
                + identityName
                + "): add a primary key, or set REPLICA IDENTITY FULL and configure"
                + " tables.options."
                + id
                + ".key-columns with columns that identify a row, or set its mode to"
                + " append-only.");
      } else if (primaryKey.isEmpty() && !"full".equals(identity)) {
        refusals.add(
            "Table "
                + id
                + " has no primary key, so its updates and deletes carry no row image under"
                + " REPLICA IDENTITY "
                + identityName
                + ": run ALTER TABLE "
                + id
                + " REPLICA IDENTITY FULL;");
      } else if ("nothing".equals(identity)) {
        refusals.add(
            "Table "
                + id
                + " has REPLICA IDENTITY NOTHING, so its deletes carry no key: run ALTER TABLE "
                + id
                + " REPLICA IDENTITY DEFAULT; (or FULL).");
      } else if (!primaryKey.isEmpty() && !key.equals(primaryKey) && !"full".equals(identity)) {
        refusals.add(
            "Table "
                + id
                + " is configured with key-columns "
                + key
                + " other than its primary key "
                + primaryKey
                + ": deletes then need the whole row, run ALTER TABLE "
                + id
                + " REPLICA IDENTITY FULL;");
      }
      if (!hasSelect(connection, id)) {
        refusals.add(
            "User "
                + source.user()
                + " may not read "
                + id
                + ": run GRANT SELECT ON "
                + id
                + " TO "
                + source.user()
                + ";");
      }
      if (chunk == null && !(mode == TableMode.MIRROR && key.isEmpty())) {
        refusals.add(
            "Table "
                + id
                + " has no column the initial snapshot can be read by: add a column or exclude"
                + " the table.");
      }
      if (!refusals.isEmpty()) {
        refuse(id, refusals);
        continue;
      }
      tables.add(
          new CapturedTable(
              id,
              primaryKey,
              mode == TableMode.APPEND_ONLY ? List.of() : key,
              identity,
              mode,
              chunk));
    }
    refuseLakeNameCollisions(tables);
    if (tables.isEmpty() && !refused.isEmpty()) {
      // Nothing is left to capture: the refusals are what stops the start.
      for (List<String> reasons : refused.values()) {
        problems.addAll(reasons);
      }
    }
    warn(found);
    return tables;
  }

  /** The configured mode, else mirror when the table has a key and append-only when not. */
  public static TableMode mode(TableOptions options, List<String> key) {
    if (options.mode() != null) {
      return options.mode();
    }
    return key.isEmpty() ? TableMode.APPEND_ONLY : TableMode.MIRROR;
  }

  /**
   * The column that splits the initial snapshot of a table without key: the first NOT NULL column
   * of a type with a natural order, else the first column of such a type (rows with null in it are
   * then only read when the table fits in one chunk; a warning says so), else null.
   */
  private static String chunkColumn(Connection connection, TableId id, List<String> found)
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

  private void ensurePublication(
      Connection connection,
      String publication,
      boolean insertOnly,
      List<CapturedTable> tables,
      boolean apply,
      List<String> problems)
      throws SQLException {
    Set<TableId> published = new TreeSet<>();
    Set<String> publishedSchemas = new TreeSet<>();
    boolean partitioned = false;
    for (CapturedTable table : tables) {
      partitioned |= isPartitioned(connection, table.id());
    }
    boolean viaRoot = false;
    boolean exists = false;
    boolean allTables = false;
    List<String> notPublished = new ArrayList<>();
    List<String> unwanted = new ArrayList<>();
    try (PreparedStatement st =
        connection.prepareStatement(
            "SELECT puballtables, pubinsert, pubupdate, pubdelete, pubtruncate, "
                + (serverVersion(connection) >= 130000 ? "pubviaroot" : "false")
                + " FROM pg_publication WHERE pubname = ?")) {
      st.setString(1, publication);
      try (ResultSet rs = st.executeQuery()) {
        if (rs.next()) {
          exists = true;
          allTables = rs.getBoolean(1);
          viaRoot = rs.getBoolean(6);
          String[] operations = {"insert", "update", "delete", "truncate"};
          for (int i = 0; i < operations.length; i++) {
            boolean wanted = !insertOnly || i == 0 || i == 3;
            if (wanted && !rs.getBoolean(2 + i)) {
              notPublished.add(operations[i]);
            } else if (!wanted && rs.getBoolean(2 + i)) {
              unwanted.add(operations[i]);
            }
          }
        }
      }
    }
    String publish = insertOnly ? "insert, truncate" : "insert, update, delete, truncate";
    if (!notPublished.isEmpty()) {
      List<String> missing = new ArrayList<>(notPublished);
      missing.remove("truncate");
      String fix =
          ": run ALTER PUBLICATION "
              + quoteIdent(publication)
              + " SET (publish = '"
              + publish
              + "');";
      if (missing.isEmpty()) {
        warn(
            List.of(
                "Publication "
                    + publication
                    + " does not publish truncate, so a TRUNCATE of its tables is not seen"
                    + fix));
      } else {
        problems.add("Publication " + publication + " does not publish " + notPublished + fix);
      }
    }
    if (!unwanted.isEmpty()) {
      problems.add(
          "Publication "
              + publication
              + " holds tables without replica identity but publishes "
              + unwanted
              + ", so PostgreSQL rejects their updates and deletes: run ALTER PUBLICATION "
              + quoteIdent(publication)
              + " SET (publish = '"
              + publish
              + "');");
    }
    if (exists) {
      // pg_publication_tables lists the partitions of a partitioned table, not the table itself,
      // unless the publication publishes via the root: the tables named in the publication come
      // from pg_publication_rel, the schemas (PostgreSQL 15+) from pg_publication_namespace.
      try (PreparedStatement st =
          connection.prepareStatement(
              "SELECT n.nspname, c.relname FROM pg_publication p"
                  + " JOIN pg_publication_rel r ON r.prpubid = p.oid"
                  + " JOIN pg_class c ON c.oid = r.prrelid"
                  + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE p.pubname = ?"
                  + " UNION SELECT schemaname, tablename FROM pg_publication_tables"
                  + " WHERE pubname = ?")) {
        st.setString(1, publication);
        st.setString(2, publication);
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            published.add(new TableId(rs.getString(1), rs.getString(2)));
          }
        }
      }
      if (serverVersion(connection) >= 150000) {
        try (PreparedStatement st =
            connection.prepareStatement(
                "SELECT n.nspname FROM pg_publication p"
                    + " JOIN pg_publication_namespace s ON s.pnpubid = p.oid"
                    + " JOIN pg_namespace n ON n.oid = s.pnnspid WHERE p.pubname = ?")) {
          st.setString(1, publication);
          try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
              publishedSchemas.add(rs.getString(1));
            }
          }
        }
      }
      if (partitioned && !viaRoot) {
        String alter =
            "ALTER PUBLICATION "
                + quoteIdent(publication)
                + " SET (publish_via_partition_root = true)";
        String cannot = null;
        if (apply) {
          try (Statement st = connection.createStatement()) {
            st.execute(alter);
            LOG.info("Ran: {}", alter);
          } catch (SQLException e) {
            cannot = e.getMessage().trim();
          }
        } else {
          cannot = whyNot(connection, publication, true, tables);
        }
        if (cannot != null) {
          problems.add(
              "Publication "
                  + publication
                  + " holds a partitioned table but does not publish via the partition root, so"
                  + " its changes would arrive under the partitions' names, and user "
                  + source.user()
                  + " cannot change it ("
                  + cannot
                  + "): run as the publication's owner: "
                  + alter
                  + ";");
        }
      }
    }
    List<String> missing = new ArrayList<>();
    for (CapturedTable table : tables) {
      if (!allTables
          && !published.contains(table.id())
          && !publishedSchemas.contains(table.id().schema())) {
        missing.add(quoted(table.id()));
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    String statement =
        exists
            ? "ALTER PUBLICATION "
                + quoteIdent(publication)
                + " ADD TABLE "
                + String.join(", ", missing)
            : "CREATE PUBLICATION "
                + quoteIdent(publication)
                + " FOR TABLE "
                + String.join(", ", missing)
                + (insertOnly || partitioned
                    ? " WITH ("
                        + (insertOnly ? "publish = '" + publish + "'" : "")
                        + (insertOnly && partitioned ? ", " : "")
                        + (partitioned ? "publish_via_partition_root = true" : "")
                        + ")"
                    : "");
    String cannot = null;
    if (apply) {
      try (Statement st = connection.createStatement()) {
        st.execute(statement);
        LOG.info("Ran: {}", statement);
      } catch (SQLException e) {
        cannot = e.getMessage().trim();
      }
    } else {
      cannot = whyNot(connection, publication, exists, tables);
    }
    if (cannot != null) {
      problems.add(
          "Publication "
              + publication
              + (exists ? " does not cover " + missing : " does not exist")
              + (publishedSchemas.isEmpty()
                  ? ""
                  : " (it publishes the tables in schema " + publishedSchemas + ")")
              + " and user "
              + source.user()
              + " cannot "
              + (exists ? "change" : "create")
              + " it ("
              + cannot
              + "): run as the tables' owner: "
              + statement
              + ";");
    }
  }

  /**
   * Why the user could not create or extend the publication, or null when it could: it must own the
   * tables, and have CREATE on the database (to create) or own the publication (to extend).
   */
  private static String whyNot(
      Connection connection, String publication, boolean exists, List<CapturedTable> tables)
      throws SQLException {
    if (Boolean.parseBoolean(
        single(connection, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user"))) {
      return null;
    }
    if (exists) {
      try (PreparedStatement st =
          connection.prepareStatement(
              "SELECT pg_has_role(pubowner, 'USAGE') FROM pg_publication WHERE pubname = ?")) {
        st.setString(1, publication);
        try (ResultSet rs = st.executeQuery()) {
          if (rs.next() && !rs.getBoolean(1)) {
            return "not the owner of publication " + publication;
          }
        }
      }
    } else if (!Boolean.parseBoolean(
        single(connection, "SELECT has_database_privilege(current_database(), 'CREATE')::text"))) {
      return "no CREATE privilege on the database";
    }
    try (PreparedStatement st =
        connection.prepareStatement(
            "SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = ?::regclass")) {
      for (CapturedTable table : tables) {
        st.setString(1, quoted(table.id()));
        try (ResultSet rs = st.executeQuery()) {
          if (rs.next() && !rs.getBoolean(1)) {
            return "not the owner of " + table.id();
          }
        }
      }
    }
    return null;
  }

  /** The primary key columns of a table, in key order; empty when it has none. */
  public static List<String> primaryKey(Connection connection, TableId id) throws SQLException {
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

  private static Set<String> columns(Connection connection, TableId id) throws SQLException {
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

  private static boolean hasSelect(Connection connection, TableId id) throws SQLException {
    try (PreparedStatement st =
        connection.prepareStatement("SELECT has_table_privilege(?, 'SELECT')")) {
      st.setString(1, quoted(id));
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private static String single(Connection connection, String sql) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String replicaIdentityName(String code) {
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
    return quoteIdent(id.schema()) + "." + quoteIdent(id.table());
  }

  static String quoteIdent(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
