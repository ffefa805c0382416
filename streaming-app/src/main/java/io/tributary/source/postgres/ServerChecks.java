package io.tributary.source.postgres;

import static io.tributary.source.postgres.PgCatalog.single;

import io.tributary.config.SourceConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** The preflight's checks of the server and the user: version, wal_level, replication privilege. */
final class ServerChecks {
  private final SourceConfig source;

  ServerChecks(SourceConfig source) {
    this.source = source;
  }

  void checkServer(Connection connection, List<String> problems) throws SQLException {
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

  void checkRole(Connection connection, List<String> problems) throws SQLException {
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
}
