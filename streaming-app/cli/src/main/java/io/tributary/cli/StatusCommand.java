package io.tributary.cli;

import io.tributary.config.ControlConfig;
import io.tributary.control.TableStates;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tributary status}: the control table, one line per table. */
@Command(
    name = "status",
    description =
        "Print the control table: per table its status, rows and changes, last commit, files"
            + " and delete files since the last maintenance, dead letters, last maintenance and"
            + " lock.")
final class StatusCommand implements Callable<Integer> {
  @CommandLine.Mixin LakeTarget target;

  @Override
  public Integer call() throws Exception {
    return target.apply(
        (c, catalog) -> {
          ControlConfig control =
              c.control()
                  .orElseThrow(
                      () ->
                          new IllegalArgumentException(
                              "no control table: configure control.table-name (locally: run"
                                  + " 'npm ci' in infra/local)"));
          TableStates.print(TableStates.scan(control), Instant.now(), System.out);
          return 0;
        });
  }
}
