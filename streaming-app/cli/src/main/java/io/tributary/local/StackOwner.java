package io.tributary.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner record of a working folder's local stack: the file {@code owner.lock}, locked by the
 * process that serves the stack for as long as it lives (the operating system releases the lock
 * when the process ends, also on SIGKILL), holding that process's pid and start time.
 *
 * <p>Whoever takes the lock knows that no live process serves the stack: what a killed run left
 * behind (its embedded PostgreSQL, which runs on as a process of its own, and its {@code
 * endpoints.properties}) is an orphan and is cleaned up by {@link #cleanUpAfterDeadOwner()}. The
 * control table's dynalite ends by itself when its parent dies (its standard input closes); the S3
 * server and Flink run inside the JVM.
 */
public final class StackOwner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StackOwner.class);

  static final String OWNER_FILE = "owner.lock";
  private static final Duration POSTGRES_STOP_WAIT = Duration.ofSeconds(60);

  /**
   * The owner files this process holds locked: closing any other channel of such a file would
   * release the lock (POSIX record locks belong to the process), so none is opened.
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path workdir;
  private final FileChannel channel;
  private final FileLock lock;

  private StackOwner(Path workdir, FileChannel channel, FileLock lock) {
    this.workdir = workdir;
    this.channel = channel;
    this.lock = lock;
  }

  /** The live process that serves a working folder's stack. */
  public static final class Owner {
    private final long pid;
    private final String started;

    Owner(long pid, String started) {
      this.pid = pid;
      this.started = started;
    }

    public long pid() {
      return pid;
    }

    @Override
    public String toString() {
      return "process " + pid + (started.isEmpty() ? "" : " (started " + started + ")");
    }
  }

  /**
   * Takes the ownership of the stack in {@code workdir}, or returns the live owner when another
   * process (or this one) holds it.
   */
  static synchronized Acquired acquire(Path workdir) throws IOException {
    Path root = workdir.toAbsolutePath();
    Files.createDirectories(root);
    Path file = root.resolve(OWNER_FILE);
    if (HELD.contains(file)) {
      return new Acquired(null, Optional.of(readOwner(file)));
    }
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by this very process
    }
    if (lock == null) {
      channel.close();
      return new Acquired(null, Optional.of(readOwner(file)));
    }
    ProcessHandle self = ProcessHandle.current();
    String record =
        "pid="
            + self.pid()
            + "\nstarted="
            + self.info().startInstant().map(Instant::toString).orElse("")
            + "\n";
    channel.truncate(0);
    channel.write(ByteBuffer.wrap(record.getBytes(StandardCharsets.UTF_8)), 0);
    channel.force(true);
    HELD.add(file);
    return new Acquired(new StackOwner(root, channel, lock), Optional.empty());
  }

  /** The result of {@link #acquire}: either this process owns the stack now, or another does. */
  static final class Acquired {
    private final StackOwner owned;
    private final Optional<Owner> liveOwner;

    Acquired(StackOwner owned, Optional<Owner> liveOwner) {
      this.owned = owned;
      this.liveOwner = liveOwner;
    }

    /** The ownership taken, or null when another process holds it. */
    StackOwner owned() {
      return owned;
    }

    Optional<Owner> liveOwner() {
      return liveOwner;
    }
  }

  /** The owner named in the record, for messages; the lock is what proves that it lives. */
  private static Owner readOwner(Path file) throws IOException {
    long pid = -1;
    String started = "";
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.startsWith("pid=")) {
        pid = Long.parseLong(line.substring(4).trim());
      } else if (line.startsWith("started=")) {
        started = line.substring(8).trim();
      }
    }
    return new Owner(pid, started);
  }

  /**
   * Removes what a dead owner left: stops its embedded PostgreSQL when it still runs (only a
   * postgres process that serves this working folder's data directory) and deletes the stale
   * endpoints file. Called while holding the lock, so no live process serves the stack.
   */
  void cleanUpAfterDeadOwner() throws IOException {
    Files.deleteIfExists(workdir.resolve("endpoints.properties"));
    Path data = workdir.resolve("postgres");
    Path pidFile = data.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (RuntimeException e) {
      LOG.warn("Removing the unreadable {}", pidFile);
      Files.deleteIfExists(pidFile);
      return;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty() || !servesDataDirectory(process.get(), data, lines)) {
      // The server is gone (a reboot, or it was killed with the run): its lock file is stale.
      LOG.info("Removing the stale {} of a stopped server (pid {})", pidFile, pid);
      Files.deleteIfExists(pidFile);
      return;
    }
    LOG.warn(
        "The embedded PostgreSQL (pid {}) of a local run that ended without stopping it still runs"
            + " in {}: stopping it",
        pid,
        data);
    ProcessHandle postgres = process.get();
    fastShutdown(postgres);
    try {
      postgres.onExit().get(POSTGRES_STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      LOG.warn("PostgreSQL (pid {}) did not stop within {}; killing it", pid, POSTGRES_STOP_WAIT);
      postgres.destroyForcibly();
      postgres.onExit().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while stopping the orphaned PostgreSQL " + pid, e);
    } catch (ExecutionException e) {
      throw new IOException("Could not wait for the orphaned PostgreSQL " + pid, e);
    }
    // Its children (background workers) end with the postmaster; wait until the lock file is gone.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (Files.exists(pidFile) && System.nanoTime() < deadline) {
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    Files.deleteIfExists(pidFile);
  }

  /**
   * Asks the server for a fast shutdown (SIGINT, what {@code pg_ctl stop -m fast} sends: clients
   * are disconnected, a shutdown checkpoint is written), else for a smart one (SIGTERM).
   */
  private static void fastShutdown(ProcessHandle postgres) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-INT", Long.toString(postgres.pid()))
              .redirectErrorStream(true)
              .start();
      if (kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0) {
        return;
      }
    } catch (IOException e) {
      LOG.debug("kill -INT is not available", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    postgres.destroy();
  }

  /**
   * Whether {@code process} is the postgres server of {@code data}: a process named postgres,
   * started when its lock file says, whose working directory (the server changes into its data
   * directory) is {@code data} where the system shows it.
   */
  private static boolean servesDataDirectory(
      ProcessHandle process, Path data, List<String> pidFileLines) throws IOException {
    String command = process.info().command().orElse("");
    if (!command.isEmpty() && !Path.of(command).getFileName().toString().startsWith("postgres")) {
      return false;
    }
    if (pidFileLines.size() > 1
        && !Path.of(pidFileLines.get(1).trim())
            .toAbsolutePath()
            .normalize()
            .equals(data.toAbsolutePath().normalize())
        && !sameFile(Path.of(pidFileLines.get(1).trim()), data)) {
      return false;
    }
    Path cwd = Path.of("/proc", Long.toString(process.pid()), "cwd");
    if (Files.exists(Path.of("/proc/self"))) {
      try {
        return sameFile(Files.readSymbolicLink(cwd), data);
      } catch (IOException | SecurityException e) {
        return false;
      }
    }
    // No /proc (macOS): compare the start time recorded in postmaster.pid (seconds since epoch).
    if (pidFileLines.size() > 2) {
      Optional<Instant> started = process.info().startInstant();
      try {
        long recorded = Long.parseLong(pidFileLines.get(2).trim());
        return started.isPresent() && Math.abs(started.get().getEpochSecond() - recorded) <= 5;
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return !command.isEmpty();
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  /** Releases the ownership; the record stays (the lock is what counts). */
  @Override
  public void close() {
    synchronized (StackOwner.class) {
      HELD.remove(workdir.resolve(OWNER_FILE));
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        LOG.debug("Could not release {}", workdir.resolve(OWNER_FILE), e);
      }
    }
  }
}
