package io.tributary.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.local.LocalStack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A standalone Flink 1.20 cluster on 127.0.0.1 in processes of its own: one JobManager and
 * TaskManagers started as a Flink distribution starts them, with only Flink's own class path
 * ({@code streaming-app/flink-cluster/target/lib}, the distribution's {@code lib/}); jobs are
 * submitted as jars through the REST API, as the managed service runs an application's jar.
 */
final class FlinkCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JVM_OPENS =
      "--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED"
          + " --add-opens=java.base/java.lang=ALL-UNNAMED"
          + " --add-opens=java.base/java.lang.reflect=ALL-UNNAMED"
          + " --add-opens=java.base/java.util.concurrent=ALL-UNNAMED"
          + " --add-opens=java.base/java.net=ALL-UNNAMED"
          + " --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
          + " --add-opens=java.base/java.io=ALL-UNNAMED"
          + " --add-opens=java.base/java.time=ALL-UNNAMED";

  private final Path dir;
  private final Path lib;
  private final List<String> systemProperties;
  private final int restPort;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Process jobManager;
  private final List<Process> taskManagers = new ArrayList<>();

  private FlinkCluster(Path dir, Path lib, List<String> systemProperties, int restPort) {
    this.dir = dir;
    this.lib = lib;
    this.systemProperties = systemProperties;
    this.restPort = restPort;
  }

  /** The distribution's class path, built by the flink-cluster module. */
  static Path lib() {
    Path here = Path.of("").toAbsolutePath();
    Path lib = here.resolveSibling("flink-cluster").resolve("target/lib");
    if (!Files.isDirectory(lib)) {
      lib = here.resolve("streaming-app/flink-cluster/target/lib");
    }
    if (!Files.isDirectory(lib)) {
      throw new IllegalStateException(
          "No Flink distribution class path at "
              + lib
              + ": build the module streaming-app/flink-cluster first (./mvnw package -pl"
              + " streaming-app/flink-cluster)");
    }
    return lib;
  }

  /**
   * Starts the JobManager and one TaskManager with {@code slots} slots, {@code flinkConfig} on top
   * of the cluster's own settings, and {@code systemProperties} ({@code -Dkey=value}) for both, as
   * the service gives its processes their role's credentials and region.
   */
  static FlinkCluster start(
      Path dir, int slots, Map<String, String> flinkConfig, List<String> systemProperties)
      throws Exception {
    Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(dir.resolve("log"));
    int restPort = LocalStack.freePort();
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("jobmanager.rpc.address", "127.0.0.1");
    conf.put("jobmanager.rpc.port", Integer.toString(LocalStack.freePort()));
    conf.put("jobmanager.bind-host", "127.0.0.1");
    conf.put("rest.address", "127.0.0.1");
    conf.put("rest.bind-address", "127.0.0.1");
    conf.put("rest.port", Integer.toString(restPort));
    conf.put("taskmanager.host", "127.0.0.1");
    conf.put("taskmanager.bind-host", "127.0.0.1");
    conf.put("taskmanager.numberOfTaskSlots", Integer.toString(slots));
    conf.put("parallelism.default", Integer.toString(slots));
    conf.put("jobmanager.memory.process.size", "1024m");
    conf.put("taskmanager.memory.process.size", "2048m");
    // The job keeps its state on the heap: little managed memory.
    conf.put("taskmanager.memory.managed.fraction", "0.05");
    conf.put("web.upload.dir", dir.resolve("uploads").toString());
    conf.put("web.tmpdir", dir.resolve("web").toString());
    conf.put("io.tmp.dirs", dir.resolve("tmp").toString());
    // A lost TaskManager is noticed within seconds, not the default 50.
    conf.put("heartbeat.interval", "1000");
    conf.put("heartbeat.timeout", "5000");
    conf.put("restart-strategy.type", "fixed-delay");
    conf.put("restart-strategy.fixed-delay.attempts", "20");
    conf.put("restart-strategy.fixed-delay.delay", "2 s");
    conf.putAll(flinkConfig);
    StringBuilder yaml = new StringBuilder();
    conf.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
    Files.writeString(dir.resolve("conf/config.yaml"), yaml.toString());
    Files.writeString(
        dir.resolve("conf/log4j.properties"),
        "rootLogger.level = INFO\n"
            + "rootLogger.appenderRef.file.ref = file\n"
            + "appender.file.name = file\n"
            + "appender.file.type = File\n"
            + "appender.file.fileName = ${sys:log.file}\n"
            + "appender.file.layout.type = PatternLayout\n"
            + "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n\n");
    FlinkCluster cluster = new FlinkCluster(dir, lib(), systemProperties, restPort);
    try {
      cluster.jobManager =
          cluster.launch(
              "jobmanager",
              "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
              "GET_JM_RESOURCE_PARAMS");
      cluster.startTaskManager();
      cluster.awaitTaskManagers(1);
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /**
   * Starts a process as Flink's scripts do: the memory sizes and JVM options derived from the
   * configuration by Flink's own {@code BashJavaUtils}, passed as JVM options and dynamic
   * properties.
   */
  private Process launch(String name, String mainClass, String resourceCommand)
      throws IOException, InterruptedException {
    List<String> results = new ArrayList<>();
    Process utils =
        new ProcessBuilder(
                java(),
                "-cp",
                lib + "/*",
                "org.apache.flink.runtime.util.bash.BashJavaUtils",
                resourceCommand,
                "--configDir",
                dir.resolve("conf").toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(utils.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    utils.waitFor(60, TimeUnit.SECONDS);
    for (String line : output.split("\n")) {
      if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
        results.add(line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim());
      }
    }
    if (results.size() < 2) {
      throw new IllegalStateException(
          "Flink's BashJavaUtils " + resourceCommand + " gave no result: " + output);
    }
    List<String> command = new ArrayList<>();
    command.add(java());
    command.addAll(List.of(results.get(0).split(" ")));
    command.addAll(List.of(JVM_OPENS.split(" ")));
    command.add("-Xss2m");
    command.add("-Dlog.file=" + dir.resolve("log").resolve(name + ".log"));
    command.add("-Dlog4j.configurationFile=file:" + dir.resolve("conf/log4j.properties"));
    command.addAll(systemProperties);
    command.add("-cp");
    command.add(lib.toString() + "/*");
    command.add(mainClass);
    command.add("--configDir");
    command.add(dir.resolve("conf").toString());
    command.addAll(List.of(results.get(1).split(" ")));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("log").resolve(name + ".out").toFile())
        .start();
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Starts one more TaskManager process. */
  void startTaskManager() throws IOException, InterruptedException {
    taskManagers.add(
        launch(
            "taskmanager-" + (taskManagers.size() + 1),
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
            "GET_TM_RESOURCE_PARAMS"));
  }

  /** Kills the newest TaskManager process with SIGKILL, as a lost host would. */
  void killTaskManager() throws InterruptedException {
    Process tm = taskManagers.get(taskManagers.size() - 1);
    tm.destroyForcibly();
    tm.waitFor(30, TimeUnit.SECONDS);
  }

  /** Waits until {@code count} TaskManagers are registered with the JobManager. */
  void awaitTaskManagers(int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    String last = "";
    while (System.nanoTime() < deadline) {
      if (!jobManager.isAlive()) {
        throw new IllegalStateException("The JobManager exited: see " + dir.resolve("log"));
      }
      try {
        JsonNode tms = get("/taskmanagers").get("taskmanagers");
        if (tms != null && tms.size() >= count) {
          return;
        }
        last = String.valueOf(tms);
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(
        count + " TaskManagers did not register (" + last + "); " + logTails());
  }

  /** Uploads {@code jar} and runs {@code entryClass} with {@code args}; returns the job id. */
  String submit(Path jar, String entryClass, List<String> args) throws Exception {
    String boundary = "----tributary" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName()
                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    body.write(Files.readAllBytes(jar));
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> uploaded =
        http.send(
            HttpRequest.newBuilder(uri("/jars/upload"))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode upload = JSON.readTree(uploaded.body());
    if (uploaded.statusCode() != 200 || !"success".equals(upload.path("status").asText())) {
      throw new IllegalStateException("Uploading " + jar + " failed: " + uploaded.body());
    }
    String jarId = Path.of(upload.get("filename").asText()).getFileName().toString();
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("entryClass", entryClass);
    run.put("programArgsList", args);
    HttpResponse<String> started =
        http.send(
            HttpRequest.newBuilder(uri("/jars/" + jarId + "/run"))
                .timeout(Duration.ofMinutes(3))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(run)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode job = JSON.readTree(started.body());
    if (started.statusCode() != 200 || !job.hasNonNull("jobid")) {
      throw new IllegalStateException(
          "Running " + entryClass + " of " + jar + " failed: " + started.body());
    }
    return job.get("jobid").asText();
  }

  /** The job's state ({@code RUNNING}, {@code FAILED}, ...). */
  String jobState(String jobId) throws IOException, InterruptedException {
    return get("/jobs/" + jobId).path("state").asText();
  }

  /** The job's checkpoint statistics ({@code counts}, {@code latest.restored}, ...). */
  JsonNode checkpoints(String jobId) throws IOException, InterruptedException {
    return get("/jobs/" + jobId + "/checkpoints");
  }

  /** Cancels the job. */
  void cancel(String jobId) throws IOException, InterruptedException {
    http.send(
        HttpRequest.newBuilder(uri("/jobs/" + jobId + "?mode=cancel"))
            .method("PATCH", HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The last lines of each process's output, for a failure's message. */
  String logTails() {
    StringBuilder tails = new StringBuilder("logs in " + dir.resolve("log"));
    try (Stream<Path> files = Files.list(dir.resolve("log"))) {
      for (Path file : (Iterable<Path>) files.sorted()::iterator) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        tails.append("\n== ").append(file.getFileName()).append(" ==\n");
        lines
            .subList(Math.max(0, lines.size() - 15), lines.size())
            .forEach(l -> tails.append(l).append('\n'));
      }
    } catch (IOException e) {
      tails.append(" (unreadable: ").append(e).append(')');
    }
    return tails.toString();
  }

  /** Where the processes write their logs. */
  Path logs() {
    return dir.resolve("log");
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
    }
    return JSON.readTree(response.body());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + restPort + path);
  }

  @Override
  public void close() throws InterruptedException {
    for (Process tm : taskManagers) {
      tm.destroyForcibly();
    }
    if (jobManager != null) {
      jobManager.destroyForcibly();
    }
    for (Process tm : taskManagers) {
      tm.waitFor(30, TimeUnit.SECONDS);
    }
    if (jobManager != null) {
      jobManager.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
