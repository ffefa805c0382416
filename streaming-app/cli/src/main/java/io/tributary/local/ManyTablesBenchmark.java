package io.tributary.local;

import io.tributary.catalog.CatalogSpec;
import io.tributary.catalog.CatalogSpecs;
import io.tributary.config.JobConfig;
import io.tributary.config.Secret;
import io.tributary.config.SourceConfig;
import io.tributary.config.SslMode;
import io.tributary.config.TableSelection;
import io.tributary.config.TributaryConfig;
import io.tributary.job.TributaryJob;
import io.tributary.metrics.LocalMetricsReporter;
import io.tributary.sink.WriterCpuBenchmark;
import io.tributary.source.CapturedTable;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * The many-tables benchmark ({@code tributary bench-tables}): the snapshot of many small tables and
 * then mixed changes spread over all of them, against the same number of rows and changes in one
 * table, by the same pipeline with the same settings in the same run. Prints rows/s, changes/s and
 * the ratios, checks after each pipeline that the lake equals the source ({@code verify}), and
 * writes its section of docs/benchmarks.md.
 */
public final class ManyTablesBenchmark {
  static final ReportSection SECTION =
      new ReportSection(
          "<!-- many-tables-benchmark:start -->", "<!-- many-tables-benchmark:end -->");

  /**
   * The written account of where a many-tables snapshot's time goes (profiled by hand, not by this
   * program), kept beside the figures when either benchmark rewrites docs/benchmarks.md.
   */
  static final ReportSection PROFILE =
      new ReportSection("<!-- many-tables-profile:start -->", "<!-- many-tables-profile:end -->");

  private static final String PUBLICATION = "tributary";
  static final int CHUNK_ROWS = 100_000;

  /** Changes per source transaction; each transaction changes one table. */
  static final int TRANSACTION = 100;

  /** How often the benchmark looks at the lake while it waits (each look loads tables). */
  private static final long POLL_MILLIS = 200;

  /** File pairs written per way and repeat by the small-file measurement. */
  static final int SMALL_FILES = 200;

  /** What each upload of the barrier measurement takes more: a stand-in for S3's latency. */
  static final long UPLOAD_MILLIS = 20;

  /**
   * The most tables the barrier measurement opens at once: its files stay in memory beside every
   * table's open Parquet writers (1,000 tables did not fit in a heap of 1 GB).
   */
  static final int BARRIER_TABLES = 200;

  private final int tables;
  private final int rowsPerTable;
  private final int changes;
  private final int repeat;
  private final Duration checkpoint;
  private final PrintStream out;
  private LocalStack stack;
  private double[] smallFiles;
  private double[] barrier;

  private ManyTablesBenchmark(
      int tables, int rowsPerTable, int changes, int repeat, Duration checkpoint, PrintStream out) {
    this.tables = tables;
    this.rowsPerTable = rowsPerTable;
    this.changes = changes;
    this.repeat = repeat;
    this.checkpoint = checkpoint;
    this.out = out;
  }

  /** One pipeline's figures in one round. */
  static final class Run {
    double snapshotSeconds;
    double snapshotCpu;
    double streamSeconds;
    double streamCpu;
    boolean equal;
    String verify;

    /** The job idle after the changes: checkpoint durations, heap after a full GC, threads. */
    final List<Double> idleCheckpointMillis = new ArrayList<>();

    double idleHeapMb;
    int idleThreads;
  }

  /** How long the job stays idle after the changes, measured. */
  static final Duration IDLE = Duration.ofSeconds(20);

  /** Runs the benchmark; returns the exit code. */
  public static int run(
      int tables,
      int rowsPerTable,
      int changes,
      int repeat,
      Duration checkpoint,
      Path output,
      PrintStream out)
      throws Exception {
    if (tables < 2 || rowsPerTable < 1 || changes < 0 || checkpoint.isNegative()) {
      out.println("bench-tables needs --tables of at least 2, --rows-per-table of at least 1");
      return 2;
    }
    long needed = rowsNeeded(changes, tables);
    if (rowsPerTable < needed) {
      out.printf(
          Locale.ROOT,
          "--changes %,d over %d tables needs --rows-per-table of at least %,d: every update and"
              + " delete must find its row. Raise --rows-per-table or lower --changes.%n",
          changes,
          tables,
          needed);
      return 2;
    }
    return new ManyTablesBenchmark(
            tables, rowsPerTable, changes, Math.max(1, repeat), checkpoint, out)
        .run(output);
  }

  /**
   * Rows each of {@code tables} tables needs so that every change of {@code changes}, spread over
   * them in transactions of {@link #TRANSACTION}, finds its row: a transaction updates 60 rows and
   * deletes 20 from the lowest key up, and inserts 20 above the highest.
   */
  static long rowsNeeded(int changes, int tables) {
    long perTable = (changes + tables - 1L) / tables;
    long transactions = (perTable + TRANSACTION - 1) / TRANSACTION;
    return Math.max(1, transactions * (TRANSACTION * 8L / 10));
  }

  private int run(Path output) throws Exception {
    String machine = MachineInfo.machine();
    out.println("Machine: " + machine);
    smallFiles = WriterCpuBenchmark.smallFiles(SMALL_FILES, TRANSACTION, 5);
    out.printf(
        Locale.ROOT,
        "One small file pair (data and equality deletes of %d rows), writer thread CPU: %.2f ms"
            + " (the stream's writers), %.2f ms (Iceberg's appender factory, same settings),"
            + " %.2fx%n",
        TRANSACTION,
        smallFiles[0],
        smallFiles[1],
        smallFiles[1] / smallFiles[0]);
    barrier =
        new double[] {
          WriterCpuBenchmark.barrierSeconds(barrierTables(), TRANSACTION, UPLOAD_MILLIS, 1, 3),
          WriterCpuBenchmark.barrierSeconds(
              barrierTables(), TRANSACTION, UPLOAD_MILLIS, WriterCpuBenchmark.CLOSE_THREADS, 3)
        };
    out.printf(
        Locale.ROOT,
        "One barrier closing %d tables' files (%d upserts each, every upload %d ms longer):"
            + " %.2f s one table after the other, %.2f s %d at once (%.1fx)%n",
        barrierTables(),
        TRANSACTION,
        UPLOAD_MILLIS,
        barrier[0],
        barrier[1],
        WriterCpuBenchmark.CLOSE_THREADS,
        barrier[0] / barrier[1]);
    Path workdir = Files.createTempDirectory("tributary-bench-tables");
    try (LocalStack s = LocalStack.start(workdir)) {
      stack = s;
      out.println("Warm-up round (not reported):");
      Run[] warm = round("mt_warm", false);
      if (!warm[0].equal || !warm[1].equal) {
        return 1;
      }
      List<Run[]> rounds = new ArrayList<>();
      List<String> loads = new ArrayList<>();
      for (int i = 1; i <= repeat; i++) {
        boolean oneFirst = i % 2 == 0;
        out.printf(
            Locale.ROOT,
            "Measured round %d of %d (%s first):%n",
            i,
            repeat,
            oneFirst ? "one table" : "many tables");
        Run[] r = round("mt_round" + i, oneFirst);
        if (!r[0].equal || !r[1].equal) {
          return 1;
        }
        rounds.add(r);
        loads.add(MachineInfo.loadAverage());
        out.printf(
            Locale.ROOT,
            "Round %d: snapshot %,.0f rows/s in %d tables, %,.0f rows/s in one (%.2fx);"
                + " changes %,.0f/s over %d tables, %,.0f/s in one (%.2fx); load %s%n",
            i,
            rows() / r[0].snapshotSeconds,
            tables,
            rows() / r[1].snapshotSeconds,
            r[0].snapshotSeconds / r[1].snapshotSeconds,
            changes / r[0].streamSeconds,
            tables,
            changes / r[1].streamSeconds,
            r[0].streamSeconds / r[1].streamSeconds,
            loads.get(loads.size() - 1));
      }
      SECTION.replaceIn(
          output,
          new ManyTablesReport(
                  tables, rowsPerTable, changes, repeat, checkpoint, smallFiles, barrier)
              .markdown(machine, rounds, loads));
      out.println("Results written to " + output);
      return 0;
    } finally {
      Benchmark.deleteQuietly(workdir);
    }
  }

  private int barrierTables() {
    return Math.min(tables, BARRIER_TABLES);
  }

  private long rows() {
    return (long) tables * rowsPerTable;
  }

  /**
   * One round: the many tables and the one table, each on a database of its own and by a job of its
   * own, one after the other; returns {many, one}.
   */
  private Run[] round(String prefix, boolean oneFirst) throws Exception {
    Run many;
    Run one;
    if (oneFirst) {
      one = pipeline(prefix + "_one", false);
      many = pipeline(prefix + "_many", true);
    } else {
      many = pipeline(prefix + "_many", true);
      one = pipeline(prefix + "_one", false);
    }
    return new Run[] {many, one};
  }

  private static String tableName(int i) {
    return String.format(Locale.ROOT, "t%04d", i);
  }

  /** The source tables of a database: {@code tables} small ones, or one with all the rows. */
  private List<String> names(boolean manyTables) {
    List<String> names = new ArrayList<>();
    if (manyTables) {
      for (int i = 0; i < tables; i++) {
        names.add(tableName(i));
      }
    } else {
      names.add("big");
    }
    return names;
  }

  private Run pipeline(String db, boolean manyTables) throws Exception {
    List<String> names = names(manyTables);
    long perTable = manyTables ? rowsPerTable : rows();
    stack.ensureDatabase(db);
    try (Connection c = stack.connect(db);
        Statement st = c.createStatement()) {
      for (String name : names) {
        st.execute(
            "CREATE TABLE "
                + name
                + " (id bigint PRIMARY KEY, a integer, b integer, c text, d text,"
                + " amount numeric(12,2), ts timestamp)");
        st.execute(
            "INSERT INTO "
                + name
                + " SELECT g, g % 1000, g % 7, md5(g::text), 'row ' || g, g / 100.0,"
                + " timestamp '2024-01-01' + g * interval '1 second' FROM generate_series(1, "
                + perTable
                + ") g");
      }
      // As in tributary bench: neither pipeline pays for setting the fresh rows' hint bits.
      st.execute("VACUUM (ANALYZE)");
    }
    TributaryConfig config = config(db, manyTables ? "public.t*" : "public.big");
    CatalogSpec catalogSpec = CatalogSpecs.from(config.sink());
    Catalog catalog = catalogSpec.open();
    Run run = new Run();
    String what = manyTables ? tables + " tables" : "one table";
    try {
      List<CapturedTable> captured = TributaryJob.preflight(config);
      System.gc();
      Configuration flink = new Configuration();
      flink.set(TaskManagerOptions.NUM_TASK_SLOTS, 2);
      LocalMetricsReporter.configure(flink); // the idle checkpoints' durations
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
      env.setParallelism(2);
      TributaryJob.build(env, config, captured);
      long started = System.nanoTime();
      double cpuStarted = Benchmark.cpuSeconds();
      JobClient job = env.executeAsync("bench-tables");
      try {
        Map<String, Long> wanted = new LinkedHashMap<>();
        for (String name : names) {
          wanted.put(name, perTable);
        }
        waitForTables(catalog, db, wanted, true);
        run.snapshotSeconds = (System.nanoTime() - started) / 1e9;
        run.snapshotCpu = Benchmark.cpuSeconds() - cpuStarted;
        out.printf(
            Locale.ROOT,
            "  %s: snapshot of %,d rows in %.1f s = %,.0f rows/s, %.1f s of JVM CPU%n",
            what,
            rows(),
            run.snapshotSeconds,
            rows() / run.snapshotSeconds,
            run.snapshotCpu);

        long changesStarted = System.nanoTime();
        double streamCpuStarted = Benchmark.cpuSeconds();
        Map<String, Long> lastLsn = applyChanges(db, names, perTable);
        double applySeconds = (System.nanoTime() - changesStarted) / 1e9;
        waitForTables(catalog, db, lastLsn, false);
        run.streamSeconds = (System.nanoTime() - changesStarted) / 1e9;
        run.streamCpu = Benchmark.cpuSeconds() - streamCpuStarted;
        out.printf(
            Locale.ROOT,
            "  %s: %,d changes applied in %.1f s, all visible after %.1f s = %,.0f changes/s,"
                + " %.1f s of JVM CPU%n",
            what,
            changes,
            applySeconds,
            run.streamSeconds,
            changes / run.streamSeconds,
            run.streamCpu);
        idle(run);
        out.printf(
            Locale.ROOT,
            "  %s idle for %d s: %d checkpoints, %s ms (p50 / max); heap after a full GC %.0f"
                + " MB; %d live threads in the JVM%n",
            what,
            IDLE.toSeconds(),
            run.idleCheckpointMillis.size(),
            idleCheckpoints(run),
            run.idleHeapMb,
            run.idleThreads);
      } finally {
        BenchmarkDatabases.stop(stack, db, job);
      }
      List<VerifyResult> verified = LakeVerifier.verify(config, catalogSpec, null);
      run.equal =
          verified.size() == names.size() && verified.stream().allMatch(VerifyResult::equal);
      run.verify = LakeVerifier.summary(verified);
      out.printf(
          Locale.ROOT,
          "  %s: verify %s%n",
          what,
          run.equal ? "equal (" + verified.size() + " tables)" : "DIFFERENT: " + run.verify);
      return run;
    } finally {
      CatalogSpec.closeQuietly(catalog);
      BenchmarkDatabases.dropSlots(stack, db);
    }
  }

  /**
   * Leaves the job without changes for {@link #IDLE} and records the checkpoints it completes, then
   * the heap right after a full collection (the lowest of three) and the JVM's live threads (the
   * job's and the local stack's).
   */
  private static void idle(Run run) throws InterruptedException {
    Number completed = LocalMetricsReporter.value("numberOfCompletedCheckpoints");
    long last = completed == null ? 0 : completed.longValue();
    long end = System.nanoTime() + IDLE.toNanos();
    while (System.nanoTime() < end) {
      TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
      Number count = LocalMetricsReporter.value("numberOfCompletedCheckpoints");
      if (count != null && count.longValue() > last) {
        last = count.longValue();
        Number millis = LocalMetricsReporter.value(LocalMetricsReporter.LAST_CHECKPOINT_DURATION);
        if (millis != null) {
          run.idleCheckpointMillis.add(millis.doubleValue());
        }
      }
    }
    run.idleHeapMb = Double.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      run.idleHeapMb = Math.min(run.idleHeapMb, Soak.heapAfterFullGcMb());
    }
    run.idleThreads = ManagementFactory.getThreadMXBean().getThreadCount();
  }

  /** The idle checkpoints' durations as "p50 / max", or "-" without any. */
  static String idleCheckpoints(Run run) {
    if (run.idleCheckpointMillis.isEmpty()) {
      return "-";
    }
    return String.format(
        Locale.ROOT,
        "%.0f / %.0f",
        Soak.percentile(run.idleCheckpointMillis, 50),
        Collections.max(run.idleCheckpointMillis));
  }

  private TributaryConfig config(String db, String include) {
    return TributaryConfig.builder()
        .source(
            SourceConfig.builder()
                .type(SourceConfig.TYPE_POSTGRES)
                .host("127.0.0.1")
                .port(stack.postgresPort())
                .database(db)
                .user(stack.superuser())
                .password(Secret.none())
                .sslMode(SslMode.DISABLE)
                .slotName(db)
                .publicationName(PUBLICATION)
                .snapshotChunkSize(CHUNK_ROWS)
                .snapshotFetchSize(10_000)
                .build())
        .tables(TableSelection.builder().include(include).build())
        .sink(stack.sink(db))
        .job(JobConfig.builder().checkpointInterval(checkpoint).parallelism(2).build())
        .build();
  }

  /**
   * Waits until every table holds its wanted rows ({@code records}) or has committed its wanted
   * source position; looks only at the tables not there yet.
   */
  private static void waitForTables(
      Catalog catalog, String db, Map<String, Long> wanted, boolean records) throws Exception {
    Map<String, Long> waiting = new LinkedHashMap<>(wanted);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
    while (!waiting.isEmpty()) {
      waiting
          .entrySet()
          .removeIf(
              e -> {
                Snapshot s = Benchmark.current(catalog, TableIdentifier.of(db, e.getKey()));
                return records
                    ? Benchmark.totalRecords(s) >= e.getValue()
                    : Benchmark.committedLsn(s) >= e.getValue();
              });
      if (waiting.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            waiting.size() + " tables did not reach their rows or position within 30 minutes");
      }
      TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
    }
  }

  /**
   * Applies the mixed changes (60% updates, 20% deletes, 20% inserts) in transactions of {@link
   * #TRANSACTION}, each on one table, going round the tables; returns each table's WAL position
   * just before its last transaction's inserts.
   */
  private Map<String, Long> applyChanges(String db, List<String> names, long perTable)
      throws SQLException {
    Map<String, Long> lastLsn = new LinkedHashMap<>();
    long[] cursor = new long[names.size()];
    long[] nextId = new long[names.size()];
    Arrays.fill(cursor, 1);
    Arrays.fill(nextId, perTable + 1);
    int done = 0;
    int t = 0;
    try (Connection c = stack.connect(db)) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        while (done < changes) {
          String name = names.get(t);
          int batch = Math.min(TRANSACTION, changes - done);
          int updates = batch * 6 / 10;
          int deletes = batch * 2 / 10;
          int inserts = batch - updates - deletes;
          st.executeUpdate(
              "UPDATE "
                  + name
                  + " SET a = a + 1, d = 'updated' WHERE id BETWEEN "
                  + cursor[t]
                  + " AND "
                  + (cursor[t] + updates - 1));
          cursor[t] += updates;
          st.executeUpdate(
              "DELETE FROM "
                  + name
                  + " WHERE id BETWEEN "
                  + cursor[t]
                  + " AND "
                  + (cursor[t] + deletes - 1));
          cursor[t] += deletes;
          try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            lastLsn.put(name, Benchmark.lsn(rs.getString(1)));
          }
          st.executeUpdate(
              "INSERT INTO "
                  + name
                  + " SELECT g, 1, 2, 'new', 'inserted', 1.00, localtimestamp FROM"
                  + " generate_series("
                  + nextId[t]
                  + ", "
                  + (nextId[t] + inserts - 1)
                  + ") g");
          nextId[t] += inserts;
          c.commit();
          done += batch;
          t = (t + 1) % names.size();
        }
      }
    }
    return lastLsn;
  }
}
