package io.tributary.backfill;

import io.tributary.config.ConfigException;
import io.tributary.config.Secret;
import io.tributary.config.SourceConfig;
import io.tributary.config.SslRootCert;
import io.tributary.glue.ArgumentException;
import java.io.Serializable;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * How to log in to the source database; travels to the Spark tasks, which resolve the password
 * themselves, so the value never sits in the job's closure or logs. The certificate authority
 * travels with its fetched text, and each executor writes its own private copy.
 *
 * @param sslRootCert the source's certificate authority ({@code sslrootcert}), or null
 */
public record SourceAccess(String jdbcUrl, String user, Secret password, SslRootCert sslRootCert)
    implements Serializable {

  /** Access as the streaming job's configuration describes it. */
  public static SourceAccess of(SourceConfig source) {
    return new SourceAccess(
        source.jdbcUrl(), source.user(), source.password(), source.sslRootCert());
  }

  /** Access from a JDBC URL and a secret, without a user argument or certificate authority. */
  public static SourceAccess of(String jdbcUrl, String secretArn) {
    return of(jdbcUrl, null, secretArn, null, null);
  }

  /**
   * Access from the job arguments. The password is the secret's key {@code secretKey} (default
   * {@code password}) when the secret is JSON, else the whole secret string. The user is, in order:
   * {@code user} (the {@code --source-user} argument), the URL's {@code user} parameter, the
   * secret's JSON key {@code username}.
   *
   * @param sslRootCert the {@code --source-ssl-root-cert} argument, or null
   */
  public static SourceAccess of(
      String jdbcUrl, String user, String secretArn, String secretKey, String sslRootCert) {
    if (secretArn == null) {
      throw new ArgumentException(
          "--jdbc-url needs --source-secret-arn with the password (or use --config)");
    }
    Secret password;
    SslRootCert rootCert;
    try {
      password = Secret.ofSecretsManager(secretArn, secretKey);
      rootCert = sslRootCert == null ? null : SslRootCert.parse(sslRootCert);
    } catch (ConfigException e) {
      throw new ArgumentException(e.getMessage());
    }
    String login = user != null && !user.isBlank() ? user.trim() : urlParameter(jdbcUrl, "user");
    if (login == null) {
      try {
        login = password.resolveUsername();
      } catch (ConfigException e) {
        throw new ArgumentException(
            "No source user: cannot read it from the secret (" + e.getMessage() + ")");
      }
      if (login == null) {
        throw new ArgumentException(
            "No source user: store the secret as JSON {\"username\": ..., \"password\": ...}"
                + " or pass --source-user NAME");
      }
    }
    if (rootCert != null) {
      // Fetched once here, in the driver; the executors get the text with this object.
      rootCert.pem();
    }
    return new SourceAccess(jdbcUrl, login, password, rootCert);
  }

  /** Opens a connection. */
  public Connection connect() throws SQLException {
    Properties props = new Properties();
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null && password.isPresent()) {
      props.setProperty("password", password.resolve());
    }
    props.setProperty("ApplicationName", "tributary-backfill");
    if (sslRootCert != null) {
      sslRootCert.addTo(props);
    }
    return DriverManager.getConnection(jdbcUrl, props);
  }

  static String urlParameter(String url, String name) {
    int q = url.indexOf('?');
    if (q < 0) {
      return null;
    }
    for (String pair : url.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "SourceAccess{"
        + jdbcUrl
        + ", user="
        + user
        + ", password="
        + password
        + (sslRootCert == null ? "" : ", sslRootCert=" + sslRootCert)
        + "}";
  }
}
