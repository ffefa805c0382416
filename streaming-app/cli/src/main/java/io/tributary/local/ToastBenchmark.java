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
import io.tributary.sink.StoredRows;
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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * The memory benchmark of the writer's stored rows: the heap while the pipeline snapshots a table
 * with a large text column stored out of line, and the cost of updates that leave that column out
 * (unchanged TOASTed values the writer must fill in). Three runs in one JVM, each on its own
 * database: the reference (snapshot rows kept in memory until their checkpoint completes, as
 * releases before did), the current writer, and the current writer on a table with {@code REPLICA
 * IDENTITY FULL} (whose updates carry the previous row).
 */
public final class ToastBenchmark {
  private static final String PUBLICATION = "tributary_toast_bench";

  private final int rows;
  private final int updates;
  private final int textBytes;
  private final PrintStream out;
  private LocalStack stack;
  private Catalog catalog;
  private String db;

  private ToastBenchmark(int rows, int updates, int textBytes, PrintStream out) {
    this.rows = rows;
    this.updates = updates;
    this.textBytes = textBytes;
    this.out = out;
  }

  /** Runs the benchmark; returns the exit code (1 when a lake differs from its source). */
  public static int run(int rows, int updates, int textBytes, PrintStream out) throws Exception {
    if (updates > rows) {
      out.printf(Locale.ROOT, "--updates %,d is more than --rows %,d%n", updates, rows);
      return 2;
    }
    return new ToastBenchmark(rows, updates, textBytes, out).run();
  }

  /** The figures of one run. */
  private static final class Figures {
    double snapshotSeconds;
    long peakHeapAfterGc;
    double updateSeconds;
    double updateCpu;
    boolean equal;
  }

  private int run() throws Exception {
    Path workdir = Files.createTempDirectory("tributary-toast-bench");
    out.println("Machine: " + MachineInfo.machine());
    out.printf(
        Locale.ROOT,
        "Table: %,d rows with a %,d-byte text column stored out of line; %,d updates of another"
            + " column; parallelism 2, checkpoints every 2 s; max heap %,d MiB%n",
        rows,
        textBytes,
        updates,
        Runtime.getRuntime().maxMemory() >> 20);
    HeapWatch heap = new HeapWatch();
    try (LocalStack s = LocalStack.start(workdir)) {
      stack = s;
      // A smaller round first, not reported, so that no measured round pays for class loading,
      // the first MiniCluster start and JIT compilation.
      out.println("Warm-up round (not reported):");
      if (!runOnce("toast_warmup", "DEFAULT", false, heap, rows / 5 + 1, updates / 5 + 1).equal) {
        return 1;
      }
      Figures reference = runOnce("toast_reference", "DEFAULT", true, heap);
      Figures current = runOnce("toast_current", "DEFAULT", false, heap);
      Figures full = runOnce("toast_full", "FULL", false, heap);
      out.printf(
          Locale.ROOT,
          "Live heap during the snapshot (after a full GC every 2 s): %,d MiB now against %,d MiB with snapshot rows kept"
              + " (%.1fx less)%n",
          current.peakHeapAfterGc >> 20,
          reference.peakHeapAfterGc >> 20,
          (double) reference.peakHeapAfterGc / Math.max(1, current.peakHeapAfterGc));
      out.printf(
          Locale.ROOT,
          "%,d updates leaving the text out: %.1f s (%,.0f/s) with REPLICA IDENTITY DEFAULT"
              + " (values looked up), %.1f s (%,.0f/s) with FULL (values in the change); DEFAULT"
              + " takes %.2fx the time of FULL%n",
          updates,
          current.updateSeconds,
          updates / current.updateSeconds,
          full.updateSeconds,
          updates / full.updateSeconds,
          current.updateSeconds / full.updateSeconds);
      return reference.equal && current.equal && full.equal ? 0 : 1;
    } finally {
      heap.close();
      StoredRows.keepSnapshotRowsForReference(false);
    }
  }

  private Figures runOnce(
      String database, String identity, boolean keepSnapshotRows, HeapWatch heap) throws Exception {
    return runOnce(database, identity, keepSnapshotRows, heap, rows, updates);
  }

  private Figures runOnce(
      String database,
      String identity,
      boolean keepSnapshotRows,
      HeapWatch heap,
      int rows,
      int updates)
      throws Exception {
    db = database;
    stack.ensureDatabase(db);
    out.printf(
        Locale.ROOT,
        "%s: REPLICA IDENTITY %s, snapshot rows %s%n",
        db,
        identity,
        keepSnapshotRows ? "kept in memory (reference)" : "not kept");
    sql(
        "CREATE TABLE docs (id bigint PRIMARY KEY, n integer, body text)",
        // Out of line and uncompressed, however compressible the text is.
        "ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL",
        "ALTER TABLE docs REPLICA IDENTITY " + identity,
        "INSERT INTO docs SELECT g, 0, left(repeat(md5(g::text), "
            + (textBytes / 32 + 1)
            + "), "
            + textBytes
            + ") FROM generate_series(1, "
            + rows
            + ") g",
        "VACUUM (ANALYZE) docs");
    TributaryConfig config = config();
    CatalogSpec spec = CatalogSpecs.from(config.sink());
    catalog = spec.open();
    List<CapturedTable> tables = TributaryJob.preflight(config);
    StoredRows.keepSnapshotRowsForReference(keepSnapshotRows);
    Figures f = new Figures();
    System.gc();
    Configuration flink = new Configuration();
    flink.set(TaskManagerOptions.NUM_TASK_SLOTS, 2);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    env.setParallelism(2);
    TributaryJob.build(env, config, tables);
    heap.reset();
    long started = System.nanoTime();
    JobClient job = env.executeAsync("toast-bench");
    try {
      Benchmark.waitUntil(() -> totalRecords() >= rows, Duration.ofMinutes(30));
      f.snapshotSeconds = (System.nanoTime() - started) / 1e9;
      f.peakHeapAfterGc = heap.peak();
      out.printf(
          Locale.ROOT,
          "  snapshot: %.1f s (%,.0f rows/s), peak live heap %,d MiB%n",
          f.snapshotSeconds,
          rows / f.snapshotSeconds,
          f.peakHeapAfterGc >> 20);
      StoredRows.keepSnapshotRowsForReference(false);
      long updateStarted = System.nanoTime();
      double cpuStarted = Benchmark.cpuSeconds();
      sql("UPDATE docs SET n = n + 1 WHERE id <= " + updates);
      // A last single-row change after them: once it is committed, all of them are (a commit
      // records the highest source position of its changes, and changes commit in order).
      long before = Benchmark.lsn(value("SELECT pg_current_wal_insert_lsn()::text"));
      sql("UPDATE docs SET n = n + 1 WHERE id = 1");
      Benchmark.waitUntil(() -> committedLsn() > before, Duration.ofMinutes(60));
      f.updateSeconds = (System.nanoTime() - updateStarted) / 1e9;
      f.updateCpu = Benchmark.cpuSeconds() - cpuStarted;
      out.printf(
          Locale.ROOT,
          "  %,d updates visible after %.1f s (%,.0f/s), %.1f s of JVM CPU%n",
          updates,
          f.updateSeconds,
          updates / f.updateSeconds,
          f.updateCpu);
    } finally {
      job.cancel().get();
      Benchmark.waitUntil(() -> Benchmark.stopped(job), Duration.ofMinutes(2));
    }
    VerifyResult verified = LakeVerifier.verify(config, spec, null).get(0);
    f.equal = verified.equal();
    out.println("  verify: " + verified);
    sql(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database ="
            + " current_database() AND NOT active");
    return f;
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
        .tables(TableSelection.builder().include("public.docs").build())
        .sink(stack.sink(db))
        .job(JobConfig.builder().checkpointInterval(Duration.ofSeconds(2)).parallelism(2).build())
        .build();
  }

  private long totalRecords() {
    return Benchmark.totalRecords(Benchmark.current(catalog, TableIdentifier.of(db, "docs")));
  }

  private long committedLsn() {
    return Benchmark.committedLsn(Benchmark.current(catalog, TableIdentifier.of(db, "docs")));
  }

  private void sql(String... statements) throws SQLException {
    try (Connection c = stack.connect(db);
        Statement st = c.createStatement()) {
      for (String statement : statements) {
        st.execute(statement);
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

  /**
   * The highest live heap: every 2 seconds a full collection ({@code System.gc()}) and the heap in
   * use right after it, so that garbage the collector has not reached yet does not count.
   */
  private static final class HeapWatch implements AutoCloseable {
    private final AtomicLong peak = new AtomicLong();
    private final Thread sampler;
    private volatile boolean running = true;

    HeapWatch() {
      sampler =
          new Thread(
              () -> {
                while (running) {
                  System.gc();
                  long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                  peak.accumulateAndGet(used, Math::max);
                  try {
                    TimeUnit.SECONDS.sleep(2);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "heap-watch");
      sampler.setDaemon(true);
      sampler.start();
    }

    void reset() {
      peak.set(0);
    }

    long peak() {
      return peak.get();
    }

    @Override
    public void close() {
      running = false;
      sampler.interrupt();
    }
  }
}
