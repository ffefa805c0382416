package io.tributary.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.config.ControlConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the state machines of infra/stepfunctions locally, the same files Terraform deploys with
 * their placeholders filled the way {@code templatefile()} does: aws-local-stepfunctions executes
 * them in a Node.js process, its DynamoDB tasks go to the local control table, and every other task
 * comes back here: Glue job runs to {@link Tasks}, SNS messages to {@code
 * control/notifications.jsonl} of the working folder, and {@code sfn:describeExecution} to the
 * record of local executions kept in {@code control/executions}.
 */
public final class LocalStepFunctions {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStepFunctions.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PLACEHOLDER = Pattern.compile("(?<!\\$)\\$\\{([A-Za-z_]\\w*)\\}");

  /** Local name of the maintenance Glue job. */
  public static final String MAINTENANCE_JOB = "tributary-maintenance";

  /** Local name of the backfill Glue job. */
  public static final String BACKFILL_JOB = "tributary-backfill";

  /** ARN of the local alarm topic. */
  public static final String TOPIC_ARN =
      "arn:aws:sns:us-east-1:000000000000:tributary-local-alarms";

  /** The local implementation of a Glue job run ({@code glue:startJobRun.sync}). */
  public interface Tasks {
    /**
     * Runs the job to its end.
     *
     * @param job {@link #MAINTENANCE_JOB} or {@link #BACKFILL_JOB}
     * @param arguments the run's arguments, e.g. {@code --table orders}
     * @throws Exception when the run fails; the state machine sees {@code States.TaskFailed}
     */
    void runGlueJob(String job, Map<String, String> arguments) throws Exception;
  }

  /** The values of the placeholders that Terraform fills from its variables. */
  public static final class Settings {
    int maxConcurrency = 4;
    long minDataFiles = 100;
    long minDeleteFiles = 20;
    long lockLeaseSeconds = 43200;
    long taskTimeoutSeconds = 240 * 60;
    final Map<String, Object> retryIntervalOverrides = new LinkedHashMap<>();

    /** Terraform's defaults. */
    public static Settings defaults() {
      return new Settings();
    }

    public Settings maxConcurrency(int value) {
      maxConcurrency = value;
      return this;
    }

    public Settings minDataFiles(long value) {
      minDataFiles = value;
      return this;
    }

    public Settings minDeleteFiles(long value) {
      minDeleteFiles = value;
      return this;
    }

    public Settings lockLeaseSeconds(long value) {
      lockLeaseSeconds = value;
      return this;
    }

    public Settings taskTimeoutSeconds(long value) {
      taskTimeoutSeconds = value;
      return this;
    }

    /** Pause of a state's retries in milliseconds instead of its IntervalSeconds (local only). */
    public Settings retryInterval(String state, long millis) {
      retryIntervalOverrides.put(state, millis);
      return this;
    }
  }

  /** One task this process ran for the state machine. */
  public static final class TaskCall {
    private final String state;
    private final String resource;
    private final JsonNode input;
    private final String error;

    TaskCall(String state, String resource, JsonNode input, String error) {
      this.state = state;
      this.resource = resource;
      this.input = input;
      this.error = error;
    }

    public String state() {
      return state;
    }

    public String resource() {
      return resource;
    }

    public JsonNode input() {
      return input;
    }

    /** The error it ended with, or null. */
    public String error() {
      return error;
    }

    @Override
    public String toString() {
      return state + (error == null ? "" : " -> " + error);
    }
  }

  /** How an execution ended. */
  public static final class Execution {
    private final String arn;
    private final String status;
    private final String error;
    private final String cause;
    private final JsonNode output;
    private final List<JsonNode> events;
    private final List<TaskCall> tasks;

    Execution(
        String arn,
        String status,
        String error,
        String cause,
        JsonNode output,
        List<JsonNode> events,
        List<TaskCall> tasks) {
      this.arn = arn;
      this.status = status;
      this.error = error;
      this.cause = cause;
      this.output = output;
      this.events = List.copyOf(events);
      this.tasks = List.copyOf(tasks);
    }

    public String arn() {
      return arn;
    }

    /** SUCCEEDED, FAILED or TIMED_OUT. */
    public String status() {
      return status;
    }

    public String error() {
      return error;
    }

    public String cause() {
      return cause;
    }

    public JsonNode output() {
      return output;
    }

    /** The engine's events: StateEntered, StateRetried, StateCaught and so on. */
    public List<JsonNode> events() {
      return events;
    }

    /** The tasks run here (not the DynamoDB ones), in order. */
    public List<TaskCall> tasks() {
      return tasks;
    }

    /** Whether the execution entered the state (inside a Map too). */
    public boolean entered(String state) {
      return tasks.stream().anyMatch(t -> t.state().equals(state))
          || events.stream()
              .anyMatch(
                  e ->
                      "StateEntered".equals(e.path("event").asText())
                          && state.equals(e.path("state").asText()));
    }

    @Override
    public String toString() {
      return "Execution{"
          + arn
          + " "
          + status
          + (error == null ? "" : " " + error + ": " + cause)
          + ", tasks="
          + tasks
          + "}";
    }
  }

  private final Path workdir;
  private final ControlConfig control;
  private final String namespace;
  private final Tasks tasks;
  private final Settings settings;

  /**
   * @param workdir the local stack's working folder (notifications and executions are kept below)
   * @param control the local control table
   * @param namespace the lake namespace whose tables the state machines handle
   */
  public LocalStepFunctions(
      Path workdir, ControlConfig control, String namespace, Tasks tasks, Settings settings) {
    this.workdir = workdir.toAbsolutePath();
    this.control = control;
    this.namespace = namespace;
    this.tasks = tasks;
    this.settings = settings;
  }

  /** The placeholder values of a state machine, as stepfunctions.tf passes them. */
  Map<String, Object> values(String machine) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("partition", "aws");
    values.put("control_table", control.tableName());
    values.put("namespace", namespace);
    values.put("sns_topic_arn", TOPIC_ARN);
    values.put("task_timeout_seconds", settings.taskTimeoutSeconds);
    if (machine.equals("maintenance")) {
      values.put("glue_maintenance_job", MAINTENANCE_JOB);
      values.put("max_concurrency", settings.maxConcurrency);
      values.put("min_data_files", settings.minDataFiles);
      values.put("min_delete_files", settings.minDeleteFiles);
    } else {
      values.put("glue_backfill_job", BACKFILL_JOB);
      values.put("lock_lease_seconds", settings.lockLeaseSeconds);
    }
    return values;
  }

  /**
   * Fills the {@code ${name}} placeholders as Terraform's templatefile() does ({@code $${} stays a
   * literal {@code ${}).
   *
   * @throws IllegalArgumentException naming a placeholder without value
   */
  public static String render(String template, Map<String, Object> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      if (!values.containsKey(m.group(1))) {
        throw new IllegalArgumentException(
            "No value for ${" + m.group(1) + "}: add it to LocalStepFunctions.values()");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf(values.get(m.group(1)))));
    }
    m.appendTail(out);
    return out.toString().replace("$${", "${");
  }

  /**
   * Runs one execution of {@code infra/stepfunctions/<machine>.asl.json} to its end.
   *
   * @param machine "maintenance" or "backfill"
   */
  public Execution run(String machine, ObjectNode input) throws Exception {
    Path packages = ControlPlaneFiles.requireLocalPackages();
    String definition =
        render(
            Files.readString(ControlPlaneFiles.stateMachine(machine), StandardCharsets.UTF_8),
            values(machine));
    String name = machine + "-" + UUID.randomUUID();
    String arn =
        "arn:aws:states:us-east-1:000000000000:execution:tributary-" + machine + ":" + name;
    ObjectNode request = JSON.createObjectNode();
    request.set("definition", JSON.readTree(definition));
    request.set("input", input);
    ObjectNode execution = request.putObject("context").putObject("Execution");
    execution.put("Id", arn);
    execution.put("Name", name);
    request.put("dynamodbEndpoint", control.endpoint());
    request.set("retryIntervalOverrides", JSON.valueToTree(settings.retryIntervalOverrides));
    Path controlDir = workdir.resolve("control");
    Files.createDirectories(controlDir.resolve("executions"));
    Path requestFile = Files.createTempFile(controlDir, "execution-", ".json");
    Files.writeString(requestFile, JSON.writeValueAsString(request));
    record(name, arn, "RUNNING");
    LOG.info("Starting {} state machine, execution {}", machine, arn);

    Process node =
        new ProcessBuilder(
                ControlPlaneFiles.node(),
                "--no-warnings",
                "--import",
                "./polyfill.mjs",
                "run-state-machine.mjs",
                requestFile.toString())
            .directory(packages.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    Writer answers = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8);
    LocalTaskAnswers taskAnswers = new LocalTaskAnswers(workdir, tasks);
    ExecutorService pool = Executors.newCachedThreadPool();
    List<JsonNode> events = Collections.synchronizedList(new ArrayList<>());
    List<TaskCall> calls = Collections.synchronizedList(new ArrayList<>());
    JsonNode result = null;
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        JsonNode message;
        try {
          message = JSON.readTree(line);
        } catch (IOException e) {
          LOG.info("state machine: {}", line);
          continue;
        }
        String type = message.path("type").asText();
        if (type.equals("task")) {
          pool.submit(() -> taskAnswers.answer(message, answers, calls));
        } else if (type.equals("event")) {
          events.add(message);
          LOG.debug("{} {}: {}", machine, message.path("event").asText(), message);
        } else if (type.equals("result")) {
          result = message;
        }
      }
    } finally {
      pool.shutdown();
      pool.awaitTermination(1, TimeUnit.MINUTES);
      node.waitFor(30, TimeUnit.SECONDS);
      node.destroy();
      Files.deleteIfExists(requestFile);
    }
    if (result == null) {
      record(name, arn, "FAILED");
      throw new IllegalStateException(
          "The local state machine runner ended without a result (exit code "
              + node.exitValue()
              + "); see its output above");
    }
    String status = result.path("status").asText();
    record(name, arn, status);
    Execution done =
        new Execution(
            arn,
            status,
            result.hasNonNull("error") ? result.get("error").asText() : null,
            result.hasNonNull("cause") ? result.get("cause").asText() : null,
            result.get("output"),
            events,
            calls);
    LOG.info("{} state machine ended: {}", machine, done);
    return done;
  }

  /** Where the notifications of a working folder are recorded, one JSON object a line. */
  public static Path notifications(Path workdir) {
    return workdir.toAbsolutePath().resolve("control/notifications.jsonl");
  }

  private void record(String name, String arn, String status) throws IOException {
    ObjectNode record = JSON.createObjectNode();
    record.put("arn", arn);
    record.put("status", status);
    record.put("pid", ProcessHandle.current().pid());
    record.put("updatedAt", Instant.now().toString());
    Files.writeString(
        workdir.resolve("control/executions/" + name + ".json"), JSON.writeValueAsString(record));
  }
}
