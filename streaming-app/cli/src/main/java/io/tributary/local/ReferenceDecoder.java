package io.tributary.local;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's reference: {@code pg_recvlogical} decoding the same WAL range with pgoutput, the
 * fastest a logical-replication client can receive the changes.
 */
final class ReferenceDecoder {
  /** The slot the reference decodes from, created before the changes it decodes. */
  static final String SLOT = "bench_reference";

  private ReferenceDecoder() {}

  /**
   * Decodes the WAL from {@code startLsn} to {@code endLsn}; returns changes per second, or -1 when
   * {@code pg_recvlogical} is not installed or fails (having said so on {@code out}).
   */
  static double rate(
      LocalStack stack,
      String db,
      String publication,
      String startLsn,
      String endLsn,
      int changes,
      PrintStream out)
      throws IOException, InterruptedException {
    String binary = "pg_recvlogical";
    Path file = Files.createTempFile("recvlogical", ".out");
    List<String> command =
        List.of(
            binary,
            "-h",
            "127.0.0.1",
            "-p",
            Integer.toString(stack.postgresPort()),
            "-U",
            stack.superuser(),
            "-d",
            db,
            "--slot",
            SLOT,
            "--start",
            "--endpos",
            endLsn,
            "--no-loop",
            "-o",
            "proto_version=1",
            "-o",
            "publication_names=" + publication,
            "-f",
            file.toString());
    long started = System.nanoTime();
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      out.println(
          "pg_recvlogical is not installed (Debian: apt-get install postgresql-client); no reference figure.");
      return -1;
    }
    boolean finished = process.waitFor(10, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - started) / 1e9;
    String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!finished || process.exitValue() != 0) {
      process.destroyForcibly();
      out.println("pg_recvlogical failed: " + log.trim());
      return -1;
    }
    out.printf(
        Locale.ROOT,
        "pg_recvlogical: %s to %s in %.2f s (%,d bytes of pgoutput)%n",
        startLsn,
        endLsn,
        seconds,
        Files.size(file));
    Files.deleteIfExists(file);
    return changes / seconds;
  }
}
