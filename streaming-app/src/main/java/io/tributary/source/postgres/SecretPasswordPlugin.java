package io.tributary.source.postgres;

import io.tributary.config.Secret;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.plugin.AuthenticationPlugin;
import org.postgresql.plugin.AuthenticationRequestType;

/**
 * Gives the PostgreSQL driver the source password when it logs in, read from the configured secret
 * (environment variable, file or Secrets Manager) at that moment rather than when the job was
 * built. The job's definition then holds only where the password is, and a connection opened after
 * the secret was rotated (a reconnect, or a restart from a checkpoint) logs in with the new one.
 *
 * <p>Every connection of the source uses it: Debezium's and Flink CDC's JDBC connections, the
 * replication connection and the connection pool, through the driver property {@value
 * #CLASS_PROPERTY} and the secret's reference in {@value #SECRET_PROPERTY}. A value read is reused
 * for {@link #REUSE_MILLIS} ms, so that the many connections of a snapshot do not each call Secrets
 * Manager.
 */
public final class SecretPasswordPlugin implements AuthenticationPlugin {
  /** The driver property naming the plugin class. */
  public static final String CLASS_PROPERTY = "authenticationPluginClassName";

  /** The driver property holding the secret's reference ({@link Secret#reference()}). */
  public static final String SECRET_PROPERTY = "tributaryPasswordSecret";

  /** How long a password read is reused. */
  static final long REUSE_MILLIS = 10_000;

  private static final Map<String, Read> READS = new ConcurrentHashMap<>();

  private final String reference;

  /** Called by the driver with the connection's properties. */
  public SecretPasswordPlugin(Properties info) {
    this.reference = info.getProperty(SECRET_PROPERTY);
    if (reference == null || reference.isEmpty()) {
      throw new IllegalArgumentException(
          "The PostgreSQL connection names "
              + SecretPasswordPlugin.class.getName()
              + " but no "
              + SECRET_PROPERTY
              + " property (the password's secret reference)");
    }
  }

  @Override
  public char[] getPassword(AuthenticationRequestType type) {
    long now = System.currentTimeMillis();
    Read read = READS.get(reference);
    if (read == null || now - read.at > REUSE_MILLIS) {
      read = new Read(Secret.fromReference(reference).resolve(), now);
      READS.put(reference, read);
    }
    return read.password.toCharArray();
  }

  /** The driver properties that make a connection read its password from {@code secret}. */
  public static Properties driverProperties(Secret secret) {
    Properties properties = new Properties();
    properties.setProperty(CLASS_PROPERTY, SecretPasswordPlugin.class.getName());
    properties.setProperty(SECRET_PROPERTY, secret.reference());
    return properties;
  }

  /** Forgets the passwords read (tests). */
  static void forget() {
    READS.clear();
  }

  private static final class Read {
    final String password;
    final long at;

    Read(String password, long at) {
      this.password = password;
      this.at = at;
    }
  }
}
