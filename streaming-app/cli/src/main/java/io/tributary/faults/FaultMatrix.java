package io.tributary.faults;

import io.tributary.catalog.CatalogSpec;
import io.tributary.catalog.CatalogSpecs;
import io.tributary.config.TributaryConfig;
import io.tributary.local.LocalStack;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tributary faults}: runs the pipeline against a source server of its own, injects one fault
 * per cell while the workload runs, lets the job recover, and checks the lake with {@code verify}
 * once the stream has caught up. Every cell starts from a new database, slot and namespace, so a
 * cell's result never depends on the cell before it.
 */
public final class FaultMatrix {
  private static final Logger LOG = LoggerFactory.getLogger(FaultMatrix.class);

  /** When a fault is injected. */
  enum Phase {
    SNAPSHOT("snapshot"),
    STREAMING("streaming");

    final String label;

    Phase(String label) {
      this.label = label;
    }
  }

  /** One fault: what it breaks, and how long. */
  interface Injection {
    void inject(Context c) throws Exception;
  }

  /** A fault of the matrix. */
  static final class Fault {
    final String id;
    final String description;
    final Phase phase;
    final Injection injection;

    /**
     * For a fault the job must not recover from (the position it needs is gone): what its output
     * must say when it stops; null when the job must recover.
     */
    final String expectedStop;

    Fault(String id, String description, Phase phase, Injection injection) {
      this(id, description, phase, injection, null);
    }

    Fault(String id, String description, Phase phase, Injection injection, String expectedStop) {
      this.id = id;
      this.description = description;
      this.phase = phase;
      this.injection = injection;
      this.expectedStop = expectedStop;
    }
  }

  /** What a fault can reach. */
  static final class Context {
    final SourceServer source;
    final TcpProxy sourceProxy;
    final TcpProxy s3Proxy;
    final TcpProxy catalogProxy;
    final JobProcess job;
    final Duration outage;
    String database;
    Instant cleared;

    Context(
        SourceServer source,
        TcpProxy sourceProxy,
        TcpProxy s3Proxy,
        TcpProxy catalogProxy,
        JobProcess job,
        Duration outage) {
      this.source = source;
      this.sourceProxy = sourceProxy;
      this.s3Proxy = s3Proxy;
      this.catalogProxy = catalogProxy;
      this.job = job;
      this.outage = outage;
    }

    void outage(TcpProxy proxy, TcpProxy.Mode mode, Duration length) throws InterruptedException {
      proxy.mode(mode);
      TimeUnit.MILLISECONDS.sleep(length.toMillis());
      proxy.mode(TcpProxy.Mode.OPEN);
      cleared = Instant.now();
    }
  }

  /** The faults, in the order they run; {@code outage} scales the network outages. */
  static List<Fault> faults(boolean quick) {
    Duration outage = quick ? Duration.ofSeconds(15) : Duration.ofSeconds(30);
    List<Fault> all = new ArrayList<>();
    Injection kill =
        c -> {
          c.job.kill();
          c.cleared = Instant.now();
          c.job.start();
        };
    all.add(new Fault("job-kill", "job process killed (SIGKILL)", Phase.SNAPSHOT, kill));
    all.add(new Fault("job-kill", "job process killed (SIGKILL)", Phase.STREAMING, kill));
    Injection killTaskManager =
        c -> {
          c.job.killTaskManager();
          c.cleared = Instant.now();
        };
    all.add(
        new Fault(
            "taskmanager-kill",
            "one of two task managers killed",
            Phase.SNAPSHOT,
            killTaskManager));
    all.add(
        new Fault(
            "taskmanager-kill",
            "one of two task managers killed",
            Phase.STREAMING,
            killTaskManager));
    all.add(
        new Fault(
            "job-halt-commit",
            "job process halted between two tables' commits of one checkpoint",
            Phase.STREAMING,
            c -> {
              c.job.arm(io.tributary.sink.CrashPoint.BETWEEN_TABLES);
              if (!c.job.awaitEnd(120)) {
                throw new IllegalStateException(
                    "the job never reached the crash point between two tables' commits");
              }
              c.cleared = Instant.now();
              c.job.start();
            }));
    Injection crash =
        c -> {
          c.source.crash();
          TimeUnit.SECONDS.sleep(3);
          c.source.startAfterCrash();
          c.cleared = Instant.now();
        };
    all.add(new Fault("source-crash", "source postmaster killed (SIGKILL)", Phase.SNAPSHOT, crash));
    all.add(
        new Fault("source-crash", "source postmaster killed (SIGKILL)", Phase.STREAMING, crash));
    all.add(
        new Fault(
            "source-restart",
            "source restarted (fast shutdown)",
            Phase.STREAMING,
            c -> {
              c.source.restartFast();
              c.cleared = Instant.now();
            }));
    all.add(
        new Fault(
            "s3-down",
            "S3 unreachable for " + outage.toSeconds() + " s",
            Phase.STREAMING,
            c -> c.outage(c.s3Proxy, TcpProxy.Mode.REFUSE, outage)));
    all.add(
        new Fault(
            "catalog-down",
            "catalog unreachable for " + outage.toSeconds() + " s",
            Phase.STREAMING,
            c -> c.outage(c.catalogProxy, TcpProxy.Mode.REFUSE, outage)));
    Duration hang = quick ? Duration.ofSeconds(30) : Duration.ofSeconds(60);
    all.add(
        new Fault(
            "source-hang",
            "network to the source drops everything for " + hang.toSeconds() + " s (no reset)",
            Phase.STREAMING,
            c -> c.outage(c.sourceProxy, TcpProxy.Mode.HANG, hang)));
    all.add(
        new Fault(
            "slot-lost",
            "replication slot invalidated by max_slot_wal_keep_size while the job is down",
            Phase.STREAMING,
            FaultMatrix::loseSlot,
            "wal_status = lost"));
    if (!quick) {
      all.add(
          new Fault(
              "s3-down-long",
              "S3 unreachable for 300 s",
              Phase.STREAMING,
              c -> c.outage(c.s3Proxy, TcpProxy.Mode.REFUSE, Duration.ofMinutes(5))));
    }
    return all;
  }

  /** One row of the report. */
  static final class Result {
    final Fault fault;
    String phase;
    long recoverMillis = -1;
    long lost;
    long notDeleted;
    long duplicated;
    int tablesEqual;
    int tables;
    long transactions;
    long failedTransactions;
    int jobStarts;
    String problem;
    boolean expectedStopCell;
    String stopMessage;
    final List<String> differences = new ArrayList<>();

    Result(Fault fault) {
      this.fault = fault;
    }

    boolean clean() {
      if (expectedStopCell) {
        return problem == null && stopMessage != null;
      }
      return problem == null
          && lost == 0
          && notDeleted == 0
          && duplicated == 0
          && tablesEqual == tables;
    }
  }

  private final Path workdir;
  private final boolean quick;
  private final PrintStream out;
  private volatile JobProcess currentJob;

  private FaultMatrix(Path workdir, boolean quick, PrintStream out) {
    this.workdir = workdir.toAbsolutePath();
    this.quick = quick;
    this.out = out;
  }

  /**
   * Runs the selected faults ({@code only} empty: all), prints one line per cell, writes the report
   * to {@code output} when given; returns 0 when every cell lost and duplicated nothing.
   */
  public static int run(
      Path workdir, boolean quick, List<String> only, Path output, PrintStream out)
      throws Exception {
    List<Result> results = new FaultMatrix(workdir, quick, out).runAll(only);
    String report = report(results, quick);
    if (output != null) {
      Files.writeString(output, report);
      out.println("Wrote " + output);
    }
    return results.stream().allMatch(Result::clean) ? 0 : 1;
  }

  /** Runs the cells and returns their results. */
  public static List<Result> results(
      Path workdir, boolean quick, List<String> only, PrintStream out) throws Exception {
    return new FaultMatrix(workdir, quick, out).runAll(only);
  }

  private List<Result> runAll(List<String> only) throws Exception {
    List<Result> results = new ArrayList<>();
    Files.createDirectories(workdir);
    try (LocalStack lake = LocalStack.start(workdir.resolve("lake"));
        SourceServer source = SourceServer.start(workdir.resolve("source"), LocalStack.freePort());
        TcpProxy sourceProxy = TcpProxy.start("source", source.port());
        TcpProxy s3Proxy = TcpProxy.start("s3", URI.create(lake.s3Endpoint()).getPort());
        TcpProxy catalogProxy = TcpProxy.start("catalog", lake.postgresPort())) {
      // Ctrl-C: the job's process and both PostgreSQL servers go with this one.
      Thread cleanUp =
          new Thread(
              () -> {
                JobProcess job = currentJob;
                if (job != null) {
                  try {
                    job.kill();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
                try {
                  source.close();
                } catch (IOException | RuntimeException e) {
                  LOG.warn("Stopping the source server failed", e);
                }
                lake.close();
              },
              "faults-clean-up");
      Runtime.getRuntime().addShutdownHook(cleanUp);
      try {
        runCells(only, results, lake, source, sourceProxy, s3Proxy, catalogProxy);
      } finally {
        Runtime.getRuntime().removeShutdownHook(cleanUp);
      }
    }
    return results;
  }

  private void runCells(
      List<String> only,
      List<Result> results,
      LocalStack lake,
      SourceServer source,
      TcpProxy sourceProxy,
      TcpProxy s3Proxy,
      TcpProxy catalogProxy) {
    int n = 0;
    for (Fault fault : faults(quick)) {
      String name = fault.id + "/" + fault.phase.label;
      if (!only.isEmpty() && !only.contains(fault.id) && !only.contains(name)) {
        continue;
      }
      n++;
      String database =
          "cell" + n + "_" + fault.id.replace('-', '_') + "_" + fault.phase.label.charAt(0);
      out.println("[" + name + "] " + fault.description + " during the " + fault.phase.label);
      Result r = new Result(fault);
      try {
        runCell(lake, source, sourceProxy, s3Proxy, catalogProxy, database, r);
      } catch (Exception e) {
        LOG.warn("Cell {} failed", name, e);
        r.problem = "the cell failed: " + e;
      }
      out.println("  " + line(r));
      for (String d : r.differences.subList(0, Math.min(10, r.differences.size()))) {
        out.println("    " + d);
      }
      results.add(r);
    }
  }

  private void runCell(
      LocalStack lake,
      SourceServer source,
      TcpProxy sourceProxy,
      TcpProxy s3Proxy,
      TcpProxy catalogProxy,
      String database,
      Result r)
      throws Exception {
    int bulkRows = quick ? 60_000 : 300_000;
    source.createDatabase(database);
    try (Connection c = source.connect(database)) {
      FaultWorkload.create(c, bulkRows);
    }
    Path cellDir = workdir.resolve("cells").resolve(database);
    Properties settings = new Properties();
    settings.setProperty("database", database);
    settings.setProperty("source.port", Integer.toString(sourceProxy.port()));
    settings.setProperty("catalog.port", Integer.toString(catalogProxy.port()));
    settings.setProperty("s3.port", Integer.toString(s3Proxy.port()));
    settings.setProperty("chunk-size", quick ? "4000" : "8096");
    FaultJob.writeSettings(cellDir, settings);
    // verify reads the source and the lake directly, not through the forwarders
    Properties direct = new Properties();
    direct.putAll(settings);
    direct.setProperty("source.port", Integer.toString(source.port()));
    direct.setProperty("catalog.port", Integer.toString(lake.postgresPort()));
    direct.setProperty("s3.port", Integer.toString(URI.create(lake.s3Endpoint()).getPort()));
    TributaryConfig config = FaultJob.config(direct);
    CatalogSpec catalog = CatalogSpecs.from(config.sink());

    JobProcess job = new JobProcess(cellDir);
    currentJob = job;
    Context context =
        new Context(
            source,
            sourceProxy,
            s3Proxy,
            catalogProxy,
            job,
            quick ? Duration.ofSeconds(15) : Duration.ofSeconds(30));
    context.database = database;
    FaultWorkload workload = new FaultWorkload(() -> source.connect(database), 40);
    job.start();
    try {
      Catalog lakeCatalog = catalog.open();
      try {
        if (r.fault.phase == Phase.SNAPSHOT) {
          awaitCondition(
              job,
              Duration.ofMinutes(4),
              () -> records(lakeCatalog, database, "bulk") > 0,
              "the snapshot of bulk to start");
        } else {
          awaitCondition(
              job,
              Duration.ofMinutes(6),
              () -> records(lakeCatalog, database, "bulk") >= bulkRows,
              "the snapshot to complete");
          workload.start();
          TimeUnit.SECONDS.sleep(quick ? 5 : 10);
        }
        boolean snapshotDone = records(lakeCatalog, database, "bulk") >= bulkRows;
        r.phase = snapshotDone ? "streaming" : "snapshot";
        if (r.fault.phase == Phase.SNAPSHOT && snapshotDone) {
          r.phase = "streaming (the snapshot ended before the fault)";
        }
        long injected = System.currentTimeMillis();
        r.fault.injection.inject(context);
        if (r.fault.expectedStop != null) {
          expectStop(job, r);
          return;
        }
        long cleared = context.cleared == null ? injected : context.cleared.toEpochMilli();
        if (r.fault.phase == Phase.SNAPSHOT) {
          workload.start();
        }
        r.recoverMillis =
            awaitCommitAfter(job, lakeCatalog, database, cleared, Duration.ofMinutes(6));
        TimeUnit.SECONDS.sleep(quick ? 3 : 8);
        workload.truncateOnce();
        TimeUnit.SECONDS.sleep(quick ? 4 : 8);
      } finally {
        CatalogSpec.closeQuietly(lakeCatalog);
      }
      workload.close();
      r.transactions = workload.committed();
      r.failedTransactions = workload.failed();
      List<VerifyResult> last = awaitCaughtUp(job, config, catalog, Duration.ofMinutes(5));
      r.tables = last.size();
      for (VerifyResult v : last) {
        if (v.equal()) {
          r.tablesEqual++;
        }
        for (String d : v.differences()) {
          r.differences.add(v.table() + ": " + d);
          if (d.contains("missing in the lake") || d.contains("values differ")) {
            r.lost++;
          } else if (d.contains("in the lake but not in the source")) {
            r.notDeleted++;
          } else if (d.contains("holds the key")
              || d.contains("times in the lake")
              || d.contains("holds this change")
              || d.contains("duplicate")) {
            r.duplicated++;
          }
        }
      }
      if (!job.alive()) {
        r.problem = "the job process ended: " + job.tail();
      }
    } finally {
      workload.close();
      r.jobStarts = job.starts();
      job.kill();
      dropSlot(source, database);
    }
  }

  /**
   * A fault the job must not recover from: it must stop for good, without restarts, and say why and
   * what to do, instead of streaming from a position that no longer exists.
   */
  private static void expectStop(JobProcess job, Result r) throws InterruptedException {
    r.expectedStopCell = true;
    if (!job.awaitEnd(300)) {
      r.problem = "the job did not stop within 5 minutes (it must not go on from a lost position)";
      return;
    }
    String output = job.output();
    int at = output.indexOf(r.fault.expectedStop);
    if (at < 0) {
      r.problem = "the job stopped without saying '" + r.fault.expectedStop + "':\n" + job.tail();
      return;
    }
    int start = output.lastIndexOf("Replication slot", at);
    int end = output.indexOf('\n', at);
    r.stopMessage =
        output.substring(
            start < 0 ? Math.max(0, at - 200) : start, end < 0 ? output.length() : end);
  }

  /**
   * Stops the job, lets the source remove WAL the slot still needs (max_slot_wal_keep_size small,
   * WAL written outside the captured schema, checkpoints), then starts the job again.
   */
  private static void loseSlot(Context c) throws Exception {
    c.job.kill();
    String slot = "tributary_" + c.database;
    try (Connection admin = c.source.connect("postgres");
        Statement st = admin.createStatement()) {
      st.execute("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'");
      st.execute("SELECT pg_reload_conf()");
      try (Connection db = c.source.connect(c.database);
          Statement w = db.createStatement()) {
        w.execute("CREATE SCHEMA IF NOT EXISTS filler");
        w.execute("CREATE TABLE IF NOT EXISTS filler.wal (x text)");
        String status = "";
        for (int i = 0; i < 40 && !"lost".equals(status); i++) {
          w.execute("INSERT INTO filler.wal SELECT md5(g::text) FROM generate_series(1, 50000) g");
          w.execute("SELECT pg_switch_wal()");
          st.execute("CHECKPOINT");
          try (ResultSet rs =
              st.executeQuery(
                  "SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            status = rs.next() ? String.valueOf(rs.getString(1)) : "(no slot)";
          }
        }
        if (!"lost".equals(status)) {
          throw new IllegalStateException("slot " + slot + " is still " + status);
        }
      } finally {
        st.execute("ALTER SYSTEM RESET max_slot_wal_keep_size");
        st.execute("SELECT pg_reload_conf()");
      }
    }
    c.cleared = Instant.now();
    c.job.start();
  }

  interface Condition {
    boolean met() throws Exception;
  }

  private static void awaitCondition(JobProcess job, Duration atMost, Condition c, String what)
      throws Exception {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (!c.met()) {
      if (!job.alive()) {
        throw new IllegalStateException(
            "the job ended while waiting for " + what + ":\n" + job.tail());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      TimeUnit.MILLISECONDS.sleep(300);
    }
  }

  /** Records in a lake table's current snapshot (0 while it does not exist). */
  private static long records(Catalog catalog, String namespace, String table) {
    try {
      Table t = catalog.loadTable(TableIdentifier.of(namespace, table));
      Snapshot s = t.currentSnapshot();
      return s == null ? 0 : Long.parseLong(s.summary().getOrDefault("total-records", "0"));
    } catch (org.apache.iceberg.exceptions.NoSuchTableException e) {
      return 0;
    } catch (RuntimeException e) {
      return 0; // the catalog may be unreachable through a fault; asked again
    }
  }

  /** Milliseconds from {@code cleared} to the first commit the stream made after it. */
  private static long awaitCommitAfter(
      JobProcess job, Catalog catalog, String namespace, long cleared, Duration atMost)
      throws Exception {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (System.nanoTime() < deadline) {
      long newest = 0;
      try {
        for (TableIdentifier id : catalog.listTables(Namespace.of(namespace))) {
          Snapshot s = catalog.loadTable(id).currentSnapshot();
          if (s != null) {
            newest = Math.max(newest, s.timestampMillis());
          }
        }
      } catch (RuntimeException e) {
        // asked again
      }
      if (newest > cleared) {
        return newest - cleared;
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
    return -1;
  }

  private static List<VerifyResult> awaitCaughtUp(
      JobProcess job, TributaryConfig config, CatalogSpec catalog, Duration atMost)
      throws Exception {
    long deadline = System.nanoTime() + atMost.toNanos();
    List<VerifyResult> results = List.of();
    while (System.nanoTime() < deadline) {
      results = LakeVerifier.verify(config, catalog, null);
      if (!results.isEmpty() && results.stream().allMatch(VerifyResult::equal)) {
        // once more a few checkpoints later: a replayed commit would show only now
        TimeUnit.SECONDS.sleep(10);
        return LakeVerifier.verify(config, catalog, null);
      }
      if (!job.alive()) {
        return results;
      }
      TimeUnit.SECONDS.sleep(3);
    }
    return results;
  }

  private static void dropSlot(SourceServer source, String database) {
    try (Connection c = source.connect("postgres");
        Statement st = c.createStatement()) {
      for (int i = 0; i < 60; i++) {
        try (ResultSet rs =
            st.executeQuery(
                "SELECT active FROM pg_replication_slots WHERE slot_name = 'tributary_"
                    + database
                    + "'")) {
          if (!rs.next()) {
            return;
          }
          if (!rs.getBoolean(1)) {
            break;
          }
        }
        TimeUnit.MILLISECONDS.sleep(500);
      }
      st.execute("SELECT pg_drop_replication_slot('tributary_" + database + "')");
    } catch (SQLException | InterruptedException e) {
      LOG.warn("Could not drop the slot of {}", database, e);
    }
  }

  static String line(Result r) {
    if (r.expectedStopCell && r.clean()) {
      return "ok: the job stopped for good, as it must: " + r.stopMessage;
    }
    if (r.problem != null && r.tables == 0) {
      return "FAILED: " + r.problem;
    }
    return String.format(
        Locale.ROOT,
        "%s: injected during %s, recovered in %s, lost %d, not deleted %d, duplicated %d, tables"
            + " equal %d/%d, %d transactions (%d retried), job started %d times%s",
        r.clean() ? "ok" : "NOT OK",
        r.phase,
        r.recoverMillis < 0
            ? "(no commit)"
            : String.format(Locale.ROOT, "%.1f s", r.recoverMillis / 1000.0),
        r.lost,
        r.notDeleted,
        r.duplicated,
        r.tablesEqual,
        r.tables,
        r.transactions,
        r.failedTransactions,
        r.jobStarts,
        r.problem == null ? "" : "; " + r.problem.lines().findFirst().orElse(""));
  }

  static String report(List<Result> results, boolean quick) {
    StringBuilder b = new StringBuilder();
    b.append(
        "| Fault | Injected during | Recovered in | Lost | Not deleted | Duplicated | Tables equal |"
            + " Result |\n");
    b.append("|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      if (r.expectedStopCell) {
        b.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | stops for good (must not recover) | - | - | - | - | %s |\n",
                r.fault.description,
                r.phase == null ? r.fault.phase.label : r.phase,
                r.clean() ? "ok" : "NOT OK"));
        continue;
      }
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %d | %d | %d | %d/%d | %s |\n",
              r.fault.description,
              r.phase == null ? r.fault.phase.label : r.phase,
              r.recoverMillis < 0
                  ? "no commit"
                  : String.format(Locale.ROOT, "%.1f s", r.recoverMillis / 1000.0),
              r.lost,
              r.notDeleted,
              r.duplicated,
              r.tablesEqual,
              r.tables,
              r.clean() ? "ok" : "NOT OK"));
    }
    Map<String, List<String>> problems = new LinkedHashMap<>();
    for (Result r : results) {
      if (!r.clean()) {
        List<String> lines = new ArrayList<>();
        if (r.problem != null) {
          lines.add(r.problem.lines().findFirst().orElse(""));
        }
        lines.addAll(r.differences.subList(0, Math.min(10, r.differences.size())));
        problems.put(r.fault.id + "/" + r.fault.phase.label, lines);
      }
    }
    for (Map.Entry<String, List<String>> e : problems.entrySet()) {
      b.append("\n").append(e.getKey()).append(":\n");
      for (String l : e.getValue()) {
        b.append("- ").append(l).append('\n');
      }
    }
    return b.toString();
  }

  static Path defaultWorkdir() throws IOException {
    return Files.createTempDirectory("tributary-faults");
  }
}
