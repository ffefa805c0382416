package io.tributary.job;

import io.tributary.local.LocalStack;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A MariaDB server for integration tests: the locally installed {@code mariadbd} (Debian's {@code
 * mariadb-server}, which {@code .ci/run} installs) on a free port of 127.0.0.1, with a data
 * directory of its own under the test's work directory, binary logging in row format and UTC as its
 * time zone. The server is stopped by {@link #close()}, or when the JVM exits.
 */
public final class MariaDbServer implements AutoCloseable {
  /** What to run where MariaDB is missing. */
  public static final String INSTALL_HINT = "apt-get install -y mariadb-server";

  /** The server's own server_id; the job's readers must use others. */
  public static final int SERVER_ID = 1;

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final int port;
  private final Path log;
  private final Thread shutdownHook;

  private MariaDbServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.shutdownHook = new Thread(this::stopProcess, "mariadb-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Creates a data directory under {@code workdir}, starts the server on it and waits until it
   * accepts connections.
   *
   * @throws IllegalStateException when MariaDB is not installed, or the server exits or does not
   *     answer within a minute
   */
  public static MariaDbServer start(Path workdir) throws IOException, InterruptedException {
    Path server = executable("mariadbd");
    Path installDb = executable("mariadb-install-db");
    Path data = workdir.resolve("data");
    Files.createDirectories(workdir);
    Path log = workdir.resolve("mariadb.log");
    boolean root = "root".equals(System.getProperty("user.name"));
    List<String> install = new ArrayList<>();
    install.add(installDb.toString());
    install.add("--no-defaults");
    install.add("--datadir=" + data);
    install.add("--auth-root-authentication-method=normal");
    install.add("--skip-test-db");
    if (root) {
      install.add("--user=root");
    }
    Process installing =
        new ProcessBuilder(install)
            .redirectErrorStream(true)
            .redirectOutput(workdir.resolve("install-db.log").toFile())
            .start();
    if (!installing.waitFor(2, TimeUnit.MINUTES) || installing.exitValue() != 0) {
      installing.destroyForcibly();
      throw new IllegalStateException(
          "mariadb-install-db failed to create "
              + data
              + ": see "
              + workdir.resolve("install-db.log"));
    }
    int port = LocalStack.freePort();
    List<String> command = new ArrayList<>();
    command.add(server.toString());
    command.add("--no-defaults");
    command.add("--datadir=" + data);
    command.add("--port=" + port);
    command.add("--bind-address=127.0.0.1");
    command.add("--socket=" + workdir.resolve("mariadb.sock"));
    command.add("--pid-file=" + workdir.resolve("mariadb.pid"));
    command.add("--log-bin=" + data.resolve("binlog"));
    command.add("--binlog-format=ROW");
    command.add("--binlog-row-image=FULL");
    command.add("--server-id=" + SERVER_ID);
    command.add("--default-time-zone=+00:00");
    command.add("--skip-name-resolve");
    command.add("--innodb-buffer-pool-size=64M");
    command.add("--max-connections=200");
    if (root) {
      command.add("--user=root");
    }
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    MariaDbServer started = new MariaDbServer(process, port, log);
    try {
      started.awaitAnswer();
    } catch (RuntimeException e) {
      started.close();
      throw e;
    }
    return started;
  }

  /** The executable on the PATH or in Debian's sbin and bin directories. */
  static Path executable(String name) {
    List<Path> candidates = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        candidates.add(Path.of(dir, name));
      }
    }
    candidates.add(Path.of("/usr/sbin", name));
    candidates.add(Path.of("/usr/bin", name));
    for (Path candidate : candidates) {
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        name
            + " is not installed: the MySQL source integration tests run a MariaDB server."
            + " Install it with: "
            + INSTALL_HINT);
  }

  private void awaitAnswer() throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "mariadbd exited with " + process.exitValue() + " on start: see " + log);
      }
      try (Connection c = connectAsRoot("mysql")) {
        return;
      } catch (SQLException e) {
        last = e;
      }
      // Waiting for a child process to open its port: no condition to wait on but the port.
      process.waitFor(200, TimeUnit.MILLISECONDS);
    }
    throw new IllegalStateException(
        "mariadbd did not accept connections within " + START_TIMEOUT + ": see " + log, last);
  }

  /** The TCP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** A connection as the server's root user (no password, from 127.0.0.1). */
  public Connection connectAsRoot(String database) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:mysql://127.0.0.1:"
            + port
            + "/"
            + database
            + "?sslMode=DISABLED&connectionTimeZone=UTC&forceConnectionTimeZoneToSession=true"
            + "&allowPublicKeyRetrieval=true",
        "root",
        "");
  }

  /** Runs statements as root, each committed on its own. */
  public void sql(String database, String... statements) throws SQLException {
    try (Connection c = connectAsRoot(database);
        Statement st = c.createStatement()) {
      for (String statement : statements) {
        st.execute(statement);
      }
    }
  }

  /**
   * Creates a user with exactly the privileges the capture needs: SELECT, REPLICATION SLAVE and
   * REPLICATION CLIENT on every database.
   */
  public void createCaptureUser(String user, String password) throws SQLException {
    String account = "'" + user + "'@'%'";
    sql(
        "mysql",
        "CREATE USER " + account + " IDENTIFIED BY '" + password + "'",
        "GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO " + account);
  }

  private void stopProcess() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stopProcess();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down; the hook stops the server.
    }
  }
}
