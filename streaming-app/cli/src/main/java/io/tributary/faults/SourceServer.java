package io.tributary.faults;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source PostgreSQL of the fault matrix: a server of its own (not the lake's catalog server),
 * so that it can be restarted and crashed while the lake stays up. Always on the same port and data
 * folder, so that the job reconnects to the same server after it comes back.
 */
public final class SourceServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SourceServer.class);
  static final String SUPERUSER = "postgres";

  private final Path data;
  private final Path runtime;
  private final int port;
  private EmbeddedPostgres postgres;

  private SourceServer(Path root, int port) {
    this.data = root.resolve("data");
    this.runtime = root.resolve("runtime");
    this.port = port;
  }

  /** Starts a server with logical decoding on a free port, its files under {@code root}. */
  public static SourceServer start(Path root, int port) throws IOException {
    SourceServer server = new SourceServer(root.toAbsolutePath(), port);
    Files.createDirectories(server.runtime);
    server.startServer();
    return server;
  }

  private void startServer() throws IOException {
    // After a crash the old backends leave with the postmaster, which takes a moment: the new
    // postmaster refuses to start while they still hold the old shared memory.
    IOException last = null;
    for (int attempt = 0; attempt < 30; attempt++) {
      try {
        postgres =
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
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("wal_sender_timeout", "60s")
                .setPGStartupWait(Duration.ofSeconds(60))
                .setRegisterShutdownHook(false)
                .start();
        return;
      } catch (IOException e) {
        last = e;
        LOG.info("The source server did not start yet ({}); retrying", e.getMessage());
        try {
          Thread.sleep(1000);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", ie);
        }
      }
    }
    throw last;
  }

  public int port() {
    return port;
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, "");
  }

  /** Creates a database. */
  public void createDatabase(String name) throws SQLException {
    try (Connection c = connect("postgres");
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    }
  }

  /** A restart with a fast shutdown: sessions are ended, the WAL is flushed. */
  public void restartFast() throws IOException, InterruptedException {
    // SIGINT is PostgreSQL's fast shutdown; it waits for the WAL senders to send the shutdown
    // checkpoint, which takes longer than the embedded server's own 5 s stop allows under load.
    Optional<ProcessHandle> postmaster = postmaster();
    if (postmaster.isPresent()) {
      Process kill =
          new ProcessBuilder("kill", "-INT", Long.toString(postmaster.get().pid()))
              .inheritIO()
              .start();
      kill.waitFor();
      postmaster.get().onExit().orTimeout(120, TimeUnit.SECONDS).join();
    }
    releaseHandle();
    startServer();
  }

  private void releaseHandle() {
    // Releases the data folder's lock this process holds; its stop finds no server to stop.
    try {
      postgres.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("Closing the stopped server's handle", e);
    }
    postgres = null;
  }

  /** Kills the postmaster with SIGKILL (crash recovery runs on the next start). */
  public void crash() {
    Optional<ProcessHandle> postmaster = postmaster();
    postmaster.ifPresent(
        p -> {
          p.destroyForcibly();
          p.onExit().orTimeout(30, TimeUnit.SECONDS).join();
        });
    releaseHandle();
  }

  /** Starts the server again after {@link #crash()}. */
  public void startAfterCrash() throws IOException {
    startServer();
  }

  private Optional<ProcessHandle> postmaster() {
    try {
      long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
      return ProcessHandle.of(pid);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (postgres != null) {
      postgres.close();
      postgres = null;
    } else {
      postmaster().ifPresent(ProcessHandle::destroy);
    }
  }
}
