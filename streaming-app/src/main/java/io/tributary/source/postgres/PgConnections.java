package io.tributary.source.postgres;

import io.tributary.config.SourceConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Opens the preflight's (and verify's) JDBC connections to the source, explaining TLS failures. */
final class PgConnections {
  private PgConnections() {}

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
}
