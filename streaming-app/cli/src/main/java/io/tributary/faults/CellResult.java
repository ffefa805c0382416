package io.tributary.faults;

import io.tributary.verify.VerifyResult;
import java.util.ArrayList;
import java.util.List;

/** The outcome of one cell of the matrix: one row of the report. */
final class CellResult {
  final Fault fault;
  String phase;
  long recoverMillis = -1;
  long lost;
  long notDeleted;
  long duplicated;
  int tablesEqual;
  int tables;
  long transactions;
  long failedTransactions;
  int jobStarts;
  String problem;
  boolean expectedStopCell;
  String stopMessage;

  /** What the job said about the fault, for a fault whose cell looks for it. */
  String said;

  /** Why the cell did not run on this machine, or null. */
  String notRun;

  final List<String> differences = new ArrayList<>();

  CellResult(Fault fault) {
    this.fault = fault;
  }

  /**
   * Whether the cell passed: nothing lost, left undeleted or duplicated, every table equal; for a
   * fault the job must not recover from, the job stopped and said why.
   */
  boolean clean() {
    if (notRun != null) {
      return false;
    }
    if (expectedStopCell) {
      return problem == null && stopMessage != null;
    }
    return problem == null
        && lost == 0
        && notDeleted == 0
        && duplicated == 0
        && tablesEqual == tables;
  }

  /**
   * Takes the last verification of the lake: counts the tables, the equal ones, and each difference
   * as lost, not deleted or duplicated by what it says.
   */
  void verified(List<VerifyResult> last) {
    tables = last.size();
    for (VerifyResult v : last) {
      if (v.equal()) {
        tablesEqual++;
      }
      for (String d : v.differences()) {
        differences.add(v.table() + ": " + d);
        if (d.contains("missing in the lake") || d.contains("values differ")) {
          lost++;
        } else if (d.contains("in the lake but not in the source")) {
          notDeleted++;
        } else if (d.contains("holds the key")
            || d.contains("times in the lake")
            || d.contains("holds this change")
            || d.contains("duplicate")) {
          duplicated++;
        }
      }
    }
  }
}
