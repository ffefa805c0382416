package io.tributary.maintenance;

import io.tributary.glue.ArgumentException;
import io.tributary.glue.GlueArguments;
import java.time.Duration;
import java.util.List;

/**
 * What one maintenance run does: which tables, the target data file size, snapshot retention (age
 * and count) and the minimum age of a file before it may be removed as an orphan.
 *
 * @param table one table name of the namespace, or null with {@code allTables}
 * @param allTables every table of the namespace
 */
public record MaintenanceOptions(
    String table,
    boolean allTables,
    long targetFileSizeBytes,
    Duration snapshotRetention,
    int snapshotRetentionMinCount,
    Duration orphanMinAge) {

  public static final String TABLE = "--table";
  public static final String ALL_TABLES = "--all-tables";
  public static final String TARGET_FILE_SIZE_BYTES = "--target-file-size-bytes";
  public static final String SNAPSHOT_RETENTION_HOURS = "--snapshot-retention-hours";
  public static final String SNAPSHOT_RETENTION_MIN_COUNT = "--snapshot-retention-min-count";
  public static final String ORPHAN_MIN_AGE_HOURS = "--orphan-min-age-hours";

  /** The job's own arguments (the shared lake arguments come on top). */
  public static final List<String> KEYS =
      List.of(
          TABLE,
          ALL_TABLES,
          TARGET_FILE_SIZE_BYTES,
          SNAPSHOT_RETENTION_HOURS,
          SNAPSHOT_RETENTION_MIN_COUNT,
          ORPHAN_MIN_AGE_HOURS);

  static final long DEFAULT_TARGET_FILE_SIZE_BYTES = 128L * 1024 * 1024;
  static final long DEFAULT_SNAPSHOT_RETENTION_HOURS = 24;
  static final int DEFAULT_SNAPSHOT_RETENTION_MIN_COUNT = 10;
  static final long DEFAULT_ORPHAN_MIN_AGE_HOURS = 72;

  /**
   * Files younger than this are never orphans: the streaming job writes data files before it
   * commits them, and after a failure it may commit the files of its last checkpoint much later.
   */
  static final long MIN_ORPHAN_AGE_HOURS = 24;

  public MaintenanceOptions {
    if ((table == null) == !allTables) {
      throw new ArgumentException(
          "name the tables to maintain: give either "
              + TABLE
              + " NAME or "
              + ALL_TABLES
              + " true, not both and not neither");
    }
    if (orphanMinAge.compareTo(Duration.ofHours(MIN_ORPHAN_AGE_HOURS)) < 0) {
      throw new ArgumentException(
          ORPHAN_MIN_AGE_HOURS
              + " is "
              + orphanMinAge.toHours()
              + " but must be at least "
              + MIN_ORPHAN_AGE_HOURS
              + ": younger files may belong to a commit in progress or to a checkpoint the"
              + " streaming job has not committed yet");
    }
  }

  /** Reads the options from parsed arguments, with the defaults for those not given. */
  public static MaintenanceOptions from(GlueArguments args) {
    boolean all = args.getBoolean(ALL_TABLES);
    return new MaintenanceOptions(
        args.get(TABLE),
        all,
        args.getLong(TARGET_FILE_SIZE_BYTES, DEFAULT_TARGET_FILE_SIZE_BYTES, 1024 * 1024),
        Duration.ofHours(
            args.getLong(SNAPSHOT_RETENTION_HOURS, DEFAULT_SNAPSHOT_RETENTION_HOURS, 0)),
        (int) args.getLong(SNAPSHOT_RETENTION_MIN_COUNT, DEFAULT_SNAPSHOT_RETENTION_MIN_COUNT, 1),
        Duration.ofHours(args.getLong(ORPHAN_MIN_AGE_HOURS, DEFAULT_ORPHAN_MIN_AGE_HOURS, 0)));
  }
}
