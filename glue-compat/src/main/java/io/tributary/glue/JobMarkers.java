package io.tributary.glue;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.apache.iceberg.Table;

/**
 * Snapshot summary keys and table properties by which the jobs mark their work, so that the
 * streaming job, the maintenance job and the backfill can tell each other's commits apart.
 */
public final class JobMarkers {
  /** Snapshot summary key of maintenance commits; the value names the step. */
  public static final String MAINTENANCE = "tributary.maintenance";

  /** Snapshot summary key of the backfill's commit; the value is the backfill's run id. */
  public static final String BACKFILL = "tributary.backfill";

  /**
   * Table property set while a backfill restates the table (an ISO instant); maintenance skips the
   * table meanwhile, because a compaction or a removal of delete files between the backfill's start
   * and its commit could change what the backfill's older rows are hidden by.
   */
  public static final String BACKFILL_STARTED_AT = "tributary.backfill.started-at";

  /** A backfill marker older than this is left over from a crashed run and is ignored. */
  public static final Duration BACKFILL_MARKER_EXPIRY = Duration.ofHours(48);

  private JobMarkers() {}

  /** When a backfill that is still running started, if one is. */
  public static Optional<String> runningBackfill(Table table) {
    String started = table.properties().get(BACKFILL_STARTED_AT);
    if (started == null) {
      return Optional.empty();
    }
    try {
      Instant at = Instant.parse(started);
      if (at.plus(BACKFILL_MARKER_EXPIRY).isBefore(Instant.now())) {
        return Optional.empty();
      }
    } catch (DateTimeParseException e) {
      return Optional.of(started);
    }
    return Optional.of(started);
  }
}
