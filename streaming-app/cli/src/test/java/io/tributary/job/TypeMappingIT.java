package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.config.TableSelection;
import io.tributary.source.postgres.SourcePreflight;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks {@code docs/type-mapping.md} against the running pipeline: one column per documented type,
 * the example values read by the snapshot and streamed as changes, plus edge values; the Iceberg
 * types must be the documented ones and the lake must equal the source.
 */
class TypeMappingIT {
  @TempDir static Path workdir;
  private static ItStack it;
  private static List<String[]> rows;

  /** The rows of the mapping table: type, definition, example, Iceberg type. */
  static List<String[]> documentedTypes() throws Exception {
    Path doc = Paths.get("..", "..", "docs", "type-mapping.md");
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    String table =
        text.substring(
            text.indexOf("<!-- type-mapping:start -->"), text.indexOf("<!-- type-mapping:end -->"));
    List<String[]> result = new ArrayList<>();
    for (String line : table.split("\n")) {
      if (!line.startsWith("| ") || line.startsWith("| PostgreSQL type")) {
        continue;
      }
      String[] cells = line.split(" \\| ");
      String definition = unquote(cells[1]);
      int paren = definition.indexOf(" (");
      if (paren > 0) {
        definition = definition.substring(0, paren).replace("`", "");
      }
      result.add(
          new String[] {cells[0].substring(2), definition, unquote(cells[2]), cells[3].trim()});
    }
    return result;
  }

  private static String unquote(String cell) {
    String c = cell.trim();
    return c.startsWith("`") && c.endsWith("`") ? c.substring(1, c.length() - 1) : c;
  }

  private static String insert(int id) {
    StringBuilder sql = new StringBuilder("INSERT INTO types VALUES (" + id);
    for (String[] row : rows) {
      sql.append(", (").append(row[2]).append(")::").append(row[1]);
    }
    return sql.append(")").toString();
  }

  @BeforeAll
  static void start() throws Exception {
    rows = documentedTypes();
    StringBuilder create = new StringBuilder("CREATE TABLE types (id int PRIMARY KEY");
    for (int i = 0; i < rows.size(); i++) {
      create.append(", c").append(i).append(' ').append(rows.get(i)[1]);
    }
    create.append(")");
    it = new ItStack(workdir, "it_types");
    it.sql(
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
        "CREATE EXTENSION IF NOT EXISTS hstore",
        "CREATE TYPE pair AS (a int, b text)",
        "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
        create.toString(),
        insert(1),
        "INSERT INTO types (id) VALUES (2)",
        "CREATE TABLE edges (id int PRIMARY KEY, r real, d double precision, day date, ts"
            + " timestamp, tstz timestamptz)",
        "INSERT INTO edges VALUES (1, 'NaN', 'Infinity', '0001-01-01', '1582-10-15 10:00:00',"
            + " '1900-01-01 00:00:00+00'), (2, 'Infinity', '-Infinity', '0001-01-01',"
            + " '1970-01-01 00:00:00.000001', '2262-04-11 23:47:16.854775+00')",
        // Before the Gregorian calendar, before the common era and infinite, read by the snapshot.
        "INSERT INTO edges VALUES (11, 0, 0, '4713-01-01 BC', '1500-06-30 12:00:00.123456',"
            + " '0100-01-01 00:00:00+00'), (12, 0, 0, '1582-10-04', '0044-03-15 12:00:00 BC',"
            + " '1066-10-14 09:00:00.5+00'), (13, 0, 0, 'infinity', '-infinity', 'infinity')",
        // Eight chunks of 1,000 rows: the driver would switch the repeated chunk query to binary
        // transfer after five, which must not change a value.
        "CREATE TABLE chunks (id int PRIMARY KEY, n numeric, t time, d date, ts timestamp, tstz"
            + " timestamptz, m money)",
        "INSERT INTO chunks SELECT i, CASE WHEN i % 1000 = 0 THEN 'NaN' ELSE i || '.' || lpad((i % 97)::text, 3, '0') || '00' END::numeric,"
            + " time '00:00:00' + i * interval '1.000001 second', date '1500-01-01' + i * 53,"
            + " timestamp '1400-01-01 00:00:00.000001' + i * interval '7 days 1.000001 seconds',"
            + " timestamptz '2024-01-01 00:00:00.000001+00' + i * interval '1 hour 1 microsecond',"
            + " (i * 1234.56)::numeric::money FROM generate_series(1, 8000) i",
        "CREATE TABLE intervals (id int PRIMARY KEY, iv interval)",
        "INSERT INTO intervals VALUES " + intervalRows(0));
    it.configure(TableSelection.builder().include("public.*").build(), Duration.ofSeconds(1), 1000);
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  @Test
  void everyDocumentedTypeArrivesWithItsTypeAndValue() throws Exception {
    assertThat(rows).hasSizeGreaterThan(20);
    it.start(null);
    awaitEqualOrDump();
    // The same values as changes from the log, and an update to nulls.
    it.sql(
        insert(3),
        insert(4),
        "UPDATE types SET c0 = c0 WHERE id = 3",
        "UPDATE edges SET r = '-Infinity', d = 'NaN' WHERE id = 2",
        "INSERT INTO edges VALUES (3, '-Infinity', 'NaN', '4713-01-01 BC', '1500-06-30"
            + " 12:00:00', '0100-01-01 00:00:00+00')",
        "INSERT INTO intervals VALUES " + intervalRows(100),
        "INSERT INTO edges VALUES (4, 0, 0, 'infinity', 'infinity', '-infinity'),"
            + " (5, 0, 0, '-infinity', '-infinity', 'infinity')");
    it.sql(
        "UPDATE types SET ("
            + columnList()
            + ") = (SELECT "
            + columnList()
            + " FROM types WHERE id = 2) WHERE id = 4");
    awaitEqualOrDump();
    Table table = it.table("types");
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Types.NestedField field = table.schema().findField("c" + i);
      if (!field.type().toString().equals(rows.get(i)[3])) {
        wrong.add(rows.get(i)[0] + ": documented " + rows.get(i)[3] + ", actual " + field.type());
      }
    }
    assertThat(wrong).isEmpty();
    // The preflight names the lossy column types it finds.
    SourcePreflight preflight = new SourcePreflight(it.config.source(), it.config.tables());
    preflight.run();
    assertThat(preflight.warnings())
        .anySatisfy(w -> assertThat(w).contains("public.types.c8 (money)").contains("15 digits"));
  }

  /** Waits for equality; on failure prints both sides of every row, to show what differs. */
  private static void awaitEqualOrDump() throws Exception {
    try {
      it.awaitEqual(4, Duration.ofSeconds(60));
    } catch (AssertionError | RuntimeException e) {
      for (String name : List.of("types", "edges")) {
        try (CloseableIterable<Record> lake = IcebergGenerics.read(it.table(name)).build()) {
          for (Record row : lake) {
            System.out.println("lake " + name + ": " + row);
          }
        }
        try (Connection c = it.stack.connect(it.database);
            Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT t::text FROM " + name + " t")) {
          while (rs.next()) {
            System.out.println("source " + name + ": " + rs.getString(1));
          }
        }
      }
      throw e;
    }
  }

  /** Intervals whose ISO 8601 form leaves parts out or has fractions a double cannot hold. */
  private static String intervalRows(int offset) {
    String[] values = {
      "'-1 day'",
      "'00:00:01'",
      "'0'",
      "'1 day -1 hour'",
      "'-00:00:01.5'",
      "'0.29 seconds'",
      "'25 hours 10 seconds'",
      "'-1 year -2 mons'",
      "'1 mon 00:00:00.000001'",
      "NULL"
    };
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      rows.append(i == 0 ? "" : ", ").append('(').append(offset + i).append(", ").append(values[i]);
      rows.append(')');
    }
    return rows.toString();
  }

  private static String columnList() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < rows.size(); i++) {
      s.append(i == 0 ? "" : ", ").append('c').append(i);
    }
    return s.toString();
  }
}
