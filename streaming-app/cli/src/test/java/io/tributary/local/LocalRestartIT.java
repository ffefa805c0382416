package io.tributary.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.catalog.CatalogSpecs;
import io.tributary.config.TributaryConfig;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tributary local} killed with SIGKILL in the middle of the stream (its embedded PostgreSQL
 * outlives it) starts again without manual steps: the next start stops the orphaned server, resumes
 * from the last checkpoint, and the lake equals the source. A second start while a run is alive is
 * refused, naming the process that serves the stack.
 */
class LocalRestartIT {
  /** customers, products, orders, order_items, events. */
  private static final int DEMO_TABLES = 5;

  @TempDir Path dir;

  @Test
  void restartsAfterSigkillAndRefusesASecondStartWhileAlive() throws Exception {
    Path workdir = dir.resolve("work");

    Process first = local(workdir, "first.out");
    try {
      // A second start while the first serves the stack is refused (checked while the first runs).
      await()
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> ownerRecord(workdir).contains("pid=" + first.pid()) || !first.isAlive());
      Process second = local(workdir, "second.out");
      // Mid-stream: the snapshot is complete, and a checkpoint completed after it.
      await()
          .atMost(Duration.ofMinutes(4))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> snapshotComplete(dir.resolve("first.out")) || !first.isAlive());
      assertThat(first.isAlive()).as(tail(dir.resolve("first.out"))).isTrue();
      long snapshotDone = newestCheckpoint(workdir);
      await()
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> newestCheckpoint(workdir) > snapshotDone || !first.isAlive());
      assertThat(first.isAlive()).as(tail(dir.resolve("first.out"))).isTrue();
      // Every server of the local run (the JVM's Flink, S3 and web servers, its child processes,
      // the embedded PostgreSQL) listens on the loopback address only.
      List<Long> pids = new ArrayList<>();
      pids.add(first.pid());
      first.descendants().forEach(p -> pids.add(p.pid()));
      pids.add(
          Long.parseLong(
              Files.readAllLines(workdir.resolve("postgres/postmaster.pid")).get(0).trim()));
      assertThat(wildcardListeners(pids)).as("listening sockets not on 127.0.0.1").isEmpty();

      assertThat(second.waitFor(2, TimeUnit.MINUTES)).isTrue();
      String refused = Files.readString(dir.resolve("second.out"));
      assertThat(second.exitValue()).as(refused).isEqualTo(2);
      assertThat(refused)
          .contains("The local stack in " + workdir)
          .contains("is in use by process " + first.pid())
          .contains("kill " + first.pid());
      assertThat(first.isAlive()).isTrue();
    } finally {
      first.destroyForcibly(); // SIGKILL: no shutdown hook, no savepoint
      first.waitFor();
    }
    long orphan =
        Long.parseLong(
            Files.readAllLines(workdir.resolve("postgres/postmaster.pid")).get(0).trim());
    assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive))
        .as("the embedded PostgreSQL outlives the killed run")
        .contains(true);

    Process restart = local(workdir, "restart.out", "--duration", "3");
    boolean ended = restart.waitFor(4, TimeUnit.MINUTES);
    String out = tail(dir.resolve("restart.out"));
    if (!ended) {
      restart.destroyForcibly().waitFor();
    }
    assertThat(ended).as(out).isTrue();
    assertThat(restart.exitValue()).as(out).isZero();
    assertThat(out).contains("Resuming from " + workdir.resolve("flink/checkpoints"));
    assertThat(ProcessHandle.of(orphan).filter(ProcessHandle::isAlive))
        .as("the orphaned PostgreSQL was stopped")
        .isEmpty();

    try (LocalStack stack = LocalStack.start(workdir)) {
      TributaryConfig config = LocalRunner.localConfigFor(stack, workdir);
      List<VerifyResult> results =
          LakeVerifier.verify(config, CatalogSpecs.from(config.sink()), null);
      assertThat(results).isNotEmpty().allMatch(VerifyResult::equal, "EQUAL");
    }
  }

  /**
   * The listening TCP sockets of the given processes bound to every address (0.0.0.0 or ::), as
   * "pid port", read from /proc: a socket of the process is a link socket:[inode] among its file
   * descriptors, and /proc/PID/net/tcp(6) gives each inode's local address and state (0A: listen).
   */
  private static List<String> wildcardListeners(List<Long> pids) throws Exception {
    List<String> found = new ArrayList<>();
    for (long pid : pids) {
      Path fds = Path.of("/proc", Long.toString(pid), "fd");
      if (!Files.isDirectory(fds)) {
        continue;
      }
      Set<String> inodes = new HashSet<>();
      try (Stream<Path> links = Files.list(fds)) {
        for (Path link : (Iterable<Path>) links::iterator) {
          try {
            String target = Files.readSymbolicLink(link).toString();
            if (target.startsWith("socket:[")) {
              inodes.add(target.substring(8, target.length() - 1));
            }
          } catch (IOException closed) {
            // the descriptor was closed meanwhile
          }
        }
      }
      for (String table : List.of("tcp", "tcp6")) {
        Path file = Path.of("/proc", Long.toString(pid), "net", table);
        if (!Files.exists(file)) {
          continue;
        }
        // One read: the table changes between two reads.
        List<String> lines = Files.readAllLines(file);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
          String[] f = line.trim().split("\\s+");
          String[] local = f[1].split(":");
          boolean listening = f[3].equals("0A");
          boolean wildcard = local[0].chars().allMatch(c -> c == '0');
          if (listening && wildcard && inodes.contains(f[9])) {
            found.add(pid + " " + Integer.parseInt(local[1], 16) + " (" + table + ")");
          }
        }
      }
    }
    return found;
  }

  /** {@code tributary local --workdir W} in a JVM of its own, so that it can be SIGKILLed. */
  private Process local(Path workdir, String output, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens"))
        .forEach(command::add);
    command.add("-Xmx1g");
    command.add(
        "-Dlog4j.configurationFile="
            + Path.of("../config/log4j2-local.xml").toAbsolutePath().normalize());
    command.add("-Dtributary.log.dir=" + workdir.resolve("logs"));
    command.add("-cp");
    command.add(
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add("io.tributary.cli.Main");
    command.add("local");
    command.add("--workdir");
    command.add(workdir.toString());
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(output).toFile())
        .start();
  }

  private static String ownerRecord(Path workdir) throws Exception {
    Path file = workdir.resolve(StackOwner.OWNER_FILE);
    return Files.exists(file) ? Files.readString(file) : "";
  }

  /** The number of the newest completed checkpoint, or 0. */
  private static long newestCheckpoint(Path workdir) throws Exception {
    Path checkpoints = workdir.resolve("flink/checkpoints");
    if (!Files.isDirectory(checkpoints)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(checkpoints, 3)) {
      return files
          .filter(f -> f.getFileName().toString().equals("_metadata"))
          .map(f -> f.getParent().getFileName().toString())
          .filter(name -> name.startsWith("chk-"))
          .mapToLong(name -> Long.parseLong(name.substring(4)))
          .max()
          .orElse(0);
    }
  }

  /** Whether the last progress lines of the run show every table's snapshot at 100%. */
  private static boolean snapshotComplete(Path output) throws Exception {
    if (!Files.exists(output)) {
      return false;
    }
    List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
    int header = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("table ") && lines.get(i).contains("snapshot")) {
        header = i;
      }
    }
    int tables = 0;
    for (int i = header + 1; header >= 0 && i < lines.size() && !lines.get(i).isBlank(); i++) {
      if (lines.get(i).startsWith("slot lag")) {
        break;
      }
      String[] columns = lines.get(i).trim().split("\\s+");
      if (columns.length < 2 || !columns[1].equals("100%")) {
        return false;
      }
      tables++;
    }
    return tables == DEMO_TABLES;
  }

  private static String tail(Path file) throws Exception {
    if (!Files.exists(file)) {
      return "(no output)";
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    return lines.subList(Math.max(0, lines.size() - 60), lines.size()).stream()
        .collect(Collectors.joining("\n"));
  }
}
