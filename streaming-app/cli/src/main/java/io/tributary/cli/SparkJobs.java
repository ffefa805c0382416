package io.tributary.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the Spark jobs of the glue-compat module ({@code glue-compat/bin/tributary-spark}) in a
 * process of their own: Spark is not on the streaming app's class path, and the jobs must run with
 * the same code as on AWS Glue.
 */
final class SparkJobs {
  private SparkJobs() {}

  /** Runs {@code tributary-spark <job> <arguments>} and returns its exit code. */
  static int run(String job, List<String> arguments) throws Exception {
    Path script = repositoryRoot().resolve("glue-compat/bin/tributary-spark");
    if (!Files.isExecutable(script)) {
      throw new IllegalArgumentException(
          "Cannot find " + script + ": run the command from a checkout of the repository");
    }
    List<String> command = new ArrayList<>();
    command.add(script.toString());
    command.add(job);
    command.addAll(arguments);
    Process process = new ProcessBuilder(command).inheritIO().start();
    return process.waitFor();
  }

  /** The checkout this class was loaded from ({@code streaming-app/target/classes} inside it). */
  private static Path repositoryRoot() throws Exception {
    Path classes =
        Path.of(SparkJobs.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path candidate = classes;
    while (candidate != null && !Files.exists(candidate.resolve("glue-compat/pom.xml"))) {
      candidate = candidate.getParent();
    }
    return candidate == null ? Path.of("").toAbsolutePath() : candidate;
  }
}
