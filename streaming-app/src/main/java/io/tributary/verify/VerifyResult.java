package io.tributary.verify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The outcome of comparing one source table with its mirror table. */
public final class VerifyResult {
  private final String table;
  private final long sourceRows;
  private final long mirrorRows;
  private final boolean equal;
  private final List<String> differences;

  public VerifyResult(
      String table, long sourceRows, long mirrorRows, boolean equal, List<String> differences) {
    this.table = table;
    this.sourceRows = sourceRows;
    this.mirrorRows = mirrorRows;
    this.equal = equal;
    this.differences = Collections.unmodifiableList(new ArrayList<>(differences));
  }

  public String table() {
    return table;
  }

  public long sourceRows() {
    return sourceRows;
  }

  public long mirrorRows() {
    return mirrorRows;
  }

  /** Whether both sides hold the same rows with the same values. */
  public boolean equal() {
    return equal;
  }

  /** The first differing keys, with how they differ. */
  public List<String> differences() {
    return differences;
  }

  @Override
  public String toString() {
    return (equal ? "EQUAL     " : "DIFFERENT ")
        + table
        + "  source rows "
        + sourceRows
        + ", lake rows "
        + mirrorRows
        + (differences.isEmpty() ? "" : "\n    " + String.join("\n    ", differences));
  }
}
