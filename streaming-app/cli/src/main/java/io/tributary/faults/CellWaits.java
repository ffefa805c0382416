package io.tributary.faults;

import io.tributary.catalog.CatalogSpec;
import io.tributary.config.TributaryConfig;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;

/**
 * What a cell waits for, each with a deadline: a condition while the job lives, the first commit
 * after a fault, and the lake caught up with the source. The lake may be unreachable through a
 * fault; it is then asked again.
 */
final class CellWaits {
  private CellWaits() {}

  /** A condition asked again until it is met. */
  interface Condition {
    boolean met() throws Exception;
  }

  /** Waits until a condition is met; fails when the job ends or the time is up. */
  static void awaitCondition(JobProcess job, Duration atMost, Condition c, String what)
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
  static long records(Catalog catalog, String namespace, String table) {
    try {
      Table t = catalog.loadTable(TableIdentifier.of(namespace, table));
      Snapshot s = t.currentSnapshot();
      return s == null ? 0 : Long.parseLong(s.summary().getOrDefault("total-records", "0"));
    } catch (NoSuchTableException e) {
      return 0;
    } catch (RuntimeException e) {
      return 0; // the catalog may be unreachable through a fault; asked again
    }
  }

  /** Milliseconds from {@code cleared} to the first commit the stream made after it. */
  static long awaitCommitAfter(
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

  /**
   * Verifies the lake until every table is equal, then once more a few checkpoints later; the last
   * results when the time is up or the job ended.
   */
  static List<VerifyResult> awaitCaughtUp(
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
}
