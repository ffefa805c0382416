package io.tributary.local;

import io.tributary.catalog.CatalogSpec;
import io.tributary.catalog.CatalogSpecs;
import io.tributary.config.TributaryConfig;
import io.tributary.job.TributaryJob;
import io.tributary.metrics.LocalMetricsReporter;
import io.tributary.metrics.MetricNames;
import io.tributary.source.CapturedTable;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code tributary soak}: the demo workload as fast as one connection can commit it, against the
 * job on the local stack, for a fixed time; every minute the heap after a full collection, the
 * checkpoint durations and the end-to-end lag of that minute; at the end the lake must equal the
 * source. A program that prints figures, not a timed test: heap that keeps growing from minute to
 * minute is the finding it exists for.
 */
public final class Soak {
  private static final long SAMPLE_MILLIS = 250;

  /**
   * Full collections a window: the heap right after one still holds whatever the pipeline has in
   * flight at that moment (a checkpoint's buffers, an upload), so a window reports the lowest of
   * several, the floor that a leak would raise.
   */
  private static final int HEAP_SAMPLES = 4;

  private final int minutes;
  private final int connections;
  private final int windowSeconds;
  private final PrintStream out;

  /** One window of the run (a minute unless the run is shorter). */
  static final class Window {
    int index;
    long transactions;
    double seconds;
    double heapAfterGcMb;
    final List<Double> checkpointMillis = new ArrayList<>();
    final List<Double> lagMillis = new ArrayList<>();
  }

  private Soak(int minutes, int windowSeconds, int connections, PrintStream out) {
    this.minutes = minutes;
    this.connections = connections;
    this.windowSeconds = windowSeconds;
    this.out = out;
  }

  /**
   * Runs the soak in {@code workdir} for {@code minutes} (windows of {@code windowSeconds}) and
   * writes its section of {@code output} when set; returns the exit code: 0 when the lake ended
   * equal to the source, 1 otherwise.
   */
  public static int run(
      Path workdir, int minutes, int windowSeconds, int connections, Path output, PrintStream out)
      throws Exception {
    return new Soak(minutes, windowSeconds, connections, out).run(workdir, output);
  }

  private int run(Path workdir, Path output) throws Exception {
    String machine = MachineInfo.machine();
    out.println("Machine: " + machine);
    LocalRunner runner = new LocalRunner(workdir, null, null, false, out);
    try (LocalStack stack = LocalStack.start(workdir.toAbsolutePath())) {
      stack.ensureDatabase(DemoDatabase.DATABASE);
      try (Connection c = stack.connect(DemoDatabase.DATABASE)) {
        DemoDatabase.create(c, 10);
      }
      TributaryConfig config = LocalRunner.localConfig(stack, null);
      TributaryJob.Start checked = TributaryJob.check(config);
      Configuration flink = runner.flinkConfiguration(config.job());
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(flink);
      env.setParallelism(config.job().parallelism());
      TributaryJob.build(env, config, checked.tables(), checked.refused());
      JobClient job = env.executeAsync("tributary-soak");
      CatalogSpec catalog = CatalogSpecs.from(config.sink());
      out.println("Waiting for the initial snapshot to be in the lake...");
      if (!awaitEqual(config, catalog, Duration.ofMinutes(10))) {
        out.println("The initial snapshot did not reach the lake within 10 minutes.");
        job.cancel().get(1, TimeUnit.MINUTES);
        return 1;
      }
      DemoWorkload workload =
          new DemoWorkload(
              () -> {
                try {
                  return stack.connect(DemoDatabase.DATABASE);
                } catch (SQLException e) {
                  throw new IllegalStateException(e);
                }
              },
              1_000_000,
              connections);
      List<Window> windows = new ArrayList<>();
      workload.start();
      out.printf(
          Locale.ROOT,
          "Soak: %d minute(s), the demo workload unthrottled on %s%n",
          minutes,
          connectionsText(connections));
      out.println(
          "window  transactions/s  heap after full GC (MB)  checkpoint p50/p99 (ms)  lag p50/p99 (s)");
      long windowNanos = TimeUnit.SECONDS.toNanos(windowSeconds);
      long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
      Number completed = LocalMetricsReporter.value("numberOfCompletedCheckpoints");
      long lastCompleted = completed == null ? 0 : completed.longValue();
      while (System.nanoTime() < end) {
        Window w = new Window();
        w.index = windows.size() + 1;
        long start = System.nanoTime();
        long startTx = workload.transactions();
        long windowEnd = Math.min(end, start + windowNanos);
        long nextHeap = start + windowNanos / HEAP_SAMPLES;
        w.heapAfterGcMb = Double.MAX_VALUE;
        while (System.nanoTime() < windowEnd) {
          TimeUnit.MILLISECONDS.sleep(SAMPLE_MILLIS);
          if (System.nanoTime() >= nextHeap) {
            w.heapAfterGcMb = Math.min(w.heapAfterGcMb, heapAfterFullGcMb());
            nextHeap += windowNanos / HEAP_SAMPLES;
          }
          Number count = LocalMetricsReporter.value("numberOfCompletedCheckpoints");
          if (count != null && count.longValue() > lastCompleted) {
            lastCompleted = count.longValue();
            Number duration =
                LocalMetricsReporter.value(LocalMetricsReporter.LAST_CHECKPOINT_DURATION);
            if (duration != null) {
              w.checkpointMillis.add(duration.doubleValue());
            }
            // The lag each table had at that commit: the newest change's age when it became
            // visible.
            for (CapturedTable t : checked.tables()) {
              Number lag = LocalMetricsReporter.value(t.id().qualified(), MetricNames.LAG_MILLIS);
              if (lag != null) {
                w.lagMillis.add(lag.doubleValue());
              }
            }
          }
        }
        w.seconds = (System.nanoTime() - start) / 1e9;
        w.transactions = workload.transactions() - startTx;
        w.heapAfterGcMb = Math.min(w.heapAfterGcMb, heapAfterFullGcMb());
        windows.add(w);
        out.println(line(w));
        if (job.getJobStatus().get().isTerminalState()) {
          out.println("The job stopped during the soak: " + job.getJobStatus().get());
          break;
        }
      }
      workload.close();
      long total = workload.transactions();
      out.printf(
          Locale.ROOT,
          "Workload stopped after %,d transactions (%,d rolled back for a deadlock and not"
              + " counted).%n",
          total,
          workload.rolledBack());
      String caughtUp = awaitCaughtUp(stack, Duration.ofMinutes(10));
      out.println(caughtUp);
      // One comparison, after the stream has committed past the workload's last change (a verify
      // started earlier would compare a lake still behind; tables without maintenance for the
      // whole run carry every equality delete, which makes it slow).
      List<VerifyResult> results = LakeVerifier.verify(config, catalog, null);
      boolean equal =
          results.stream().noneMatch(VerifyResult::different)
              && results.stream().anyMatch(VerifyResult::equal);
      for (VerifyResult r : results) {
        out.println("  " + r);
      }
      out.println(
          equal
              ? "The lake equals the source (verify, every table)."
              : "The lake does NOT equal the source.");
      job.cancel().get(1, TimeUnit.MINUTES);
      Growth growth = Growth.of(windows);
      out.println(growth.describe());
      if (output != null) {
        SoakReport.write(output, machine, minutes, connections, windows, growth, total, equal);
        out.println("Results written to " + output);
      }
      return equal ? 0 : 1;
    }
  }

  /** "one connection" or "N connections at once". */
  static String connectionsText(int connections) {
    return connections == 1 ? "one connection" : connections + " connections at once";
  }

  /**
   * Waits until every replication slot of the demo database has confirmed the source's WAL position
   * at the end of the workload, and then for two more completed checkpoints (the committer commits
   * and the source confirms on the same checkpoint's completion, in no set order); returns what
   * happened.
   */
  private static String awaitCaughtUp(LocalStack stack, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    String end;
    try (Connection c = stack.connect(DemoDatabase.DATABASE);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
      rs.next();
      end = rs.getString(1);
    }
    String query =
        "SELECT count(*) FROM pg_replication_slots WHERE database = '"
            + DemoDatabase.DATABASE
            + "' AND (confirmed_flush_lsn IS NULL OR confirmed_flush_lsn < '"
            + end
            + "'::pg_lsn)";
    while (System.nanoTime() < deadline) {
      long behind;
      try (Connection c = stack.connect(DemoDatabase.DATABASE);
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(query)) {
        rs.next();
        behind = rs.getLong(1);
      }
      if (behind == 0) {
        Number now = LocalMetricsReporter.value("numberOfCompletedCheckpoints");
        long target = (now == null ? 0 : now.longValue()) + 2;
        while (System.nanoTime() < deadline) {
          Number done = LocalMetricsReporter.value("numberOfCompletedCheckpoints");
          if (done != null && done.longValue() >= target) {
            return "The stream has confirmed the workload's last WAL position " + end + ".";
          }
          TimeUnit.MILLISECONDS.sleep(200);
        }
      }
      TimeUnit.SECONDS.sleep(1);
    }
    return "The stream did not confirm the workload's last WAL position "
        + end
        + " within "
        + within.toMinutes()
        + " minutes; comparing anyway.";
  }

  /** Whether every table verify can compare became equal within the time given. */
  private static boolean awaitEqual(TributaryConfig config, CatalogSpec catalog, Duration within)
      throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      List<VerifyResult> results = LakeVerifier.verify(config, catalog, null);
      if (results.stream().noneMatch(VerifyResult::different)
          && results.stream().anyMatch(VerifyResult::equal)) {
        return true;
      }
      TimeUnit.SECONDS.sleep(2);
    }
    return false;
  }

  /**
   * Heap in use right after a full collection of this JVM (the job, the workload, the S3 server).
   */
  static double heapAfterFullGcMb() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
  }

  static String line(Window w) {
    return String.format(
        Locale.ROOT,
        "%6d  %14.0f  %23.1f  %23s  %15s",
        w.index,
        w.transactions / Math.max(0.001, w.seconds),
        w.heapAfterGcMb,
        pair(w.checkpointMillis, 1, "%.0f"),
        pair(w.lagMillis, 1000, "%.1f"));
  }

  static String pair(List<Double> values, double divisor, String format) {
    if (values.isEmpty()) {
      return "-";
    }
    return String.format(Locale.ROOT, format, percentile(values, 50) / divisor)
        + " / "
        + String.format(Locale.ROOT, format, percentile(values, 99) / divisor);
  }

  /** The nearest-rank percentile. */
  static double percentile(List<Double> values, double p) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  /**
   * Whether the heap after full collections grew over the run: the least-squares slope of the
   * windows' figures from the second window on (the first includes the warm-up), in MB a window,
   * and the growth from the second to the last window.
   */
  static final class Growth {
    final double slopeMbPerWindow;
    final double firstMb;
    final double lastMb;
    final int windows;

    private Growth(double slope, double first, double last, int windows) {
      this.slopeMbPerWindow = slope;
      this.firstMb = first;
      this.lastMb = last;
      this.windows = windows;
    }

    static Growth of(List<Window> all) {
      List<Window> w = all.size() > 2 ? all.subList(1, all.size()) : all;
      if (w.isEmpty()) {
        return new Growth(0, 0, 0, 0);
      }
      double n = w.size();
      double sx = 0;
      double sy = 0;
      double sxx = 0;
      double sxy = 0;
      for (int i = 0; i < w.size(); i++) {
        double y = w.get(i).heapAfterGcMb;
        sx += i;
        sy += y;
        sxx += (double) i * i;
        sxy += i * y;
      }
      double denominator = n * sxx - sx * sx;
      double slope = denominator == 0 ? 0 : (n * sxy - sx * sy) / denominator;
      return new Growth(slope, w.get(0).heapAfterGcMb, w.get(w.size() - 1).heapAfterGcMb, w.size());
    }

    /** Flat: the fitted line rises less than 5% of the heap (or 16 MB) over the windows. */
    boolean flat() {
      double rise = slopeMbPerWindow * Math.max(1, windows - 1);
      return rise < Math.max(16, 0.05 * firstMb);
    }

    String describe() {
      return String.format(
          Locale.ROOT,
          "Heap after full GC: %.1f MB in window 2, %.1f MB in the last; fitted slope %+.2f MB a"
              + " window: %s.",
          firstMb,
          lastMb,
          slopeMbPerWindow,
          flat() ? "flat" : "GROWING");
    }
  }

  /** The soak's section of the reliability page. */
  static final class SoakReport {
    static final String START = "<!-- soak:start -->";
    static final String END = "<!-- soak:end -->";

    /** The section's first marker: one section for one connection, one per count of several. */
    static String start(int connections) {
      return connections == 1 ? START : "<!-- soak-" + connections + ":start -->";
    }

    static String end(int connections) {
      return connections == 1 ? END : "<!-- soak-" + connections + ":end -->";
    }

    private SoakReport() {}

    static void write(
        Path output,
        String machine,
        int minutes,
        int connections,
        List<Window> windows,
        Growth growth,
        long transactions,
        boolean equal)
        throws IOException {
      StringBuilder md = new StringBuilder();
      md.append(start(connections)).append('\n');
      md.append(
          connections == 1 ? "## Soak\n\n" : "## Soak on " + connections + " connections\n\n");
      md.append(
          String.format(
              Locale.ROOT,
              "Measured by `./tributary soak --minutes %d%s` on %s. Machine: %s; load average at the"
                  + " end (1, 5, 15 min): %s.%n%n",
              minutes,
              connections == 1 ? "" : " --connections " + connections,
              LocalDate.now(),
              machine,
              MachineInfo.loadAverage()));
      md.append(
          "The demo workload (orders with items, status and price updates, deletes and"
              + " re-inserts, rows moving between partitions, key-less events) runs unthrottled on "
              + connectionsText(connections)
              + " against the job on the local stack (parallelism 2, 5 s"
              + " checkpoints) after its initial snapshot. Four times a window the JVM that holds the"
              + " job, the workload and the S3 server runs a full collection; the table gives the"
              + " lowest heap in use right after one (what is in flight at that moment, a"
              + " checkpoint's buffers or an upload, lifts single readings). Checkpoint durations are Flink's, for every checkpoint the"
              + " window completed; the lag is each table's at each of those checkpoints: how old"
              + " the newest change it committed was when it became visible.\n\n");
      md.append(
          "| Window | Transactions/s | Heap after full GC, lowest (MB) | Checkpoint p50 / p99 (ms) |"
              + " Lag p50 / p99 (s) |\n|---|---|---|---|---|\n");
      for (Window w : windows) {
        md.append(
            String.format(
                Locale.ROOT,
                "| %d | %.0f | %.1f | %s | %s |%n",
                w.index,
                w.transactions / Math.max(0.001, w.seconds),
                w.heapAfterGcMb,
                pair(w.checkpointMillis, 1, "%.0f"),
                pair(w.lagMillis, 1000, "%.1f")));
      }
      md.append(
          String.format(
              Locale.ROOT,
              "%n%s After %,d transactions, once the stream had confirmed the workload's last WAL"
                  + " position, the lake %s the source (`verify`, every table).%n",
              growth.describe(),
              transactions,
              equal ? "equals" : "did NOT equal"));
      md.append(end(connections)).append('\n');
      String section = md.toString();
      String existing = Files.exists(output) ? Files.readString(output) : "";
      String start = start(connections);
      String end = end(connections);
      int s = existing.indexOf(start);
      int e = existing.indexOf(end);
      String updated;
      if (s >= 0 && e > s) {
        updated = existing.substring(0, s) + section + existing.substring(e + end.length() + 1);
      } else {
        updated =
            existing + (existing.isEmpty() || existing.endsWith("\n\n") ? "" : "\n") + section;
      }
      Path parent = output.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(output, updated);
    }
  }
}
