package io.tributary.faults;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The matrix's results as text: one line per cell while it runs, and the Markdown table (with the
 * problems of the cells that were not clean) written to docs/reliability.md.
 */
final class FaultReport {
  private FaultReport() {}

  /** The line printed after a cell. */
  static String line(CellResult r) {
    if (r.notRun != null) {
      return "not run: " + r.notRun;
    }
    if (r.expectedStopCell && r.clean()) {
      return "ok: the job stopped for good, as it must: " + r.stopMessage;
    }
    if (r.problem != null && r.tables == 0) {
      return "FAILED: " + r.problem;
    }
    return String.format(
            Locale.ROOT,
            "%s: injected during %s, recovered in %s, lost %d, not deleted %d, duplicated %d, tables"
                + " equal %d/%d, %d transactions (%d retried), job started %d times%s",
            r.clean() ? "ok" : "NOT OK",
            r.phase,
            r.recoverMillis < 0
                ? "(no commit)"
                : String.format(Locale.ROOT, "%.1f s", r.recoverMillis / 1000.0),
            r.lost,
            r.notDeleted,
            r.duplicated,
            r.tablesEqual,
            r.tables,
            r.transactions,
            r.failedTransactions,
            r.jobStarts,
            r.problem == null ? "" : "; " + r.problem.lines().findFirst().orElse(""))
        + (r.said == null ? "" : "\n  the job said: " + r.said);
  }

  /** The results table in Markdown, then the problems of each cell that was not clean. */
  static String report(List<CellResult> results, boolean quick) {
    StringBuilder b = new StringBuilder();
    b.append(
        "| Fault | Injected during | Recovered in | Lost | Not deleted | Duplicated | Tables equal |"
            + " Result |\n");
    b.append("|---|---|---|---|---|---|---|---|\n");
    for (CellResult r : results) {
      if (r.notRun != null) {
        b.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | not run: %s | - | - | - | - | not run |\n",
                r.fault.description,
                r.fault.phase.label,
                r.notRun));
        continue;
      }
      if (r.expectedStopCell) {
        b.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | stops for good (must not recover) | - | - | - | - | %s |\n",
                r.fault.description,
                r.phase == null ? r.fault.phase.label : r.phase,
                r.clean() ? "ok" : "NOT OK"));
        continue;
      }
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %d | %d | %d | %d/%d | %s |\n",
              r.fault.description,
              r.phase == null ? r.fault.phase.label : r.phase,
              r.recoverMillis < 0
                  ? "no commit"
                  : String.format(Locale.ROOT, "%.1f s", r.recoverMillis / 1000.0),
              r.lost,
              r.notDeleted,
              r.duplicated,
              r.tablesEqual,
              r.tables,
              r.clean() ? "ok" : "NOT OK"));
    }
    Map<String, List<String>> problems = new LinkedHashMap<>();
    for (CellResult r : results) {
      if (r.said != null) {
        b.append("\n").append(r.fault.name()).append(", what the job said:\n");
        b.append("- ").append(r.said).append('\n');
      }
    }
    for (CellResult r : results) {
      if (!r.clean() && r.notRun == null) {
        List<String> lines = new ArrayList<>();
        if (r.problem != null) {
          lines.add(r.problem.lines().findFirst().orElse(""));
        }
        lines.addAll(r.differences.subList(0, Math.min(10, r.differences.size())));
        problems.put(r.fault.id + "/" + r.fault.phase.label, lines);
      }
    }
    for (Map.Entry<String, List<String>> e : problems.entrySet()) {
      b.append("\n").append(e.getKey()).append(":\n");
      for (String l : e.getValue()) {
        b.append("- ").append(l).append('\n');
      }
    }
    return b.toString();
  }
}
