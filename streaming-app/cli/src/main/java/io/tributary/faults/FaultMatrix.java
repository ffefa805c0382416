package io.tributary.faults;

import io.tributary.local.LocalStack;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tributary faults}: runs the pipeline against a source server of its own, injects one fault
 * per cell while the workload runs, lets the job recover, and checks the lake with {@code verify}
 * once the stream has caught up. Every cell starts from a new database, slot and namespace, so a
 * cell's result never depends on the cell before it.
 *
 * <p>This class starts the servers and runs the cells; the faults are in {@link FaultCatalog} (one
 * {@link FaultInjection} each), a cell in {@link FaultCell}, the report in {@link FaultReport}.
 */
public final class FaultMatrix {
  private static final Logger LOG = LoggerFactory.getLogger(FaultMatrix.class);

  private final Path workdir;
  private final boolean quick;
  private final PrintStream out;
  private volatile JobProcess currentJob;

  private FaultMatrix(Path workdir, boolean quick, PrintStream out) {
    this.workdir = workdir.toAbsolutePath();
    this.quick = quick;
    this.out = out;
  }

  /**
   * Runs the selected faults ({@code only} empty: all), prints one line per cell, writes the report
   * to {@code output} when given; returns 0 when every cell that ran lost and duplicated nothing (a
   * cell this machine cannot run is reported as not run, with the reason).
   */
  public static int run(
      Path workdir, boolean quick, List<String> only, Path output, PrintStream out)
      throws Exception {
    List<CellResult> results = new FaultMatrix(workdir, quick, out).runAll(only);
    String report = FaultReport.report(results, quick);
    if (output != null) {
      Files.writeString(output, report);
      out.println("Wrote " + output);
    }
    return results.stream().allMatch(r -> r.clean() || r.notRun != null) ? 0 : 1;
  }

  /** Runs the cells and returns their results. */
  static List<CellResult> results(Path workdir, boolean quick, List<String> only, PrintStream out)
      throws Exception {
    return new FaultMatrix(workdir, quick, out).runAll(only);
  }

  private List<CellResult> runAll(List<String> only) throws Exception {
    List<CellResult> results = new ArrayList<>();
    Files.createDirectories(workdir);
    try (LocalStack lake = LocalStack.start(workdir.resolve("lake"));
        SourceServer source = SourceServer.start(workdir.resolve("source"), LocalStack.freePort());
        TcpProxy sourceProxy = TcpProxy.start("source", source.port());
        TcpProxy s3Proxy = TcpProxy.start("s3", URI.create(lake.s3Endpoint()).getPort());
        TcpProxy catalogProxy = TcpProxy.start("catalog", lake.postgresPort())) {
      // Ctrl-C: the job's process and both PostgreSQL servers go with this one.
      Thread cleanUp =
          new Thread(
              () -> {
                JobProcess job = currentJob;
                if (job != null) {
                  try {
                    job.kill();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
                try {
                  source.close();
                } catch (IOException | RuntimeException e) {
                  LOG.warn("Stopping the source server failed", e);
                }
                lake.close();
              },
              "faults-clean-up");
      Runtime.getRuntime().addShutdownHook(cleanUp);
      try {
        FaultCell cell =
            new FaultCell(
                workdir,
                quick,
                lake,
                source,
                sourceProxy,
                s3Proxy,
                catalogProxy,
                job -> currentJob = job);
        runCells(only, results, cell);
      } finally {
        Runtime.getRuntime().removeShutdownHook(cleanUp);
      }
    }
    return results;
  }

  private void runCells(List<String> only, List<CellResult> results, FaultCell cell) {
    int n = 0;
    for (Fault fault : FaultCatalog.faults(quick)) {
      String name = fault.name();
      if (!only.isEmpty() && !only.contains(fault.id) && !only.contains(name)) {
        continue;
      }
      n++;
      String database =
          "cell" + n + "_" + fault.id.replace('-', '_') + "_" + fault.phase.label.charAt(0);
      out.println("[" + name + "] " + fault.description + " during the " + fault.phase.label);
      CellResult r = new CellResult(fault);
      try {
        cell.run(database, r);
      } catch (FaultInjection.CellNotRunnable e) {
        r.notRun = e.getMessage();
      } catch (Exception e) {
        LOG.warn("Cell {} failed", name, e);
        r.problem = "the cell failed: " + e;
      }
      out.println("  " + FaultReport.line(r));
      for (String d : r.differences.subList(0, Math.min(10, r.differences.size()))) {
        out.println("    " + d);
      }
      results.add(r);
    }
  }

  static Path defaultWorkdir() throws IOException {
    return Files.createTempDirectory("tributary-faults");
  }
}
