package io.tributary.faults;

import static io.tributary.faults.CellWaits.awaitCaughtUp;
import static io.tributary.faults.CellWaits.awaitCommitAfter;
import static io.tributary.faults.CellWaits.awaitCondition;
import static io.tributary.faults.CellWaits.records;

import io.tributary.catalog.CatalogSpec;
import io.tributary.catalog.CatalogSpecs;
import io.tributary.config.TributaryConfig;
import io.tributary.local.LocalStack;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.iceberg.catalog.Catalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cell of the matrix: a new database with the workload's tables, the job started against it
 * through the forwarders, the fault injected in its phase, recovery awaited, and the lake verified
 * against the source once the stream has caught up.
 */
final class FaultCell {
  private static final Logger LOG = LoggerFactory.getLogger(FaultCell.class);

  private final Path workdir;
  private final boolean quick;
  private final LocalStack lake;
  private final SourceServer source;
  private final TcpProxy sourceProxy;
  private final TcpProxy s3Proxy;
  private final TcpProxy catalogProxy;
  private final Consumer<JobProcess> jobStarted;

  /**
   * @param jobStarted told of each cell's job process before it starts (to kill it on Ctrl-C)
   */
  FaultCell(
      Path workdir,
      boolean quick,
      LocalStack lake,
      SourceServer source,
      TcpProxy sourceProxy,
      TcpProxy s3Proxy,
      TcpProxy catalogProxy,
      Consumer<JobProcess> jobStarted) {
    this.workdir = workdir;
    this.quick = quick;
    this.lake = lake;
    this.source = source;
    this.sourceProxy = sourceProxy;
    this.s3Proxy = s3Proxy;
    this.catalogProxy = catalogProxy;
    this.jobStarted = jobStarted;
  }

  /** Runs the cell of {@code r}'s fault in a new database, filling in {@code r}. */
  void run(String database, CellResult r) throws Exception {
    Path cellDir = workdir.resolve("cells").resolve(database);
    r.fault.injection.prepare(cellDir);
    try {
      run(database, cellDir, r);
    } finally {
      r.fault.injection.release(cellDir);
    }
  }

  private void run(String database, Path cellDir, CellResult r) throws Exception {
    int bulkRows = quick ? 60_000 : 300_000;
    source.createDatabase(database);
    try (Connection c = source.connect(database)) {
      FaultWorkload.create(c, bulkRows);
    }
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
    jobStarted.accept(job);
    FaultContext context =
        new FaultContext(
            source,
            sourceProxy,
            s3Proxy,
            catalogProxy,
            job,
            quick ? Duration.ofSeconds(15) : Duration.ofSeconds(30));
    context.database = database;
    context.cellDir = cellDir;
    FaultWorkload workload = new FaultWorkload(() -> source.connect(database), 40);
    job.start();
    try {
      Catalog lakeCatalog = catalog.open();
      try {
        if (r.fault.phase == FaultPhase.SNAPSHOT) {
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
        if (r.fault.phase == FaultPhase.SNAPSHOT && snapshotDone) {
          r.phase = "streaming (the snapshot ended before the fault)";
        }
        long injected = System.currentTimeMillis();
        r.fault.injection.inject(context);
        r.said = context.said;
        if (r.fault.expectedStop != null) {
          expectStop(job, r);
          return;
        }
        long cleared = context.cleared == null ? injected : context.cleared.toEpochMilli();
        if (r.fault.phase == FaultPhase.SNAPSHOT) {
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
      r.verified(awaitCaughtUp(job, config, catalog, Duration.ofMinutes(5)));
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
  private static void expectStop(JobProcess job, CellResult r) throws InterruptedException {
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
}
