package io.tributary.source.postgres;

import io.tributary.change.TableId;
import io.tributary.config.SourceConfig;
import io.tributary.config.TableMode;
import io.tributary.config.TableOptions;
import io.tributary.config.TableSelection;
import io.tributary.source.CapturedTable;
import io.tributary.source.SourceNotReadyException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before anything starts, that a PostgreSQL source can be captured: logical replication,
 * free replication slots and WAL senders, existing slots, the user's privileges, every selected
 * table's key and replica identity (and so whether it is mirrored or append-only), the
 * publications; and creates or extends the publications Tributary reads when nothing else is wrong.
 * Every problem is reported at once, each with what to do about it; findings that do not block the
 * start are {@link #warnings()}.
 *
 * <p>The checks are split by subject: {@link ServerChecks} (server and user), {@link TableChecks}
 * (the selected tables, their keys and modes) with {@link ColumnChecks} (column names, types, the
 * snapshot's split column), {@link SlotChecks} (replication slots), {@link PublicationChecks}
 * (publications); {@link PgCatalog} reads the catalog, {@link PreflightReport} holds the warnings
 * and refused tables.
 */
public final class SourcePreflight {
  private static final Logger LOG = LoggerFactory.getLogger(SourcePreflight.class);

  private final SourceConfig source;
  private final TableSelection selection;
  private final PreflightReport report = new PreflightReport();

  /** Whether the lake holds a table as captured append-only (see {@link #lakeAppendOnly}). */
  private Predicate<TableId> lakeAppendOnly = id -> false;

  public SourcePreflight(SourceConfig source, TableSelection selection) {
    this.source = source;
    this.selection = selection;
  }

  /**
   * Tells the check which tables the lake holds as captured append-only (a changelog table and no
   * mirror table): such a table that has a primary key now, and no configured mode or key, stays
   * append-only and keyless, as it was captured (see {@link #run()}).
   */
  public SourcePreflight lakeAppendOnly(Predicate<TableId> appendOnly) {
    this.lakeAppendOnly = appendOnly;
    return this;
  }

  /** Opens a JDBC connection to the source with the configured credentials and TLS mode. */
  public static Connection connect(SourceConfig source) throws SQLException {
    return PgConnections.connect(source);
  }

  /**
   * Runs every check and returns the tables to capture.
   *
   * @throws SourceNotReadyException listing every problem found
   */
  public List<CapturedTable> run() {
    List<String> problems = new ArrayList<>();
    List<CapturedTable> tables = new ArrayList<>();
    report.clear();
    ServerChecks server = new ServerChecks(source);
    PublicationChecks publications = new PublicationChecks(source, report);
    try (Connection connection = connect(source)) {
      server.checkServer(connection, problems);
      server.checkRole(connection, problems);
      tables =
          new TableChecks(source, selection, lakeAppendOnly, report)
              .resolveTables(connection, problems);
      ColumnChecks.checkColumnTypes(connection, tables, report);
      Map<String, List<CapturedTable>> groups = PostgresSources.groups(tables);
      new SlotChecks(source, report).checkSlots(connection, groups.keySet(), problems);
      // Publications are created or extended only when nothing else is wrong; otherwise what is
      // missing is reported when the user could not fix it at start.
      boolean apply = problems.isEmpty();
      List<CapturedTable> notCovered = new ArrayList<>();
      for (Map.Entry<String, List<CapturedTable>> group : groups.entrySet()) {
        notCovered.addAll(
            publications.ensurePublication(
                connection,
                PostgresSources.publicationName(source, group.getKey()),
                PostgresSources.insertOnly(group.getKey()),
                group.getValue(),
                apply,
                problems));
      }
      if (!notCovered.isEmpty()) {
        tables = new ArrayList<>(tables);
        tables.removeAll(notCovered);
        if (tables.isEmpty()) {
          // Nothing is left to capture: the refusals are what stops the start.
          for (List<String> reasons : report.refused().values()) {
            problems.addAll(reasons);
          }
        }
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
    return SlotChecks.createMissingSlots(source, tables);
  }

  /**
   * Findings that do not block the start (append-only tables, lossy column types, an existing slot
   * and the WAL it retains), from the last {@link #run()}.
   */
  public List<String> warnings() {
    return report.warnings();
  }

  /**
   * The selected tables that are not captured, each with the reasons and what to do; the other
   * tables are captured. When no table is left, the refusals are the start's problems instead.
   */
  public Map<TableId, List<String>> refused() {
    return report.refused();
  }

  /**
   * The selected tables a start would refuse now, each with its reasons and what to do, as {@link
   * #run()} finds them (every per-table check: names, keys, replica identity, privileges, column
   * types, lake names, publications), but read-only: it checks neither the server nor the slots,
   * creates or changes no publication, and logs nothing. For {@code verify}, which must not compare
   * a table the job does not capture.
   */
  public Map<TableId, List<String>> refusedTables(Connection connection) throws SQLException {
    PreflightReport quiet = new PreflightReport(false);
    List<String> problems = new ArrayList<>();
    List<CapturedTable> tables =
        new TableChecks(source, selection, lakeAppendOnly, quiet)
            .resolveTables(connection, problems);
    PublicationChecks publications = new PublicationChecks(source, quiet);
    for (Map.Entry<String, List<CapturedTable>> group : PostgresSources.groups(tables).entrySet()) {
      publications.ensurePublication(
          connection,
          PostgresSources.publicationName(source, group.getKey()),
          PostgresSources.insertOnly(group.getKey()),
          group.getValue(),
          false,
          problems);
    }
    return quiet.refused();
  }

  /** The tables of the source that the selection matches, with their replica identity. */
  public static Map<TableId, String> matchingTables(Connection connection, TableSelection selection)
      throws SQLException {
    return PgCatalog.matchingTables(connection, selection);
  }

  /** The configured mode, else mirror when the table has a key and append-only when not. */
  public static TableMode mode(TableOptions options, List<String> key) {
    return TableChecks.mode(options, key);
  }

  /**
   * Why the preflight refuses a table with a key for the type of the column its initial snapshot is
   * split on; empty when it does not.
   *
   * @param key the table's primary key, else its configured key-columns
   * @param primary whether {@code key} is the primary key
   */
  public static Optional<String> splitProblem(
      Connection connection, TableId id, List<String> key, boolean primary) throws SQLException {
    if (key.isEmpty()) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        ColumnChecks.splitProblem(
            connection,
            id,
            key.get(0),
            primary ? "the first column of its primary key" : "the first of its key-columns"));
  }

  /** The primary key columns of a table, in key order; empty when it has none. */
  public static List<String> primaryKey(Connection connection, TableId id) throws SQLException {
    return PgCatalog.primaryKey(connection, id);
  }
}
