package io.tributary.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.catalog.CatalogSpec;
import io.tributary.config.TableSelection;
import io.tributary.deadletter.DeadLetters;
import io.tributary.glue.LakeSettings;
import io.tributary.glue.LocalLake;
import io.tributary.sink.IcebergWriterOperator;
import io.tributary.sink.TableManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.types.Type;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runbook of a parked table (docs/operations.md, "A parked table"), step by step, while the
 * stream runs on two writers and a workload keeps changing the parked table and another one: the
 * parked table ends equal to its source, with the new column type, and the other table flowed the
 * whole time.
 */
class ParkedRecoveryIT {
  private static final String DB = "park_shop";

  @TempDir static Path workdir;
  private static LocalLake lake;

  @BeforeAll
  static void start() throws Exception {
    lake = LocalLake.start(workdir, DB, TableSelection.builder().include("public.*").build(), 2);
    lake.sql(
        "CREATE TABLE bad (id bigint PRIMARY KEY, v text, n integer)",
        "INSERT INTO bad SELECT g, (g % 50)::text, 0 FROM generate_series(1, 400) g",
        "CREATE TABLE good (id bigint PRIMARY KEY, v integer, n integer)",
        "INSERT INTO good SELECT g, g, 0 FROM generate_series(1, 400) g");
  }

  @AfterAll
  static void stop() throws Exception {
    if (lake != null) {
      lake.close();
    }
  }

  @Test
  void theRunbookEndsWithAnExactMirrorWhileTheOtherTableFlows() throws Exception {
    lake.startStream(null);
    lake.awaitLakeEqualsSource(2);

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong transactions = new AtomicLong();
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    // Quoted literals fit the column v of bad as text (before the change) and as integer (after).
    Thread workload =
        new Thread(
            () -> {
              long i = 0;
              while (running.get()) {
                try {
                  long k = i % 10;
                  lake.sql(
                      "UPDATE bad SET n = n + 1, v = '" + (i % 97) + "' WHERE id % 10 = " + k,
                      "DELETE FROM bad WHERE id % 89 = " + (i % 89),
                      "INSERT INTO bad (id, v, n) SELECT id, '7', -1 FROM generate_series(1, 400)"
                          + " id WHERE id % 89 = "
                          + ((i + 40) % 89)
                          + " ON CONFLICT (id) DO UPDATE SET n = -2",
                      "INSERT INTO bad (id, v, n) VALUES ("
                          + (10_000 + i)
                          + ", '"
                          + i % 13
                          + "', 1)",
                      "UPDATE good SET n = n + 1, v = v + 1 WHERE id % 10 = " + k,
                      // Never the rows goodFlows writes (ids from 1,000,000): deleted in the
                      // checkpoint that inserts them, they would never reach the lake.
                      "DELETE FROM good WHERE id < 1000000 AND id % 89 = " + (i % 89),
                      "INSERT INTO good (id, v, n) VALUES (" + (10_000 + i) + ", " + i + ", 1)");
                  transactions.incrementAndGet();
                  i++;
                  Thread.sleep(100);
                } catch (Throwable t) {
                  errors.add(t);
                  return;
                }
              }
            },
            "workload");
    workload.start();
    try {
      awaitTransactions(transactions, 5);
      // The incident: a type change the lake cannot apply in place parks bad.
      lake.sql("ALTER TABLE bad ALTER COLUMN v TYPE integer USING v::integer");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> blocked("bad") != null && blocked("bad").startsWith("blocked: "));
      awaitTransactions(transactions, 10);
      goodFlows(1);

      // Step 1: look at what happened (./tributary dead-letters --table public.bad).
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> deadLetters("public.bad").stream().anyMatch(l -> l.contains("blocked: ")));

      // Step 2: drop the mirror table from the catalog (aws glue delete-table ...). The writers
      // rebuild it with the source's current schema, parked until its backfill.
      Catalog catalog = lake.catalogSpec().open();
      try {
        assertThat(catalog.dropTable(TableIdentifier.of(lake.namespace(), "bad"), false)).isTrue();
      } finally {
        CatalogSpec.closeQuietly(catalog);
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  blocked("bad") != null
                      && blocked("bad").startsWith("blocked: rebuilt, waiting for its backfill"));
      assertThat(lake.table("bad").schema().findField("v").type().typeId())
          .isEqualTo(Type.TypeID.INTEGER);
      assertThat(lake.table("bad").currentSnapshot()).as("no writer writes it").isNull();
      awaitTransactions(transactions, 5);
      goodFlows(2);

      // Step 3: backfill it (./tributary backfill --table bad); the stream resumes it.
      BackfillReport first = backfill();
      assertThat(first.rows()).isGreaterThan(100);
      assertThat(lake.table("bad").properties())
          .doesNotContainKey(TableManager.BLOCKED)
          .doesNotContainKey(IcebergWriterOperator.BLOCKED_LSN)
          .containsKey(IcebergWriterOperator.RESUMING);

      // Step 4: backfill it once more, for the changes that went to the dead letters during the
      // first backfill; it waits until every writer writes the table again.
      BackfillReport second = backfill();
      assertThat(second.rows()).isGreaterThan(100);
      assertThat(lake.table("bad").properties()).doesNotContainKey(IcebergWriterOperator.RESUMING);
      goodFlows(3);

      // More changes after the recovery, then the mirror must be exact.
      awaitTransactions(transactions, 20);
    } finally {
      running.set(false);
      workload.join();
    }
    assertThat(errors).isEmpty();
    lake.awaitLakeEqualsSource(2);
    assertThat(blocked("bad")).isNull();
    assertThat(lake.streamRunning()).isTrue();
  }

  /**
   * Runs the backfill as the runbook says: when Iceberg refuses its commit because the stream has
   * not yet committed rows inserted meanwhile ({@code Invalid REPLACE operation}), again a little
   * later (at most five times).
   */
  private static BackfillReport backfill() throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return backfillOnce();
      } catch (IllegalArgumentException e) {
        if (attempt >= 5 || !String.valueOf(e.getMessage()).startsWith("Invalid REPLACE")) {
          throw e;
        }
        Thread.sleep(3000);
      }
    }
  }

  private static BackfillReport backfillOnce() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      return BackfillJob.run(
          lake.spark(),
          LakeSettings.of(lake.config()),
          new BackfillOptions("bad", null, null, 2, 500),
          SourceAccess.of(lake.config().source()),
          out);
    }
  }

  private static void awaitTransactions(AtomicLong transactions, int more) {
    long target = transactions.get() + more;
    await().atMost(Duration.ofSeconds(60)).until(() -> transactions.get() >= target);
  }

  /** The parked marker of a mirror table, or null (also while the table does not exist). */
  private static String blocked(String table) {
    try {
      return lake.table(table).properties().get(TableManager.BLOCKED);
    } catch (NoSuchTableException e) {
      return null;
    }
  }

  private static List<String> deadLetters(String table) {
    List<String> lines = new ArrayList<>();
    try (FileIO io = lake.catalogSpec().openFileIo()) {
      for (DeadLetters.DeadLetterFile file :
          DeadLetters.list(io, lake.catalogSpec().warehouse(), table)) {
        lines.addAll(DeadLetters.read(io, file.path()));
      }
    }
    return lines;
  }

  /** A row written to good now reaches the lake within a few checkpoints. */
  private static void goodFlows(int step) throws Exception {
    long id = 1_000_000L + step;
    lake.sql("INSERT INTO good (id, v, n) VALUES (" + id + ", " + step + ", 0)");
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              Table good = lake.table("good");
              try (CloseableIterable<Record> rows =
                  IcebergGenerics.read(good).where(Expressions.equal("id", id)).build()) {
                return rows.iterator().hasNext();
              }
            });
  }
}
