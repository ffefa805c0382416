package io.tributary.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FaultReportTest {

  private static CellResult recovered() {
    CellResult r =
        new CellResult(
            new Fault(
                "source-crash",
                "source postmaster killed (SIGKILL)",
                FaultPhase.STREAMING,
                new SourceCrash()));
    r.phase = "streaming";
    r.recoverMillis = 4_250;
    r.tables = 3;
    r.tablesEqual = 3;
    r.transactions = 900;
    r.failedTransactions = 2;
    r.jobStarts = 1;
    return r;
  }

  @Test
  void aCleanCellsLineSaysWhatWasMeasured() {
    assertThat(FaultReport.line(recovered()))
        .isEqualTo(
            "ok: injected during streaming, recovered in 4.3 s, lost 0, not deleted 0, duplicated"
                + " 0, tables equal 3/3, 900 transactions (2 retried), job started 1 times");
  }

  @Test
  void aCellThatFailedBeforeVerifyingSaysOnlyWhy() {
    CellResult r = recovered();
    r.tables = 0;
    r.problem = "the cell failed: boom";
    assertThat(FaultReport.line(r)).isEqualTo("FAILED: the cell failed: boom");
  }

  @Test
  void theReportListsEveryCellAndTheProblemsOfTheCellsThatWereNotClean() {
    CellResult clean = recovered();
    CellResult lost = recovered();
    lost.recoverMillis = -1;
    lost.lost = 1;
    lost.tablesEqual = 2;
    lost.differences.add("lake.orders: id=7: missing in the lake");
    CellResult stopped =
        new CellResult(
            new Fault(
                "slot-lost",
                "replication slot invalidated",
                FaultPhase.STREAMING,
                new SlotLoss(),
                "wal_status = lost"));
    stopped.expectedStopCell = true;
    stopped.stopMessage = "Replication slot ... wal_status = lost";

    String report = FaultReport.report(List.of(clean, lost, stopped), true);

    assertThat(report.lines())
        .containsExactly(
            "| Fault | Injected during | Recovered in | Lost | Not deleted | Duplicated | Tables"
                + " equal | Result |",
            "|---|---|---|---|---|---|---|---|",
            "| source postmaster killed (SIGKILL) | streaming | 4.3 s | 0 | 0 | 0 | 3/3 | ok |",
            "| source postmaster killed (SIGKILL) | streaming | no commit | 1 | 0 | 0 | 2/3 | NOT"
                + " OK |",
            "| replication slot invalidated | streaming | stops for good (must not recover) | - |"
                + " - | - | - | ok |",
            "",
            "source-crash/streaming:",
            "- lake.orders: id=7: missing in the lake");
  }
}
