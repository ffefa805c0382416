package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.CatalogSpec;
import io.tributary.config.TableSelection;
import io.tributary.source.CapturedTable;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A declaratively partitioned table is captured as one table through its root, next to a plain
 * table: the snapshot, changes, and rows that move from one partition to another.
 */
class PartitionedTablesIT {
  private static final String DB = "it_partitioned";

  @TempDir static Path workdir;
  private static ItStack it;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, DB);
    it.sql(
        "CREATE TABLE measurements (id int NOT NULL, ts date NOT NULL, v text,"
            + " PRIMARY KEY (id, ts)) PARTITION BY RANGE (ts)",
        "CREATE TABLE measurements_2024 PARTITION OF measurements"
            + " FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
        "CREATE TABLE measurements_2025 PARTITION OF measurements"
            + " FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
        "INSERT INTO measurements SELECT g, DATE '2024-01-01' + (g * 3), 'v' || g"
            + " FROM generate_series(1, 200) g",
        "CREATE TABLE devices (id int PRIMARY KEY, name text)",
        "INSERT INTO devices SELECT g, 'd' || g FROM generate_series(1, 50) g");
    it.configure(TableSelection.builder().include("public.*").build(), Duration.ofSeconds(1), 64);
    it.start(null);
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  @Test
  void thePartitionedTableIsMirroredThroughItsRoot() throws Exception {
    List<CapturedTable> captured = TributaryJob.preflight(it.config);
    assertThat(captured)
        .extracting(t -> t.id().qualified())
        .containsExactlyInAnyOrder("public.devices", "public.measurements");
    try (Connection c = it.stack.connect(DB);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT bool_and(pubviaroot) FROM pg_publication p JOIN pg_publication_rel r"
                    + " ON r.prpubid = p.oid WHERE r.prrelid = 'measurements'::regclass")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getBoolean(1)).isTrue();
    }
    it.awaitEqual(2, Duration.ofMinutes(2));

    it.sql(
        "INSERT INTO measurements VALUES (1000, '2024-06-01', 'new 2024'),"
            + " (1001, '2025-06-01', 'new 2025')",
        "UPDATE measurements SET v = 'changed' WHERE id IN (3, 150)",
        "DELETE FROM measurements WHERE id IN (4, 160)",
        // Rows that move from the 2024 partition to the 2025 one.
        "UPDATE measurements SET ts = ts + 365 WHERE id IN (10, 11)",
        "UPDATE measurements SET ts = DATE '2024-02-02', v = 'back' WHERE id = 1001",
        "INSERT INTO devices VALUES (100, 'new')",
        "UPDATE devices SET name = 'changed' WHERE id = 2",
        "DELETE FROM devices WHERE id = 3");
    it.awaitEqual(2, Duration.ofMinutes(1));

    List<Record> moved = new ArrayList<>();
    try (CloseableIterable<Record> all =
        IcebergGenerics.read(it.table("measurements"))
            .where(Expressions.in("id", 10, 1001))
            .build()) {
      all.forEach(moved::add);
    }
    assertThat(moved).hasSize(2);
    for (Record r : moved) {
      if ((Integer) r.getField("id") == 1001) {
        assertThat(r.getField("v")).isEqualTo("back");
        assertThat(r.getField("ts").toString()).isEqualTo("2024-02-02");
      } else {
        assertThat(r.getField("ts").toString()).startsWith("2025-");
      }
    }

    // One lake table for the root, none for the partitions.
    Catalog catalog = it.catalog.open();
    try {
      List<String> names = new ArrayList<>();
      for (TableIdentifier id : ((Catalog) catalog).listTables(Namespace.of(DB))) {
        names.add(id.name());
      }
      assertThat(names).contains("measurements", "devices").noneMatch(n -> n.contains("_202"));
    } finally {
      CatalogSpec.closeQuietly(catalog);
    }
    List<VerifyResult> results = LakeVerifier.verify(it.config, it.catalog, "public.measurements");
    assertThat(results)
        .singleElement()
        .satisfies(r -> assertThat(r.equal()).as(r.toString()).isTrue());
  }
}
