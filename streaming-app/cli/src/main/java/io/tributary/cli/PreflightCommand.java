package io.tributary.cli;

import io.tributary.catalog.CatalogSpec;
import io.tributary.config.ConfigLoader;
import io.tributary.config.TributaryConfig;
import io.tributary.job.TributaryJob;
import io.tributary.source.CapturedTable;
import io.tributary.source.SourceNotReadyException;
import io.tributary.source.postgres.SourcePreflight;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.iceberg.catalog.Catalog;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary preflight}: the source checks the job runs at start, on their own. */
@Command(
    name = "preflight",
    description =
        "Check that the source can be captured (logical replication, privileges, tables, keys,"
            + " publications, lossy column types); one line per finding, exit code 1 on a"
            + " blocking one. Creates the publications when they are absent, as the job does.")
final class PreflightCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "YAML configuration file")
  Path config;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    TributaryConfig c = ConfigLoader.fromYaml(config);
    SourcePreflight preflight = new SourcePreflight(c.source(), c.tables());
    PrintWriter out = spec.commandLine().getOut();
    Catalog lake = TributaryJob.openLake(c);
    try {
      List<CapturedTable> tables =
          preflight.lakeAppendOnly(TributaryJob.lakeAppendOnly(lake, c.sink().namespace())).run();
      for (String warning : preflight.warnings()) {
        out.println("warning: " + warning);
      }
      for (String reason : refusals(preflight)) {
        out.println("refused: " + reason);
      }
      out.println(
          "ok: "
              + tables.size()
              + " tables can be captured: "
              + tables
              + (preflight.refused().isEmpty()
                  ? ""
                  : "; not captured: " + preflight.refused().keySet()));
      return 0;
    } catch (SourceNotReadyException e) {
      for (String warning : preflight.warnings()) {
        out.println("warning: " + warning);
      }
      Set<String> refusals = refusals(preflight);
      if (!e.problems().containsAll(refusals)) {
        // Problems of the server or the user: the refusals come on top of them (when no table
        // is left, the refusals are the problems, printed once, below).
        for (String reason : refusals) {
          out.println("refused: " + reason);
        }
      }
      for (String problem : e.problems()) {
        out.println("error: " + problem);
      }
      return 1;
    } finally {
      CatalogSpec.closeQuietly(lake);
      out.flush();
    }
  }

  /** Every reason a table was refused, once (a name collision refuses two tables for one). */
  private static Set<String> refusals(SourcePreflight preflight) {
    Set<String> reasons = new LinkedHashSet<>();
    preflight.refused().values().forEach(reasons::addAll);
    return reasons;
  }
}
