package io.tributary.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.local.LocalStepFunctions.TaskCall;
import io.tributary.local.LocalStepFunctions.Tasks;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the tasks a local state machine execution hands back (all but the DynamoDB ones): Glue
 * job runs go to {@link Tasks}, SNS messages to the working folder's notifications, and {@code
 * sfn:describeExecution} to the record of local executions.
 */
final class LocalTaskAnswers {
  // Logs under the executor's name, as before it was split.
  private static final Logger LOG = LoggerFactory.getLogger(LocalStepFunctions.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path workdir;
  private final Tasks tasks;

  LocalTaskAnswers(Path workdir, Tasks tasks) {
    this.workdir = workdir;
    this.tasks = tasks;
  }

  void answer(JsonNode task, Writer answers, List<TaskCall> calls) {
    String state = task.path("state").asText();
    String resource = task.path("resource").asText();
    JsonNode input = task.path("input");
    ObjectNode reply = JSON.createObjectNode();
    reply.put("id", task.path("id").asLong());
    String error = null;
    try {
      JsonNode result;
      if (resource.contains(":glue:startJobRun")) {
        result = glueJobRun(input);
      } else if (resource.endsWith(":sns:publish")) {
        result = publish(input);
      } else if (resource.endsWith(":sfn:describeExecution")) {
        result = describeExecution(input.path("ExecutionArn").asText());
      } else {
        throw new TaskError("States.Runtime", "Task resource " + resource + " is not run locally");
      }
      reply.put("ok", true);
      reply.set("result", result);
    } catch (TaskError e) {
      error = e.error;
      reply.put("ok", false);
      reply.put("error", e.error);
      reply.put("cause", e.getMessage());
    } catch (Exception | Error e) {
      // Whatever happens, the runner gets an answer: it would otherwise wait for the task's
      // timeout.
      LOG.warn("Local task {} failed", state, e);
      error = "States.TaskFailed";
      reply.put("ok", false);
      reply.put("error", error);
      reply.put("cause", e.toString());
    }
    calls.add(new TaskCall(state, resource, input, error));
    synchronized (answers) {
      try {
        answers.write(JSON.writeValueAsString(reply));
        answers.write('\n');
        answers.flush();
      } catch (IOException e) {
        LOG.warn("Could not answer task {} of the state machine runner", state, e);
      }
    }
  }

  /** A glue:startJobRun.sync run: the result Glue's GetJobRun gives, or States.TaskFailed. */
  private JsonNode glueJobRun(JsonNode input) throws TaskError {
    String job = input.path("JobName").asText();
    Map<String, String> arguments = new LinkedHashMap<>();
    input
        .path("Arguments")
        .fields()
        .forEachRemaining(e -> arguments.put(e.getKey(), e.getValue().asText()));
    String id = "jr_local_" + UUID.randomUUID().toString().replace("-", "");
    ObjectNode run = JSON.createObjectNode();
    run.put("Id", id);
    run.put("JobName", job);
    run.set("Arguments", JSON.valueToTree(arguments));
    run.put("StartedOn", Instant.now().toString());
    try {
      tasks.runGlueJob(job, arguments);
      run.put("JobRunState", "SUCCEEDED");
      run.put("CompletedOn", Instant.now().toString());
      return run;
    } catch (Exception e) {
      LOG.warn("Local run {} of {} {} failed", id, job, arguments, e);
      run.put("JobRunState", "FAILED");
      run.put("ErrorMessage", e.toString());
      run.put("CompletedOn", Instant.now().toString());
      throw new TaskError("States.TaskFailed", run.toString());
    }
  }

  /** An sns:publish: appended to control/notifications.jsonl and logged. */
  private JsonNode publish(JsonNode input) throws IOException {
    ObjectNode record = JSON.createObjectNode();
    record.put("time", Instant.now().toString());
    record.put("topic", input.path("TopicArn").asText());
    record.put("subject", input.path("Subject").asText());
    record.put("message", input.path("Message").asText());
    Path file = LocalStepFunctions.notifications(workdir);
    synchronized (LocalStepFunctions.class) {
      Files.writeString(
          file,
          JSON.writeValueAsString(record) + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
    LOG.warn(
        "Notification to {}: {}: {}",
        record.get("topic").asText(),
        record.get("subject").asText(),
        record.get("message").asText());
    ObjectNode result = JSON.createObjectNode();
    result.put("MessageId", UUID.randomUUID().toString());
    return result;
  }

  /**
   * An sfn:describeExecution of a local execution: RUNNING while the process that runs it lives and
   * it has not ended.
   */
  private JsonNode describeExecution(String arn) throws TaskError, IOException {
    String name = arn.substring(arn.lastIndexOf(':') + 1);
    Path file = workdir.resolve("control/executions/" + name + ".json");
    if (name.isEmpty() || !Files.exists(file)) {
      throw new TaskError(
          "Sfn.ExecutionDoesNotExistException", "Execution does not exist: '" + arn + "'");
    }
    JsonNode recorded = JSON.readTree(file.toFile());
    String status = recorded.path("status").asText();
    if (status.equals("RUNNING")
        && !ProcessHandle.of(recorded.path("pid").asLong())
            .map(ProcessHandle::isAlive)
            .orElse(false)) {
      status = "ABORTED";
    }
    ObjectNode result = JSON.createObjectNode();
    result.put("ExecutionArn", arn);
    result.put("Name", name);
    result.put("Status", status);
    return result;
  }

  /** A task failure with the error name Step Functions gives it. */
  private static final class TaskError extends Exception {
    private static final long serialVersionUID = 1L;
    final String error;

    TaskError(String error, String cause) {
      super(cause);
      this.error = error;
    }
  }
}
