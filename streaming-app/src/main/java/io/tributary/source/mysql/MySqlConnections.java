package io.tributary.source.mysql;

import io.tributary.change.TableId;
import io.tributary.config.SourceConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** JDBC connections to a MySQL or MariaDB source, with the configured login, in UTC. */
public final class MySqlConnections {
  private MySqlConnections() {}

  /**
   * Opens a connection to the configured database.
   *
   * @throws SQLException naming the server when it cannot be reached or refuses the login
   */
  public static Connection connect(SourceConfig source) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", source.user());
    if (source.password() != null && source.password().isPresent()) {
      props.setProperty("password", source.password().resolve());
    }
    props.setProperty("connectTimeout", "10000");
    try {
      return DriverManager.getConnection(source.jdbcUrl(), props);
    } catch (SQLException e) {
      throw new SQLException(
          "Could not connect to the MySQL source "
              + source.host()
              + ":"
              + source.port()
              + "/"
              + source.database()
              + " as "
              + source.user()
              + ": "
              + e.getMessage(),
          e.getSQLState(),
          e);
    }
  }

  /** The identifier quoted with backticks, e.g. {@code `shop`.`order lines`}. */
  public static String quoted(TableId id) {
    return quote(id.schema()) + "." + quote(id.table());
  }

  /** One identifier quoted with backticks. */
  public static String quote(String identifier) {
    return '`' + identifier.replace("`", "``") + '`';
  }
}
