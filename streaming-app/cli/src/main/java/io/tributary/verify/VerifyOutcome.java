package io.tributary.verify;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides a comparison's outcome from what was found: EQUAL, DIFFERENT, or NOT COMPARED when the
 * lake does not hold what is needed to rebuild the source rows, with the lines that say why.
 */
final class VerifyOutcome {
  private VerifyOutcome() {}

  /**
   * Why a changelog cannot be replayed into the source's current rows, or null when it can.
   *
   * @param table the changelog table's name
   * @param ops the changelog's change rows by operation
   * @param wholeRowDeletes whether a delete's change row holds the whole row
   */
  static String unreplayable(String table, OpCounts ops, boolean wholeRowDeletes) {
    if (ops.updates > 0) {
      return "append-only: "
          + table
          + " holds "
          + ops.updates
          + " updates, and a change row keeps no row's values before its update: the current"
          + " rows cannot be rebuilt from it, so it is not compared (query it to check the"
          + " changes themselves)";
    }
    if (ops.deletes > 0 && !wholeRowDeletes) {
      return "append-only: "
          + table
          + " holds "
          + ops.deletes
          + " deletes that carry only the key (the table's REPLICA IDENTITY is not FULL): the"
          + " current rows cannot be rebuilt from it, so it is not compared";
    }
    return null;
  }

  /** A changelog not compared: its row count is every change row it holds. */
  static VerifyResult notCompared(String table, long sourceRows, OpCounts ops, String reason) {
    return new VerifyResult(
        table, sourceRows, ops.total(), VerifyResult.State.NOT_COMPARED, List.of(reason));
  }

  /** One difference line per source column that has no column in the lake. */
  static List<String> columnsNotInLake(List<String> notInLake) {
    List<String> differences = new ArrayList<>();
    for (String column : notInLake) {
      differences.add(
          "column "
              + column
              + " of the source has no column in the lake (it is added with the next change the"
              + " job writes after the column was added; backfill the table to fill it)");
    }
    return differences;
  }

  /**
   * The outcome of a comparison that ran: EQUAL without differences, DIFFERENT with them, except
   * that a changelog whose source table has changes the changelog never receives is NOT COMPARED (a
   * difference cannot be told from lost changes), with the reason first.
   *
   * @param uncapturedChanges why some changes never reach the changelog, or null when all do
   */
  static VerifyResult of(
      String table,
      long sourceRows,
      long lakeRows,
      boolean changelog,
      String uncapturedChanges,
      List<String> differences) {
    if (changelog && !differences.isEmpty() && uncapturedChanges != null) {
      differences.add(
          0,
          "append-only: the rows the changelog inserted differ from the source rows, and "
              + uncapturedChanges
              + ", so the difference cannot be told from lost changes");
      return new VerifyResult(
          table, sourceRows, lakeRows, VerifyResult.State.NOT_COMPARED, differences);
    }
    return new VerifyResult(
        table,
        sourceRows,
        lakeRows,
        differences.isEmpty() ? VerifyResult.State.EQUAL : VerifyResult.State.DIFFERENT,
        differences);
  }
}
