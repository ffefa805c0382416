package io.tributary.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary rehearse}: the AWS deployment against AWS API emulation on this machine. */
@Command(
    name = "rehearse",
    description =
        "Rehearse the AWS deployment on 127.0.0.1: the deployable jar on a Flink cluster of its"
            + " own processes and the Glue jobs and state machines, configured as Terraform"
            + " configures them, against moto_server (Glue, S3, DynamoDB, Secrets Manager);"
            + " prints one line per stage. Needs moto_server (pip install \"moto[server]\").")
final class RehearseCommand implements Callable<Integer> {
  @Option(
      names = "--log",
      description = "file for the whole output (default: .tributary/logs/rehearsal.log)")
  Path log;

  @Option(names = "--offline", description = "run Maven offline (-o)")
  boolean offline;

  @Override
  public Integer call() throws Exception {
    Path file =
        log != null ? log : SparkJobs.repositoryRoot().resolve(".tributary/logs/rehearsal.log");
    return Rehearsal.run(file, offline, System.out);
  }
}
