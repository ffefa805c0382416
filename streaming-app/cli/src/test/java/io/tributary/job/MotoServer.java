package io.tributary.job;

import io.tributary.local.LocalStack;
import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * AWS API emulation for integration tests: Python moto in server mode ({@code moto_server}) on a
 * free port of 127.0.0.1, as a child process. One server answers for every emulated service (Glue,
 * S3, DynamoDB, Secrets Manager, STS, ...) on the same endpoint; it accepts any credentials and
 * uses account {@value #ACCOUNT_ID}. The server is stopped by {@link #close()}, or when the JVM
 * exits.
 */
public final class MotoServer implements AutoCloseable {
  /** The account moto answers as. */
  public static final String ACCOUNT_ID = "123456789012";

  /** What to run where {@code moto_server} is missing. */
  public static final String INSTALL_HINT = "pip install \"moto[server]\"";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final int port;
  private final Path log;
  private final Thread shutdownHook;

  private MotoServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.shutdownHook = new Thread(this::stopProcess, "moto-server-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts {@code moto_server} with its output in {@code workdir/moto.log} and waits until it
   * answers.
   *
   * @throws IllegalStateException when {@code moto_server} is not installed, exits, or does not
   *     answer within 30 s
   */
  public static MotoServer start(Path workdir) throws IOException, InterruptedException {
    Path executable = executable();
    Files.createDirectories(workdir);
    Path log = workdir.resolve("moto.log");
    int port = LocalStack.freePort();
    Process process =
        new ProcessBuilder(executable.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    MotoServer server = new MotoServer(process, port, log);
    try {
      server.awaitAnswer();
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /**
   * The {@code moto_server} executable: on the PATH, or among the pyenv shims (where pip installs
   * it on machines that use pyenv, even when the shell did not set pyenv up).
   */
  static Path executable() {
    List<Path> candidates = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, "moto_server"));
        }
      }
    }
    candidates.add(Path.of(System.getProperty("user.home"), ".pyenv", "shims", "moto_server"));
    for (Path candidate : candidates) {
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "moto_server (the AWS API emulation the Glue catalog tests run against) is not installed:"
            + " install it with "
            + INSTALL_HINT
            + ", so that moto_server is on the PATH");
  }

  private void awaitAnswer() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "moto_server exited with code " + process.exitValue() + " at start: " + logTail());
      }
      if (answers()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "moto_server did not answer on 127.0.0.1:"
                + port
                + " within "
                + START_TIMEOUT.toSeconds()
                + " s: "
                + logTail());
      }
      Thread.sleep(100);
    }
  }

  private boolean answers() {
    try {
      HttpURLConnection c =
          (HttpURLConnection) URI.create(endpoint() + "/moto-api/").toURL().openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(2000);
      try {
        return c.getResponseCode() == 200;
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  /** The endpoint of every emulated service, e.g. {@code http://127.0.0.1:40123}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** The port the server listens on. */
  public int port() {
    return port;
  }

  /** The last lines of the server's output, for failure messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "last lines of "
          + log
          + ":\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no output in " + log + ")";
    }
  }

  private void stopProcess() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the server; idempotent. */
  @Override
  public void close() {
    stopProcess();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already exiting: the hook stops the server
    }
  }
}
