package io.tributary.local;

import io.tributary.catalog.CatalogSpec;
import io.tributary.catalog.CatalogSpecs;
import io.tributary.change.Column;
import io.tributary.change.ColumnType;
import io.tributary.change.SourceTable;
import io.tributary.change.TableId;
import io.tributary.config.SinkConfig;
import io.tributary.sink.CheckpointCommitter;
import io.tributary.sink.IcebergCommitterOperator;
import io.tributary.sink.SinkSpec;
import io.tributary.sink.TableCommit;
import io.tributary.sink.TableCommitter;
import io.tributary.sink.TableManager;
import io.tributary.sink.TableWrite;
import io.tributary.sink.WriteBatch;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.WriteResult;

/**
 * The commit benchmark ({@code tributary bench-commit}): one checkpoint that changes many tables,
 * committed by the job's committer code ({@link CheckpointCommitter}, {@link TableCommitter}) to
 * the local JDBC catalog and S3 server with a delay in front of each table commit ({@link
 * DelayedCommitCatalog}), once with one commit thread (one table after the other) and once with the
 * given number, in the same run. Prints the wall time of each and writes them into a section of
 * docs/benchmarks.md. Checks after each commit that every table holds the checkpoint and its rows.
 */
public final class CommitBenchmark {
  static final String START = "<!-- commit-benchmark:start -->";
  static final String END = "<!-- commit-benchmark:end -->";
  static final ReportSection SECTION = new ReportSection(START, END);
  private static final String NAMESPACE = "commitbench";
  private static final int ROWS = 10;

  private final int tables;
  private final long delayMillis;
  private final int threads;
  private final int repeat;
  private final PrintStream out;
  private final List<SourceTable> sources = new ArrayList<>();
  private CatalogSpec plain;
  private Catalog catalog;
  private long nextId = 1;

  private CommitBenchmark(int tables, long delayMillis, int threads, int repeat, PrintStream out) {
    this.tables = tables;
    this.repeat = repeat;
    this.delayMillis = delayMillis;
    this.threads = threads;
    this.out = out;
  }

  /** One measured commit of the checkpoint. */
  private static final class Run {
    int threads;
    double seconds;
    int tablesCommitted;
    String load;
  }

  /** Runs the benchmark; returns the exit code. */
  public static int run(
      int tables, long delayMillis, int threads, int repeat, Path output, PrintStream out)
      throws Exception {
    if (tables < 2 || threads < 2 || threads > SinkConfig.MAX_COMMIT_THREADS || delayMillis < 0) {
      out.printf(
          Locale.ROOT,
          "bench-commit needs --tables of at least 2, --threads between 2 and %d and a --delay-ms"
              + " of 0 or more%n",
          SinkConfig.MAX_COMMIT_THREADS);
      return 2;
    }
    return new CommitBenchmark(tables, delayMillis, threads, Math.max(1, repeat), out).run(output);
  }

  private int run(Path output) throws Exception {
    String machine = MachineInfo.machine();
    out.println("Machine: " + machine);
    Path workdir = Files.createTempDirectory("tributary-bench-commit");
    try (LocalStack stack = LocalStack.start(workdir)) {
      SinkConfig sink = stack.sink(NAMESPACE);
      plain = CatalogSpecs.from(sink);
      plain.prepare(NAMESPACE);
      catalog = plain.open();
      try {
        long started = System.nanoTime();
        TableManager manager = new TableManager(catalog, NAMESPACE, Map.of(), "bench");
        for (int i = 0; i < tables; i++) {
          SourceTable source =
              new SourceTable(
                  new TableId("public", String.format(Locale.ROOT, "t%04d", i)),
                  List.of(
                      new Column("id", ColumnType.of(ColumnType.Kind.LONG), false, "int8"),
                      new Column("v", ColumnType.of(ColumnType.Kind.STRING), true, "text")),
                  new int[] {0});
          manager.loadOrCreate(source);
          sources.add(source);
        }
        out.printf(
            Locale.ROOT,
            "Created %d tables in %.1f s (no delay)%n",
            tables,
            (System.nanoTime() - started) / 1e9);
        Map<String, String> delayed = new LinkedHashMap<>(plain.resolvedProperties());
        delayed.remove("type");
        delayed.put("catalog-impl", DelayedCommitCatalog.class.getName());
        delayed.put(DelayedCommitCatalog.DELAY_PROPERTY, Long.toString(delayMillis));
        CatalogSpec slow = new CatalogSpec(delayed, Map.of());

        // Warm-up (not reported): class loading and JIT of the commit path, on a few tables.
        commit(slow, threads, 1, Math.min(tables, 4 * threads));
        // Each round commits one checkpoint with 1 thread and one with the given threads; every
        // other round starts with the threads, so that neither always runs second.
        List<Run[]> rounds = new ArrayList<>();
        long checkpoint = 2;
        for (int round = 1; round <= repeat; round++) {
          Run one;
          Run many;
          if (round % 2 == 1) {
            one = commit(slow, 1, checkpoint++, tables);
            many = commit(slow, threads, checkpoint++, tables);
          } else {
            many = commit(slow, threads, checkpoint++, tables);
            one = commit(slow, 1, checkpoint++, tables);
          }
          many.load = MachineInfo.loadAverage();
          rounds.add(new Run[] {one, many});
          out.printf(
              Locale.ROOT,
              "Round %d: %d tables, %d ms delay per commit: 1 thread %.1f s, %d threads %.1f s"
                  + " (%.1fx faster). Load average %s%n",
              round,
              tables,
              delayMillis,
              one.seconds,
              many.threads,
              many.seconds,
              one.seconds / many.seconds,
              many.load);
        }
        write(output, machine, rounds);
      } finally {
        CatalogSpec.closeQuietly(catalog);
      }
    } finally {
      Benchmark.deleteQuietly(workdir);
    }
    return 0;
  }

  /**
   * Writes {@link #ROWS} new rows into one data file per table (not timed), then commits them as
   * checkpoint {@code checkpointId} of a new committer session with {@code commitThreads} threads,
   * and checks that each table's current snapshot is that checkpoint with the expected rows.
   */
  private Run commit(CatalogSpec slow, int commitThreads, long checkpointId, int count)
      throws Exception {
    List<TableWrite> writes = new ArrayList<>(count);
    long started = System.nanoTime();
    Map<String, Long> rowsBefore = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      SourceTable source = sources.get(i);
      String name = NAMESPACE + "." + source.id().table();
      Table table = catalog.loadTable(TableIdentifier.parse(name));
      rowsBefore.put(name, totalRecords(table));
      writes.add(
          new TableWrite(
              name,
              List.of(WriteResult.builder().addDataFiles(dataFile(table)).build()),
              ROWS,
              0,
              checkpointId,
              0,
              0,
              table.specs()));
    }
    out.printf(
        Locale.ROOT,
        "Checkpoint %d: wrote one file of %d rows for each of %d tables in %.1f s%n",
        checkpointId,
        ROWS,
        count,
        (System.nanoTime() - started) / 1e9);
    String runId = "bench-" + UUID.randomUUID();
    String session = UUID.randomUUID().toString();
    SinkSpec spec =
        new SinkSpec(slow, NAMESPACE, Map.of(), Set.of(), runId).withCommitThreads(commitThreads);
    Catalog committing = slow.open();
    Run run = new Run();
    run.threads = commitThreads;
    try {
      TableCommitter committer = new TableCommitter(runId);
      committer.newSession(session);
      try (CheckpointCommitter checkpoints =
          new CheckpointCommitter(spec, runId, committing, committer)) {
        long start = System.nanoTime();
        List<TableCommit> commits =
            checkpoints.commit(
                checkpointId, session, List.of(new WriteBatch(checkpointId, 0, writes)));
        run.seconds = (System.nanoTime() - start) / 1e9;
        run.tablesCommitted = commits.size();
      }
    } finally {
      CatalogSpec.closeQuietly(committing);
    }
    // Every table holds the checkpoint, once, with its rows.
    for (Map.Entry<String, Long> entry : rowsBefore.entrySet()) {
      Table table = catalog.loadTable(TableIdentifier.parse(entry.getKey()));
      Snapshot current = table.currentSnapshot();
      String committed =
          current == null ? null : current.summary().get(IcebergCommitterOperator.CHECKPOINT_ID);
      long rows = totalRecords(table);
      if (!Long.toString(checkpointId).equals(committed) || rows != entry.getValue() + ROWS) {
        throw new IllegalStateException(
            "Table "
                + entry.getKey()
                + " does not hold checkpoint "
                + checkpointId
                + " once: its current snapshot is of checkpoint "
                + committed
                + " and it has "
                + rows
                + " rows, expected "
                + (entry.getValue() + ROWS));
      }
    }
    if (run.tablesCommitted != count) {
      throw new IllegalStateException(
          "The committer reported " + run.tablesCommitted + " tables of " + count);
    }
    out.printf(
        Locale.ROOT,
        "Checkpoint %d: %d tables committed with %d thread(s) in %.2f s (%.0f ms a table);"
            + " checked: each table holds the checkpoint once%n",
        checkpointId,
        count,
        commitThreads,
        run.seconds,
        run.seconds * 1000 / count);
    return run;
  }

  private static long totalRecords(Table table) {
    Snapshot current = table.currentSnapshot();
    if (current == null) {
      return 0;
    }
    return Long.parseLong(current.summary().getOrDefault("total-records", "0"));
  }

  private DataFile dataFile(Table table) throws IOException {
    String path =
        table.locationProvider().newDataLocation("bench-" + UUID.randomUUID() + ".parquet");
    DataWriter<Record> writer =
        new GenericAppenderFactory(table.schema(), table.spec())
            .newDataWriter(
                EncryptedFiles.plainAsEncryptedOutput(table.io().newOutputFile(path)),
                FileFormat.PARQUET,
                null);
    try (writer) {
      for (int i = 0; i < ROWS; i++) {
        GenericRecord record = GenericRecord.create(table.schema());
        long id = nextId++;
        record.setField("id", id);
        record.setField("v", "row " + id);
        writer.write(record);
      }
    }
    return writer.toDataFile();
  }

  private void write(Path output, String machine, List<Run[]> rounds) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append(START).append("\n## Commits of a checkpoint that changes many tables\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Measured by `./tributary bench-commit --tables %d --delay-ms %d --threads %d --repeat"
                + " %d` on %s.%n%n",
            tables,
            delayMillis,
            threads,
            repeat,
            LocalDate.now()));
    md.append("Machine: ").append(machine).append(".\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "One checkpoint that changes %d tables (one data file of %d rows each) is committed by"
                + " the job's committer code to the local JDBC catalog and S3 server, with %d ms"
                + " slept in front of every table commit (a stand-in for a catalog whose commit is"
                + " slow, such as Glue); the time runs from the start of the checkpoint's commit"
                + " until every table is committed, including the first load of each table. After"
                + " each commit, every table was checked to hold the checkpoint once, with its"
                + " rows. Each round commits one checkpoint with one thread and one with %d, one"
                + " after the other (every other round starts with %d); every round:%n%n",
            tables,
            ROWS,
            delayMillis,
            threads,
            threads));
    String label = threads + (threads == SinkSpec.DEFAULT_COMMIT_THREADS ? " (the default)" : "");
    md.append(
        "| Round | `sink.commit-threads` 1 (one table after the other) | `sink.commit-threads` "
            + label
            + " | Ratio | Load average after the round (1, 5, 15 min) |\n");
    md.append("|---|---|---|---|---|\n");
    double slowest = 0;
    double slowestOne = Double.MAX_VALUE;
    double ratios = 0;
    for (int r = 0; r < rounds.size(); r++) {
      Run one = rounds.get(r)[0];
      Run many = rounds.get(r)[1];
      slowest = Math.max(slowest, many.seconds);
      slowestOne = Math.min(slowestOne, one.seconds);
      ratios += one.seconds / many.seconds;
      md.append(
          String.format(
              Locale.ROOT,
              "| %d | %.1f s (%.0f ms a table) | %.1f s (%.0f ms a table) | %.1fx faster | %s |%n",
              r + 1,
              one.seconds,
              one.seconds * 1000 / tables,
              many.seconds,
              many.seconds * 1000 / tables,
              one.seconds / many.seconds,
              many.load));
    }
    md.append(
        String.format(
            Locale.ROOT, "%nMean of the rounds' ratios: %.1fx.%n%n", ratios / rounds.size()));
    md.append(
        String.format(
            Locale.ROOT,
            "With the default checkpoint interval of 30 s, the checkpoint's commit %s within one"
                + " interval with %d threads in every round, and %s with 1. The delays alone take"
                + " %.1f s with %d threads (%d tables x %d ms / %d); the rest is the commits' own"
                + " work (manifest, manifest list and metadata file written to S3, the catalog's"
                + " row updated, the table read again), which on this machine's 2 cores shares the"
                + " CPU with everything else that runs (see the load average).%n",
            slowest <= 30 ? "fits" : "does not always fit",
            threads,
            slowestOne <= 30 ? "fits at least once" : "never fits",
            tables * delayMillis / 1000.0 / threads,
            threads,
            tables,
            delayMillis,
            threads));
    md.append(END).append("\n");
    replaceSection(output, md.toString());
  }

  /** Puts {@code section} in place of the commit benchmark's section of the file, or appends it. */
  static void replaceSection(Path output, String section) throws IOException {
    SECTION.replaceIn(output, section);
  }

  /** {@code text} with its commit benchmark section (if any) replaced by {@code section}. */
  static String withSection(String text, String section) {
    return SECTION.withSection(text, section);
  }

  /** The commit benchmark section of {@code text}, or an empty string. */
  static String section(String text) {
    return SECTION.section(text);
  }
}
