package io.tributary.sink;

/**
 * The marks the streaming job leaves on the mirror tables, which the Glue jobs read: the snapshot
 * summary key of the job's commits and the table properties of a parked table. The streaming job's
 * operators ({@code IcebergCommitterOperator}, {@code IcebergWriterOperator}, {@code TableManager})
 * name the same keys through these constants.
 */
public final class StreamMarkers {
  private StreamMarkers() {}

  /** Snapshot summary key: the run that committed the snapshot. */
  public static final String RUN_ID = "tributary.run-id";

  /** Table property: why the table is parked (its changes go to dead letters); absent if not. */
  public static final String BLOCKED = "tributary.blocked";

  /**
   * Table property: the source position (LSN) of the change that parked the table. Removed with
   * {@link #BLOCKED} when the table is recovered.
   */
  public static final String BLOCKED_LSN = "tributary.blocked-lsn";

  /**
   * Table property set by a backfill that removed the parked marker: the writers still parked on it
   * resume at their next checkpoint barrier. A writer that saw the property at barrier {@code c}
   * removes it once checkpoint {@code c + 1} completed: every writer then passed a barrier after
   * the backfill's commit, so writes the table again. The next backfill waits for that.
   */
  public static final String RESUMING = "tributary.resuming";
}
