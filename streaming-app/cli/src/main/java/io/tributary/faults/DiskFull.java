package io.tributary.faults;

import io.tributary.local.CheckpointFailures;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The disk under the checkpoint folder full for a while: the cell's checkpoint folder is a small
 * file system of its own (a tmpfs, mounted before the job starts; this needs root), which the fault
 * fills with a file until nothing more fits, holds full, then empties again. The job must say what
 * is wrong (a line naming the folder and the full disk), keep every complete checkpoint readable,
 * and commit again once there is space, with nothing lost or duplicated. In the crash variant the
 * job's process is killed while the disk is full and started again once there is space: it must
 * resume from a checkpoint it can read, whatever the failed ones left in the folder.
 */
final class DiskFull implements FaultInjection {
  /** The size of the checkpoint folder's file system: far more than the job's checkpoints need. */
  static final String SIZE = "256m";

  private final Duration length;
  private final boolean crash;

  /**
   * @param length how long the disk stays full
   * @param crash whether the job's process is killed (SIGKILL) before the space is freed, and
   *     started again after
   */
  DiskFull(Duration length, boolean crash) {
    this.length = length;
    this.crash = crash;
  }

  static Path folder(Path cellDir) {
    return cellDir.resolve("flink/checkpoints");
  }

  @Override
  public void prepare(Path cellDir) throws Exception {
    Path folder = folder(cellDir);
    Files.createDirectories(folder);
    String said =
        run(
            "mount",
            "-t",
            "tmpfs",
            "-o",
            "size=" + SIZE,
            "tributary-checkpoints",
            folder.toString());
    if (said != null) {
      throw new CellNotRunnable(
          "mounting a "
              + SIZE
              + " tmpfs on the checkpoint folder needs root (or CAP_SYS_ADMIN); mount said: "
              + said);
    }
  }

  @Override
  public void inject(FaultContext c) throws Exception {
    Path folder = folder(c.cellDir);
    Path filler = folder.resolve("filler");
    int seen = c.job.output().length();
    fill(filler);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      String line = null;
      while (line == null && System.nanoTime() < deadline) {
        TimeUnit.SECONDS.sleep(1);
        line = fullDiskLine(c.job.output(), seen);
      }
      if (line == null) {
        throw new IllegalStateException(
            "the job said nothing of the full disk within 120 s:\n" + c.job.tail());
      }
      c.said = line;
      TimeUnit.MILLISECONDS.sleep(length.toMillis());
      if (crash) {
        c.job.kill();
      }
    } finally {
      Files.deleteIfExists(filler);
    }
    c.cleared = Instant.now();
    if (crash) {
      c.job.start();
    }
  }

  @Override
  public void release(Path cellDir) {
    run("umount", "-l", folder(cellDir).toString());
  }

  /** The first line of the job's output after {@code from} that tells of the full disk. */
  static String fullDiskLine(String output, int from) {
    String after = output.substring(Math.min(from, output.length()));
    return after
        .lines()
        .filter(l -> l.startsWith("Checkpoint ") && l.contains(" is full ("))
        .findFirst()
        .orElse(null);
  }

  /** Writes {@code file} until the disk holds nothing more. */
  private static void fill(Path file) throws IOException {
    byte[] block = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException e) {
      // the disk is full, as wanted: checked below
    }
    long free = Files.getFileStore(file.getParent()).getUsableSpace();
    if (free >= CheckpointFailures.LOW_SPACE_BYTES) {
      throw new IllegalStateException(
          "filling " + file + " stopped with " + free + " bytes still free");
    }
  }

  /** Runs a command; null when it succeeded, else what it printed. */
  private static String run(String... command) {
    List<String> line = new ArrayList<>(List.of(command));
    try {
      Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return String.join(" ", line) + " did not end within 60 s";
      }
      return p.exitValue() == 0 ? null : output.isEmpty() ? "exit " + p.exitValue() : output;
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e.toString();
    }
  }
}
