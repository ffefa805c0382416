package io.tributary.cli;

import io.tributary.catalog.CatalogSpecs;
import io.tributary.config.TributaryConfig;
import io.tributary.local.LocalQuery;
import io.tributary.local.LocalRunner;
import io.tributary.local.LocalStack;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tributary query}: SQL over the lake of a local stack. */
@Command(
    name = "query",
    description = "Run SQL over the lake tables of the local stack and print the result.")
final class QueryCommand implements Callable<Integer> {
  @Option(
      names = "--workdir",
      description = "local stack working folder (default: ${DEFAULT-VALUE})",
      defaultValue = Main.DEFAULT_WORKDIR)
  Path workdir;

  @Parameters(
      index = "0",
      description = "the SQL, e.g. \"SELECT status, count(*) FROM orders GROUP BY status\"")
  String sql;

  @Override
  public Integer call() throws Exception {
    try (LocalStack stack = LocalStack.attachOrStart(workdir)) {
      TributaryConfig c = LocalRunner.localConfigFor(stack, workdir);
      LocalQuery.run(CatalogSpecs.from(c.sink()), c.sink().namespace(), sql, System.out);
    }
    return 0;
  }
}
