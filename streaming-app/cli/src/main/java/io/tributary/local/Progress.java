package io.tributary.local;

import io.tributary.catalog.CatalogSpec;
import io.tributary.config.TributaryConfig;
import io.tributary.metrics.LocalMetricsReporter;
import io.tributary.metrics.MetricNames;
import io.tributary.sink.TableNames;
import io.tributary.source.CapturedTable;
import java.io.PrintStream;
import java.util.List;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;

/**
 * Prints one line per table: snapshot progress, changes per second, lag behind the source and the
 * age of the last commit are the job's own metrics (the values the Flink web UI and CloudWatch
 * show, read through {@link LocalMetricsReporter}); rows written come from the table's last
 * snapshot. A header line gives the replication slot's lag and the last checkpoint's duration. On a
 * terminal the table is redrawn in place; into a pipe or a file each print appends its lines.
 */
final class Progress implements AutoCloseable {
  private final Catalog catalog;
  private final TributaryConfig config;
  private final List<CapturedTable> tables;
  private final PrintStream out;
  private final boolean redraw;
  private int drawnLines;

  Progress(CatalogSpec spec, TributaryConfig config, List<CapturedTable> tables, PrintStream out) {
    this(spec, config, tables, out, out == System.out && onTerminal());
  }

  Progress(
      CatalogSpec spec,
      TributaryConfig config,
      List<CapturedTable> tables,
      PrintStream out,
      boolean redraw) {
    this.catalog = spec.open();
    this.config = config;
    this.tables = tables;
    this.out = out;
    this.redraw = redraw;
  }

  /** Whether standard output is a terminal that understands cursor movement. */
  static boolean onTerminal() {
    String term = System.getenv("TERM");
    return System.console() != null && term != null && !term.isEmpty() && !term.equals("dumb");
  }

  /**
   * Something else was printed below the table: the next print starts a new table under it instead
   * of drawing over it.
   */
  void detach() {
    drawnLines = 0;
  }

  void print() {
    String block = block();
    out.print(frame(block, drawnLines, redraw));
    out.flush();
    drawnLines = redraw ? (int) block.chars().filter(c -> c == '\n').count() : 0;
  }

  /**
   * What to print for {@code block} (lines ending in a newline): with {@code redraw} and {@code
   * previous} lines drawn before, the cursor goes back up over them and each line is cleared before
   * it is written; otherwise the block is printed after an empty line.
   */
  static String frame(String block, int previous, boolean redraw) {
    if (!redraw) {
      return System.lineSeparator() + block;
    }
    StringBuilder sb = new StringBuilder();
    if (previous > 0) {
      sb.append("\u001b[").append(previous).append("A\r");
    } else {
      sb.append(System.lineSeparator());
    }
    for (String line : block.split("\n", -1)) {
      if (!line.isEmpty()) {
        sb.append("\u001b[2K").append(line).append('\n');
      }
    }
    return sb.toString();
  }

  private String block() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "slot lag %s, last checkpoint %s%n",
            bytes(LocalMetricsReporter.value(MetricNames.SLOT_LAG_BYTES)),
            seconds(LocalMetricsReporter.value(LocalMetricsReporter.LAST_CHECKPOINT_DURATION))));
    sb.append(
        String.format(
            "%-28s %9s %12s %10s %10s %12s %8s%n",
            "table", "snapshot", "rows written", "changes/s", "lag", "last commit", "blocked"));
    for (CapturedTable captured : tables) {
      String source = captured.id().qualified();
      Number percent = LocalMetricsReporter.value(source, MetricNames.SNAPSHOT_PERCENT);
      Number rate = LocalMetricsReporter.value(source, MetricNames.CHANGES_PER_SECOND);
      Number since = LocalMetricsReporter.value(source, MetricNames.MILLIS_SINCE_LAST_COMMIT);
      Number blocked = LocalMetricsReporter.value(source, MetricNames.TABLE_BLOCKED);
      Number missed = LocalMetricsReporter.value(source, MetricNames.FRESHNESS_TARGET_MISSED);
      String lag = seconds(LocalMetricsReporter.value(source, MetricNames.LAG_MILLIS));
      if (missed != null && missed.intValue() == 1) {
        lag = lag + "!"; // over the table's freshness target
      }
      sb.append(
          String.format(
              "%-28s %9s %12s %10s %10s %12s %8s%n",
              TableNames.mirrorName(captured.id()),
              percent == null ? "-" : percent.intValue() + "%",
              rowsWritten(captured),
              rate == null ? "-" : String.format("%.1f", rate.doubleValue()),
              lag,
              since == null ? "-" : seconds(since) + " ago",
              blocked == null ? "-" : blocked.intValue() == 1 ? "yes" : "no"));
    }
    return sb.toString();
  }

  private String rowsWritten(CapturedTable captured) {
    try {
      Table table =
          catalog.loadTable(
              captured.appendOnly()
                  ? TableNames.changelog(config.sink().namespace(), captured.id())
                  : TableNames.mirror(config.sink().namespace(), captured.id()));
      Snapshot snapshot = table.currentSnapshot();
      String records = snapshot == null ? null : snapshot.summary().get("total-records");
      return records == null ? "0" : records;
    } catch (RuntimeException e) {
      return "0";
    }
  }

  private static String seconds(Number millis) {
    return millis == null ? "-" : String.format("%.1fs", Math.max(0, millis.longValue()) / 1000.0);
  }

  private static String bytes(Number bytes) {
    if (bytes == null) {
      return "-";
    }
    long b = bytes.longValue();
    if (b < 1024) {
      return b + " B";
    }
    if (b < 1024 * 1024) {
      return String.format("%.1f KiB", b / 1024.0);
    }
    return String.format("%.1f MiB", b / (1024.0 * 1024));
  }

  @Override
  public void close() {
    CatalogSpec.closeQuietly(catalog);
  }
}
