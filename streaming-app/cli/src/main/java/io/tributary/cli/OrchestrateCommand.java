package io.tributary.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.config.ControlConfig;
import io.tributary.config.TributaryConfig;
import io.tributary.control.TableStates;
import io.tributary.local.LocalRunner;
import io.tributary.local.LocalStack;
import io.tributary.local.LocalStepFunctions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tributary orchestrate}: a state machine of infra/stepfunctions, run locally against the
 * local stack.
 */
@Command(
    name = "orchestrate",
    description =
        "Run a Step Functions state machine of infra/stepfunctions locally against the local"
            + " stack (running or stopped): maintenance selects the tables whose control-table"
            + " state needs it and maintains them; backfill takes the table's lock, backfills"
            + " and releases it. Glue job runs are the local Spark jobs, notifications go to"
            + " <workdir>/control/notifications.jsonl.")
final class OrchestrateCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "maintenance or backfill")
  String machine;

  @Option(
      names = "--workdir",
      description = "local stack working folder (default: ${DEFAULT-VALUE})",
      defaultValue = Main.DEFAULT_WORKDIR)
  Path workdir;

  @Option(names = "--table", description = "the table to backfill (name in the lake)")
  String table;

  @Option(
      names = "--min-data-files",
      defaultValue = "100",
      description =
          "maintain a table once this many data files were added (default: ${DEFAULT-VALUE})")
  long minDataFiles;

  @Option(
      names = "--min-delete-files",
      defaultValue = "20",
      description =
          "maintain a table once this many delete files were added (default: ${DEFAULT-VALUE})")
  long minDeleteFiles;

  @Option(
      names = "--max-concurrency",
      defaultValue = "1",
      description = "tables maintained at the same time (default: ${DEFAULT-VALUE})")
  int maxConcurrency;

  @Override
  public Integer call() throws Exception {
    if (!machine.equals("maintenance") && !machine.equals("backfill")) {
      throw new IllegalArgumentException(
          "no state machine '" + machine + "': use maintenance or backfill");
    }
    if (machine.equals("backfill") && table == null) {
      throw new IllegalArgumentException("orchestrate backfill needs --table T");
    }
    Path wd = workdir.toAbsolutePath();
    try (LocalStack stack = LocalStack.attachOrStart(wd)) {
      stack.writeEndpoints(); // the Spark jobs attach to this stack
      TributaryConfig c = LocalRunner.localConfigFor(stack, wd);
      ControlConfig control =
          c.control()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "the local stack has no control table: run 'npm ci' in infra/local"
                              + " (./tributary does this when Node.js is installed)"));
      LocalStepFunctions sfn =
          new LocalStepFunctions(
              wd,
              control,
              c.sink().namespace(),
              (job, args) -> {
                List<String> jobArgs = new ArrayList<>();
                jobArgs.add("--workdir");
                jobArgs.add(wd.toString());
                args.forEach(
                    (k, v) -> {
                      jobArgs.add(k);
                      jobArgs.add(v);
                    });
                String command =
                    job.equals(LocalStepFunctions.MAINTENANCE_JOB) ? "maintain" : "backfill";
                int code = SparkJobs.run(command, jobArgs);
                if (code != 0) {
                  throw new IllegalStateException(
                      "tributary " + command + " " + jobArgs + " ended with exit code " + code);
                }
              },
              LocalStepFunctions.Settings.defaults()
                  .minDataFiles(minDataFiles)
                  .minDeleteFiles(minDeleteFiles)
                  .maxConcurrency(maxConcurrency));
      ObjectNode input = new ObjectMapper().createObjectNode();
      if (machine.equals("backfill")) {
        input.put("table", table);
      } else {
        input.put("trigger", "orchestrate");
      }
      LocalStepFunctions.Execution execution = sfn.run(machine, input);
      System.out.println(
          machine
              + " "
              + execution.status()
              + (execution.error() == null
                  ? ""
                  : ": " + execution.error() + ": " + execution.cause()));
      System.out.println();
      TableStates.print(TableStates.scan(control), Instant.now(), System.out);
      return execution.status().equals("SUCCEEDED") ? 0 : 1;
    }
  }
}
