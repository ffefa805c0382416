package io.tributary.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tributary rehearse}: the AWS deployment rehearsed on this machine, which is exactly the
 * two integration tests CI runs for it, {@code GlueCatalogIT} (the deployable jar on a Flink
 * cluster of its own processes against moto's Glue catalog, S3, Secrets Manager and DynamoDB, with
 * the Managed Flink property groups Terraform deploys) and {@code GlueJobsOnMotoIT} (the Glue jobs
 * through their launcher with the Terraform arguments, both state machines, and Trino, Athena's
 * engine, through its Glue catalog with the named queries of {@code athena.tf}, against moto; then
 * with moto's IAM enforcement on, the stream and both jobs with the roles' rendered policies). Runs
 * them with the repository's Maven wrapper, keeps the whole output in a log file and prints the
 * stages the tests report ({@value #STAGE} lines) and their result.
 */
final class Rehearsal {
  /** The prefix of a stage line the rehearsal's tests print. */
  static final String STAGE = "REHEARSAL |";

  private static final List<String> MODULES =
      List.of(
          "streaming-app/model",
          "streaming-app/flink-cluster",
          "streaming-app",
          "streaming-app/cli",
          "glue-compat");

  /** The stages of an AWS deployment this rehearsal does not cover, and what checks them. */
  static final List<String> NOT_REHEARSED =
      List.of(
          "8. CloudFormation: not rehearsed (moto cannot create the seed stack:"
              + " docs/rehearsal.md); the template is checked by cfn-lint and infra/checks");

  private Rehearsal() {}

  /** The Maven command that runs the rehearsal's tests. */
  static List<String> command(Path root, boolean offline) {
    List<String> command = new ArrayList<>();
    command.add(root.resolve("mvnw").toString());
    command.add("-B");
    command.add("-ntp");
    if (offline) {
      command.add("-o");
    }
    command.add("-pl");
    command.add(String.join(",", MODULES));
    command.add("verify");
    command.add("-Dtest=none");
    command.add("-Dsurefire.failIfNoSpecifiedTests=false");
    command.add("-Dfailsafe.failIfNoSpecifiedTests=false");
    command.add("-Dit.test=GlueCatalogIT,GlueJobsOnMotoIT");
    command.add("-Dspotless.check.skip=true");
    return command;
  }

  /** Runs the rehearsal; returns Maven's exit code (0: every stage passed). */
  static int run(Path log, boolean offline, PrintStream out) throws Exception {
    Path root = SparkJobs.repositoryRoot();
    if (!Files.isExecutable(root.resolve("mvnw"))) {
      throw new IllegalArgumentException(
          "Cannot find the Maven wrapper in " + root + ": run the command from a checkout");
    }
    Path parent = log.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    out.println(
        "Rehearsing the AWS deployment on 127.0.0.1 (moto_server, a Flink cluster of its own"
            + " processes, Spark as Glue 5.1 has it, Trino as Athena's engine); the whole output"
            + " goes to "
            + log
            + ". This takes several minutes.");
    Process maven =
        new ProcessBuilder(command(root, offline))
            .directory(root.toFile())
            .redirectErrorStream(true)
            .start();
    int stages = 0;
    List<String> results = new ArrayList<>();
    try (BufferedReader lines =
            new BufferedReader(
                new InputStreamReader(maven.getInputStream(), StandardCharsets.UTF_8));
        Writer file = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
      String line;
      while ((line = lines.readLine()) != null) {
        file.write(line);
        file.write('\n');
        int at = line.indexOf(STAGE);
        if (at >= 0) {
          out.println(line.substring(at + STAGE.length()).trim());
          stages++;
        } else if (line.contains("Tests run:") && line.contains(" -- in ")) {
          results.add(line.replace("[INFO] ", "").replace("[ERROR] ", ""));
        } else if (line.contains("<<< FAIL") || line.contains("<<< ERROR")) {
          out.println(line);
        }
      }
    }
    int code = maven.waitFor();
    results.forEach(out::println);
    for (String stage : NOT_REHEARSED) {
      out.println(stage);
    }
    out.println(
        code == 0
            ? "Rehearsal passed: " + stages + " stages checked."
            : "Rehearsal FAILED (Maven exit " + code + "): see " + log + ".");
    return code;
  }
}
