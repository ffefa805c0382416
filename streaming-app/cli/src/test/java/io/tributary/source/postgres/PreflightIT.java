package io.tributary.source.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.CatalogSpec;
import io.tributary.cli.Main;
import io.tributary.config.TableSelection;
import io.tributary.job.ItStack;
import io.tributary.local.LocalStack;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tributary preflight} against deliberately unprepared PostgreSQL servers: one finding per
 * problem, each with what to run, exit code 1 on blocking findings and 0 with warnings only, and
 * never the password in the output.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PreflightIT {
  private static final String PASSWORD = "Pw-never-printed-7351";

  @TempDir static Path dir;

  /** wal_level=replica, no WAL senders, every replication slot taken. */
  private static EmbeddedPostgres unprepared;

  /** Prepared for logical replication; the database and users are not. */
  private static EmbeddedPostgres prepared;

  private static Path passwordFile;

  @BeforeAll
  static void startServers() throws Exception {
    passwordFile = dir.resolve("password");
    Files.writeString(passwordFile, PASSWORD + "\n");
    unprepared =
        server(dir.resolve("unprepared"))
            .setServerConfig("wal_level", "replica")
            .setServerConfig("max_wal_senders", "0")
            .setServerConfig("max_replication_slots", "2")
            .start();
    prepared =
        server(dir.resolve("prepared"))
            .setServerConfig("wal_level", "logical")
            .setServerConfig("max_wal_senders", "10")
            .setServerConfig("max_replication_slots", "10")
            .start();
    sql(unprepared, "postgres", "CREATE DATABASE shop");
    sql(
        unprepared,
        "shop",
        "CREATE TABLE orders (id int PRIMARY KEY, total numeric(10,2))",
        "SELECT pg_create_physical_replication_slot('other_1')",
        "SELECT pg_create_physical_replication_slot('other_2')");
    sql(prepared, "postgres", "CREATE DATABASE shop");
    sql(
        prepared,
        "shop",
        "CREATE TABLE orders (id int PRIMARY KEY, total numeric(10,2))",
        "CREATE TABLE prices (id int PRIMARY KEY, amount money)",
        "CREATE TABLE nokey (a int, b text)",
        "CREATE TABLE secret (id int PRIMARY KEY)",
        "CREATE ROLE cdc LOGIN PASSWORD '" + PASSWORD + "'",
        "REVOKE CREATE ON DATABASE shop FROM PUBLIC",
        "GRANT SELECT ON orders, prices, nokey TO cdc",
        // A publication that lacks tables, owned by someone else.
        "CREATE PUBLICATION tributary FOR TABLE orders",
        // A slot left by an earlier run, holding WAL.
        "SELECT pg_create_logical_replication_slot('tributary', 'pgoutput')",
        "INSERT INTO orders SELECT g, g FROM generate_series(1, 20000) g");
  }

  private static EmbeddedPostgres.Builder server(Path data) throws Exception {
    Files.createDirectories(data);
    Path runtime = Files.createDirectories(dir.resolve(data.getFileName() + "-runtime"));
    return EmbeddedPostgres.builder()
        .setDataDirectory(data)
        .setOverrideWorkingDirectory(runtime.toFile())
        .setPort(LocalStack.freePort())
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("fsync", "off")
        .setPGStartupWait(Duration.ofSeconds(60))
        .setRegisterShutdownHook(false);
  }

  @AfterAll
  static void stopServers() throws Exception {
    if (unprepared != null) {
      unprepared.close();
    }
    if (prepared != null) {
      prepared.close();
    }
  }

  private static void sql(EmbeddedPostgres pg, String database, String... statements)
      throws SQLException {
    try (Connection c = pg.getDatabase("postgres", database).getConnection();
        Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  /** The exit code and the output of {@code tributary preflight} with this configuration. */
  private static Result preflight(int port, String user, String tablesYaml) throws Exception {
    return preflight(port, user, "shop", tablesYaml);
  }

  private static Result preflight(int port, String user, String database, String tablesYaml)
      throws Exception {
    return preflight(port, user, database, "", tablesYaml);
  }

  private static Result preflight(
      int port, String user, String database, String sourceYaml, String tablesYaml)
      throws Exception {
    Path config = Files.createTempFile(dir, "tributary", ".yaml");
    Files.writeString(
        config,
        "source:\n"
            + "  host: 127.0.0.1\n"
            + "  port: "
            + port
            + "\n"
            + "  database: "
            + database
            + "\n"
            + ("shop".equals(database) ? "" : "  slot-name: tributary_" + database + "\n")
            + "  user: "
            + user
            + "\n"
            + "  password: {file: "
            + passwordFile
            + "}\n"
            + "  ssl-mode: disable\n"
            + sourceYaml
            + "tables:\n"
            + tablesYaml
            + "sink: {warehouse: s3://lake/warehouse}\n");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new Main())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute("preflight", "--config", config.toString());
    Result result = new Result(code, out + err.toString());
    assertThat(result.output).doesNotContain(PASSWORD);
    return result;
  }

  private static final class Result {
    final int code;
    final String output;

    Result(int code, String output) {
      this.code = code;
      this.output = output;
    }
  }

  @Test
  @Order(1)
  void anUnpreparedServerGetsEveryBlockingFindingAtOnce() throws Exception {
    Result r = preflight(unprepared.getPort(), "postgres", "  include: [public.orders]\n");
    assertThat(r.code).as(r.output).isEqualTo(1);
    assertThat(r.output)
        .contains(
            "error: wal_level is 'replica' but must be 'logical': run ALTER SYSTEM SET wal_level"
                + " = logical; and restart PostgreSQL")
        .contains(
            "error: Tributary needs 1 new replication slot(s) [tributary] but"
                + " max_replication_slots is 2 and 2 are in use: run ALTER SYSTEM SET"
                + " max_replication_slots = 7;")
        .contains(
            "error: Tributary needs 1 WAL sender(s), one per replication slot, but"
                + " max_wal_senders is 0 and 0 are in use by other clients: run ALTER SYSTEM SET"
                + " max_wal_senders = 5;");
  }

  @Test
  @Order(2)
  void aUserWithoutPrivilegesGetsTheGrantsToRun() throws Exception {
    Result r = preflight(prepared.getPort(), "cdc", "  include: [\"public.*\"]\n");
    assertThat(r.code).as(r.output).isEqualTo(1);
    assertThat(r.output)
        .contains(
            "error: User cdc may not use logical replication: run ALTER ROLE cdc WITH"
                + " REPLICATION; (on Amazon RDS: GRANT rds_replication TO cdc;).")
        .contains(
            "refused: User cdc may not read public.secret: run GRANT SELECT ON public.secret TO"
                + " cdc;")
        .contains(
            "refused: Table public.prices is not captured: publication tributary does not cover it"
                + " and user cdc cannot add it (not the owner of publication tributary): run as"
                + " the owner of the publication and the table: ALTER PUBLICATION \"tributary\""
                + " ADD TABLE \"public\".\"prices\"; then start the job again from its savepoint")
        .contains(
            "refused: Table public.nokey is not captured: publication tributary_a__inserts does"
                + " not exist and user cdc cannot create it (no CREATE privilege on the database):"
                + " run as the tables' owner:")
        .contains(
            "CREATE PUBLICATION \"tributary_a__inserts\" FOR TABLE \"public\".\"nokey\" WITH"
                + " (publish = 'insert, truncate');");
    // Warnings come with the errors.
    assertThat(r.output)
        .contains(
            "warning: Table public.nokey has no primary key and no key-columns: it is written"
                + " append-only, every change with its _op to nokey__changes, and no mirror table"
                + " is created.")
        .contains(
            "warning: Table public.nokey has no primary key and REPLICA IDENTITY DEFAULT:"
                + " PostgreSQL rejects UPDATE and DELETE of a table in a publication that"
                + " publishes them, so only its inserts (and truncates) are captured")
        .contains("run ALTER TABLE public.nokey REPLICA IDENTITY FULL;")
        .contains("warning: Column public.prices.amount (money): amounts of more than 15 digits")
        .containsPattern(
            "warning: Replication slot tributary exists and retains \\d+ [kM]B of WAL \\(from"
                + " [0-9A-F]+/[0-9A-F]+\\): the job resumes from it\\. If no job reads it any"
                + " more, drop it so that PostgreSQL can recycle that WAL: SELECT"
                + " pg_drop_replication_slot\\('tributary'\\);");
  }

  @Test
  @Order(5)
  void warningsAloneDoNotBlockAndThePublicationsAreMade() throws Exception {
    Result r =
        preflight(
            prepared.getPort(),
            "postgres",
            "  include: [\"public.*\"]\n  exclude: [public.secret]\n");
    assertThat(r.code).as(r.output).isZero();
    assertThat(r.output)
        .contains("warning: Table public.nokey has no primary key and no key-columns")
        .contains("warning: Replication slot tributary exists")
        .contains(
            "ok: 3 tables can be captured: [public.nokey append-only, public.orders key [id],"
                + " public.prices key [id]]")
        .doesNotContain("error:");
    try (Connection c = prepared.getDatabase("postgres", "shop").getConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_publication WHERE"
                    + " pubname = 'tributary_a__inserts'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getBoolean(1)).isTrue();
      assertThat(rs.getBoolean(2)).isFalse();
      assertThat(rs.getBoolean(3)).isFalse();
      assertThat(rs.getBoolean(4)).isTrue();
    }
    // The source can still update and delete the table without replica identity.
    sql(
        prepared,
        "shop",
        "INSERT INTO nokey VALUES (1, 'x')",
        "UPDATE nokey SET b = 'y'",
        "DELETE FROM nokey");
  }

  @Test
  @Order(3)
  void aKeylessTableConfiguredAsMirrorIsBlocking() throws Exception {
    Result r =
        preflight(
            prepared.getPort(),
            "postgres",
            "  include: [public.nokey]\n  options:\n    public.nokey: {mode: mirror}\n");
    assertThat(r.code).as(r.output).isEqualTo(1);
    assertThat(r.output)
        .contains(
            "error: Table public.nokey is configured with mode mirror but has no primary key"
                + " (REPLICA IDENTITY DEFAULT): add a primary key, or set REPLICA IDENTITY FULL and"
                + " configure tables.options.public.nokey.key-columns");
  }

  @Test
  @Order(4)
  void aServerThatCannotBeReachedNamesTheSettingsButNotThePassword() throws Exception {
    Result r = preflight(LocalStack.freePort(), "cdc", "  include: [\"public.*\"]\n");
    assertThat(r.code).isEqualTo(1);
    assertThat(r.output)
        .contains("error: Cannot connect to PostgreSQL at 127.0.0.1:")
        .contains("Check source.host, source.port, source.database, source.user, the password (");
  }

  @Test
  @Order(6)
  void tablesThatCannotBeCapturedAreRefusedEachWithItsReasonAndTheOthersAreCaptured()
      throws Exception {
    sql(prepared, "postgres", "CREATE DATABASE odd");
    sql(
        prepared,
        "odd",
        "CREATE SCHEMA sales",
        "CREATE SCHEMA \"Sales\"",
        "CREATE TABLE good (id int PRIMARY KEY)",
        "CREATE TABLE \"Orders\" (\"Order Id\" text PRIMARY KEY, \"At\" timestamptz)",
        "CREATE TABLE \"Sales\".\"Größe\" (id int PRIMARY KEY)",
        "CREATE TABLE \"Sales\".\"Items\" (id int PRIMARY KEY)",
        "CREATE TABLE \"a$b\" (id int PRIMARY KEY)",
        "CREATE TABLE \"Order Lines\" (id int PRIMARY KEY)",
        "CREATE TABLE sales_orders (id int PRIMARY KEY)",
        "CREATE TABLE sales.orders (id int PRIMARY KEY)",
        "CREATE TABLE twins (id int PRIMARY KEY, \"A\" int, a int)",
        "CREATE TABLE meta (id int PRIMARY KEY, _op text)",
        "CREATE TABLE prices_eur (id int PRIMARY KEY, \"Preis €\" numeric)",
        "CREATE TABLE keyed (code text, name text)",
        "ALTER TABLE keyed REPLICA IDENTITY FULL",
        "CREATE TABLE spans (s interval, n int, PRIMARY KEY (s, n))",
        "CREATE TABLE flags (f boolean PRIMARY KEY)",
        "CREATE TABLE ratios (id int, r double precision, PRIMARY KEY (id, r))",
        "CREATE TABLE cursors (id int PRIMARY KEY, c refcursor)",
        "CREATE TABLE dated (id int PRIMARY KEY, days date[], tags text[])");
    Result r =
        preflight(
            prepared.getPort(),
            "postgres",
            "odd",
            "  include: [\"public.*\", \"sales.*\", \"Sales.*\"]\n"
                + "  options:\n"
                + "    public.keyed: {key-columns: [code]}\n");
    assertThat(r.code).as(r.output).isZero();
    assertThat(r.output)
        .contains(
            "refused: Table \"public\".\"Order Lines\" is not captured: its schema or table name"
                + " contains a character other than ASCII letters, digits and _")
        .contains("RENAME TO \"Order_Lines\"")
        .contains("refused: Table \"public\".\"a$b\" is not captured")
        .contains(
            "refused: Tables \"public\".\"sales_orders\" and \"sales\".\"orders\" would both be"
                + " the lake table sales_orders")
        .contains(
            "refused: Table public.twins has columns \"A\" and \"a\", which would all be the lake"
                + " column a")
        .contains("refused: Table public.meta has a column \"_op\", the name of one of")
        .contains(
            "refused: Table public.prices_eur has a column \"Preis €\" with a non-ASCII character in"
                + " its name")
        .contains(
            "refused: Table public.keyed is configured with key-columns [code], but column code"
                + " may be NULL")
        .contains("ALTER COLUMN \"code\" SET NOT NULL;")
        .contains(
            "refused: Table public.spans is not captured: its initial snapshot is read in chunks"
                + " of \"s\" (the first column of its primary key), of type interval, which the"
                + " snapshot cannot split on")
        .contains("refused: Table public.flags is not captured: its initial snapshot is read in")
        .contains(
            "refused: Table public.ratios is not captured: its key column \"r\" is of type double"
                + " precision, which Iceberg cannot use as a key")
        .contains(
            "refused: Table public.cursors is not captured: its column \"c\" is of type refcursor")
        .contains(
            "refused: Table public.dated is not captured: its column \"days\" is of type date[],"
                + " which the capture does not carry exactly")
        .contains("ALTER COLUMN \"days\" TYPE text USING \"days\"::text")
        .contains(
            "ok: 3 tables can be captured: [Sales.Items key [id], public.Orders key [Order Id],"
                + " public.good key [id]]")
        .contains("refused: Table \"Sales\".\"Größe\" is not captured")
        .doesNotContain("error:");
    // Only the captured tables are in the publication.
    List<String> published = new ArrayList<>();
    try (Connection c = prepared.getDatabase("postgres", "odd").getConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname ="
                    + " 'tributary' ORDER BY 1")) {
      while (rs.next()) {
        published.add(rs.getString(1));
      }
    }
    assertThat(published).containsExactly("Sales.Items", "public.Orders", "public.good");

    // When every selected table is refused, nothing can start: the refusals are the errors.
    Result none = preflight(prepared.getPort(), "postgres", "odd", "  include: [public.twins]\n");
    assertThat(none.code).as(none.output).isEqualTo(1);
    assertThat(none.output).contains("error: Table public.twins has columns");
  }

  @Test
  @Order(7)
  void aPartitionedTableOfANonSuperuserOwnerIsPublishedThroughItsRootOnEveryStart()
      throws Exception {
    sql(
        prepared,
        "shop",
        "CREATE ROLE owner LOGIN REPLICATION PASSWORD '" + PASSWORD + "'",
        "GRANT CREATE ON DATABASE shop TO owner",
        "GRANT CREATE ON SCHEMA public TO owner");
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + prepared.getPort() + "/shop", "owner", PASSWORD);
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE readings (id int, ts date, PRIMARY KEY (id, ts)) PARTITION BY LIST (ts)");
      st.execute("CREATE TABLE readings_a PARTITION OF readings FOR VALUES IN ('2024-01-01')");
      st.execute("CREATE TABLE readings_b PARTITION OF readings DEFAULT");
      // A publication made earlier without publish_via_partition_root.
      st.execute("CREATE PUBLICATION parts FOR TABLE readings");
    }
    for (int start = 0; start < 2; start++) {
      Result r =
          preflight(
              prepared.getPort(),
              "owner",
              "shop",
              "  publication-name: parts\n",
              "  include: [\"public.read*\"]\n");
      assertThat(r.code).as(r.output).isZero();
      assertThat(r.output)
          .contains("ok: 1 tables can be captured: [public.readings key [id, ts]]")
          .doesNotContain("error:");
    }
    try (Connection c = prepared.getDatabase("postgres", "shop").getConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT pubviaroot FROM pg_publication WHERE pubname = 'parts'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getBoolean(1)).isTrue();
    }
  }

  @Test
  @Order(8)
  void aSchemaPublicationCoversItsTablesAlsoLaterOnesAndATableOutsideIsRefusedAlone()
      throws Exception {
    String db = "pubschema";
    try (ItStack it = new ItStack(dir.resolve("schema-publication"), db)) {
      it.sql(
          "CREATE SCHEMA sales",
          "CREATE TABLE sales.orders (id int PRIMARY KEY, total numeric(10,2))",
          "INSERT INTO sales.orders SELECT g, g FROM generate_series(1, 300) g",
          "CREATE PUBLICATION tributary FOR TABLES IN SCHEMA sales",
          // Created after the publication, which covers it all the same.
          "CREATE TABLE sales.refunds (id int PRIMARY KEY, reason text)",
          "INSERT INTO sales.refunds SELECT g, 'r' || g FROM generate_series(1, 100) g",
          "CREATE TABLE public.customers (id int PRIMARY KEY, name text)",
          "INSERT INTO public.customers SELECT g, 'c' || g FROM generate_series(1, 50) g",
          "CREATE ROLE reader LOGIN REPLICATION",
          "GRANT SELECT ON ALL TABLES IN SCHEMA sales, public TO reader",
          "GRANT USAGE ON SCHEMA sales TO reader",
          "ALTER DEFAULT PRIVILEGES IN SCHEMA sales GRANT SELECT ON TABLES TO reader");
      int port = it.stack.postgresPort();
      String superuser = it.stack.superuser();

      Result schemaOnly = preflight(port, superuser, db, "  include: [\"sales.*\"]\n");
      assertThat(schemaOnly.code).as(schemaOnly.output).isZero();
      assertThat(schemaOnly.output)
          .contains("ok: 2 tables can be captured: [sales.orders key [id], sales.refunds key [id]]")
          .doesNotContain("does not cover")
          .doesNotContain("error:");
      assertThat(publishedTables(it, db)).isEmpty();

      // No key: read through a publication of its own, tributary_id, which the user cannot
      // create.
      it.sql(
          "CREATE TABLE sales.notes (id int NOT NULL, v text)",
          "ALTER TABLE sales.notes REPLICA IDENTITY FULL",
          "INSERT INTO sales.notes SELECT g, 'n' || g FROM generate_series(1, 30) g");

      // A table outside the schema, which a user who cannot change the publication cannot add:
      // that table is refused, with the statement to run as the owner, and the others captured.
      Result outside =
          preflight(port, "reader", db, "  include: [\"sales.*\", public.customers]\n");
      assertThat(outside.code).as(outside.output).isZero();
      assertThat(outside.output)
          .contains(
              "refused: Table public.customers is not captured: publication tributary does not"
                  + " cover it (it publishes the tables in schema [sales]) and user reader cannot"
                  + " add it (ERROR: must be owner of publication tributary): run as the owner of"
                  + " the publication and the table: ALTER PUBLICATION \"tributary\" ADD TABLE"
                  + " \"public\".\"customers\"; then start the job again from its savepoint (the"
                  + " table is then captured like a new table), or leave it out with"
                  + " tables.exclude.")
          .contains(
              "refused: Table sales.notes is not captured: publication tributary_id does not exist"
                  + " and user reader cannot create it (ERROR: permission denied for database"
                  + " pubschema): run"
                  + " as the tables' owner: CREATE PUBLICATION \"tributary_id\" FOR TABLE"
                  + " \"sales\".\"notes\";")
          .contains(
              "ok: 2 tables can be captured: [sales.orders key [id], sales.refunds key [id]];"
                  + " not captured: [public.customers, sales.notes]")
          .doesNotContain("error:");
      assertThat(publishedTables(it, db)).isEmpty();

      // The job runs as that user: the schema's tables flow, the refused one is not captured.
      it.configure(
          TableSelection.builder().include("sales.*", "public.customers").build(),
          Duration.ofSeconds(1),
          64);
      it.config =
          it.config.toBuilder()
              .source(it.config.source().toBuilder().user("reader").build())
              .build();
      it.start(null);
      awaitEqual(it, "sales.orders", "sales.refunds");
      it.sql(
          "INSERT INTO sales.orders VALUES (1000, 1)",
          "UPDATE sales.orders SET total = 0 WHERE id = 5",
          "DELETE FROM sales.orders WHERE id = 6",
          "INSERT INTO public.customers VALUES (1000, 'new')",
          // A table created in the schema while the job runs: the publication covers it.
          "CREATE TABLE sales.late (id int PRIMARY KEY, note text)",
          "INSERT INTO sales.late SELECT g, 'l' || g FROM generate_series(1, 40) g");
      awaitEqual(it, "sales.orders", "sales.refunds");
      assertThat(lakeTables(it)).containsExactlyInAnyOrder("sales_orders", "sales_refunds");

      // The next start from a savepoint captures the new table (snapshot, then changes), without
      // changing the publication.
      String savepoint = it.stopWithSavepoint();
      it.start(savepoint);
      it.sql(
          "INSERT INTO sales.late VALUES (1000, 'after restart')",
          "UPDATE sales.late SET note = 'changed' WHERE id = 7",
          "DELETE FROM sales.refunds WHERE id = 8");
      awaitEqual(it, "sales.orders", "sales.refunds", "sales.late");
      assertThat(publishedTables(it, db)).isEmpty();
      assertThat(lakeTables(it))
          .containsExactlyInAnyOrder("sales_orders", "sales_refunds", "sales_late");

      // The way on for the refused table: the owner runs the statement, the job starts again from
      // its savepoint and captures it like a new table.
      it.sql(
          "ALTER PUBLICATION \"tributary\" ADD TABLE \"public\".\"customers\"",
          "CREATE PUBLICATION \"tributary_id\" FOR TABLE \"sales\".\"notes\"");
      savepoint = it.stopWithSavepoint();
      it.start(savepoint);
      it.sql(
          "DELETE FROM public.customers WHERE id = 9",
          "INSERT INTO sales.late VALUES (1001, 'x')",
          "INSERT INTO sales.notes VALUES (31, 'after')");
      it.awaitEqual(5, Duration.ofMinutes(2));
      assertThat(publishedTables(it, db)).containsExactly("public.customers");
    }
  }

  private static void awaitEqual(ItStack it, String... tables) {
    Awaitility.await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              for (String table : tables) {
                List<VerifyResult> results = LakeVerifier.verify(it.config, it.catalog, table);
                assertThat(results).hasSize(1);
                assertThat(results.get(0).equal()).as(results.get(0).toString()).isTrue();
              }
            });
  }

  /** The tables of the lake's namespace. */
  private static List<String> lakeTables(ItStack it) {
    Catalog c = it.catalog.open();
    try {
      List<String> names = new ArrayList<>();
      for (TableIdentifier t : c.listTables(Namespace.of(it.config.sink().namespace()))) {
        names.add(t.name());
      }
      return names;
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }

  /** The tables named one by one in publication tributary (not those it has through a schema). */
  private static List<String> publishedTables(ItStack it, String db) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = it.stack.connect(db);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT n.nspname || '.' || c.relname FROM pg_publication_rel r"
                    + " JOIN pg_publication p ON p.oid = r.prpubid"
                    + " JOIN pg_class c ON c.oid = r.prrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE p.pubname = 'tributary' ORDER BY 1")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }
}
