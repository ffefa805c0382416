package io.tributary.local;

import io.tributary.catalog.CatalogSpec;
import io.tributary.config.TributaryConfig;
import io.tributary.sink.IcebergCommitterOperator;
import io.tributary.sink.TableNames;
import io.tributary.source.CapturedTable;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;

/**
 * Prints one line per table from the lake's own commit history: rows committed, changes per second,
 * lag behind the source, and the age of the last commit.
 */
final class Progress implements AutoCloseable {
  private final Catalog catalog;
  private final TributaryConfig config;
  private final List<CapturedTable> tables;
  private final PrintStream out;
  private final Map<String, long[]> previous = new HashMap<>();
  private final Map<String, Long> estimates;

  Progress(
      CatalogSpec spec,
      TributaryConfig config,
      List<CapturedTable> tables,
      Map<String, Long> estimates,
      PrintStream out) {
    this.estimates = estimates;
    this.catalog = spec.open();
    this.config = config;
    this.tables = tables;
    this.out = out;
  }

  void print() {
    long now = System.currentTimeMillis();
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "%n%-28s %9s %12s %10s %10s %12s%n",
            "table", "snapshot", "rows written", "changes/s", "lag", "last commit"));
    for (CapturedTable captured : tables) {
      String name = TableNames.mirrorName(captured.id());
      Table table;
      try {
        table =
            catalog.loadTable(
                captured.appendOnly()
                    ? TableNames.changelog(config.sink().namespace(), captured.id())
                    : TableNames.mirror(config.sink().namespace(), captured.id()));
      } catch (RuntimeException e) {
        sb.append(String.format("%-28s %9s%n", name, "0%"));
        continue;
      }
      Snapshot snapshot = table.currentSnapshot();
      if (snapshot == null) {
        sb.append(String.format("%-28s %9s%n", name, "0%"));
        continue;
      }
      Map<String, String> summary = snapshot.summary();
      long records = parse(summary.get("total-records"));
      long deletes =
          parse(summary.get("total-position-deletes"))
              + parse(summary.get("total-equality-deletes"));
      long[] prev = previous.get(name);
      double rate = 0;
      if (prev != null && now > prev[1]) {
        rate = (records + deletes - prev[0]) * 1000.0 / (now - prev[1]);
      }
      previous.put(name, new long[] {records + deletes, now});
      String ts = summary.get(IcebergCommitterOperator.MAX_SOURCE_TS);
      String lag = ts == null ? "-" : seconds(now - Long.parseLong(ts) / 1000);
      long estimate = estimates.getOrDefault(name, 0L);
      String snapshotted = estimate <= 0 ? "-" : Math.min(100, records * 100 / estimate) + "%";
      sb.append(
          String.format(
              "%-28s %9s %12d %10.1f %10s %12s%n",
              name,
              snapshotted,
              records,
              rate,
              lag,
              seconds(now - snapshot.timestampMillis()) + " ago"));
    }
    out.print(sb);
    out.flush();
  }

  private static long parse(String value) {
    return value == null ? 0 : Long.parseLong(value);
  }

  private static String seconds(long millis) {
    return String.format("%.1fs", Math.max(0, millis) / 1000.0);
  }

  @Override
  public void close() {
    CatalogSpec.closeQuietly(catalog);
  }
}
