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
import io.tributary.maintenance.DanglingDeletes;
import io.tributary.maintenance.StreamSnapshots;
import io.tributary.sink.IcebergSchemas;
import io.tributary.sink.StreamMarkers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.SerializableTable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.DataFileSet;
import org.apache.iceberg.util.DeleteFileSet;
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
  private static final java.time.Duration RESUME_WAIT = java.time.Duration.ofMinutes(10);

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
    java.util.Optional<JobRecords> opened = lake.control().flatMap(JobRecords::tryOpen);
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
        java.util.Set<String> money = snapshot.moneyColumns(sourceTable);
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
        List<KeyRange> ranges =
            snapshot.ranges(
                quotedTable, keys, integerKey && !keys.isEmpty(), options.parallelism());
        LOG.info(
            "Backfilling {} from {} at source position {} in {} key ranges (base snapshot {})",
            qualified,
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
      long rows = written.stream().mapToLong(DataFile::recordCount).sum();
      BackfillReport report =
          commitRetrying(table, qualified, sourceTable, base, written, runId, lsn, rows, started);
      committed = true;
      out.println(REPORT_PREFIX + report.toJson());
      out.flush();
      return report;
    } finally {
      table.refresh();
      org.apache.iceberg.UpdateProperties done =
          table.updateProperties().remove(JobMarkers.BACKFILL_STARTED_AT);
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

  /**
   * Replaces every file live in {@code base} with the loaded files, which get {@code base}'s data
   * sequence number so that every delete the stream committed after {@code base} applies to them.
   */
  /** Commit attempts after Iceberg's own retries lost to the stream's commits. */
  private static final int COMMIT_ROUNDS = 8;

  /**
   * {@link #commit} again, from a fresh view of the table, when Iceberg's own retries all lost the
   * race to the stream's commits (a stream committing every second while each attempt of a large
   * commit takes seconds). The loaded files stay valid: a failed commit removes only the manifests
   * it wrote.
   */
  private static BackfillReport commitRetrying(
      Table table,
      String qualified,
      TableId sourceTable,
      Snapshot base,
      List<DataFile> written,
      String runId,
      long lsn,
      long rows,
      long started)
      throws InterruptedException {
    for (int round = 1; ; round++) {
      try {
        return commit(table, qualified, sourceTable, base, written, runId, lsn, rows, started);
      } catch (org.apache.iceberg.exceptions.CommitFailedException e) {
        if (round >= COMMIT_ROUNDS) {
          throw e;
        }
        LOG.warn(
            "The backfill's commit to {} lost to concurrent commits (round {} of {}); trying again:"
                + " {}",
            qualified,
            round,
            COMMIT_ROUNDS,
            e.getMessage());
        Thread.sleep(500L * round);
      }
    }
  }

  private static BackfillReport commit(
      Table table,
      String qualified,
      TableId sourceTable,
      Snapshot base,
      List<DataFile> written,
      String runId,
      long lsn,
      long rows,
      long started) {
    table.refresh();
    checkOnlyStreamCommitsSince(table, qualified, base);
    List<DataFile> oldData = base == null ? List.of() : liveDataFiles(table, base);
    List<DeleteFile> oldDeletes =
        base == null ? List.of() : DanglingDeletes.liveDeleteFiles(table, base);
    if (oldData.isEmpty() && oldDeletes.isEmpty()) {
      Snapshot current = table.currentSnapshot();
      if (current != null && (base == null || current.snapshotId() != base.snapshotId())) {
        throw new IllegalStateException(
            "The stream committed to "
                + qualified
                + " while it was empty and being backfilled; run the backfill again");
      }
      AppendFiles append = table.newAppend();
      written.forEach(append::appendFile);
      append.set(JobMarkers.BACKFILL, runId);
      append.commit();
    } else if (rows > recordsIn(oldData)
        && isCurrent(table, base)
        && overwrite(table, base, oldData, oldDeletes, written, runId)) {
      LOG.info(
          "Backfilled {} with more rows than its files held and no stream commit since snapshot"
              + " {}: committed as an overwrite",
          qualified,
          base.snapshotId());
    } else {
      RewriteFiles rewrite =
          table
              .newRewrite()
              .validateFromSnapshot(base.snapshotId())
              .dataSequenceNumber(base.sequenceNumber());
      oldData.forEach(rewrite::deleteFile);
      oldDeletes.forEach(rewrite::deleteFile);
      written.forEach(rewrite::addFile);
      rewrite.set(JobMarkers.BACKFILL, runId);
      rewrite.commit();
    }
    table.refresh();
    BackfillReport report =
        new BackfillReport(
            qualified,
            sourceTable.qualified(),
            rows,
            written.size(),
            oldData.size(),
            oldDeletes.size(),
            base == null ? null : base.snapshotId(),
            table.currentSnapshot().snapshotId(),
            lsn,
            (System.nanoTime() - started) / 1_000_000);
    LOG.info(
        "Backfilled {}: {} rows in {} files replaced {} data and {} delete files of snapshot {}",
        qualified,
        rows,
        written.size(),
        oldData.size(),
        oldDeletes.size(),
        report.baseSnapshotId());
    return report;
  }

  private static long recordsIn(List<DataFile> files) {
    long records = 0;
    for (DataFile file : files) {
      records += file.recordCount();
    }
    return records;
  }

  private static boolean isCurrent(Table table, Snapshot base) {
    Snapshot current = table.currentSnapshot();
    return current != null && current.snapshotId() == base.snapshotId();
  }

  /**
   * Replaces every file of {@code base} with the loaded files in an overwrite, when the table is
   * still at {@code base}: Iceberg refuses a rewrite that adds more rows than the files it removes
   * held ({@code Invalid REPLACE operation}), as when the source gained rows that the stream sent
   * to the dead letters while the table was parked (the second backfill of a parked table's
   * recovery) or that the lake lost. With no stream commit since {@code base}, no delete needs the
   * loaded files to take {@code base}'s sequence number, so an overwrite restates the table the
   * same way. Returns false, having changed nothing, when the stream committed meanwhile: the
   * rewrite is tried then.
   */
  private static boolean overwrite(
      Table table,
      Snapshot base,
      List<DataFile> oldData,
      List<DeleteFile> oldDeletes,
      List<DataFile> written,
      String runId) {
    OverwriteFiles overwrite =
        table
            .newOverwrite()
            .validateFromSnapshot(base.snapshotId())
            .conflictDetectionFilter(Expressions.alwaysTrue())
            .validateNoConflictingData()
            .validateNoConflictingDeletes();
    overwrite.deleteFiles(DataFileSet.of(oldData), DeleteFileSet.of(oldDeletes));
    written.forEach(overwrite::addFile);
    overwrite.set(JobMarkers.BACKFILL, runId);
    try {
      overwrite.commit();
      return true;
    } catch (ValidationException e) {
      LOG.info(
          "The stream committed to {} while the backfill committed; committing as a rewrite: {}",
          table.name(),
          e.getMessage());
      table.refresh();
      return false;
    }
  }

  /** Fails unless every snapshot after {@code base} on the current branch is a stream commit. */
  private static void checkOnlyStreamCommitsSince(Table table, String qualified, Snapshot base) {
    Snapshot snapshot = table.currentSnapshot();
    while (snapshot != null && (base == null || snapshot.snapshotId() != base.snapshotId())) {
      if (!StreamSnapshots.isStreamCommit(snapshot)) {
        throw new IllegalStateException(
            "Snapshot "
                + snapshot.snapshotId()
                + " of "
                + qualified
                + " was committed by another job ("
                + snapshot.operation()
                + ") while the backfill ran; nothing was changed: run the backfill again when no"
                + " maintenance runs on the table");
      }
      Long parent = snapshot.parentId();
      snapshot = parent == null ? null : table.snapshot(parent);
    }
    if (base != null && snapshot == null) {
      throw new IllegalStateException(
          "Snapshot "
              + base.snapshotId()
              + " of "
              + qualified
              + " is no longer an ancestor of the"
              + " current snapshot; run the backfill again");
    }
  }

  private static List<DataFile> liveDataFiles(Table table, Snapshot snapshot) {
    List<DataFile> files = new ArrayList<>();
    for (ManifestFile manifest : snapshot.dataManifests(table.io())) {
      try (ManifestReader<DataFile> reader =
          ManifestFiles.read(manifest, table.io(), table.specs())) {
        for (DataFile file : reader) {
          files.add(file.copy());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Reading manifest " + manifest.path() + " failed", e);
      }
    }
    return files;
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
