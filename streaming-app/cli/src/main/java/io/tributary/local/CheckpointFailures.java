package io.tributary.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells of each failed checkpoint of a job on a local cluster once, on the run's output, with what
 * to do about it. Flink only logs a failed checkpoint, and after three in a row restarts the job
 * with a message about the tolerable failure threshold that hides the cause; the commonest cause on
 * a laptop, a full disk under the checkpoint folder, is named here with the folder and its free
 * space.
 *
 * <p>Read from the job's REST endpoint ({@code /jobs/:id/checkpoints}) at each {@link #poll()}.
 */
public final class CheckpointFailures {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointFailures.class);

  /** Below this much free space the checkpoint folder's disk is taken for full. */
  public static final long LOW_SPACE_BYTES = 32L * 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI checkpoints;
  private final Path checkpointDir;
  private final PrintStream out;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private long lastReported = -1;
  private boolean lastFull;

  /**
   * @param restPort the port of the cluster's REST endpoint on 127.0.0.1
   * @param jobId the job's id (hex)
   * @param checkpointDir the folder the job writes its checkpoints to
   * @param out where the lines go
   */
  public CheckpointFailures(int restPort, String jobId, Path checkpointDir, PrintStream out) {
    this.checkpoints =
        URI.create("http://127.0.0.1:" + restPort + "/jobs/" + jobId + "/checkpoints");
    this.checkpointDir = checkpointDir;
    this.out = out;
  }

  /**
   * Prints a line for the newest failed checkpoint if it was not told of yet (with several failed
   * since the last poll, the newest stands for them). Never throws: a run goes on whatever its REST
   * endpoint answers.
   *
   * @return whether a line was printed
   */
  public boolean poll() {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(checkpoints).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return false;
      }
      JsonNode latest = JSON.readTree(response.body()).path("latest");
      JsonNode failed = latest.path("failed");
      if (!failed.hasNonNull("id")) {
        return false;
      }
      long id = failed.get("id").asLong();
      if (id <= lastReported) {
        return false;
      }
      lastReported = id;
      JsonNode completed = latest.path("completed");
      long lastCompleted = completed.hasNonNull("id") ? completed.get("id").asLong() : -1;
      long usable = usableSpace(checkpointDir);
      String message = failed.path("failure_message").asText("");
      boolean full = full(message, usable);
      out.println(
          full && lastFull
              ? "Checkpoint " + id + " failed: the disk of the checkpoint folder is still full."
              : describe(id, message, lastCompleted, checkpointDir, usable));
      out.flush();
      lastFull = full;
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.debug("Could not read the checkpoints of the job at {}", checkpoints, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  /** The free space of the disk that holds {@code dir}, or -1 when it cannot be read. */
  static long usableSpace(Path dir) {
    try {
      return Files.getFileStore(dir).getUsableSpace();
    } catch (IOException | SecurityException e) {
      return -1;
    }
  }

  /**
   * The line for a failed checkpoint: its id and Flink's reason, and for a full disk under the
   * checkpoint folder, the folder, what happens meanwhile and what to do.
   *
   * @param lastCompleted the newest completed checkpoint, -1 for none
   * @param usableBytes the free space of the checkpoint folder's disk, -1 when unknown
   */
  public static String describe(
      long id, String message, long lastCompleted, Path dir, long usableBytes) {
    StringBuilder b = new StringBuilder("Checkpoint ").append(id).append(" failed");
    String reason = message == null ? "" : message.strip();
    String first = reason.lines().findFirst().orElse("");
    while (first.endsWith(".")) {
      first = first.substring(0, first.length() - 1);
    }
    if (!first.isEmpty()) {
      b.append(": ").append(first);
    }
    if (full(reason, usableBytes)) {
      b.append(
          String.format(
              Locale.ROOT,
              ". The disk of the checkpoint folder %s is full (%s free): free space on it."
                  + " Until then nothing new is committed to the lake, and after a few failed"
                  + " checkpoints in a row the job restarts from %s; the changes wait in the"
                  + " source's replication slot and nothing is lost.",
              dir,
              usableBytes < 0 ? "unknown" : mebibytes(usableBytes),
              lastCompleted < 0 ? "its start" : "checkpoint " + lastCompleted));
    } else {
      b.append(
          ". Nothing of it was committed; the next checkpoint retries, and after a few failures"
              + " in a row the job restarts from its last complete checkpoint.");
    }
    return b.toString();
  }

  /** Whether a failure looks like a full disk: little free space, or the reason says so. */
  static boolean full(String reason, long usableBytes) {
    return (usableBytes >= 0 && usableBytes < LOW_SPACE_BYTES)
        || (reason != null && reason.contains("No space left on device"));
  }

  private static String mebibytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }
}
