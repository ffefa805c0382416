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
import io.tributary.sink.IcebergCommitterOperator;
import io.tributary.sink.WriterCpuBenchmark;
import io.tributary.source.CapturedTable;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The benchmark program ({@code tributary bench}): snapshot rows per second, streaming changes per
 * second and commit-to-visibility latency of Tributary on the embedded stack, and, in the same run,
 * {@code pg_recvlogical} decoding the same WAL as the reference. Prints the figures with the
 * machine and writes them to a Markdown file.
 *
 * <p>This class runs the rounds and measures both pipelines; the changes are {@link BenchChanges},
 * the reference {@link ReferenceDecoder}, the plain pipeline {@link PlainPipeline}, the report
 * {@link BenchmarkReport}.
 */
public final class Benchmark {
  private static final String DB = "bench";
  private static final String PUBLICATION = "tributary";
  static final int WRITER_ROWS = 100_000;
  private static final int CHECKPOINT_MS = 2000;

  /** Seed of the pauses before latency probes: both pipelines get the same pauses. */
  private static final long PROBE_SEED = 20_260_101L;

  private final int rows;
  private final int changes;
  private final PrintStream out;
  private LocalStack stack;
  private CatalogSpec catalogSpec;
  private Catalog catalog;
  private String db = DB;
  private double[] writerCpu;

  /** The current round's change workload, shared by both pipelines. */
  private BenchChanges workload;

  private final int repeat;

  private Benchmark(int rows, int changes, int repeat, PrintStream out) {
    this.rows = rows;
    this.changes = changes;
    this.repeat = repeat;
    this.out = out;
  }

  /**
   * Runs the benchmark; returns the exit code.
   *
   * @param repeat measured rounds; each figure is the best of them (a busy machine only slows a
   *     pipeline down, so the best round is the one least disturbed)
   */
  public static int run(int rows, int changes, int repeat, Path output, PrintStream out)
      throws Exception {
    // Each round applies the changes twice (once per pipeline), continuing from the same cursor.
    long needed = minimumRows(changes, 2);
    if (rows < needed) {
      out.printf(
          Locale.ROOT,
          "--changes %,d needs --rows of at least %,d: each pipeline gets its own run of changes,"
              + " which update and delete rows from the lowest key up and insert new ones above the"
              + " highest, and every update and delete must find its row (else the second pipeline"
              + " would get fewer real changes). Raise --rows or lower --changes.%n",
          changes,
          needed);
      return 2;
    }
    return new Benchmark(rows, changes, Math.max(1, repeat), out).run(output);
  }

  /**
   * The rows that {@code runs} runs of {@code changes} mixed changes need so that each change hits
   * a row: per transaction of 1,000 the cursor moves past 800 rows (600 updated, 200 deleted) while
   * 200 rows are inserted above the highest key. Exact when {@code changes} is a multiple of 1,000,
   * else a little more than needed.
   */
  static long minimumRows(int changes, int runs) {
    long batches = runs * ((changes + 999L) / 1000L);
    return Math.max(1, 600L * (batches - 1) + 800L);
  }

  private int run(Path output) throws Exception {
    Path workdir = Files.createTempDirectory("tributary-bench");
    String machine = MachineInfo.machine();
    out.println("Machine: " + machine);
    writerCpu = WriterCpuBenchmark.run(WRITER_ROWS, 5);
    out.printf(
        Locale.ROOT,
        "Writer CPU for %,d upserts: %.0f ms with the stream's Parquet settings, %.0f ms with the"
            + " table defaults (%.1fx)%n",
        WRITER_ROWS,
        writerCpu[0],
        writerCpu[1],
        writerCpu[1] / writerCpu[0]);
    try (LocalStack s = LocalStack.start(workdir)) {
      stack = s;
      // Both pipelines first run a round of the same size in this JVM, so that neither is
      // measured cold (class loading, first MiniCluster start, and JIT compilation: after a round
      // of a fifth of the size, the compiler threads still took a third of the CPU of the first
      // measured round on 2 cores).
      int warmChanges = changes;
      int warmRows = rows;
      out.printf(
          Locale.ROOT,
          "Warm-up round: %,d rows, %,d changes, both pipelines (not reported)%n",
          warmRows,
          warmChanges);
      if (!round("bench_warmup", warmRows, warmChanges, false, false).equal) {
        return 1;
      }
      List<BenchmarkFigures> rounds = new ArrayList<>();
      for (int i = 1; i <= repeat; i++) {
        boolean plainFirst = i % 2 == 0;
        out.printf(
            Locale.ROOT,
            "Measured round %d of %d (%s first):%n",
            i,
            repeat,
            plainFirst ? "plain pipeline" : "Tributary");
        BenchmarkFigures f = round(i == 1 ? DB : DB + i, rows, changes, true, plainFirst);
        if (!f.equal) {
          return 1;
        }
        rounds.add(f);
      }
      new BenchmarkReport(rows, changes, repeat, writerCpu).write(output, machine, rounds);
      out.println("Results written to " + output);
      return 0;
    } finally {
      deleteQuietly(workdir);
    }
  }

  static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // A temporary directory; the system cleans it up eventually.
    }
  }

  /**
   * One round on its own database: Tributary (snapshot, streaming, latency), verify, the reference
   * decoder and the plain pipeline. Writes the results when {@code output} is set, and drops the
   * round's replication slots at the end.
   */
  private BenchmarkFigures round(
      String database, int roundRows, int roundChanges, boolean measured, boolean plainFirst)
      throws Exception {
    db = database;
    workload = new BenchChanges(stack, db, roundRows + 1L);
    BenchmarkFigures f = new BenchmarkFigures();
    stack.ensureDatabase(db);
    sql(
        "CREATE TABLE bench (id bigint PRIMARY KEY, a integer, b integer, c text, d text,"
            + " amount numeric(12,2), ts timestamp)",
        "INSERT INTO bench SELECT g, g % 1000, g % 7, md5(g::text), 'row ' || g, g / 100.0,"
            + " timestamp '2024-01-01' + g * interval '1 second' FROM generate_series(1, "
            + roundRows
            + ") g",
        // VACUUM sets the hint bits and the visibility map of the fresh rows, which the first
        // full read of a table otherwise does, at its cost: neither pipeline pays it.
        "VACUUM (ANALYZE) bench");
    TributaryConfig config = config();
    catalogSpec = CatalogSpecs.from(config.sink());
    catalog = catalogSpec.open();
    try {
      List<CapturedTable> tables = TributaryJob.preflight(config);
      double[] plain = null;
      if (plainFirst) {
        // Every other round runs the plain pipeline first, so that neither pipeline always gets
        // the caches (JIT, PostgreSQL's buffers) the other one warmed.
        plain = plainPipeline(config, roundChanges, measured);
      }

      // Neither pipeline inherits the other's garbage (its old generation) to collect.
      System.gc();
      Configuration flink = new Configuration();
      flink.set(TaskManagerOptions.NUM_TASK_SLOTS, 2);
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
      env.setParallelism(2);
      TributaryJob.build(env, config, tables);
      long started = System.nanoTime();
      double cpuStarted = cpuSeconds();
      JobClient job = env.executeAsync("bench");
      waitUntil(() -> totalRecords() >= roundRows, Duration.ofMinutes(20));
      double snapshotSeconds = (System.nanoTime() - started) / 1e9;
      f.snapshotCpu = cpuSeconds() - cpuStarted;
      double snapshotRate = roundRows / snapshotSeconds;
      out.printf(
          Locale.ROOT,
          "Snapshot: %,d rows in %.1f s = %,.0f rows/s, %.1f s of JVM CPU%n",
          roundRows,
          snapshotSeconds,
          snapshotRate,
          f.snapshotCpu);
      f.readSeconds = fullRead(TableIdentifier.of(db, "bench"), "Tributary");

      // The reference decoder's slot, created before Tributary's changes so that it keeps their
      // WAL.
      if (measured) {
        sql(
            "SELECT pg_create_logical_replication_slot('"
                + ReferenceDecoder.SLOT
                + "', 'pgoutput')");
      }
      String startLsn = value("SELECT pg_current_wal_lsn()::text");
      long changesStarted = System.nanoTime();
      double streamCpuStarted = cpuSeconds();
      String lastLsn = workload.apply(roundChanges);
      double applySeconds = (System.nanoTime() - changesStarted) / 1e9;
      waitUntil(() -> committedLsn() >= lsn(lastLsn), Duration.ofMinutes(20));
      double streamSeconds = (System.nanoTime() - changesStarted) / 1e9;
      f.streamCpu = cpuSeconds() - streamCpuStarted;
      double streamRate = roundChanges / streamSeconds;
      out.printf(
          Locale.ROOT,
          "Streaming: %,d changes applied in %.1f s, all visible after %.1f s = %,.0f changes/s,"
              + " %.1f s of JVM CPU%n",
          roundChanges,
          applySeconds,
          streamSeconds,
          streamRate,
          f.streamCpu);

      int probes = measured ? 25 : 3;
      List<Double> latencies =
          latencies(
              probes,
              () -> {
                String before = value("SELECT pg_current_wal_insert_lsn()::text");
                return () -> committedLsn() >= lsn(before);
              });
      double p50 = percentile(latencies, 50);
      double p99 = percentile(latencies, 99);
      out.printf(
          Locale.ROOT,
          "Latency commit -> visible in Iceberg: p50 %.0f ms, p99 %.0f ms (%d probes)%n",
          p50,
          p99,
          latencies.size());
      BenchmarkDatabases.stop(stack, db, job);

      long verifyStarted = System.nanoTime();
      List<VerifyResult> verified = LakeVerifier.verify(config, catalogSpec, null);
      double verifySeconds = (System.nanoTime() - verifyStarted) / 1e9;
      long verifiedRows = verified.get(0).sourceRows();
      out.printf(
          Locale.ROOT,
          "Verify: %,d rows compared over all columns in %.1f s (%s)%n",
          verifiedRows,
          verifySeconds,
          verified.get(0).equal() ? "equal" : "DIFFERENT");

      double referenceRate =
          measured
              ? ReferenceDecoder.rate(stack, db, PUBLICATION, startLsn, lastLsn, roundChanges, out)
              : -1;
      if (plain == null) {
        plain = plainPipeline(config, roundChanges, measured);
      }
      if (referenceRate > 0) {
        out.printf(
            Locale.ROOT,
            "pg_recvlogical decoded the same changes at %,.0f changes/s; Tributary's streaming rate is %.2fx of it%n",
            referenceRate,
            streamRate / referenceRate);
      }
      out.printf(
          Locale.ROOT,
          "Tributary / plain pipeline: snapshot %.2fx, streaming %.2fx, latency p50 %.0f / %.0f ms%n",
          snapshotRate / plain[0],
          streamRate / plain[1],
          p50,
          plain[4]);
      if (!verified.get(0).equal()) {
        out.println("The lake does not equal the source after the benchmark: " + verified.get(0));
      }
      f.snapshotRate = snapshotRate;
      f.snapshotSeconds = snapshotSeconds;
      f.streamRate = streamRate;
      f.streamSeconds = streamSeconds;
      f.p50 = p50;
      f.p99 = p99;
      f.referenceRate = referenceRate;
      f.plainSnapshotRate = plain[0];
      f.plainReadSeconds = plainReadSeconds;
      f.plainStreamRate = plain[1];
      f.plainSnapshotCpu = plain[2];
      f.plainStreamCpu = plain[3];
      f.plainP50 = plain[4];
      f.plainP99 = plain[5];
      f.verifySeconds = verifySeconds;
      f.verifiedRows = verifiedRows;
      f.equal = verified.get(0).equal();
      return f;
    } finally {
      CatalogSpec.closeQuietly(catalog);
      catalog = null;
      BenchmarkDatabases.dropSlots(stack, db);
    }
  }

  /**
   * The same measurements for the plain pipeline (stock deserializer, Iceberg's FlinkSink in upsert
   * mode) on the same table, in the same run: {snapshot rows/s, changes/s, snapshot CPU s, changes
   * CPU s, latency p50 ms, latency p99 ms}.
   */
  private double plainReadSeconds;

  private double[] plainPipeline(TributaryConfig config, int roundChanges, boolean measured)
      throws Exception {
    TableIdentifier plainId = TableIdentifier.of(db, "bench_plain");
    PlainPipeline.createTable(catalog, plainId);
    long rowsNow = Long.parseLong(value("SELECT count(*) FROM bench"));
    // Its slot is created the way Tributary creates its own (see SourcePreflight), so that neither
    // pipeline waits for a slot still held by the connection that created it.
    sql("SELECT pg_create_logical_replication_slot('bench_plain', 'pgoutput')");
    System.gc();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(CHECKPOINT_MS);
    long started = System.nanoTime();
    double cpuStarted = cpuSeconds();
    JobClient job =
        PlainPipeline.start(
            env, config.source(), "bench", "bench_plain", PUBLICATION, catalogSpec, plainId);
    try {
      waitUntil(() -> totalRecords(plainId) >= rowsNow, Duration.ofMinutes(20));
      double snapshotSeconds = (System.nanoTime() - started) / 1e9;
      double snapshotCpu = cpuSeconds() - cpuStarted;
      double snapshotRate = rowsNow / snapshotSeconds;
      out.printf(
          Locale.ROOT,
          "Plain pipeline snapshot: %,d rows in %.1f s = %,.0f rows/s, %.1f s of JVM CPU%n",
          rowsNow,
          snapshotSeconds,
          snapshotRate,
          snapshotCpu);
      plainReadSeconds = fullRead(plainId, "Plain pipeline");
      long changesStarted = System.nanoTime();
      double streamCpuStarted = cpuSeconds();
      workload.apply(roundChanges);
      long sentinel = Long.parseLong(value("SELECT max(id) FROM bench"));
      sql("UPDATE bench SET b = -7 WHERE id = " + sentinel);
      waitUntil(() -> plainValue(plainId, sentinel) == -7, Duration.ofMinutes(20));
      double streamSeconds = (System.nanoTime() - changesStarted) / 1e9;
      double streamCpu = cpuSeconds() - streamCpuStarted;
      double streamRate = (roundChanges + 1) / streamSeconds;
      out.printf(
          Locale.ROOT,
          "Plain pipeline streaming: %,d changes visible after %.1f s = %,.0f changes/s, %.1f s of"
              + " JVM CPU%n",
          roundChanges + 1,
          streamSeconds,
          streamRate,
          streamCpu);
      List<Double> latencies =
          latencies(
              measured ? 25 : 3,
              () -> {
                long before = currentSnapshotId(plainId);
                return () -> rowsCommittedSince(plainId, before);
              });
      double p50 = percentile(latencies, 50);
      double p99 = percentile(latencies, 99);
      out.printf(
          Locale.ROOT,
          "Plain pipeline latency commit -> visible in Iceberg: p50 %.0f ms, p99 %.0f ms (%d"
              + " probes)%n",
          p50,
          p99,
          latencies.size());
      return new double[] {snapshotRate, streamRate, snapshotCpu, streamCpu, p50, p99};
    } finally {
      BenchmarkDatabases.stop(stack, db, job);
    }
  }

  /**
   * Reads every row of the table as it stands after the snapshot, as a query engine would (data
   * files with their delete files applied); returns the seconds.
   */
  private double fullRead(TableIdentifier id, String who) throws IOException {
    Table table = catalog.loadTable(id);
    Map<String, String> summary = table.currentSnapshot().summary();
    long started = System.nanoTime();
    long rowsRead = 0;
    try (CloseableIterable<Record> rowsOf = IcebergGenerics.read(table).build()) {
      for (Record ignored : rowsOf) {
        rowsRead++;
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    out.printf(
        Locale.ROOT,
        "%s: full read after the snapshot, %,d rows in %.1f s (%s data files, %s delete files,"
            + " %s equality deletes)%n",
        who,
        rowsRead,
        seconds,
        summary.getOrDefault("total-data-files", "?"),
        summary.getOrDefault("total-delete-files", "?"),
        summary.getOrDefault("total-equality-deletes", "?"));
    return seconds;
  }

  private long totalRecords(TableIdentifier id) {
    Table table = catalog.loadTable(id);
    Snapshot s = table.currentSnapshot();
    return s == null ? 0 : Long.parseLong(s.summary().getOrDefault("total-records", "0"));
  }

  /** Snapshot id of the plain table at its last read, so that each commit is read once. */
  private long plainReadSnapshot = -1;

  /**
   * The value of b in the plain table's row with this key, read only when a commit is new since the
   * last read (reading the rows with their equality deletes takes CPU from the pipeline under test;
   * loading the table's metadata is what Tributary's check costs too); else 0.
   */
  private int plainValue(TableIdentifier id, long key) throws IOException {
    Table table = catalog.loadTable(id);
    Snapshot snapshot = table.currentSnapshot();
    if (snapshot == null || snapshot.snapshotId() == plainReadSnapshot) {
      return 0;
    }
    plainReadSnapshot = snapshot.snapshotId();
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(table).where(Expressions.equal("id", key)).select("id", "b").build()) {
      for (Record r : rows) {
        Object b = r.getField("b");
        return b == null ? 0 : (Integer) b;
      }
    }
    return 0;
  }

  private TributaryConfig config() {
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
                .publicationName(PUBLICATION)
                .snapshotChunkSize(100_000)
                .snapshotFetchSize(10_000)
                .build())
        .tables(TableSelection.builder().include("public.bench").build())
        .sink(stack.sink(db))
        .job(JobConfig.builder().checkpointInterval(Duration.ofSeconds(2)).parallelism(2).build())
        .build();
  }

  /**
   * Cancels a pipeline and waits until it is gone: its job has stopped and its connections to the
   * database are closed. Flink CDC shares JDBC connection pools per database within a JVM, so a job
   * still shutting down could close connections of the next one (seen as a failed snapshot split).
   */
  /** Whether the job has stopped (its local cluster shuts down with it). */
  static boolean stopped(JobClient job) {
    try {
      return job.getJobStatus().get().isGloballyTerminalState();
    } catch (Exception e) {
      return true;
    }
  }

  /** CPU time of this JVM so far (all threads), in seconds. */
  static double cpuSeconds() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean) {
      return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() / 1e9;
    }
    return Double.NaN;
  }

  private static double percentile(List<Double> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  private long totalRecords() {
    return totalRecords(current(catalog, TableIdentifier.of(db, "bench")));
  }

  private long committedLsn() {
    return committedLsn(current(catalog, TableIdentifier.of(db, "bench")));
  }

  /** The rows a snapshot's table holds, 0 for none. */
  static long totalRecords(Snapshot s) {
    return s == null ? 0 : Long.parseLong(s.summary().getOrDefault("total-records", "0"));
  }

  /** The highest source position a snapshot committed, -1 for none. */
  static long committedLsn(Snapshot s) {
    if (s == null) {
      return -1;
    }
    Map<String, String> summary = s.summary();
    String lsn = summary.get(IcebergCommitterOperator.MAX_LSN);
    return lsn == null ? -1 : Long.parseLong(lsn);
  }

  /** The table's current snapshot, null when it has none or does not exist yet. */
  static Snapshot current(Catalog catalog, TableIdentifier id) {
    try {
      Table table = catalog.loadTable(id);
      return table.currentSnapshot();
    } catch (NoSuchTableException e) {
      return null;
    }
  }

  /** A PostgreSQL LSN such as {@code 0/1F01D50} as a number. */
  static long lsn(String text) {
    int slash = text.indexOf('/');
    return (Long.parseLong(text.substring(0, slash), 16) << 32)
        | Long.parseLong(text.substring(slash + 1), 16);
  }

  interface Condition {
    boolean met() throws Exception;
  }

  /** Prepares one latency probe: notes the table's state before the probe's change. */
  private interface Probe {
    Condition visibleAfterNow() throws Exception;
  }

  /**
   * Single-row commits, each timed until the pipeline's table shows it; sorted, in milliseconds.
   * Before each probe the benchmark pauses for a random part of the checkpoint interval (the same
   * sequence for every pipeline): a fixed pause after each visible commit would put every probe at
   * the same point of the checkpoint cycle, and measure that point instead of the distribution.
   */
  private List<Double> latencies(int probes, Probe probe) throws Exception {
    Random pauses = new Random(PROBE_SEED);
    List<Double> latencies = new ArrayList<>();
    for (int i = 0; i < probes; i++) {
      TimeUnit.MILLISECONDS.sleep(pauses.nextInt(CHECKPOINT_MS));
      Condition visible = probe.visibleAfterNow();
      sql("UPDATE bench SET a = a + 1 WHERE id = " + (1 + i));
      long committed = System.nanoTime();
      waitUntil(visible, Duration.ofMinutes(2));
      latencies.add((System.nanoTime() - committed) / 1e6);
    }
    Collections.sort(latencies);
    return latencies;
  }

  private long currentSnapshotId(TableIdentifier id) {
    Snapshot s = catalog.loadTable(id).currentSnapshot();
    return s == null ? -1 : s.snapshotId();
  }

  /**
   * Whether a snapshot committed after {@code snapshotId} added rows. The plain pipeline records no
   * source position in its commits; with no other changes during the probes, the first commit that
   * adds rows is the one with the probe's change (its empty commits add none).
   */
  private boolean rowsCommittedSince(TableIdentifier id, long snapshotId) {
    Table table = catalog.loadTable(id);
    for (Snapshot s = table.currentSnapshot();
        s != null && s.snapshotId() != snapshotId;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      if (Long.parseLong(s.summary().getOrDefault("added-records", "0")) > 0) {
        return true;
      }
    }
    return false;
  }

  static void waitUntil(Condition condition, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.met()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "The benchmark did not reach its condition within " + timeout);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  private void sql(String... statements) throws SQLException {
    try (Connection c = stack.connect(db);
        Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  private String value(String query) throws SQLException {
    try (Connection c = stack.connect(db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
