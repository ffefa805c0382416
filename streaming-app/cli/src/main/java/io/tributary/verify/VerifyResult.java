package io.tributary.verify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The outcome of comparing one source table with its lake table. */
public final class VerifyResult {
  /** What the comparison found. */
  public enum State {
    /** Both sides hold the same rows with the same values. */
    EQUAL("EQUAL     "),
    /** The sides differ: {@link #differences()} names the keys and columns. */
    DIFFERENT("DIFFERENT "),
    /**
     * The table could not be compared (the lake does not hold what is needed to rebuild the source
     * rows): {@link #differences()} says why. Never counts as equal.
     */
    NOT_COMPARED("NOT COMPARED ");

    private final String label;

    State(String label) {
      this.label = label;
    }

    /** The state as printed, with the space before the table name. */
    public String label() {
      return label;
    }
  }

  private final String table;
  private final long sourceRows;
  private final long mirrorRows;
  private final State state;
  private final List<String> differences;

  public VerifyResult(
      String table, long sourceRows, long mirrorRows, boolean equal, List<String> differences) {
    this(table, sourceRows, mirrorRows, equal ? State.EQUAL : State.DIFFERENT, differences);
  }

  public VerifyResult(
      String table, long sourceRows, long mirrorRows, State state, List<String> differences) {
    this.table = table;
    this.sourceRows = sourceRows;
    this.mirrorRows = mirrorRows;
    this.state = state;
    this.differences = Collections.unmodifiableList(new ArrayList<>(differences));
  }

  public String table() {
    return table;
  }

  /** The source's rows, or -1 when they could not be read (a table the user may not read). */
  public long sourceRows() {
    return sourceRows;
  }

  public long mirrorRows() {
    return mirrorRows;
  }

  /** What the comparison found. */
  public State state() {
    return state;
  }

  /** Whether both sides were compared and hold the same rows with the same values. */
  public boolean equal() {
    return state == State.EQUAL;
  }

  /** Whether both sides were compared and differ. */
  public boolean different() {
    return state == State.DIFFERENT;
  }

  /** The first differing keys, with how they differ; or why the table was not compared. */
  public List<String> differences() {
    return differences;
  }

  @Override
  public String toString() {
    return state.label()
        + table
        + "  source rows "
        + (sourceRows < 0 ? "not readable" : Long.toString(sourceRows))
        + ", lake rows "
        + mirrorRows
        + (differences.isEmpty() ? "" : "\n    " + String.join("\n    ", differences));
  }
}
