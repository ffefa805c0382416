package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.catalog.CatalogSpec;
import io.tributary.change.TableId;
import io.tributary.config.TableMode;
import io.tributary.config.TableOptions;
import io.tributary.config.TableSelection;
import io.tributary.sink.IcebergSchemas;
import io.tributary.sink.TableNames;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The oracle itself: after a real capture, the lake is corrupted one way at a time with Iceberg's
 * own API (one value of each type family: integers, decimal, floating point, text, uuid, arrays and
 * JSON as text, dates, times, timestamps with and without zone, boolean, bytes; a data file
 * committed twice, a column the lake lacks, an emptied changelog) and {@code verify} must report
 * each as different, naming the key and the column; what it cannot compare it must say so, never
 * EQUAL.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VerifyIT {
  private static final String DB = "it_verify";
  private static final int CORRUPTED_ID = 7;

  @TempDir static Path workdir;
  private static ItStack it;
  private static long kindsBaseline;
  private static Catalog lake;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, DB);
    it.sql(
        "CREATE TABLE kinds (id int PRIMARY KEY, i bigint, n numeric(12,3), t text, ts timestamp,"
            + " tz timestamptz, b boolean, by bytea, arr int[], j jsonb, k int, f real,"
            + " d double precision, dt date, tm time, u uuid)",
        "INSERT INTO kinds SELECT g, g * 1000000000000, g * 1.125, 't' || g,"
            + " timestamp '2024-01-01 00:00:00.123456' + g * interval '1 hour',"
            + " timestamptz '2024-01-01 00:00:00.654321+02' + g * interval '1 minute', g % 2 = 0,"
            + " decode(md5(g::text), 'hex'), ARRAY[g, g + 1, NULL],"
            + " jsonb_build_object('g', g, 'l', ARRAY[1, 2]), -g, g * 1.5, g * 0.1,"
            + " date '2024-02-28' + g, time '10:00:00.123456' + g * interval '1.000001 second',"
            + " md5(g::text)::uuid FROM generate_series(1, 50) g",
        "CREATE TABLE log_full (a int NOT NULL, b text)",
        "ALTER TABLE log_full REPLICA IDENTITY FULL",
        "INSERT INTO log_full SELECT g, 'b' || g FROM generate_series(1, 20) g",
        "CREATE TABLE log_changed (a int NOT NULL, b text)",
        "ALTER TABLE log_changed REPLICA IDENTITY FULL",
        "INSERT INTO log_changed SELECT g, 'b' || g FROM generate_series(1, 20) g",
        "CREATE TABLE log_deleted (a int NOT NULL, b text)",
        "ALTER TABLE log_deleted REPLICA IDENTITY FULL",
        "INSERT INTO log_deleted SELECT g, 'b' || g FROM generate_series(1, 20) g",
        "CREATE TABLE keyed (id int PRIMARY KEY, v text)",
        "INSERT INTO keyed SELECT g, 'v' || g FROM generate_series(1, 20) g");
    it.configure(
        TableSelection.builder()
            .include("public.kinds", "public.log_*", "public.keyed")
            .option("public.keyed", TableOptions.builder().changelog(true).build())
            .build(),
        Duration.ofSeconds(1),
        1000);
    it.start(null);
    it.awaitEqual(5, Duration.ofMinutes(2));
    // An update in a changelog (its row before the update is not kept) and deletes with their
    // whole before-image.
    it.sql(
        "UPDATE log_changed SET b = 'changed' WHERE a = 1",
        "DELETE FROM log_deleted WHERE a IN (2, 3)",
        "INSERT INTO log_deleted VALUES (2, 'b2')",
        "UPDATE keyed SET v = 'changed' WHERE id = 3");
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                ops("log_changed__changes").contains("u")
                    && lakeRows("log_deleted__changes") == 23
                    && ops("keyed__changes").contains("u"));
    it.job.cancel().get();
    it.job = null;
    lake = it.catalog.open();
    kindsBaseline = table("kinds").currentSnapshot().snapshotId();
  }

  @AfterAll
  static void stop() throws Exception {
    CatalogSpec.closeQuietly(lake);
    it.close();
  }

  /** A lake table, loaded from a catalog that stays open for the commits the test makes. */
  private static Table table(String name) {
    return lake.loadTable(TableIdentifier.of(DB, name));
  }

  private static VerifyResult verify(String table) throws Exception {
    List<VerifyResult> results = LakeVerifier.verify(it.config, it.catalog, table);
    assertThat(results).hasSize(1);
    return results.get(0);
  }

  private static List<String> ops(String table) throws Exception {
    List<String> ops = new ArrayList<>();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(it.table(table)).build()) {
      for (Record row : rows) {
        ops.add((String) row.getField(IcebergSchemas.OP));
      }
    }
    return ops;
  }

  private static long lakeRows(String table) throws Exception {
    return ops(table).size();
  }

  /** Puts the table back to the snapshot the capture left. */
  private static Table restore(String name, long snapshotId) {
    Table table = table(name);
    if (table.currentSnapshot().snapshotId() != snapshotId) {
      table.manageSnapshots().setCurrentSnapshot(snapshotId).commit();
      table.refresh();
    }
    return table;
  }

  /**
   * Replaces every data file of the table with one file of its live rows, each passed through
   * {@code change}; returns that file.
   */
  private static List<DataFile> rewrite(Table table, UnaryOperator<Record> change)
      throws Exception {
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> all = IcebergGenerics.read(table).build()) {
      for (Record row : all) {
        rows.add(change.apply(row.copy()));
      }
    }
    List<DataFile> files = write(table, rows);
    OverwriteFiles overwrite = table.newOverwrite().overwriteByRowFilter(Expressions.alwaysTrue());
    files.forEach(overwrite::addFile);
    overwrite.commit();
    table.refresh();
    return files;
  }

  /** Writes the rows as one data file per partition; returns the files. */
  private static List<DataFile> write(Table table, List<Record> rows) throws Exception {
    GenericAppenderFactory factory = new GenericAppenderFactory(table.schema(), table.spec());
    Map<PartitionKey, List<Record>> byPartition = new LinkedHashMap<>();
    InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
    for (Record row : rows) {
      PartitionKey key = new PartitionKey(table.spec(), table.schema());
      key.partition(wrapper.wrap(row));
      byPartition.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
    }
    List<DataFile> files = new ArrayList<>();
    for (Map.Entry<PartitionKey, List<Record>> e : byPartition.entrySet()) {
      PartitionKey partition = table.spec().isUnpartitioned() ? null : e.getKey();
      String name = "verify-it-" + UUID.randomUUID() + ".parquet";
      DataWriter<Record> writer =
          factory.newDataWriter(
              EncryptedFiles.plainAsEncryptedOutput(
                  table
                      .io()
                      .newOutputFile(
                          partition == null
                              ? table.locationProvider().newDataLocation(name)
                              : table
                                  .locationProvider()
                                  .newDataLocation(table.spec(), partition, name))),
              FileFormat.PARQUET,
              partition);
      try {
        for (Record row : e.getValue()) {
          writer.write(row);
        }
      } finally {
        writer.close();
      }
      files.add(writer.toDataFile());
    }
    return files;
  }

  /** The smallest change of a value of the type: one unit, one microsecond, one bit, one char. */
  private static Object corrupted(Object value, Type type) {
    switch (type.typeId()) {
      case INTEGER:
        return ((Integer) value) + 1;
      case LONG:
        return ((Long) value) + 1;
      case DECIMAL:
        return ((BigDecimal) value)
            .add(BigDecimal.ONE.movePointLeft(((Types.DecimalType) type).scale()));
      case STRING:
        return value + " ";
      case BOOLEAN:
        return !(Boolean) value;
      case BINARY:
        {
          ByteBuffer b = ((ByteBuffer) value).duplicate();
          byte[] bytes = new byte[b.remaining()];
          b.get(bytes);
          bytes[bytes.length - 1] ^= 1;
          return ByteBuffer.wrap(bytes);
        }
      case TIMESTAMP:
        return value instanceof OffsetDateTime
            ? ((OffsetDateTime) value).plusNanos(1000)
            : ((LocalDateTime) value).plusNanos(1000);
      case FLOAT:
        return Math.nextUp((Float) value);
      case DOUBLE:
        return Math.nextUp((Double) value);
      case DATE:
        return ((LocalDate) value).plusDays(1);
      case TIME:
        return ((LocalTime) value).plusNanos(1000);
      default:
        throw new IllegalArgumentException("no corruption for " + type);
    }
  }

  @Test
  @Order(1)
  void theLakeAsCapturedIsEqualAndAChangelogWithUpdatesIsNotCompared() throws Exception {
    List<VerifyResult> results = LakeVerifier.verify(it.config, it.catalog, null);
    assertThat(results).hasSize(5);
    assertThat(verify("public.keyed").equal()).as(verify("public.keyed").toString()).isTrue();
    assertThat(verify("public.kinds").equal()).as(verify("public.kinds").toString()).isTrue();
    assertThat(verify("public.log_full").equal()).isTrue();
    // Deletes carry the whole row under REPLICA IDENTITY FULL: the changelog is replayed.
    VerifyResult deleted = verify("public.log_deleted");
    assertThat(deleted.equal()).as(deleted.toString()).isTrue();
    assertThat(deleted.mirrorRows()).isEqualTo(19);
    VerifyResult changed = verify("public.log_changed");
    assertThat(changed.state()).as(changed.toString()).isEqualTo(VerifyResult.State.NOT_COMPARED);
    assertThat(changed.equal()).isFalse();
    assertThat(changed.toString()).startsWith("NOT COMPARED ").contains("1 updates");
    // Not equal for a script either: exit code 2, and the summary says why.
    assertThat(LakeVerifier.exitCode(results)).isEqualTo(2);
    assertThat(LakeVerifier.summary(results))
        .contains("1 of 5 tables could not be compared")
        .contains("other tables are equal");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"i", "n", "t", "ts", "tz", "b", "by", "arr", "j", "k", "f", "d", "dt", "tm", "u"})
  @Order(2)
  void oneCorruptedValueOfEachTypeIsADifferenceNamingKeyAndColumn(String column) throws Exception {
    Table kinds = restore("kinds", kindsBaseline);
    Type type = kinds.schema().findField(column).type();
    rewrite(
        kinds,
        row -> {
          if (Integer.valueOf(CORRUPTED_ID).equals(row.getField("id"))) {
            row.setField(column, corrupted(row.getField(column), type));
          }
          return row;
        });
    VerifyResult result = verify("public.kinds");
    assertThat(result.state()).as(result.toString()).isEqualTo(VerifyResult.State.DIFFERENT);
    assertThat(result.differences())
        .containsExactly("id=" + CORRUPTED_ID + ": values differ in [" + column + "]");
    assertThat(result.toString()).startsWith("DIFFERENT ");
    List<VerifyResult> all = LakeVerifier.verify(it.config, it.catalog, null);
    assertThat(LakeVerifier.exitCode(all)).isEqualTo(1);
    assertThat(LakeVerifier.summary(all)).startsWith("Differences found.");
    // The same rows, rewritten unchanged, are equal again: the rewrite itself changes nothing.
    rewrite(restore("kinds", kindsBaseline), row -> row);
    assertThat(verify("public.kinds").equal()).isTrue();
  }

  @Test
  @Order(3)
  void aDataFileCommittedTwiceIsADifference() throws Exception {
    Table kinds = restore("kinds", kindsBaseline);
    List<DataFile> files = rewrite(kinds, row -> row);
    AppendFiles again = kinds.newAppend();
    files.forEach(again::appendFile);
    again.commit();
    VerifyResult result = verify("public.kinds");
    assertThat(result.state()).as(result.toString()).isEqualTo(VerifyResult.State.DIFFERENT);
    assertThat(result.mirrorRows()).isEqualTo(100);
    assertThat(result.differences())
        .isNotEmpty()
        .allSatisfy(d -> assertThat(d).matches("id=\\d+: the lake holds the key 2 times"));
  }

  @Test
  @Order(4)
  void aColumnTheLakeLacksIsADifference() throws Exception {
    Table kinds = restore("kinds", kindsBaseline);
    kinds.updateSchema().deleteColumn("t").commit();
    VerifyResult result = verify("public.kinds");
    assertThat(result.state()).as(result.toString()).isEqualTo(VerifyResult.State.DIFFERENT);
    assertThat(result.differences())
        .singleElement()
        .asString()
        .startsWith("column t of the source has no column in the lake");
  }

  @Test
  @Order(5)
  void anEmptiedChangelogIsADifference() throws Exception {
    Table log = table("log_full__changes");
    log.newDelete().deleteFromRowFilter(Expressions.alwaysTrue()).commit();
    VerifyResult result = verify("public.log_full");
    assertThat(result.state()).as(result.toString()).isEqualTo(VerifyResult.State.DIFFERENT);
    assertThat(result.mirrorRows()).isZero();
    assertThat(result.sourceRows()).isEqualTo(20);
    assertThat(result.differences()).contains("row (a=1, b=b1): missing in the lake");
  }

  @Test
  @Order(6)
  void aChangelogRowTwiceOrChangedIsADifference() throws Exception {
    Table log = table("log_deleted__changes");
    long baseline = log.currentSnapshot().snapshotId();
    rewrite(
        log,
        row -> {
          if (Integer.valueOf(5).equals(row.getField("a"))) {
            row.setField("b", "b5 ");
          }
          return row;
        });
    VerifyResult changed = verify("public.log_deleted");
    assertThat(changed.state()).as(changed.toString()).isEqualTo(VerifyResult.State.DIFFERENT);
    assertThat(changed.differences())
        .containsExactlyInAnyOrder(
            "row (a=5, b=b5): missing in the lake",
            "row (a=5, b=b5 ): in the lake but not in the source");
    List<DataFile> files = rewrite(restore("log_deleted__changes", baseline), row -> row);
    AppendFiles again = table("log_deleted__changes").newAppend();
    files.forEach(again::appendFile);
    again.commit();
    VerifyResult twice = verify("public.log_deleted");
    assertThat(twice.state()).as(twice.toString()).isEqualTo(VerifyResult.State.DIFFERENT);
    assertThat(twice.differences())
        .contains("row (a=1, b=b1): 1 times in the source, 2 times in the lake");
    // The deletes and the insert after the snapshot are also named as changes held twice.
    assertThat(twice.differences())
        .anySatisfy(
            d ->
                assertThat(d)
                    .matches(
                        "a=2, b=b2 \\(op d at LSN \\d+\\): .*log_deleted__changes holds this"
                            + " change 2 times \\(a commit applied twice\\)"));
  }

  @Test
  @Order(6)
  void aChangelogDataFileCommittedTwiceIsADifferenceOfAMirroredTable() throws Exception {
    // The mirror is equal (an upsert applied twice leaves the same row); its changelog shows the
    // replayed commit, as a restart that committed a checkpoint's files twice would leave it.
    Table log = table("keyed__changes");
    long baseline = log.currentSnapshot().snapshotId();
    DataFile updates = updateFile(log);
    assertThat(updates).as("the data file of the update").isNotNull();
    log.newAppend().appendFile(updates).commit();
    VerifyResult result = verify("public.keyed");
    assertThat(result.state()).as(result.toString()).isEqualTo(VerifyResult.State.DIFFERENT);
    assertThat(result.differences())
        .singleElement()
        .asString()
        .matches(
            "id=3 \\(op u at LSN \\d+\\): .*keyed__changes holds this change 2 times \\(a"
                + " commit applied twice\\)");
    restore("keyed__changes", baseline);
    assertThat(verify("public.keyed").equal()).isTrue();
  }

  /** The data file that holds the update of a changelog. */
  private static DataFile updateFile(Table log) throws Exception {
    for (FileScanTask task : log.newScan().planFiles()) {
      try (CloseableIterable<Record> rows =
          Parquet.read(log.io().newInputFile(task.file().path().toString()))
              .project(log.schema())
              .createReaderFunc(s -> GenericParquetReaders.buildReader(log.schema(), s))
              .build()) {
        for (Record row : rows) {
          if ("u".equals(row.getField(IcebergSchemas.OP))) {
            return task.file();
          }
        }
      }
    }
    return null;
  }

  @Test
  @Order(7)
  void quotedTableAndColumnNames() throws Exception {
    it.sql(
        "CREATE TABLE \"OrderLines\" (\"Order Id\" text, \"At\" timestamptz, \"Qty\" int,"
            + " \"Note \"\"x\"\"\" text, PRIMARY KEY (\"Order Id\", \"At\"))",
        "INSERT INTO \"OrderLines\" SELECT 'O-' || g, timestamptz '2024-05-01 10:00:00+00' + g *"
            + " interval '1 second', g, 'n' || g FROM generate_series(1, 5) g");
    it.configure(
        TableSelection.builder().include("public.OrderLines").build(), Duration.ofSeconds(1), 1000);
    // The lake table as the writer names it: lower-case names.
    Schema schema =
        new Schema(
            List.of(
                Types.NestedField.required(1, "order id", Types.StringType.get()),
                Types.NestedField.required(2, "at", Types.TimestampType.withZone()),
                Types.NestedField.optional(3, "qty", Types.IntegerType.get()),
                Types.NestedField.optional(4, "note \"x\"", Types.StringType.get()),
                Types.NestedField.optional(5, IcebergSchemas.OP, Types.StringType.get())),
            Set.of(1, 2));
    Table table =
        lake.createTable(
            TableNames.mirror(DB, new TableId("public", "OrderLines")),
            schema,
            PartitionSpec.unpartitioned(),
            Map.of("format-version", "2"));
    List<Record> rows = new ArrayList<>();
    for (int g = 1; g <= 5; g++) {
      Record row = GenericRecord.create(schema);
      row.setField("order id", "O-" + g);
      row.setField("at", OffsetDateTime.of(2024, 5, 1, 10, 0, g, 0, ZoneOffset.UTC));
      row.setField("qty", g == 3 ? 33 : g);
      row.setField("note \"x\"", "n" + g);
      row.setField(IcebergSchemas.OP, "r");
      rows.add(row);
    }
    AppendFiles append = table.newAppend();
    write(table, rows).forEach(append::appendFile);
    append.commit();
    VerifyResult result = verify("public.OrderLines");
    assertThat(result.state()).as(result.toString()).isEqualTo(VerifyResult.State.DIFFERENT);
    assertThat(result.differences())
        .containsExactly("order id=O-3, at=2024-05-01T10:00:03Z: values differ in [qty]");
    it.sql("UPDATE \"OrderLines\" SET \"Qty\" = 33 WHERE \"Order Id\" = 'O-3'");
    VerifyResult fixed = verify("public.OrderLines");
    assertThat(fixed.equal()).as(fixed.toString()).isTrue();
  }

  @Test
  @Order(8)
  void aRunThatMatchesNoTableIsNotASuccess() throws Exception {
    it.configure(
        TableSelection.builder().include("public.no_such_table_*").build(),
        Duration.ofSeconds(1),
        1000);
    List<VerifyResult> results = LakeVerifier.verify(it.config, it.catalog, null);
    assertThat(results).isEmpty();
    assertThat(LakeVerifier.exitCode(results)).isEqualTo(2);
    assertThat(LakeVerifier.summary(results)).startsWith("No table was compared");
  }

  @Test
  @Order(9)
  void everyTableTheStartWouldRefuseIsNotComparedWithThePreflightsReason() throws Exception {
    // Tables a start as this user would refuse, each for another reason than its name or a column
    // type, none of them in the lake: verify must say why, never "no table yet" (DIFFERENT).
    it.sql(
        "CREATE TABLE nullkey (code text, name text)",
        "ALTER TABLE nullkey REPLICA IDENTITY FULL",
        "INSERT INTO nullkey SELECT 'c' || g, 'n' || g FROM generate_series(1, 10) g",
        "CREATE TABLE hidden (id int PRIMARY KEY, v text)",
        "INSERT INTO hidden SELECT g, 'h' || g FROM generate_series(1, 10) g",
        "CREATE TABLE nothing (id int PRIMARY KEY, v text)",
        "ALTER TABLE nothing REPLICA IDENTITY NOTHING",
        "INSERT INTO nothing SELECT g, 'x' || g FROM generate_series(1, 10) g",
        "CREATE TABLE otherkey (id int PRIMARY KEY, code text NOT NULL)",
        "INSERT INTO otherkey SELECT g, 'k' || g FROM generate_series(1, 10) g",
        "CREATE TABLE keyless (a int, b text)",
        "INSERT INTO keyless SELECT g, 'b' || g FROM generate_series(1, 10) g",
        "CREATE TABLE uncovered (id int PRIMARY KEY, v text)",
        "INSERT INTO uncovered SELECT g, 'u' || g FROM generate_series(1, 10) g",
        "CREATE ROLE verifier LOGIN",
        "GRANT SELECT ON nullkey, nothing, otherkey, keyless, uncovered TO verifier");
    it.configure(
        TableSelection.builder()
            .include(
                "public.nullkey",
                "public.hidden",
                "public.nothing",
                "public.otherkey",
                "public.keyless",
                "public.uncovered")
            .option("public.nullkey", TableOptions.builder().keyColumns(List.of("code")).build())
            .option("public.otherkey", TableOptions.builder().keyColumns(List.of("code")).build())
            .option("public.keyless", TableOptions.builder().mode(TableMode.MIRROR).build())
            .build(),
        Duration.ofSeconds(1),
        1000);
    it.config =
        it.config.toBuilder()
            .source(it.config.source().toBuilder().user("verifier").build())
            .build();
    Map<String, String> reasons =
        Map.of(
            "public.nullkey", "column code may be NULL",
            "public.hidden", "User verifier may not read public.hidden: run GRANT SELECT",
            "public.nothing", "has REPLICA IDENTITY NOTHING",
            "public.otherkey", "is configured with key-columns [code] other than its primary key",
            "public.keyless", "is configured with mode mirror but has no primary key",
            "public.uncovered",
                "publication tributary does not cover it and user verifier cannot add it");
    List<VerifyResult> results = LakeVerifier.verify(it.config, it.catalog, null);
    assertThat(results).hasSize(reasons.size());
    for (VerifyResult result : results) {
      assertThat(result.state()).as(result.toString()).isEqualTo(VerifyResult.State.NOT_COMPARED);
      assertThat(result.differences())
          .singleElement()
          .asString()
          .contains(reasons.get(result.table()))
          .endsWith("(see tributary preflight)");
    }
    VerifyResult hidden =
        results.stream().filter(r -> r.table().equals("public.hidden")).findFirst().orElseThrow();
    assertThat(hidden.toString()).contains("source rows not readable");
    assertThat(LakeVerifier.exitCode(results)).isEqualTo(2);
  }
}
