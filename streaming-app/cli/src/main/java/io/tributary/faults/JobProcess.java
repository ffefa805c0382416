package io.tributary.faults;

import io.tributary.sink.CrashPoint;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A cell's job in a process of its own: started, killed with SIGKILL, started again. */
final class JobProcess {
  private final Path workdir;
  private Process process;
  private int starts;

  JobProcess(Path workdir) {
    this.workdir = workdir;
  }

  void start() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Dlog4j.configurationFile"))
        .forEach(command::add);
    command.add("-Xmx1g");
    command.add("-Dtributary.log.dir=" + workdir.resolve("logs"));
    command.add("-D" + CrashPoint.PROPERTY + "=" + crashPointFile());
    command.add("-cp");
    command.add(
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add(FaultJob.class.getName());
    command.add(workdir.toString());
    starts++;
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(workdir.resolve("job.out").toFile()))
            .start();
  }

  Path crashPointFile() {
    return workdir.resolve("crash-point");
  }

  /** Arms a crash point of the job ({@link CrashPoint}); the process halts when it passes there. */
  void arm(String point) throws IOException {
    Files.writeString(crashPointFile(), point);
  }

  /** Makes the job kill one of its two task managers (a replacement starts 5 s later). */
  void killTaskManager() throws IOException {
    Files.writeString(workdir.resolve(FaultJob.KILL_TASK_MANAGER), "now");
  }

  /** Waits until the process has ended; false after {@code seconds}. */
  boolean awaitEnd(long seconds) throws InterruptedException {
    return process == null || process.waitFor(seconds, TimeUnit.SECONDS);
  }

  /** SIGKILL: no shutdown hook, no savepoint, no goodbye to the source. */
  void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(60, TimeUnit.SECONDS);
    }
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  int starts() {
    return starts;
  }

  /** Everything the job's processes printed. */
  String output() {
    try {
      return Files.readString(workdir.resolve("job.out"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** The last lines the job printed, for a failure's report. */
  String tail() {
    try {
      List<String> lines = Files.readAllLines(workdir.resolve("job.out"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no output)";
    }
  }
}
