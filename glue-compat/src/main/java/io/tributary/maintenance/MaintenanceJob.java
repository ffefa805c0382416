package io.tributary.maintenance;

import io.tributary.control.JobRecords;
import io.tributary.glue.GlueArguments;
import io.tributary.glue.LakeSettings;
import io.tributary.glue.LakeTables;
import io.tributary.glue.SparkSessions;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The maintenance Glue job: maintains one table ({@code --table}) or every table of the namespace
 * ({@code --all-tables true}) and prints one JSON report line per table, prefixed with {@value
 * #REPORT_PREFIX}. With a control table ({@code --control-table}), records each report there as
 * {@code MAINT#<start>} and, after a success, resets the table's file counters. Fails (after trying
 * every table) when a table could not be maintained.
 */
public final class MaintenanceJob {
  private static final Logger LOG = LoggerFactory.getLogger(MaintenanceJob.class);

  /** Prefix of each report line on standard output. */
  public static final String REPORT_PREFIX = "TRIBUTARY_MAINTENANCE_REPORT ";

  /** Every argument the job accepts besides Glue's own. */
  public static final List<String> ARGUMENTS =
      Stream.concat(LakeSettings.KEYS.stream(), MaintenanceOptions.KEYS.stream())
          .collect(Collectors.toUnmodifiableList());

  private MaintenanceJob() {}

  public static void main(String[] args) {
    GlueArguments parsed = GlueArguments.parse(args, ARGUMENTS);
    LakeSettings lake = LakeSettings.from(parsed);
    MaintenanceOptions options = MaintenanceOptions.from(parsed);
    SparkSession spark = SparkSessions.create("tributary-maintenance", lake.catalogSpec());
    List<MaintenanceReport> reports = run(spark, lake, options, System.out);
    failIfAny(reports);
  }

  /** Maintains the selected tables, printing each report as it is done; returns the reports. */
  public static List<MaintenanceReport> run(
      SparkSession spark, LakeSettings lake, MaintenanceOptions options, PrintStream out) {
    List<String> names =
        options.allTables()
            ? LakeTables.list(lake.catalogSpec(), lake.namespace())
            : List.of(LakeTables.lakeName(lake.namespace(), options.table()));
    // Iceberg's actions read files through the thread's active session (their worker threads
    // inherit it from this one): make it the session they are given, not whichever session this
    // thread last saw (a caller running several jobs in one JVM, as the local orchestration does).
    SparkSession.setActiveSession(spark);
    TableMaintenance maintenance = new TableMaintenance(spark, options);
    List<MaintenanceReport> reports = new ArrayList<>();
    JobRecords records = lake.control().flatMap(JobRecords::tryOpen).orElse(null);
    try {
      for (String name : names) {
        String qualified = lake.namespace() + "." + name;
        long started = System.nanoTime();
        Instant startedAt = Instant.now();
        JobRecords.Counters before =
            records == null ? null : records.counters(lake.namespace(), name);
        MaintenanceReport report;
        try {
          Table table = LakeTables.load(spark, lake.namespace(), name);
          report = maintenance.run(qualified, table);
        } catch (RuntimeException e) {
          if (records != null) {
            records.maintenance(
                lake.namespace(), name, startedAt, false, null, e.toString(), before);
          }
          if (!options.allTables()) {
            throw e;
          }
          LOG.error("Maintenance of {} failed", qualified, e);
          report =
              MaintenanceReport.notDone(
                  qualified, "failed", e.toString(), (System.nanoTime() - started) / 1_000_000);
          out.println(REPORT_PREFIX + report.toJson());
          reports.add(report);
          continue;
        }
        if (records != null) {
          records.maintenance(
              lake.namespace(), name, startedAt, report.succeeded(), report.toJson(), null, before);
        }
        out.println(REPORT_PREFIX + report.toJson());
        out.flush();
        reports.add(report);
      }
    } finally {
      if (records != null) {
        records.close();
      }
    }
    return reports;
  }

  /**
   * @throws IllegalStateException naming the tables that failed
   */
  static void failIfAny(List<MaintenanceReport> reports) {
    List<String> failed =
        reports.stream()
            .filter(r -> !r.succeeded())
            .map(MaintenanceReport::table)
            .collect(Collectors.toList());
    if (!failed.isEmpty()) {
      throw new IllegalStateException("Maintenance failed for " + failed + ": see the log");
    }
  }
}
