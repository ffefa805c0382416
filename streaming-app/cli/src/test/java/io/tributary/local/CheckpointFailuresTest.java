package io.tributary.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFailuresTest {
  @TempDir Path dir;

  @Test
  void aFullDiskIsNamedWithTheFolderItsFreeSpaceAndTheCheckpointTheJobGoesOnFrom() {
    String line =
        CheckpointFailures.describe(
            17, "Failure to finalize checkpoint.", 16, Path.of("/w/flink/checkpoints"), 4096);
    assertThat(line)
        .startsWith("Checkpoint 17 failed: Failure to finalize checkpoint. The disk")
        .contains("The disk of the checkpoint folder /w/flink/checkpoints is full (0.0 MiB free)")
        .contains("restarts from checkpoint 16")
        .contains("nothing is lost");
  }

  @Test
  void theReasonAloneTellsOfAFullDiskWhenTheSpaceIsBackAlready() {
    String line =
        CheckpointFailures.describe(
            3,
            "java.io.IOException: No space left on device\n\tat x.y(Z.java:1)",
            -1,
            Path.of("/w"),
            1L << 40);
    assertThat(line)
        .startsWith("Checkpoint 3 failed: java.io.IOException: No space left on device. ")
        .doesNotContain("at x.y")
        .contains("is full (1048576.0 MiB free)")
        .contains("restarts from its start");
  }

  @Test
  void anotherFailureSaysTheNextCheckpointRetries() {
    String line = CheckpointFailures.describe(5, "Checkpoint expired", 4, Path.of("/w"), 1L << 40);
    assertThat(line)
        .isEqualTo(
            "Checkpoint 5 failed: Checkpoint expired. Nothing of it was committed; the next"
                + " checkpoint retries, and after a few failures in a row the job restarts from"
                + " its last complete checkpoint.");
  }

  @Test
  void eachFailedCheckpointIsToldOnceFromTheRestEndpoint() throws Exception {
    AtomicReference<String> body = new AtomicReference<>("{\"latest\":{\"failed\":null}}");
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/jobs/abc/checkpoints",
        exchange -> {
          byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, bytes.length);
          try (OutputStream o = exchange.getResponseBody()) {
            o.write(bytes);
          }
        });
    server.start();
    try {
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      CheckpointFailures failures =
          new CheckpointFailures(
              server.getAddress().getPort(),
              "abc",
              dir,
              new PrintStream(printed, true, StandardCharsets.UTF_8));
      assertThat(failures.poll()).as("no failure yet").isFalse();
      body.set(
          "{\"latest\":{\"completed\":{\"id\":8},\"failed\":{\"id\":9,"
              + "\"failure_message\":\"Checkpoint expired before completing.\"}}}");
      assertThat(failures.poll()).isTrue();
      assertThat(failures.poll()).as("checkpoint 9 again").isFalse();
      body.set(
          "{\"latest\":{\"completed\":{\"id\":8},\"failed\":{\"id\":11,"
              + "\"failure_message\":\"java.io.IOException: No space left on device\"}}}");
      assertThat(failures.poll()).isTrue();
      body.set(
          "{\"latest\":{\"completed\":{\"id\":8},\"failed\":{\"id\":12,"
              + "\"failure_message\":\"java.io.IOException: No space left on device\"}}}");
      assertThat(failures.poll()).isTrue();
      assertThat(printed.toString(StandardCharsets.UTF_8).lines())
          .hasSize(3)
          .satisfiesExactly(
              l -> assertThat(l).startsWith("Checkpoint 9 failed: Checkpoint expired before"),
              l ->
                  assertThat(l)
                      .startsWith("Checkpoint 11 failed: java.io.IOException: No space left")
                      .contains(dir + " is full ("),
              l ->
                  assertThat(l)
                      .isEqualTo(
                          "Checkpoint 12 failed: the disk of the checkpoint folder is still"
                              + " full."));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void anEndpointThatIsGoneNeverStopsTheRun() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    CheckpointFailures failures =
        new CheckpointFailures(
            LocalStack.freePort(),
            "abc",
            dir,
            new PrintStream(printed, true, StandardCharsets.UTF_8));
    assertThat(failures.poll()).isFalse();
    assertThat(printed.size()).isZero();
  }
}
