package io.tributary.athena;

import static org.awaitility.Awaitility.await;

import io.tributary.catalog.CatalogSpec;
import io.tributary.config.SinkConfig;
import io.tributary.local.LocalStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test fixture: a Trino server (the engine Athena version 3 is built on) in its own JVM, with its
 * Iceberg connector on the local lake's JDBC catalog and S3 server, or on the AWS Glue Data Catalog
 * and S3 of an AWS API emulation, listening on 127.0.0.1 only.
 *
 * <p>The server distribution is the {@code io.trino:trino-server} tar.gz that Maven copies to
 * {@code target/trino} (system property {@value #ARCHIVE_PROPERTY}); it is extracted once beside it
 * with every plugin but Iceberg removed. Trino needs Java 24 or later: the JDK is taken from
 * {@value #JAVA_HOME_PROPERTY}. {@link #close()} stops the process.
 */
public final class TrinoServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrinoServer.class);

  /** System property: the server tar.gz. */
  public static final String ARCHIVE_PROPERTY = "trino.server.archive";

  /** System property: the JDK that runs the server. */
  public static final String JAVA_HOME_PROPERTY = "trino.java.home";

  /** The name of the lake's catalog in Trino, as in every other engine here. */
  public static final String CATALOG = CatalogSpec.CATALOG_NAME;

  private static final String READY_MARKER = ".tributary-extracted";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  private final Process process;
  private final int port;
  private final Path log;
  private final Thread shutdownHook;

  private TrinoServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.shutdownHook = new Thread(process::destroyForcibly, "stop-trino");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts a server on the lake of {@code stack} (whose JDBC catalog must have been opened once, so
   * that its tables exist) and waits until it accepts queries.
   */
  public static TrinoServer start(Path workdir, LocalStack stack, SinkConfig sink)
      throws IOException {
    checkCatalogTables(stack);
    Properties lake = new Properties();
    lake.setProperty("connector.name", "iceberg");
    lake.setProperty("iceberg.catalog.type", "jdbc");
    lake.setProperty("iceberg.jdbc-catalog.driver-class", "org.postgresql.Driver");
    lake.setProperty("iceberg.jdbc-catalog.connection-url", sink.catalog().uri());
    lake.setProperty("iceberg.jdbc-catalog.connection-user", sink.catalog().user());
    // The catalog name recorded in every row of the JDBC catalog's tables.
    lake.setProperty("iceberg.jdbc-catalog.catalog-name", CatalogSpec.CATALOG_NAME);
    lake.setProperty("iceberg.jdbc-catalog.schema-version", "V1");
    lake.setProperty("iceberg.jdbc-catalog.default-warehouse-dir", sink.warehouse());
    lake.setProperty("fs.native-s3.enabled", "true");
    lake.setProperty("s3.endpoint", sink.s3().endpoint());
    lake.setProperty("s3.region", sink.s3().region());
    lake.setProperty("s3.path-style-access", Boolean.toString(sink.s3().pathStyleAccess()));
    lake.setProperty("s3.aws-access-key", sink.s3().accessKeyId());
    lake.setProperty("s3.aws-secret-key", sink.s3().secretAccessKey().resolve());
    return start(workdir, lake);
  }

  /**
   * Starts a server whose Iceberg connector reads the AWS Glue Data Catalog and S3 as Athena does,
   * both at {@code aws}'s endpoint (an emulation such as moto), and waits until it accepts queries.
   */
  public static TrinoServer startOnGlue(Path workdir, Aws aws) throws IOException {
    Properties lake = new Properties();
    lake.setProperty("connector.name", "iceberg");
    lake.setProperty("iceberg.catalog.type", "glue");
    lake.setProperty("hive.metastore.glue.region", aws.region());
    lake.setProperty("hive.metastore.glue.endpoint-url", aws.endpoint());
    lake.setProperty("hive.metastore.glue.catalogid", aws.accountId());
    lake.setProperty("hive.metastore.glue.aws-access-key", aws.accessKeyId());
    lake.setProperty("hive.metastore.glue.aws-secret-key", aws.secretAccessKey());
    lake.setProperty("fs.native-s3.enabled", "true");
    lake.setProperty("s3.endpoint", aws.endpoint());
    lake.setProperty("s3.region", aws.region());
    lake.setProperty("s3.path-style-access", "true");
    lake.setProperty("s3.aws-access-key", aws.accessKeyId());
    lake.setProperty("s3.aws-secret-key", aws.secretAccessKey());
    return start(workdir, lake);
  }

  /**
   * Where the AWS APIs are and who calls them: one endpoint for Glue and S3 (moto serves both on
   * one port), the region, the account whose Glue Data Catalog holds the tables, and static
   * credentials.
   */
  public record Aws(
      String endpoint,
      String region,
      String accountId,
      String accessKeyId,
      String secretAccessKey) {
    @Override
    public String toString() {
      return "Aws[" + endpoint + ", " + region + ", account " + accountId + "]";
    }
  }

  private static TrinoServer start(Path workdir, Properties lake) throws IOException {
    Path server = extractedServer();
    Path java = javaExecutable();
    Path etc = Files.createDirectories(workdir.resolve("etc"));
    Path catalogs = Files.createDirectories(etc.resolve("catalog"));
    Path data = Files.createDirectories(workdir.resolve("data"));
    int port = LocalStack.freePort();

    Properties config = new Properties();
    config.setProperty("coordinator", "true");
    config.setProperty("node-scheduler.include-coordinator", "true");
    config.setProperty("http-server.http.port", Integer.toString(port));
    config.setProperty("discovery.uri", "http://127.0.0.1:" + port);
    config.setProperty("plugin.dir", server.resolve("plugin").toString());
    config.setProperty("catalog.config-dir", catalogs.toString());
    config.setProperty("web-ui.enabled", "false");
    // Small: the test machine has 2 cores, and the test JVM runs the stack, Flink and Spark.
    config.setProperty("query.max-memory", "256MB");
    config.setProperty("query.max-memory-per-node", "256MB");
    config.setProperty("task.concurrency", "2");
    store(config, etc.resolve("config.properties"));
    store(lake, catalogs.resolve(CATALOG + ".properties"));

    Properties levels = new Properties();
    levels.setProperty("io.trino", "WARN");
    levels.setProperty("io.airlift", "WARN");
    levels.setProperty("org.eclipse.jetty", "WARN");
    store(levels, etc.resolve("log.properties"));

    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(
        List.of(
            "-Xmx1g",
            "-XX:+UseG1GC",
            // C1 only: a quarter faster to start, and the test's queries are small.
            "-XX:TieredStopAtLevel=1",
            "-XX:+ExitOnOutOfMemoryError",
            "-XX:-OmitStackTraceInFastThrow",
            "-XX:+EnableDynamicAgentLoading",
            "--enable-native-access=ALL-UNNAMED",
            "-Djdk.attach.allowAttachSelf=true",
            "-Dfile.encoding=UTF-8",
            "-Dnode.environment=tributary_test",
            "-Dnode.id=tributary-test",
            "-Dnode.data-dir=" + data,
            // Without these two the server listens on every interface and announces the host's
            // address to itself.
            "-Dnode.bind-ip=127.0.0.1",
            "-Dnode.internal-address=127.0.0.1",
            "-Dconfig=" + etc.resolve("config.properties"),
            "-Dlog.levels-file=" + etc.resolve("log.properties"),
            "-cp",
            server.resolve("lib") + "/*",
            "io.trino.server.TrinoServer"));
    Path log = workdir.resolve("server.log");
    long started = System.nanoTime();
    Process process =
        new ProcessBuilder(command)
            .directory(workdir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    TrinoServer trino = new TrinoServer(process, port, log);
    try {
      trino.awaitReady();
    } catch (RuntimeException | Error e) {
      trino.close();
      throw new IllegalStateException(
          "Trino did not start within "
              + START_TIMEOUT
              + "; its log ends with:\n"
              + trino.logTail(),
          e);
    }
    LOG.info(
        "Trino {} up on 127.0.0.1:{} in {} ms (pid {})",
        server.getFileName(),
        port,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        process.pid());
    return trino;
  }

  /** A JDBC connection to the server, in the lake's catalog and the given schema (namespace). */
  public Connection connect(String schema) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", "tributary");
    return DriverManager.getConnection(
        "jdbc:trino://127.0.0.1:" + port + "/" + CATALOG + "/" + schema, properties);
  }

  /** A query of the server: what {@code run} reads from one statement. */
  @FunctionalInterface
  public interface Query<T> {
    T run() throws SQLException;
  }

  /**
   * Runs {@code query}, and runs it again while the server says "No nodes available to run query"
   * (for up to 90 s): on a loaded machine the single-node server can miss its own heartbeats and
   * drop itself from the catalog's active nodes for a moment. Any other failure is thrown.
   */
  public static <T> T whileNodesMissing(Query<T> query) throws SQLException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (true) {
      try {
        return query.run();
      } catch (SQLException e) {
        if (e.getMessage() == null
            || !e.getMessage().contains("No nodes available to run query")
            || System.nanoTime() > deadline) {
          throw e;
        }
        try {
          Thread.sleep(1000);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest info =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/info"))
            .timeout(Duration.ofSeconds(5))
            .build();
    // Ready once it has started and a query of the lake's catalog runs: the coordinator answers
    // before it lists itself as an active node of the catalog, and until then every query of the
    // catalog fails with "No nodes available to run query".
    await()
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .failFast("the Trino process exited", () -> !process.isAlive())
        .until(
            () -> {
              HttpResponse<String> response = http.send(info, HttpResponse.BodyHandlers.ofString());
              if (response.statusCode() != 200
                  || !response.body().replace(" ", "").contains("\"starting\":false")) {
                return false;
              }
              try (Connection c = connect("information_schema");
                  Statement st = c.createStatement();
                  ResultSet rs = st.executeQuery("SELECT count(*) FROM tables")) {
                return rs.next();
              }
            });
  }

  /** The last lines of the server's log, for failure messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** Stops the server: a normal shutdown first, then a forced one. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        LOG.warn("Trino (pid {}) did not stop within 30 s; killing it", process.pid());
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }

  /**
   * Trino reads the JDBC catalog but does not create its tables; Iceberg's {@code JdbcCatalog}
   * creates them (with the {@code iceberg_type} column of schema version V1) when first opened.
   */
  private static void checkCatalogTables(LocalStack stack) {
    String sql =
        "SELECT count(*) FROM information_schema.columns WHERE (table_name = 'iceberg_tables' AND"
            + " column_name = 'iceberg_type') OR (table_name = 'iceberg_namespace_properties'"
            + " AND column_name = 'property_key')";
    try (Connection c = stack.connect(LocalStack.CATALOG_DATABASE);
        var st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      rs.next();
      if (rs.getInt(1) != 2) {
        throw new IllegalStateException(
            "The JDBC catalog in database "
                + LocalStack.CATALOG_DATABASE
                + " lacks iceberg_tables.iceberg_type or iceberg_namespace_properties, which"
                + " Trino reads but does not create: open the lake's catalog once (schema version"
                + " V1) before starting Trino");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot inspect the JDBC catalog's tables", e);
    }
  }

  private static Path javaExecutable() {
    String home = System.getProperty(JAVA_HOME_PROPERTY, "/usr/lib/jvm/temurin-25-jdk-amd64");
    Path java = Path.of(home, "bin", "java");
    if (!Files.isExecutable(java)) {
      throw new IllegalStateException(
          "Trino needs Java 24 or later and there is no "
              + java
              + ": install a JDK 24+ (Temurin 25 is expected at /usr/lib/jvm/temurin-25-jdk-amd64)"
              + " or pass -D"
              + JAVA_HOME_PROPERTY
              + "=<its home> to Maven");
    }
    return java;
  }

  /**
   * The server extracted from the archive, once: extracted whole (its plugins share jars through
   * hard links), then every plugin but Iceberg deleted, then moved into place.
   */
  private static synchronized Path extractedServer() throws IOException {
    String property = System.getProperty(ARCHIVE_PROPERTY);
    if (property == null) {
      throw new IllegalStateException(
          "System property "
              + ARCHIVE_PROPERTY
              + " is not set: run this test through Maven (./mvnw verify -pl glue-compat -am"
              + " -Dit.test=AthenaCompatibilityIT), which copies the Trino server archive");
    }
    Path archive = Path.of(property);
    if (!Files.isRegularFile(archive)) {
      throw new IllegalStateException(
          "No Trino server archive at "
              + archive
              + ": Maven's pre-integration-test phase copies it (maven-dependency-plugin,"
              + " execution trino-server); run the integration tests through ./mvnw verify");
    }
    String name = archive.getFileName().toString().replaceFirst("\\.tar\\.gz$", "");
    Path target = archive.resolveSibling(name);
    if (Files.exists(target.resolve(READY_MARKER))) {
      return target;
    }
    long started = System.nanoTime();
    Path scratch = Files.createTempDirectory(archive.getParent(), "extracting-");
    run(List.of("tar", "-xzf", archive.toString(), "-C", scratch.toString()));
    Path extracted = scratch.resolve(name);
    try (Stream<Path> plugins = Files.list(extracted.resolve("plugin"))) {
      for (Path plugin : plugins.toList()) {
        if (!plugin.getFileName().toString().equals("iceberg")) {
          deleteTree(plugin);
        }
      }
    }
    deleteTree(target);
    Files.move(extracted, target, StandardCopyOption.ATOMIC_MOVE);
    deleteTree(scratch);
    Files.writeString(target.resolve(READY_MARKER), archive.toString());
    LOG.info(
        "Extracted {} in {} ms",
        archive.getFileName(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return target;
  }

  private static void run(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (process.waitFor() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", command), e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }

  private static void store(Properties properties, Path file) throws IOException {
    try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      properties.store(out, null);
    }
  }
}
