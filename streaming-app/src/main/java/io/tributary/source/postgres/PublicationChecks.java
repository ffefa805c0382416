package io.tributary.source.postgres;

import static io.tributary.source.postgres.PgCatalog.isPartitioned;
import static io.tributary.source.postgres.PgCatalog.quoteIdent;
import static io.tributary.source.postgres.PgCatalog.quoted;
import static io.tributary.source.postgres.PgCatalog.serverVersion;
import static io.tributary.source.postgres.PgCatalog.single;

import io.tributary.change.TableId;
import io.tributary.config.SourceConfig;
import io.tributary.source.CapturedTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publications Tributary reads: checks what each publishes and which tables it covers, and
 * creates or extends it when nothing else is wrong (else says who must run what).
 */
final class PublicationChecks {
  // Logs under the preflight's name, as before the check was split by subject.
  private static final Logger LOG = LoggerFactory.getLogger(SourcePreflight.class);

  private final SourceConfig source;
  private final PreflightReport report;

  PublicationChecks(SourceConfig source, PreflightReport report) {
    this.source = source;
    this.report = report;
  }

  /**
   * Checks (and, when {@code apply}, creates or extends) one publication for its tables. A table
   * that an existing publication does not cover and that the user cannot add to it is refused (the
   * other tables are captured), and so are the tables of a publication that does not exist and that
   * the user cannot create; a publication that publishes the wrong operations, or that holds a
   * partitioned table without publishing via the root and cannot be changed, stops the start.
   *
   * @return the tables refused here
   */
  List<CapturedTable> ensurePublication(
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
        report.warn(
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
    List<CapturedTable> missingTables = new ArrayList<>();
    for (CapturedTable table : tables) {
      if (!allTables
          && !published.contains(table.id())
          && !publishedSchemas.contains(table.id().schema())) {
        missing.add(quoted(table.id()));
        missingTables.add(table);
      }
    }
    if (missing.isEmpty()) {
      return List.of();
    }
    if (exists) {
      return addTables(connection, publication, publishedSchemas, missingTables, apply);
    }
    String statement =
        "CREATE PUBLICATION "
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
    if (cannot == null) {
      return List.of();
    }
    // Its tables are refused (each read through this publication only); the other publications'
    // tables are captured.
    for (CapturedTable table : missingTables) {
      report.refuse(
          table.id(),
          List.of(
              "Table "
                  + table.id()
                  + " is not captured: publication "
                  + publication
                  + " does not exist and user "
                  + source.user()
                  + " cannot create it ("
                  + cannot
                  + "): run as the tables' owner: "
                  + statement
                  + "; then start the job again from its savepoint (the table is then captured"
                  + " like a new table), or leave it out with tables.exclude."));
    }
    return missingTables;
  }

  /**
   * Adds the tables an existing publication does not cover, one statement per table, so that a
   * table the user cannot add is refused alone (with the statement to run as the owner) and the
   * other tables are captured. A publication made {@code FOR TABLES IN SCHEMA} covers the tables of
   * its schemas without this; PostgreSQL 15 and later take single tables beside them.
   */
  private List<CapturedTable> addTables(
      Connection connection,
      String publication,
      Set<String> publishedSchemas,
      List<CapturedTable> missing,
      boolean apply)
      throws SQLException {
    List<CapturedTable> refused = new ArrayList<>();
    for (CapturedTable table : missing) {
      String statement =
          "ALTER PUBLICATION " + quoteIdent(publication) + " ADD TABLE " + quoted(table.id());
      String cannot = null;
      if (apply) {
        try (Statement st = connection.createStatement()) {
          st.execute(statement);
          LOG.info("Ran: {}", statement);
        } catch (SQLException e) {
          cannot = e.getMessage().trim();
        }
      } else {
        cannot = whyNot(connection, publication, true, List.of(table));
      }
      if (cannot == null) {
        continue;
      }
      refused.add(table);
      report.refuse(
          table.id(),
          List.of(
              "Table "
                  + table.id()
                  + " is not captured: publication "
                  + publication
                  + " does not cover it"
                  + (publishedSchemas.isEmpty()
                      ? ""
                      : " (it publishes the tables in schema " + publishedSchemas + ")")
                  + " and user "
                  + source.user()
                  + " cannot add it ("
                  + cannot
                  + "): run as the owner of the publication and the table: "
                  + statement
                  + "; then start the job again from its savepoint (the table is then captured"
                  + " like a new table), or leave it out with tables.exclude."));
    }
    return refused;
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
}
