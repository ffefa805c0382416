package io.tributary.local;

import io.tributary.config.CatalogConfig;
import io.tributary.config.CatalogType;
import io.tributary.config.ControlConfig;
import io.tributary.config.S3Config;
import io.tributary.config.Secret;
import io.tributary.config.SinkConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded local stack: PostgreSQL 16 with logical replication (the source and, in its own
 * database, the Iceberg JDBC catalog), an S3-compatible server on the local file system, and the
 * control table in a local DynamoDB ({@link Dynalite}, when the packages of infra/local are
 * installed). All state lives below one working folder, all servers listen on 127.0.0.1 on free
 * ports, and {@link #close()} stops them.
 */
public final class LocalStack implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

  /** The bucket of the local lake. */
  public static final String BUCKET = "lake";

  /** The database that holds the Iceberg JDBC catalog. */
  public static final String CATALOG_DATABASE = "lake_catalog";

  /** Access key of the local S3 server (local only; never a real credential). */
  public static final String S3_ACCESS_KEY = "tributary-local";

  private static final String S3_SECRET_KEY = "tributary-local-secret";
  private static final String SUPERUSER = "postgres";

  private static final String ENDPOINTS_FILE = "endpoints.properties";

  private final Path workdir;
  private final EmbeddedPostgres postgres;
  private final S3Proxy s3;
  private final int postgresPort;
  private final int s3Port;
  private final Dynalite dynalite;
  private final int dynamoPort;
  private StackOwner owner;

  private LocalStack(
      Path workdir,
      EmbeddedPostgres postgres,
      S3Proxy s3,
      int postgresPort,
      int s3Port,
      Dynalite dynalite,
      int dynamoPort) {
    this.workdir = workdir;
    this.postgres = postgres;
    this.s3 = s3;
    this.postgresPort = postgresPort;
    this.s3Port = s3Port;
    this.dynalite = dynalite;
    this.dynamoPort = dynamoPort;
  }

  /**
   * Connects to the stack that a running {@code tributary local} serves from {@code workdir}, or
   * starts the stack when none runs (cleaning up after a run that was killed). Closing an attached
   * stack leaves the running one alone.
   */
  public static LocalStack attachOrStart(Path workdir) throws Exception {
    Path root = workdir.toAbsolutePath();
    StackOwner.Acquired acquired = StackOwner.acquire(root);
    if (acquired.owned() != null) {
      return startOwned(root, acquired.owned());
    }
    StackOwner.Owner live = acquired.liveOwner().orElseThrow();
    Path endpoints = root.resolve(ENDPOINTS_FILE);
    // The owner may still be starting: its endpoints appear once its servers run.
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!Files.exists(endpoints)) {
      if (System.nanoTime() > deadline
          || (live.pid() > 0 && ProcessHandle.of(live.pid()).isEmpty())) {
        throw new IllegalStateException(
            "The local stack in "
                + root
                + " is in use by "
                + live
                + " but does not publish its endpoints: stop that process and retry");
      }
      Thread.sleep(200);
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(endpoints)) {
      p.load(r);
    }
    int pgPort = Integer.parseInt(p.getProperty("postgres.port"));
    int s3p = Integer.parseInt(p.getProperty("s3.port"));
    int dynamo = Integer.parseInt(p.getProperty("dynamodb.port", "-1"));
    try (Connection c =
        DriverManager.getConnection(
            "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres", SUPERUSER, "")) {
      LOG.info("Attached to the local stack of {} in {}", live, root);
      return new LocalStack(root, null, null, pgPort, s3p, null, dynamo);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "The local stack in "
              + root
              + " is in use by "
              + live
              + " but its PostgreSQL does not answer on port "
              + pgPort
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** Records the ports so that other commands can attach while this stack runs. */
  public void writeEndpoints() throws IOException {
    Properties p = new Properties();
    p.setProperty("postgres.port", Integer.toString(postgresPort));
    p.setProperty("s3.port", Integer.toString(s3Port));
    if (dynamoPort > 0) {
      p.setProperty("dynamodb.port", Integer.toString(dynamoPort));
    }
    try (Writer w = Files.newBufferedWriter(workdir.resolve(ENDPOINTS_FILE))) {
      p.store(w, "Endpoints of the running local stack");
    }
  }

  /**
   * Starts the stack with its state in {@code workdir}, reusing what an earlier start left and
   * cleaning up after a run that was killed (its orphaned PostgreSQL, its stale endpoints).
   *
   * @throws LocalStackInUseException when a live process serves the stack of {@code workdir}
   */
  public static LocalStack start(Path workdir) throws Exception {
    Path root = workdir.toAbsolutePath();
    StackOwner.Acquired acquired = StackOwner.acquire(root);
    if (acquired.owned() == null) {
      throw new LocalStackInUseException(root, acquired.liveOwner().orElseThrow());
    }
    return startOwned(root, acquired.owned());
  }

  private static LocalStack startOwned(Path root, StackOwner owner) throws Exception {
    LocalStack stack;
    try {
      owner.cleanUpAfterDeadOwner();
      stack = startServers(root);
    } catch (Exception | Error e) {
      owner.close();
      throw e;
    }
    stack.owner = owner;
    return stack;
  }

  private static LocalStack startServers(Path root) throws Exception {
    Files.createDirectories(root);
    EmbeddedPostgres postgres = startPostgres(root);
    S3Proxy s3 = null;
    Dynalite dynalite = null;
    try {
      ensureDatabase(postgres, CATALOG_DATABASE);
      Path s3Dir = root.resolve("s3");
      Files.createDirectories(s3Dir.resolve(BUCKET));
      int s3Port = freePort();
      s3 =
          S3Proxy.builder()
              .blobStore(new FilesystemNio2BlobStore(s3Dir.toString()))
              .endpoint(URI.create("http://127.0.0.1:" + s3Port))
              .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, S3_ACCESS_KEY, S3_SECRET_KEY)
              .jettyMaxThreads(32)
              .build();
      s3.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!"STARTED".equals(s3.getState())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("The local S3 server did not start within 30 s");
        }
        Thread.onSpinWait();
      }
      dynalite = startControlTable(root);
      LOG.info(
          "Local stack up: PostgreSQL on 127.0.0.1:{}, S3 on 127.0.0.1:{}, DynamoDB on {}, state in"
              + " {}",
          postgres.getPort(),
          s3Port,
          dynalite == null ? "(not installed)" : "127.0.0.1:" + dynalite.port(),
          root);
      return new LocalStack(
          root,
          postgres,
          s3,
          postgres.getPort(),
          s3Port,
          dynalite,
          dynalite == null ? -1 : dynalite.port());
    } catch (Exception e) {
      if (dynalite != null) {
        dynalite.close();
      }
      if (s3 != null) {
        s3.stop();
      }
      postgres.close();
      throw e;
    }
  }

  /** Starts dynalite with the control table, or returns null when infra/local is not installed. */
  private static Dynalite startControlTable(Path root) throws Exception {
    if (ControlPlaneFiles.installedLocalPackages().isEmpty()) {
      LOG.warn(
          "The local control table is not available: run 'npm ci' in infra/local (./tributary does"
              + " this when Node.js is installed)");
      return null;
    }
    Dynalite dynalite = Dynalite.start(root.resolve("dynamodb"));
    try {
      Dynalite.createControlTable(Dynalite.controlConfig(dynalite.port()));
      return dynalite;
    } catch (RuntimeException e) {
      dynalite.close();
      throw e;
    }
  }

  private static EmbeddedPostgres startPostgres(Path root) throws IOException, SQLException {
    Path data = root.resolve("postgres");
    Path runtime = root.resolve("postgres-runtime");
    Files.createDirectories(runtime);
    int port = freePort();
    EmbeddedPostgres postgres =
        EmbeddedPostgres.builder()
            .setDataDirectory(data)
            .setCleanDataDirectory(false)
            .setOverrideWorkingDirectory(runtime.toFile())
            .setPort(port)
            .setServerConfig("listen_addresses", "127.0.0.1")
            .setServerConfig("wal_level", "logical")
            .setServerConfig("max_replication_slots", "20")
            .setServerConfig("max_wal_senders", "20")
            .setServerConfig("max_connections", "200")
            .setServerConfig("fsync", "off")
            .setServerConfig("synchronous_commit", "off")
            .setServerConfig("full_page_writes", "off")
            .setServerConfig("wal_sender_timeout", "0")
            .setPGStartupWait(Duration.ofSeconds(60))
            .setRegisterShutdownHook(false)
            .start();
    // An embedded server can silently attach to another one that holds the port: check it is ours.
    try (Connection c = DriverManager.getConnection(postgres.getJdbcUrl(SUPERUSER, "postgres"));
        Statement st = c.createStatement()) {
      String version = value(st, "SHOW server_version");
      String walLevel = value(st, "SHOW wal_level");
      String dataDir = value(st, "SHOW data_directory");
      if (!version.startsWith("16")
          || !"logical".equals(walLevel)
          || !Path.of(dataDir).toRealPath().equals(data.toRealPath())) {
        postgres.close();
        throw new IllegalStateException(
            "The PostgreSQL server on port "
                + port
                + " is not the embedded one (version "
                + version
                + ", wal_level "
                + walLevel
                + ", data "
                + dataDir
                + "): stop the other server or retry");
      }
    }
    return postgres;
  }

  private static String value(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Creates a database when absent. */
  public static void ensureDatabase(EmbeddedPostgres postgres, String name) throws SQLException {
    try (Connection c = DriverManager.getConnection(postgres.getJdbcUrl(SUPERUSER, "postgres"));
        Statement st = c.createStatement()) {
      try (ResultSet rs =
          st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
        if (rs.next()) {
          return;
        }
      }
      st.execute("CREATE DATABASE " + name);
    }
  }

  /** Creates a database of the embedded server when absent. */
  public void ensureDatabase(String name) throws SQLException {
    try (Connection c = connect("postgres");
        Statement st = c.createStatement()) {
      try (ResultSet rs =
          st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
        if (rs.next()) {
          return;
        }
      }
      st.execute("CREATE DATABASE " + name);
    }
  }

  /** A free TCP port on 127.0.0.1. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  public Path workdir() {
    return workdir;
  }

  public int postgresPort() {
    return postgresPort;
  }

  /** The superuser of the embedded server (no password: local trust authentication). */
  public String superuser() {
    return SUPERUSER;
  }

  /** A JDBC URL of a database of the embedded server. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/" + database;
  }

  /** Opens a connection to a database of the embedded server as the superuser. */
  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, "");
  }

  public String s3Endpoint() {
    return "http://127.0.0.1:" + s3Port;
  }

  /** The local control table, when the stack has one. */
  public Optional<ControlConfig> control() {
    return dynamoPort > 0 ? Optional.of(Dynalite.controlConfig(dynamoPort)) : Optional.empty();
  }

  /** The sink of the local lake: JDBC catalog in PostgreSQL, warehouse in the local S3 server. */
  public SinkConfig sink(String namespace) {
    return sinkAt(namespace, postgresPort, s3Port);
  }

  /**
   * The sink of a local lake whose catalog server and S3 server answer on the given ports of
   * 127.0.0.1 (the stack's own, or forwarders in front of them).
   */
  public static SinkConfig sinkAt(String namespace, int catalogPort, int s3Port) {
    return SinkConfig.builder()
        .warehouse("s3://" + BUCKET + "/warehouse")
        .namespace(namespace)
        .catalog(
            CatalogConfig.builder()
                .type(CatalogType.JDBC)
                .uri("jdbc:postgresql://127.0.0.1:" + catalogPort + "/" + CATALOG_DATABASE)
                .user(SUPERUSER)
                .build())
        .s3(
            S3Config.builder()
                .endpoint("http://127.0.0.1:" + s3Port)
                .pathStyleAccess(true)
                .region("us-east-1")
                .accessKeyId(S3_ACCESS_KEY)
                .secretAccessKey(Secret.ofValue(S3_SECRET_KEY))
                .build())
        .build();
  }

  private boolean closed;

  /** Stops the servers this stack started; idempotent. */
  @Override
  public synchronized void close() {
    if (postgres == null || closed) {
      return; // attached to a stack another process runs, or closed already
    }
    closed = true;
    try {
      Files.deleteIfExists(workdir.resolve(ENDPOINTS_FILE));
    } catch (IOException e) {
      LOG.debug("Could not remove the endpoints file", e);
    }
    try {
      s3.stop();
    } catch (Exception e) {
      LOG.warn("Stopping the local S3 server failed", e);
    }
    if (dynalite != null) {
      dynalite.close();
    }
    try {
      postgres.close();
    } catch (IOException e) {
      LOG.warn("Stopping the embedded PostgreSQL failed", e);
    }
    if (owner != null) {
      owner.close();
    }
  }
}
