package io.tributary.backfill;

import io.tributary.config.ConfigException;
import io.tributary.config.Secret;
import io.tributary.config.SourceConfig;
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
 * themselves, so the value never sits in the job's closure or logs.
 */
public record SourceAccess(String jdbcUrl, String user, Secret password) implements Serializable {

  /** Access as the streaming job's configuration describes it. */
  public static SourceAccess of(SourceConfig source) {
    return new SourceAccess(source.jdbcUrl(), source.user(), source.password());
  }

  /**
   * Access from the job arguments: the password from the secret; the user from the secret's JSON
   * key {@code username}, else from the URL's {@code user} parameter.
   */
  public static SourceAccess of(String jdbcUrl, String secretArn) {
    if (secretArn == null) {
      throw new ArgumentException(
          "--jdbc-url needs --source-secret-arn with the password (or use --config)");
    }
    String user = urlParameter(jdbcUrl, "user");
    try {
      user = Secret.ofSecretsManager(secretArn, "username").resolve();
    } catch (ConfigException e) {
      if (user == null) {
        throw new ArgumentException(
            "No source user: store it in the secret as JSON key 'username' or add user=NAME to"
                + " --jdbc-url ("
                + e.getMessage()
                + ")");
      }
    }
    return new SourceAccess(jdbcUrl, user, Secret.ofSecretsManager(secretArn));
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
    return "SourceAccess{" + jdbcUrl + ", user=" + user + ", password=" + password + "}";
  }
}
