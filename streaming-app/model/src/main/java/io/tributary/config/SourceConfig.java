package io.tributary.config;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/** The source database to capture: where it is, how to log in, and how to read its changes. */
public final class SourceConfig {

  /** PostgreSQL: logical replication through a slot and a publication. */
  public static final String TYPE_POSTGRES = "postgres";

  /** MySQL or MariaDB: the binary log, read as a replica with a server id. */
  public static final String TYPE_MYSQL = "mysql";

  static final int DEFAULT_PORT = 5432;
  static final int DEFAULT_MYSQL_PORT = 3306;
  static final SslMode DEFAULT_SSL_MODE = SslMode.PREFER;
  static final String DEFAULT_SLOT_NAME = "tributary";
  static final String DEFAULT_PUBLICATION_NAME = "tributary";
  static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(30);
  static final Duration DEFAULT_NEW_TABLE_CHECK_INTERVAL = Duration.ofMinutes(5);
  static final int DEFAULT_SNAPSHOT_CHUNK_SIZE = 50_000;
  static final int DEFAULT_SNAPSHOT_FETCH_SIZE = 10_000;

  /** Replication slot names: lower-case letters, digits, underscores; at most 63 characters. */
  private static final Pattern PG_NAME = Pattern.compile("[a-z0-9_]{1,63}");

  private final String type;
  private final String host;
  private final int port;
  private final String database;
  private final String user;
  private final Secret password;

  /** The login read from the password's secret when {@code source.user} is not set. */
  private volatile String secretUser;

  private final SslMode sslMode;
  private final SslRootCert sslRootCert;
  private final String slotName;
  private final String publicationName;
  private final Duration heartbeatInterval;
  private final Duration newTableCheckInterval;
  private final int snapshotChunkSize;
  private final int snapshotFetchSize;
  private final boolean allowWalGap;
  private final ServerIdRange serverId;

  private SourceConfig(Builder b) {
    this.type = b.type;
    this.host = b.host;
    this.port = b.port;
    this.database = b.database;
    this.user = b.user;
    this.password = b.password;
    this.sslMode = b.sslMode;
    this.sslRootCert = b.sslRootCert;
    this.slotName = b.slotName;
    this.publicationName = b.publicationName;
    this.heartbeatInterval = b.heartbeatInterval;
    this.newTableCheckInterval = b.newTableCheckInterval;
    this.snapshotChunkSize = b.snapshotChunkSize;
    this.snapshotFetchSize = b.snapshotFetchSize;
    this.allowWalGap = b.allowWalGap;
    this.serverId = b.serverId;
  }

  /** A builder with the defaults; host, database and user must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    return new Builder()
        .type(type)
        .host(host)
        .port(port)
        .database(database)
        .user(user)
        .password(password)
        .sslMode(sslMode)
        .sslRootCert(sslRootCert)
        .slotName(slotName)
        .publicationName(publicationName)
        .heartbeatInterval(heartbeatInterval)
        .newTableCheckInterval(newTableCheckInterval)
        .snapshotChunkSize(snapshotChunkSize)
        .snapshotFetchSize(snapshotFetchSize)
        .allowWalGap(allowWalGap)
        .serverId(serverId);
  }

  /** The database kind: {@value #TYPE_POSTGRES} or {@value #TYPE_MYSQL}. */
  public String type() {
    return type;
  }

  /** Host name or IP address of the database server. */
  public String host() {
    return host;
  }

  /** TCP port of the database server. */
  public int port() {
    return port;
  }

  /** Name of the database to capture. */
  public String database() {
    return database;
  }

  /**
   * Login role; it needs the REPLICATION attribute and SELECT on the captured tables. When {@code
   * source.user} is not set, the {@value Secret#USERNAME_KEY} of the password's Secrets Manager
   * secret, read once.
   *
   * @throws ConfigException when neither gives a login
   */
  public String user() {
    if (user != null) {
      return user;
    }
    String fromSecret = secretUser;
    if (fromSecret == null) {
      fromSecret = password.resolveUsername();
      if (fromSecret == null) {
        throw new ConfigException(
            "source.user is not set and "
                + password.describe()
                + " holds no '"
                + Secret.USERNAME_KEY
                + "': set source.user, or store the secret as JSON {\"username\": ...,"
                + " \"password\": ...}");
      }
      secretUser = fromSecret;
    }
    return fromSecret;
  }

  /** Where the password comes from; {@link Secret#none()} when the server needs none. */
  public Secret password() {
    return password;
  }

  /** How the connection uses TLS. */
  public SslMode sslMode() {
    return sslMode;
  }

  /**
   * The certificate authority that signed the server's certificate ({@code source.ssl-root-cert}),
   * or null to use the driver's default ({@code ~/.postgresql/root.crt}).
   */
  public SslRootCert sslRootCert() {
    return sslRootCert;
  }

  /**
   * Adds the TLS settings that are not in {@link #jdbcUrl()} to JDBC connection properties: the
   * local copy of {@link #sslRootCert()} as {@code sslrootcert}, fetched on first use in this
   * process.
   */
  public void addTlsProperties(Properties jdbcProperties) {
    if (sslRootCert != null) {
      sslRootCert.addTo(jdbcProperties);
    }
  }

  /** Name of the logical replication slot the job reads from. */
  public String slotName() {
    return slotName;
  }

  /** Name of the publication that lists the captured tables. */
  public String publicationName() {
    return publicationName;
  }

  /** How often the source confirms progress while no captured table changes. */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /** How often the running job looks for new source tables that the patterns match. */
  public Duration newTableCheckInterval() {
    return newTableCheckInterval;
  }

  /** Rows per snapshot split of a table's initial copy. */
  public int snapshotChunkSize() {
    return snapshotChunkSize;
  }

  /** Rows fetched per round trip while reading the snapshot. */
  public int snapshotFetchSize() {
    return snapshotFetchSize;
  }

  /**
   * Whether the job may start streaming from a replication slot that has already confirmed a
   * position past the restored one, skipping the changes in between (an operator's explicit choice;
   * by default such a start stops with both positions named).
   */
  public boolean allowWalGap() {
    return allowWalGap;
  }

  /** Whether the source is MySQL or MariaDB ({@value #TYPE_MYSQL}). */
  public boolean isMySql() {
    return TYPE_MYSQL.equals(type);
  }

  /**
   * The server ids the job's binlog readers use ({@code source.server-id}, MySQL only): one per
   * parallel reader, each unique among the server's replicas; null for PostgreSQL.
   */
  public ServerIdRange serverId() {
    return serverId;
  }

  /**
   * JDBC URL of the database, e.g. {@code jdbc:postgresql://db:5432/shop?sslmode=require}, or for
   * MySQL {@code jdbc:mysql://db:3306/shop?...} (without TLS, sessions in UTC).
   */
  public String jdbcUrl() {
    String hostPart = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    if (isMySql()) {
      // Times are read and written in UTC, whatever the server's or the JVM's zone.
      return "jdbc:mysql://"
          + hostPart
          + ":"
          + port
          + "/"
          + URLEncoder.encode(database, StandardCharsets.UTF_8)
          + "?sslMode=DISABLED&connectionTimeZone=UTC&forceConnectionTimeZoneToSession=true";
    }
    return "jdbc:postgresql://"
        + hostPart
        + ":"
        + port
        + "/"
        + URLEncoder.encode(database, StandardCharsets.UTF_8)
        + "?sslmode="
        + sslMode.libpqName();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SourceConfig)) {
      return false;
    }
    SourceConfig other = (SourceConfig) o;
    return port == other.port
        && snapshotChunkSize == other.snapshotChunkSize
        && snapshotFetchSize == other.snapshotFetchSize
        && allowWalGap == other.allowWalGap
        && Objects.equals(serverId, other.serverId)
        && type.equals(other.type)
        && host.equals(other.host)
        && database.equals(other.database)
        && Objects.equals(user, other.user)
        && password.equals(other.password)
        && sslMode == other.sslMode
        && Objects.equals(sslRootCert, other.sslRootCert)
        && slotName.equals(other.slotName)
        && publicationName.equals(other.publicationName)
        && heartbeatInterval.equals(other.heartbeatInterval)
        && newTableCheckInterval.equals(other.newTableCheckInterval);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        type,
        host,
        port,
        database,
        user,
        password,
        sslMode,
        sslRootCert,
        slotName,
        publicationName,
        heartbeatInterval,
        newTableCheckInterval,
        snapshotChunkSize,
        snapshotFetchSize,
        allowWalGap,
        serverId);
  }

  @Override
  public String toString() {
    return "SourceConfig{type="
        + type
        + ", host="
        + host
        + ", port="
        + port
        + ", database="
        + database
        + ", user="
        + user
        + ", password="
        + password
        + ", sslMode="
        + sslMode.libpqName()
        + (sslRootCert == null ? "" : ", sslRootCert=" + sslRootCert)
        + ", slotName="
        + slotName
        + ", publicationName="
        + publicationName
        + ", heartbeatInterval="
        + heartbeatInterval
        + ", newTableCheckInterval="
        + newTableCheckInterval
        + ", snapshotChunkSize="
        + snapshotChunkSize
        + ", snapshotFetchSize="
        + snapshotFetchSize
        + ", allowWalGap="
        + allowWalGap
        + (serverId == null ? "" : ", serverId=" + serverId)
        + "}";
  }

  /** Builds a {@link SourceConfig}; {@link #build()} validates every value. */
  public static final class Builder {
    private String type = TYPE_POSTGRES;
    private String host;
    private int port = DEFAULT_PORT;
    private String database;
    private String user;
    private Secret password = Secret.none();
    private SslMode sslMode = DEFAULT_SSL_MODE;
    private SslRootCert sslRootCert;
    private String slotName = DEFAULT_SLOT_NAME;
    private String publicationName = DEFAULT_PUBLICATION_NAME;
    private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
    private Duration newTableCheckInterval = DEFAULT_NEW_TABLE_CHECK_INTERVAL;
    private int snapshotChunkSize = DEFAULT_SNAPSHOT_CHUNK_SIZE;
    private int snapshotFetchSize = DEFAULT_SNAPSHOT_FETCH_SIZE;
    private boolean allowWalGap;
    private ServerIdRange serverId;
    private boolean portSet;
    private boolean sslModeSet;

    private Builder() {}

    public Builder type(String type) {
      this.type = type == null ? null : type.trim().toLowerCase(Locale.ROOT);
      return this;
    }

    public Builder host(String host) {
      this.host = Strings.trimToNull(host);
      return this;
    }

    /** The TCP port; unset, the type's default (5432 for PostgreSQL, 3306 for MySQL). */
    public Builder port(int port) {
      this.port = port;
      this.portSet = true;
      return this;
    }

    public Builder database(String database) {
      this.database = Strings.trimToNull(database);
      return this;
    }

    public Builder user(String user) {
      this.user = Strings.trimToNull(user);
      return this;
    }

    public Builder password(Secret password) {
      this.password = password == null ? Secret.none() : password;
      return this;
    }

    /** How the connection uses TLS; unset, prefer for PostgreSQL and disable for MySQL. */
    public Builder sslMode(SslMode sslMode) {
      this.sslMode = sslMode;
      this.sslModeSet = true;
      return this;
    }

    public Builder sslRootCert(SslRootCert sslRootCert) {
      this.sslRootCert = sslRootCert;
      return this;
    }

    public Builder slotName(String slotName) {
      this.slotName = Strings.trimToNull(slotName);
      return this;
    }

    public Builder publicationName(String publicationName) {
      this.publicationName = Strings.trimToNull(publicationName);
      return this;
    }

    public Builder heartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatInterval = heartbeatInterval;
      return this;
    }

    public Builder newTableCheckInterval(Duration newTableCheckInterval) {
      this.newTableCheckInterval = newTableCheckInterval;
      return this;
    }

    public Builder snapshotChunkSize(int snapshotChunkSize) {
      this.snapshotChunkSize = snapshotChunkSize;
      return this;
    }

    public Builder snapshotFetchSize(int snapshotFetchSize) {
      this.snapshotFetchSize = snapshotFetchSize;
      return this;
    }

    public Builder allowWalGap(boolean allowWalGap) {
      this.allowWalGap = allowWalGap;
      return this;
    }

    /** The server ids of the binlog readers (MySQL only). */
    public Builder serverId(ServerIdRange serverId) {
      this.serverId = serverId;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws ConfigException listing every invalid or missing value
     */
    public SourceConfig build() {
      Problems problems = new Problems();
      problems.check(
          TYPE_POSTGRES.equals(type) || TYPE_MYSQL.equals(type),
          "source.type '"
              + type
              + "' is not supported: valid values are "
              + TYPE_POSTGRES
              + ", "
              + TYPE_MYSQL);
      problems.throwIfAny();
      if (TYPE_MYSQL.equals(type)) {
        return buildMySql(problems);
      }
      problems.check(
          serverId == null,
          "source.server-id applies to MySQL sources only (source.type: mysql): remove it");
      checkServer(problems, "PostgreSQL", "PostgreSQL uses " + DEFAULT_PORT);
      problems.check(
          database != null, "source.database is required: set it to the database to capture");
      problems.check(
          user != null || password.isSecretsManager(),
          "source.user is required: set it to a role with the REPLICATION attribute, or store"
              + " it as key 'username' of the password's Secrets Manager secret");
      problems.check(
          sslMode != null, "source.ssl-mode is required: use one of " + SslMode.validNames());
      problems.check(
          slotName != null && PG_NAME.matcher(slotName).matches(),
          "source.slot-name '"
              + slotName
              + "' is not a valid replication slot name: use 1 to 63 lower-case letters, digits"
              + " and underscores");
      problems.check(
          publicationName != null && PG_NAME.matcher(publicationName).matches(),
          "source.publication-name '"
              + publicationName
              + "' is not a valid publication name: use 1 to 63 lower-case letters, digits and"
              + " underscores");
      return checkedTimingsAndSnapshot(problems);
    }

    /**
     * Validates a MySQL source: the PostgreSQL-only settings must keep their defaults, TLS is not
     * available yet, and the server ids are required.
     */
    private SourceConfig buildMySql(Problems problems) {
      if (!portSet) {
        port = DEFAULT_MYSQL_PORT;
      }
      if (!sslModeSet) {
        sslMode = SslMode.DISABLE;
      }
      checkServer(problems, "MySQL or MariaDB", "MySQL uses " + DEFAULT_MYSQL_PORT);
      problems.check(
          database != null,
          "source.database is required: set it to the database the job connects to (tables of"
              + " other databases of the server are named db.table in tables.include)");
      problems.check(
          user != null || password.isSecretsManager(),
          "source.user is required: set it to a user with REPLICATION SLAVE, REPLICATION CLIENT"
              + " and SELECT, or store it as key 'username' of the password's Secrets Manager"
              + " secret");
      problems.check(
          sslMode == SslMode.DISABLE && sslRootCert == null,
          "source.ssl-mode and source.ssl-root-cert: TLS to MySQL sources is not available yet;"
              + " set source.ssl-mode: disable (or leave it unset) and reach the server over a"
              + " private network (see docs/mysql.md)");
      problems.check(
          DEFAULT_SLOT_NAME.equals(slotName) && DEFAULT_PUBLICATION_NAME.equals(publicationName),
          "source.slot-name and source.publication-name apply to PostgreSQL sources only: remove"
              + " them");
      problems.check(
          !allowWalGap, "source.allow-wal-gap applies to PostgreSQL sources only: remove it");
      problems.check(
          serverId != null,
          "source.server-id is required for MySQL sources: a range of server ids with one id per"
              + " parallel reader (job.parallelism), unique among the server's replicas, e.g."
              + " 5400-5403");
      return checkedTimingsAndSnapshot(problems);
    }

    /** The server's address: host set, port in range (the hint names the usual port). */
    private void checkServer(Problems problems, String server, String usualPort) {
      problems.check(
          host != null,
          "source.host is required: set it to the host name or IP address of the "
              + server
              + " server");
      problems.check(
          port >= 1 && port <= 65535,
          "source.port must be between 1 and 65535, got " + port + " (" + usualPort + ")");
    }

    /** The settings both source types share: intervals and snapshot sizes; then builds. */
    private SourceConfig checkedTimingsAndSnapshot(Problems problems) {
      problems.check(
          Strings.isPositive(heartbeatInterval),
          "source.heartbeat-interval must be greater than zero, e.g. 30s");
      problems.check(
          Strings.isPositive(newTableCheckInterval),
          "source.new-table-check-interval must be greater than zero, e.g. 5m");
      problems.check(
          snapshotChunkSize >= 1,
          "source.snapshot.chunk-size must be at least 1, got " + snapshotChunkSize);
      problems.check(
          snapshotFetchSize >= 1,
          "source.snapshot.fetch-size must be at least 1, got " + snapshotFetchSize);
      problems.throwIfAny();
      return new SourceConfig(this);
    }
  }
}
