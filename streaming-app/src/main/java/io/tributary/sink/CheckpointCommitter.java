package io.tributary.sink;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the files of one checkpoint to every table it touches, up to {@link
 * SinkSpec#commitThreads()} tables at the same time. Each table's checkpoint is one task, and
 * {@link #commit} returns only once every task has ended, so the commits of one table stay in
 * checkpoint order: a table's next checkpoint cannot start before its last one ended. A table whose
 * commit fails does not stop the others: they all run to their end, the tables that committed are
 * reported, then the first failure (in the order the tables came) is thrown, as the job's failure,
 * and the restored job commits what is not committed yet ({@link TableCommitter} finds in each
 * table's history what is). A table that no longer exists in the catalog is reported blocked and
 * the others commit.
 *
 * <p>The catalog is shared by the tasks (the Glue, JDBC, REST and Hadoop catalogs of Iceberg are
 * safe for that); each {@link Table} is used by one task at a time.
 */
public final class CheckpointCommitter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointCommitter.class);

  /** How long closing waits for the commits under way to end. */
  private static final long CLOSE_WAIT_SECONDS = 120;

  private final SinkSpec spec;
  private final String runId;
  private final Catalog catalog;
  private final TableCommitter committer;
  private final Map<String, Table> tables = new ConcurrentHashMap<>();
  private final ThreadPoolExecutor pool;

  /**
   * @param catalog the catalog to commit to; not closed here
   * @param committer what each table's commit goes through (it remembers what was committed)
   */
  public CheckpointCommitter(
      SinkSpec spec, String runId, Catalog catalog, TableCommitter committer) {
    this.spec = spec;
    this.runId = runId;
    this.catalog = catalog;
    this.committer = committer;
    int threads = spec.commitThreads();
    if (threads > 1) {
      AtomicInteger count = new AtomicInteger();
      // The job's class loader (Flink's user code class loader), also for threads started later.
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      pool =
          new ThreadPoolExecutor(
              threads,
              threads,
              60,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(),
              task -> {
                Thread thread = new Thread(task, "tributary-commit-" + count.incrementAndGet());
                thread.setDaemon(true);
                thread.setContextClassLoader(loader);
                return thread;
              });
      pool.allowCoreThreadTimeOut(true);
    } else {
      pool = null;
    }
  }

  /**
   * Commits the writes of one checkpoint received by committer session {@code session}, and returns
   * what each table's commit did, in the order the tables first appear in {@code batches}. Returns
   * after every table's commit has ended.
   *
   * @throws RuntimeException the first failure of a table's commit (after all others ended)
   */
  public List<TableCommit> commit(long checkpointId, String session, List<WriteBatch> batches) {
    List<TableCommit> done = new ArrayList<>();
    commit(checkpointId, session, batches, done::add);
    return done;
  }

  /**
   * Commits the writes of one checkpoint received by committer session {@code session}, and hands
   * what each table's commit did to {@code committed}, on the calling thread, in the order the
   * tables first appear in {@code batches}, once every table's commit has ended: also when one of
   * them failed, so the tables that did commit are reported before the failure is thrown.
   *
   * @throws RuntimeException the first failure of a table's commit (after all others ended)
   */
  public void commit(
      long checkpointId,
      String session,
      List<WriteBatch> batches,
      Consumer<TableCommit> committed) {
    Map<String, List<TableWrite>> byTable = new LinkedHashMap<>();
    for (WriteBatch batch : batches) {
      for (TableWrite write : batch.tables()) {
        byTable.computeIfAbsent(write.table(), t -> new ArrayList<>()).add(write);
      }
    }
    if (pool == null || byTable.size() <= 1) {
      int count = 0;
      for (Map.Entry<String, List<TableWrite>> entry : byTable.entrySet()) {
        if (count++ == 1) {
          CrashPoint.reached(CrashPoint.BETWEEN_TABLES);
        }
        TableCommit commit = commitTable(checkpointId, session, entry.getKey(), entry.getValue());
        if (commit != null) {
          committed.accept(commit);
        }
      }
      return;
    }
    List<TableCommit> done = new ArrayList<>(byTable.size());
    long started = System.nanoTime();
    AtomicInteger ended = new AtomicInteger();
    List<Future<TableCommit>> futures = new ArrayList<>(byTable.size());
    List<String> names = new ArrayList<>(byTable.size());
    for (Map.Entry<String, List<TableWrite>> entry : byTable.entrySet()) {
      String name = entry.getKey();
      List<TableWrite> writes = entry.getValue();
      names.add(name);
      futures.add(
          pool.submit(
              () -> {
                TableCommit commit = commitTable(checkpointId, session, name, writes);
                if (ended.incrementAndGet() == 1) {
                  // The other tables are committing, committed or waiting: a halt here leaves
                  // the checkpoint committed to some of its tables only.
                  CrashPoint.reached(CrashPoint.BETWEEN_TABLES);
                }
                return commit;
              }));
    }
    Throwable failure = null;
    boolean interrupted = false;
    for (int i = 0; i < futures.size(); i++) {
      Future<TableCommit> future = futures.get(i);
      TableCommit commit = null;
      while (true) {
        try {
          commit = future.get();
          break;
        } catch (InterruptedException e) {
          // Never return while a commit of this checkpoint still runs: the next one of the same
          // table would race it.
          interrupted = true;
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause();
          } else {
            failure.addSuppressed(e.getCause());
          }
          LOG.error(
              "Committing checkpoint {} to {} failed; the other tables of the checkpoint still"
                  + " commit, and the job restarts to commit it again",
              checkpointId,
              names.get(i),
              e.getCause());
          break;
        }
      }
      if (commit != null) {
        done.add(commit);
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    done.forEach(committed);
    if (failure instanceof RuntimeException) {
      throw (RuntimeException) failure;
    }
    if (failure instanceof Error) {
      throw (Error) failure;
    }
    if (failure != null) {
      throw new IllegalStateException(
          "Committing checkpoint " + checkpointId + " failed: " + failure.getMessage(), failure);
    }
    LOG.info(
        "Committed checkpoint {} to {} tables in {} ms ({} at a time)",
        checkpointId,
        byTable.size(),
        (System.nanoTime() - started) / 1_000_000,
        spec.commitThreads());
  }

  /** Commits one table's writes of a checkpoint; null when there is nothing to report. */
  private TableCommit commitTable(
      long checkpointId, String batchSession, String name, List<TableWrite> writes) {
    Table table = tables.get(name);
    try {
      if (table == null) {
        table = catalog.loadTable(TableIdentifier.parse(name));
        tables.put(name, table);
      }
      try {
        return committer.commit(table, name, batchSession, checkpointId, writes);
      } catch (IllegalStateException e) {
        if (e.getMessage() == null || !e.getMessage().startsWith("Table UUID does not match")) {
          throw e;
        }
        // Dropped and created again (the recovery of a parked table): the writers wrote these
        // files for the new table, and the failed refresh committed nothing.
        LOG.warn("Table {} was replaced in the catalog: committing to the new table", name);
        table = catalog.loadTable(TableIdentifier.parse(name));
        tables.put(name, table);
        return committer.commit(table, name, batchSession, checkpointId, writes);
      }
    } catch (NoSuchTableException e) {
      tables.remove(name);
      return tableGone(checkpointId, batchSession, name, writes);
    }
  }

  /**
   * The files of a table that no longer exists in the catalog (dropped while the job ran) cannot be
   * committed. Rather than stopping every table, or dropping them unseen, their list is kept beside
   * the warehouse ({@link IcebergCommitterOperator#UNCOMMITTED}), the error is logged naming the
   * table, and the table is reported blocked with the reason and the fix. Returns null when there
   * were no files (only a TRUNCATE of a table no writer has created yet: nothing to empty).
   */
  private TableCommit tableGone(
      long checkpointId, String batchSession, String name, List<TableWrite> writes) {
    List<String> lines = new ArrayList<>();
    long rows = 0;
    long deletes = 0;
    for (TableWrite write : writes) {
      lines.addAll(WriteBatch.describeFiles(write));
      rows += write.rows();
      deletes += write.deletes();
    }
    if (lines.isEmpty()) {
      LOG.info("No table {} yet; nothing to truncate in checkpoint {}", name, checkpointId);
      return null;
    }
    String path =
        IcebergCommitterOperator.uncommittedPath(
            spec.catalog().warehouse(), name, runId, checkpointId, batchSession);
    String kept;
    try (FileIO io = spec.catalog().openFileIo()) {
      try (OutputStream out = io.newOutputFile(path).createOrOverwrite()) {
        out.write(String.join("\n", lines).concat("\n").getBytes(StandardCharsets.UTF_8));
      }
      kept = "their list is kept in " + path;
    } catch (IOException | RuntimeException e) {
      LOG.error("Cannot write the list of uncommitted files of {} to {}", name, path, e);
      kept = "their list could not be written (" + e.getMessage() + "): " + lines;
    }
    String reason =
        "Table "
            + name
            + " no longer exists in the catalog: "
            + lines.size()
            + " files of checkpoint "
            + checkpointId
            + " ("
            + rows
            + " rows, "
            + deletes
            + " deletes) were not committed; "
            + kept
            + ". Recreate the table and load it again (backfill), or remove it from the table"
            + " selection.";
    LOG.error(reason);
    return new TableCommit(
        name, checkpointId, -1, 0, 0, -1, -1, System.currentTimeMillis(), 0, 0, reason);
  }

  /**
   * Stops the commit threads, waiting for commits under way to end (they are not interrupted: a
   * commit cut short would leave the table for the restored job to sort out).
   */
  @Override
  public void close() {
    if (pool == null) {
      return;
    }
    pool.shutdown();
    try {
      if (!pool.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn(
            "Commits still running {} s after the committer closed; leaving them",
            CLOSE_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
