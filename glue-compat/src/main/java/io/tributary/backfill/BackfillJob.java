package io.tributary.backfill;

import io.tributary.change.TableId;
import io.tributary.control.ControlTable;
import io.tributary.control.JobRecords;
import io.tributary.glue.ArgumentException;
import io.tributary.glue.GlueArguments;
import io.tributary.glue.JobMarkers;
import io.tributary.glue.LakeSettings;
import io.tributary.glue.LakeTables;
import io.tributary.glue.SparkSessions;
import io.tributary.sink.IcebergSchemas;
import io.tributary.sink.StreamMarkers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.SerializableTable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateProperties;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backfill Glue job: restates one mirror table ({@code --table}) from a consistent snapshot of
 * its source table, read in parallel key ranges over JDBC, while the stream keeps running. See
 * docs/backfill.md for the commit protocol and why it never overwrites a newer change.
 */
public final class BackfillJob {
  private static final Logger LOG = LoggerFactory.getLogger(BackfillJob.class);

  /** Prefix of the report line on standard output. */
  public static final String REPORT_PREFIX = "TRIBUTARY_BACKFILL_REPORT ";

  /** How long a backfill waits for the stream to resume a table a backfill unparked. */
  private static final Duration RESUME_WAIT = Duration.ofMinutes(10);

  /** Every argument the job accepts besides Glue's own. */
  public static final List<String> ARGUMENTS =
      Stream.concat(LakeSettings.KEYS.stream(), BackfillOptions.KEYS.stream())
          .collect(Collectors.toUnmodifiableList());

  private BackfillJob() {}

  public static void main(String[] args) throws Exception {
    GlueArguments parsed = GlueArguments.parse(args, ARGUMENTS);
    LakeSettings lake = LakeSettings.from(parsed);
    BackfillOptions options = BackfillOptions.from(parsed);
    SparkSession spark = SparkSessions.create("tributary-backfill", lake.catalogSpec());
    run(spark, lake, options, sourceAccess(lake, options), System.out);
  }

  /** The source login: from the arguments in AWS, else from the configuration file. */
  static SourceAccess sourceAccess(LakeSettings lake, BackfillOptions options) {
    if (options.jdbcUrl() != null) {
      return SourceAccess.of(
          options.jdbcUrl(),
          options.sourceUser(),
          options.sourceSecretArn(),
          options.sourceSecretKey(),
          options.sslRootCert());
    }
    return lake.fileConfig()
        .map(c -> SourceAccess.of(c.source()))
        .orElseThrow(
            () ->
                new ArgumentException(
                    "the source is not described: pass --jdbc-url and --source-secret-arn, or"
                        + " --config FILE"));
  }

  /**
   * Restates the table and prints and returns the report; with a control table, its backfill status
   * is RUNNING meanwhile, then SUCCEEDED with the report or FAILED with the error.
   */
  public static BackfillReport run(
      SparkSession spark,
      LakeSettings lake,
      BackfillOptions options,
      SourceAccess source,
      PrintStream out)
      throws Exception {
    Optional<JobRecords> opened = lake.control().flatMap(JobRecords::tryOpen);
    if (opened.isEmpty()) {
      return restate(spark, lake, options, source, out);
    }
    String name = LakeTables.lakeName(lake.namespace(), options.table());
    try (JobRecords records = opened.get()) {
      records.backfill(lake.namespace(), name, ControlTable.RUNNING, null);
      try {
        BackfillReport report = restate(spark, lake, options, source, out);
        records.backfill(lake.namespace(), name, ControlTable.SUCCEEDED, report.toJson());
        return report;
      } catch (Exception | Error e) {
        records.backfill(lake.namespace(), name, ControlTable.FAILED, e.toString());
        throw e;
      }
    }
  }

  private static BackfillReport restate(
      SparkSession spark,
      LakeSettings lake,
      BackfillOptions options,
      SourceAccess source,
      PrintStream out)
      throws Exception {
    long started = System.nanoTime();
    String name = LakeTables.lakeName(lake.namespace(), options.table());
    String qualified = lake.namespace() + "." + name;
    String runId = UUID.randomUUID().toString();
    Table table = LakeTables.load(spark, lake.namespace(), name);
    // A bad range is refused before anything is changed.
    KeyBounds bounds = KeyBounds.of(table.schema(), qualified, options.keyFrom(), options.keyTo());
    awaitResumed(table, qualified);
    table.updateProperties().set(JobMarkers.BACKFILL_STARTED_AT, Instant.now().toString()).commit();
    boolean committed = false;
    try {
      table.refresh();
      // The past the backfill replaces: read before the source snapshot is opened.
      Snapshot base = table.currentSnapshot();
      List<DataFile> written;
      TableId sourceTable;
      long lsn;
      try (SourceSnapshot snapshot = SourceSnapshot.open(source)) {
        lsn = snapshot.lsn();
        sourceTable = snapshot.findTable(name);
        Map<String, String> sourceColumns = snapshot.columns(sourceTable);
        Set<String> money = snapshot.moneyColumns(sourceTable);
        List<Types.NestedField> fields = table.schema().columns();
        List<String> selected = new ArrayList<>();
        int[] positions = new int[fields.size()];
        for (int i = 0; i < fields.size(); i++) {
          String field = fields.get(i).name();
          String column = sourceColumns.get(field);
          if (column != null && !IcebergSchemas.METADATA_COLUMNS.contains(field)) {
            selected.add(money.contains(field) ? column + "::numeric" : column);
            positions[i] = selected.size();
          }
        }
        List<String> keys = new ArrayList<>();
        boolean integerKey = true;
        for (Integer id : table.schema().identifierFieldIds()) {
          Types.NestedField key = table.schema().findField(id);
          String column = sourceColumns.get(key.name());
          if (column == null) {
            throw new IllegalStateException(
                "Key column " + key.name() + " of " + qualified + " is missing in " + sourceTable);
          }
          keys.add(column);
          Type.TypeID type = key.type().typeId();
          integerKey &= type == Type.TypeID.INTEGER || type == Type.TypeID.LONG;
        }
        String quotedTable =
            SourceSnapshot.quote(sourceTable.schema())
                + "."
                + SourceSnapshot.quote(sourceTable.table());
        String restriction = bounds == null ? null : bounds.sqlCondition(keys.get(0));
        List<KeyRange> ranges =
            snapshot.ranges(
                quotedTable,
                keys,
                integerKey && !keys.isEmpty(),
                options.parallelism(),
                restriction);
        LOG.info(
            "Backfilling {}{} from {} at source position {} in {} key ranges (base snapshot {})",
            qualified,
            bounds == null ? "" : ", keys " + bounds,
            sourceTable,
            lsn,
            ranges.size(),
            base == null ? "none" : base.snapshotId());
        RangeLoader loader =
            new RangeLoader(
                SerializableTable.copyOf(table),
                source,
                snapshot.snapshotId(),
                "SELECT " + String.join(", ", selected) + " FROM " + quotedTable,
                positions,
                options.fetchSize(),
                "backfill-" + runId,
                lsn,
                snapshot.time());
        List<byte[]> results =
            JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(ranges, ranges.size())
                .map(loader)
                .collect();
        written = new ArrayList<>();
        for (byte[] bytes : results) {
          written.addAll(deserialize(bytes));
        }
      }
      BackfillReport report =
          BackfillCommit.commit(
              table, qualified, sourceTable, base, bounds, written, runId, lsn, started);
      committed = true;
      out.println(REPORT_PREFIX + report.toJson());
      out.flush();
      return report;
    } finally {
      table.refresh();
      UpdateProperties done = table.updateProperties().remove(JobMarkers.BACKFILL_STARTED_AT);
      if (committed && table.properties().containsKey(StreamMarkers.BLOCKED)) {
        // The table now holds the source's rows: the stream's writers resume it at their next
        // checkpoint barrier (a parked table's recovery, see docs/operations.md).
        LOG.warn(
            "Backfilled {}, which was parked ({}): the stream writes its changes again from its"
                + " next checkpoint",
            qualified,
            table.properties().get(StreamMarkers.BLOCKED));
        done.remove(StreamMarkers.BLOCKED)
            .remove(StreamMarkers.BLOCKED_LSN)
            .set(StreamMarkers.RESUMING, Instant.now().toString());
      }
      done.commit();
    }
  }

  /**
   * Waits while the stream's writers have not all resumed the table since a backfill removed its
   * parked marker ({@link StreamMarkers#RESUMING}): a source snapshot opened before would miss
   * changes a still-parked writer sends to the dead letters afterwards.
   */
  private static void awaitResumed(Table table, String qualified) throws InterruptedException {
    long deadline = System.nanoTime() + RESUME_WAIT.toNanos();
    boolean logged = false;
    while (table.properties().containsKey(StreamMarkers.RESUMING)) {
      if (!logged) {
        LOG.info(
            "Waiting until every writer of the stream writes {} again (its property {} is set)",
            qualified,
            StreamMarkers.RESUMING);
        logged = true;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "The streaming job has not confirmed within "
                + RESUME_WAIT.toMinutes()
                + " minutes that every writer writes "
                + qualified
                + " again since the last backfill removed its parked marker (table property "
                + StreamMarkers.RESUMING
                + " = "
                + table.properties().get(StreamMarkers.RESUMING)
                + "); nothing was changed. The job must be running and the table must receive a"
                + " change: run the backfill again then. If the job was restarted since that"
                + " backfill, remove the property and run it again.");
      }
      Thread.sleep(2000);
      table.refresh();
    }
  }

  @SuppressWarnings("unchecked")
  private static List<DataFile> deserialize(byte[] bytes) {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return (List<DataFile>) in.readObject();
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalStateException("Cannot read the files a backfill task wrote", e);
    }
  }
}
