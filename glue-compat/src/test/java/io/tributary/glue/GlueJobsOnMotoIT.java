package io.tributary.glue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.athena.AthenaNamedQueries;
import io.tributary.athena.TrinoServer;
import io.tributary.backfill.BackfillJob;
import io.tributary.catalog.CatalogSpec;
import io.tributary.catalog.CatalogSpecs;
import io.tributary.change.TableId;
import io.tributary.config.CatalogConfig;
import io.tributary.config.CatalogType;
import io.tributary.config.ControlConfig;
import io.tributary.config.JobConfig;
import io.tributary.config.S3Config;
import io.tributary.config.Secret;
import io.tributary.config.SinkConfig;
import io.tributary.config.SourceConfig;
import io.tributary.config.SslMode;
import io.tributary.config.SslRootCert;
import io.tributary.config.TableSelection;
import io.tributary.config.TributaryConfig;
import io.tributary.control.ControlClients;
import io.tributary.control.ControlTable;
import io.tributary.job.TributaryJob;
import io.tributary.local.Dynalite;
import io.tributary.local.LocalStack;
import io.tributary.local.LocalStepFunctions;
import io.tributary.maintenance.MaintenanceJob;
import io.tributary.sink.TableNames;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.spark.sql.SparkSession;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.DatabaseInput;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * The Glue jobs as AWS Glue 5.1 runs them, against AWS API emulation ({@code moto_server}): Spark
 * 3.5.6 and Iceberg 1.10.0 (this module's test class path, the versions Glue 5.1 provides), the
 * main class the launcher {@code infra/glue/TributaryGlueLauncher.scala} calls with the argument
 * array it builds from what Glue hands the script: the job's default arguments as {@code
 * infra/terraform/glue_jobs.tf} deploys them (read from the file, evaluated with the variables
 * below), the arguments the state machines pass ({@code --table}) and those Glue adds to every run
 * ({@code --JOB_ID}, {@code --JOB_RUN_ID}, {@code --JOB_NAME}, ...). The lake is in moto's Glue
 * catalog and S3, written by the streaming job; the backfill logs in to the source with the
 * password of a Secrets Manager secret in moto, over TLS verify-full with the certificate authority
 * from S3; both jobs record their runs in the control table in moto's DynamoDB. The jobs' AWS
 * clients find moto through the AWS SDK's own endpoint settings ({@code aws.endpointUrl<Service>}
 * system properties), and the role's credentials and region through its default chains: nothing is
 * added to their arguments.
 *
 * <p>The launcher itself is not run: it is a Scala 2.12 script that Glue compiles, and no Scala
 * 2.12 compiler is available to the build. {@link #launch} is a line-by-line copy of it in Java.
 *
 * <p>Athena's engine, Trino 476, reads the mirror through its Glue catalog in moto: the rows the
 * stream wrote (with equality deletes), and again after the jobs and the state machines, and the
 * named queries of {@code infra/terraform/athena.tf} answer as the source does.
 *
 * <p>Last, with moto's IAM enforcement on, the stream, the maintenance job and the backfill run
 * again, each with the temporary credentials of a role holding the inline policy Terraform renders
 * for it ({@link MotoIam}), and actions outside those policies are refused.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GlueJobsOnMotoIT {
  private static final String DB = "glue_jobs";
  private static final String REGION = "us-east-1";
  private static final String LOGIN = "tributary";
  private static final String CA_KEY = "certs/source-ca.pem";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The tfvars of this rehearsal; every other variable takes its default from variables.tf. */
  private static final Map<String, String> TFVARS = new LinkedHashMap<>();

  /** System properties set for the AWS SDK's default chains and Spark, restored afterwards. */
  private static final List<String> PROPERTIES =
      List.of(
          "aws.accessKeyId",
          "aws.secretAccessKey",
          "aws.sessionToken",
          "aws.region",
          "aws.endpointUrlSecretsManager",
          "aws.endpointUrlGlue",
          "aws.endpointUrlS3",
          "aws.endpointUrlDynamoDb",
          "spark.master",
          "spark.ui.enabled",
          "spark.sql.shuffle.partitions");

  @TempDir static Path workdir;
  private static MotoServer moto;
  private static LocalStack stack;
  private static final Map<String, String> savedProperties = new LinkedHashMap<>();
  private static TributaryConfig config;
  private static CatalogSpec catalogSpec;
  private static Catalog catalog;
  private static TerraformGlueJobs terraform;
  private static String namespace;
  private static String bucket;
  private static String lakeTable;
  private static JobClient job;
  private static CompletableFuture<TrinoServer> trino;
  private static Connection trinoConnection;
  private static Instant streamStopped;
  private static long rowsWhenStreamStopped;

  /** The source's columns of the table, as the mirror has them (without its metadata columns). */
  private static final String COLUMNS = "id, customer_id, amount, status, placed_at";

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start(workdir.resolve("moto"));
    for (String name : PROPERTIES) {
      savedProperties.put(name, System.getProperty(name));
    }
    // The role's credentials and region as Glue gives them to the job, found by the default
    // chains; every AWS client reaches moto through the SDK's own endpoint setting.
    System.setProperty("aws.accessKeyId", "rehearsal");
    System.setProperty("aws.secretAccessKey", "rehearsal-secret");
    System.setProperty("aws.region", REGION);
    for (String service : List.of("SecretsManager", "Glue", "S3", "DynamoDb")) {
      System.setProperty("aws.endpointUrl" + service, moto.endpoint());
    }

    stack = LocalStack.start(workdir.resolve("stack"));
    stack.ensureDatabase(DB);
    String password = "pw-" + UUID.randomUUID();
    Path ca = enableTls();
    prepareSource(password);

    TFVARS.put("name_prefix", "tributary");
    TFVARS.put("environment", "dev");
    TFVARS.put("source_host", "127.0.0.1");
    TFVARS.put("source_port", Integer.toString(stack.postgresPort()));
    TFVARS.put("source_database", DB);
    TFVARS.put("source_user", LOGIN);
    // source_ssl_mode keeps its default, verify-full; the certificate authority is an S3 object.
    TFVARS.put("source_ssl_root_cert", "s3://" + artifactsBucket() + "/" + CA_KEY);

    // What Terraform creates: the names follow main.tf, s3.tf, glue_jobs.tf and dynamodb.tf.
    String name = TFVARS.get("name_prefix") + "-" + TFVARS.get("environment");
    namespace = name.replace('-', '_');
    bucket = name + "-warehouse-" + MotoServer.ACCOUNT_ID + "-" + REGION;
    String secretArn = createSecret(name + "/source-database", password);
    Map<String, String> references = new LinkedHashMap<>();
    references.put("aws_secretsmanager_secret.source.arn", secretArn);
    references.put("local.warehouse_uri", "s3://" + bucket + "/warehouse");
    references.put("local.glue_database_name", namespace);
    references.put("local.glue_catalog_id", MotoServer.ACCOUNT_ID);
    references.put("local.glue_temp_prefix", "glue/temp");
    references.put("local.glue_sparkui_prefix", "glue/spark-ui");
    references.put("aws_s3_bucket.data[\"artifacts\"].bucket", artifactsBucket());
    references.put("aws_s3_object.glue_jar.key", "artifacts/tributary-glue-compat.jar");
    references.put("aws_dynamodb_table.control.name", name + "-control");
    terraform = TerraformGlueJobs.read(TerraformGlueJobs.terraformDir(), TFVARS, references);

    createAwsResources(ca, name + "-control");
    config = streamConfig(name + "-control");
    catalogSpec = CatalogSpecs.from(config.sink());
    catalog = catalogSpec.open();
    lakeTable = TableNames.mirror(namespace, new TableId("public", "orders")).name();

    job = startStream();
    // Athena's engine on moto's Glue catalog and S3, starting while the stream loads the table.
    TrinoServer.Aws aws =
        new TrinoServer.Aws(
            moto.endpoint(), REGION, MotoServer.ACCOUNT_ID, "rehearsal", "rehearsal-secret");
    trino =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return TrinoServer.startOnGlue(workdir.resolve("trino"), aws);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (trinoConnection != null) {
        trinoConnection.close();
      }
      if (trino != null) {
        TrinoServer server = trino.exceptionally(e -> null).join();
        if (server != null) {
          server.close();
        }
      }
      stopSpark();
      if (job != null && !job.getJobStatus().get().isTerminalState()) {
        job.cancel().get();
      }
      CatalogSpec.closeQuietly(catalog);
    } finally {
      try {
        if (stack != null) {
          stack.close();
        }
      } finally {
        if (moto != null) {
          moto.close();
        }
        savedProperties.forEach(
            (key, value) -> {
              if (value == null) {
                System.clearProperty(key);
              } else {
                System.setProperty(key, value);
              }
            });
      }
    }
  }

  /**
   * A login that must give its password (SCRAM) over TLS and may read the table: the backfill's
   * login, which can therefore only connect with the secret's password and over TLS. The streaming
   * job captures as the embedded server's superuser (it is not what this test checks).
   */
  private static void prepareSource(String password) throws Exception {
    Path hba = workdir.resolve("stack").resolve("postgres").resolve("pg_hba.conf");
    String rules =
        "hostssl all "
            + LOGIN
            + " 127.0.0.1/32 scram-sha-256\nhostnossl all "
            + LOGIN
            + " 127.0.0.1/32 reject\n";
    Files.writeString(hba, rules + Files.readString(hba, StandardCharsets.UTF_8));
    sql(
        "CREATE ROLE " + LOGIN + " LOGIN PASSWORD '" + password + "'",
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, amount numeric(10,2),"
            + " status text, placed_at timestamptz)",
        "INSERT INTO orders SELECT g, g % 50 + 1, g * 1.25, 'new',"
            + " timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'"
            + " FROM generate_series(1, 400) g",
        "GRANT SELECT ON orders TO " + LOGIN,
        "SELECT pg_reload_conf()");
    String url = stack.jdbcUrl(DB).replaceAll("\\?.*$", "");
    assertThatThrownBy(() -> DriverManager.getConnection(url, LOGIN, "wrong").close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("password authentication failed");
    // Only over TLS: a backfill that connects at all connected over TLS.
    assertThatThrownBy(
            () -> DriverManager.getConnection(url + "?sslmode=disable", LOGIN, password).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("pg_hba.conf");
  }

  private static void sql(String... statements) throws SQLException {
    try (Connection c = stack.connect(DB)) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        for (String s : statements) {
          st.execute(s);
        }
      }
      c.commit();
    }
  }

  /**
   * A certificate for 127.0.0.1 signed by a certificate authority made here, and TLS on in the
   * embedded server; returns the authority's certificate.
   */
  private static Path enableTls() throws Exception {
    Path certs = Files.createDirectories(workdir.resolve("certs"));
    openssl(
        certs,
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=Tributary Rehearsal CA");
    openssl(
        certs,
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1");
    Files.writeString(certs.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    openssl(
        certs,
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "san.ext");
    Files.setPosixFilePermissions(
        certs.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
    try (Connection c = stack.connect("postgres");
        Statement st = c.createStatement()) {
      st.execute("ALTER SYSTEM SET ssl_cert_file = '" + certs.resolve("server.crt") + "'");
      st.execute("ALTER SYSTEM SET ssl_key_file = '" + certs.resolve("server.key") + "'");
      st.execute("ALTER SYSTEM SET ssl = on");
      st.execute("SELECT pg_reload_conf()");
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              try (Connection c = stack.connect("postgres");
                  Statement st = c.createStatement();
                  ResultSet rs = st.executeQuery("SHOW ssl")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("on");
              }
            });
    return certs.resolve("ca.crt");
  }

  private static void openssl(Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile())
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("openssl " + String.join(" ", args)).isZero();
  }

  private static String artifactsBucket() {
    return TFVARS.get("name_prefix")
        + "-"
        + TFVARS.get("environment")
        + "-artifacts-"
        + MotoServer.ACCOUNT_ID
        + "-"
        + REGION;
  }

  /** The secret Terraform creates, with the value the operator stores (infra/README.md). */
  private static String createSecret(String name, String password) {
    try (SecretsManagerClient secrets =
        SecretsManagerClient.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .endpointOverride(URI.create(moto.endpoint()))
            .region(Region.of(REGION))
            .credentialsProvider(credentials())
            .build()) {
      return secrets
          .createSecret(
              b ->
                  b.name(name)
                      .secretString(
                          "{\"username\": \"" + LOGIN + "\", \"password\": \"" + password + "\"}"))
          .arn();
    }
  }

  /**
   * The warehouse and artifacts buckets, the Glue database and the control table Terraform creates,
   * and the certificate authority the operator uploads.
   */
  private static void createAwsResources(Path ca, String controlTable) {
    try (S3Client s3 = s3()) {
      s3.createBucket(b -> b.bucket(bucket));
      s3.createBucket(b -> b.bucket(artifactsBucket()));
      s3.putObject(b -> b.bucket(artifactsBucket()).key(CA_KEY), RequestBody.fromFile(ca));
    }
    try (GlueClient glue = glue()) {
      glue.createDatabase(
          b ->
              b.catalogId(MotoServer.ACCOUNT_ID)
                  .databaseInput(DatabaseInput.builder().name(namespace).build()));
    }
    Dynalite.createControlTable(
        ControlConfig.builder().tableName(controlTable).endpoint(moto.endpoint()).build());
  }

  /**
   * The streaming job that writes the mirror table into moto's Glue catalog and S3, configured as
   * GlueCatalogIT runs it (catalog {@code glue}, the control table in moto), capturing as the
   * superuser.
   */
  private static TributaryConfig streamConfig(String controlTable) {
    return TributaryConfig.builder()
        .source(
            SourceConfig.builder()
                .type(SourceConfig.TYPE_POSTGRES)
                .host("127.0.0.1")
                .port(stack.postgresPort())
                .database(DB)
                .user(stack.superuser())
                .password(Secret.none())
                .sslMode(SslMode.DISABLE)
                .snapshotChunkSize(100)
                .build())
        .tables(TableSelection.builder().include("public.orders").build())
        .sink(
            SinkConfig.builder()
                .warehouse("s3://" + bucket + "/warehouse")
                .namespace(namespace)
                .catalog(
                    CatalogConfig.builder()
                        .type(CatalogType.GLUE)
                        .glueCatalogId(MotoServer.ACCOUNT_ID)
                        .properties(Map.of("glue.endpoint", moto.endpoint()))
                        .build())
                .s3(
                    S3Config.builder()
                        .endpoint(moto.endpoint())
                        .pathStyleAccess(true)
                        .region(REGION)
                        .build())
                .build())
        .job(JobConfig.builder().checkpointInterval(Duration.ofMillis(1000)).parallelism(1).build())
        .control(ControlConfig.builder().tableName(controlTable).endpoint(moto.endpoint()).build())
        .build();
  }

  private static JobClient startStream() throws Exception {
    return startStream(config);
  }

  private static JobClient startStream(TributaryConfig config) throws Exception {
    Configuration flink = new Configuration();
    flink.set(
        CheckpointingOptions.CHECKPOINTS_DIRECTORY,
        workdir.resolve("checkpoints").toUri().toString());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    env.setParallelism(1);
    TributaryJob.build(env, config, TributaryJob.preflight(config));
    return env.executeAsync("glue-jobs-on-moto");
  }

  @Test
  @Order(1)
  void theStreamWritesTheMirrorIntoMotosGlueCatalog() throws Exception {
    awaitEqual();
    // Changes over several checkpoints: small data files and equality deletes to compact.
    for (int round = 0; round < 4; round++) {
      int base = 1000 + round * 20;
      sql(
          "INSERT INTO orders SELECT g, g % 50 + 1, g * 0.5, 'new', now()"
              + " FROM generate_series("
              + base
              + ", "
              + (base + 19)
              + ") g",
          "UPDATE orders SET status = 'shipped', amount = amount + 1 WHERE id % 7 = " + round,
          "DELETE FROM orders WHERE id % 31 = " + round);
      Thread.sleep(1200);
    }
    awaitEqual();
    job.cancel().get(30, TimeUnit.SECONDS);
    job = null;
    assertThat(liveDeleteFiles(table()))
        .as("equality deletes the stream wrote, which Trino must apply")
        .isPositive();
    assertTrinoEqualsSource();
    streamStopped = Instant.now();
    rowsWhenStreamStopped = sourceRows();
  }

  @Test
  @Order(2)
  void maintenanceRunsWithTheTerraformArguments() throws Throwable {
    Table before = table();
    int snapshotsBefore = count(before.snapshots());
    long dataFilesBefore = dataFiles(before).size();
    assertThat(dataFilesBefore).as("data files before maintenance").isGreaterThan(1);

    List<String> output = runThroughLauncher("maintenance", Map.of("--table", lakeTable));

    List<JsonNode> reports = reports(output, MaintenanceJob.REPORT_PREFIX);
    assertThat(reports).hasSize(1);
    JsonNode report = reports.get(0);
    assertThat(report.get("table").asText()).isEqualTo(namespace + "." + lakeTable);
    assertThat(report.get("status").asText()).isNotEqualTo("failed");

    Table after = table();
    assertLakeEqualsSource();
    assertThat(report.get("before").get("dataFiles").asLong()).isEqualTo(dataFilesBefore);
    assertThat(report.get("after").get("dataFiles").asLong())
        .isEqualTo(dataFiles(after).size())
        .isLessThan(dataFilesBefore);
    assertThat(
            report.get("after").get("positionDeleteFiles").asLong()
                + report.get("after").get("equalityDeleteFiles").asLong())
        .as("live delete files after maintenance")
        .isZero();
    assertThat(report.get("after").get("snapshots").asInt()).isEqualTo(count(after.snapshots()));
    assertThat(count(after.snapshots()))
        .as("snapshots: before, plus maintenance's commits, minus those expired")
        .isLessThanOrEqualTo(snapshotsBefore + 3 - report.get("expiredSnapshots").asInt());
    assertThat(report.get("after").get("records").asLong()).isEqualTo(sourceRows());

    Map<String, AttributeValue> record = null;
    for (Map<String, AttributeValue> item : controlItems()) {
      if (item.get(ControlTable.SK).s().startsWith(ControlTable.MAINT_PREFIX)) {
        record = item;
      }
    }
    assertThat(record).as("the maintenance record in the control table").isNotNull();
    assertThat(record.get(ControlTable.OUTCOME_STATUS).s()).isEqualTo(ControlTable.SUCCEEDED);
    assertThat(JSON.readTree(record.get(ControlTable.REPORT).s())).isEqualTo(report);
    assertThat(record.get(ControlTable.EXPIRES_AT).n()).isNotEmpty();
    Map<String, AttributeValue> state = stateItem();
    assertThat(state.get(ControlTable.LAST_MAINTENANCE_STATUS).s())
        .isEqualTo(ControlTable.SUCCEEDED);
  }

  @Test
  @Order(3)
  void backfillRestatesTheTableWithTheSecretsPasswordOverTls() throws Throwable {
    // The source moves on while the stream is stopped: the lake no longer equals it, and the
    // backfill restates the table from the source.
    sql(
        "INSERT INTO orders SELECT g, g % 50 + 1, g * 2, 'late', now()"
            + " FROM generate_series(2000, 2029) g",
        "UPDATE orders SET status = 'returned' WHERE id % 9 = 0",
        "DELETE FROM orders WHERE id % 17 = 0");
    assertThat(LakeVerifier.verify(config, catalogSpec, null))
        .allSatisfy(r -> assertThat(r.equal()).as(r.toString()).isFalse());
    int liveDataFiles = dataFiles(table()).size();

    List<String> output = runThroughLauncher("backfill", Map.of("--table", lakeTable));

    List<JsonNode> reports = reports(output, BackfillJob.REPORT_PREFIX);
    assertThat(reports).hasSize(1);
    JsonNode report = reports.get(0);
    assertThat(report.get("rows").asLong()).isEqualTo(sourceRows());
    assertThat(report.get("replacedDataFiles").asInt()).isEqualTo(liveDataFiles);
    assertLakeEqualsSource();

    Map<String, AttributeValue> state = stateItem();
    assertThat(state.get(ControlTable.BACKFILL_STATUS).s()).isEqualTo(ControlTable.SUCCEEDED);
    assertThat(JSON.readTree(state.get("backfillReport").s())).isEqualTo(report);
    stage(
        "4. Glue",
        "maintenance and backfill through the launcher on Spark 3.5.6 and Iceberg 1.10.0 (Glue"
            + " 5.1) with the Terraform arguments and those Glue adds, against moto's catalog,"
            + " secret and control table; lake equal to the source after each");
  }

  /** A line for {@code tributary rehearse}: a stage of the rehearsal and what it checked. */
  private static void stage(String name, String checked) {
    System.out.println("REHEARSAL | " + name + ": ok: " + checked);
  }

  /**
   * Both state machines as Terraform renders them (the local executor, its DynamoDB tasks against
   * moto's control table, its Glue tasks run through the launcher with the Terraform arguments):
   * maintenance selects the tables from the control table, maintains the mirror and fails for a
   * table the lake does not have (retried, caught, recorded, notified); the backfill takes the
   * lock, restates the mirror from the source and releases the lock.
   */
  @Test
  @Order(4)
  void theStateMachinesRunAgainstMotosControlTable() throws Throwable {
    ControlConfig control = config.control().orElseThrow();
    // A table the control table knows but the lake no longer has: its job fails every time.
    try (DynamoDbClient dynamo = ControlClients.open(control)) {
      dynamo.putItem(
          b ->
              b.tableName(control.tableName())
                  .item(
                      Map.of(
                          ControlTable.PK,
                          AttributeValue.fromS(ControlTable.pk(namespace, "ghost")),
                          ControlTable.SK,
                          AttributeValue.fromS(ControlTable.STATE),
                          ControlTable.TABLE,
                          AttributeValue.fromS("ghost"),
                          ControlTable.DATA_FILES_SINCE_MAINTENANCE,
                          AttributeValue.fromN("500"),
                          ControlTable.DELETE_FILES_SINCE_MAINTENANCE,
                          AttributeValue.fromN("0"))));
    }
    List<String> runs = Collections.synchronizedList(new ArrayList<>());
    LocalStepFunctions sfn =
        new LocalStepFunctions(
            workdir.resolve("stack"),
            control,
            namespace,
            (jobName, arguments) -> {
              runs.add(jobName + " " + arguments.get("--table"));
              String jobKey =
                  jobName.equals(LocalStepFunctions.MAINTENANCE_JOB) ? "maintenance" : "backfill";
              List<String> output;
              try {
                output = runThroughLauncher(jobKey, arguments);
              } catch (Exception | Error e) {
                throw e;
              } catch (Throwable t) {
                throw new IllegalStateException(t);
              }
              if (jobKey.equals("maintenance")) {
                for (JsonNode report : reports(output, MaintenanceJob.REPORT_PREFIX)) {
                  if (report.get("status").asText().equals("failed")) {
                    throw new IllegalStateException("maintenance failed: " + report);
                  }
                }
              }
            },
            // Terraform's defaults, but for the threshold (0: every table the control table knows;
            // the selection by threshold is ControlPlaneIT's) and the retry wait (120 s in AWS;
            // here at once).
            LocalStepFunctions.Settings.defaults()
                .minDataFiles(0)
                .maxConcurrency(1)
                .retryInterval("RunMaintenanceJob", 0)
                .retryInterval("RecordFailure", 0)
                .retryInterval("NotifyFailure", 0));

    LocalStepFunctions.Execution maintenance = sfn.run("maintenance", JSON.createObjectNode());

    assertThat(maintenance.status()).as(maintenance.toString()).isEqualTo("FAILED");
    assertThat(maintenance.error()).isEqualTo("Tributary.MaintenanceFailed");
    assertThat(runs)
        .containsExactlyInAnyOrder(
            LocalStepFunctions.MAINTENANCE_JOB + " " + lakeTable,
            LocalStepFunctions.MAINTENANCE_JOB + " ghost",
            LocalStepFunctions.MAINTENANCE_JOB + " ghost");
    assertThat(maintenance.entered("NotifyFailure")).isTrue();
    assertThat(Files.readAllLines(LocalStepFunctions.notifications(workdir.resolve("stack"))))
        .anySatisfy(line -> assertThat(line).contains("ghost"));
    Map<String, AttributeValue> state = stateItem();
    assertThat(number(state, ControlTable.DATA_FILES_SINCE_MAINTENANCE)).isZero();
    assertThat(state.get(ControlTable.LAST_MAINTENANCE_STATUS).s())
        .isEqualTo(ControlTable.SUCCEEDED);
    assertThat(controlItems())
        .anySatisfy(
            item -> {
              assertThat(item.get(ControlTable.PK).s())
                  .isEqualTo(ControlTable.pk(namespace, "ghost"));
              assertThat(item.get(ControlTable.SK).s()).startsWith(ControlTable.MAINT_PREFIX);
              assertThat(item.get("error").s()).isEqualTo("States.TaskFailed");
            });
    assertLakeEqualsSource();

    // The source moves on while the stream is stopped; the backfill restates the mirror.
    sql(
        "INSERT INTO orders SELECT g, g % 50 + 1, g * 3, 'later', now()"
            + " FROM generate_series(3000, 3019) g",
        "DELETE FROM orders WHERE id % 13 = 0");
    runs.clear();
    LocalStepFunctions.Execution backfill =
        sfn.run("backfill", JSON.createObjectNode().put("table", lakeTable));

    assertThat(backfill.status()).as(backfill.toString()).isEqualTo("SUCCEEDED");
    assertThat(runs).containsExactly(LocalStepFunctions.BACKFILL_JOB + " " + lakeTable);
    assertLakeEqualsSource();
    assertThat(controlItems())
        .noneMatch(
            item ->
                item.get(ControlTable.PK).s().equals(ControlTable.pk(namespace, lakeTable))
                    && item.get(ControlTable.SK).s().equals(ControlTable.LOCK));
    assertThat(stateItem().get(ControlTable.BACKFILL_STATUS).s()).isEqualTo(ControlTable.SUCCEEDED);
    stage(
        "5. Step Functions",
        "both state machines as Terraform renders them, against moto's control table: maintenance"
            + " with a failing table retried, caught, recorded and notified; backfill under the"
            + " table's lock");
  }

  /**
   * Athena's engine after the jobs and the state machines rewrote the table: the rows are the
   * source's, and the named queries Terraform deploys for analysts run and answer as the source and
   * the table do.
   */
  @Test
  @Order(5)
  void trinoReadsTheMirrorThroughMotosGlueCatalog() throws Exception {
    assertTrinoEqualsSource();

    // The named queries of athena.tf, evaluated as Terraform would with this rehearsal's
    // variables: no table_options, so their example table is public.orders's mirror.
    assertThat(lakeTable).isEqualTo("orders");
    Map<String, String> queries =
        AthenaNamedQueries.read(
            TerraformGlueJobs.terraformDir(),
            Map.of("local.glue_database_name", namespace, "local.example_table", lakeTable));
    assertThat(queries).containsOnlyKeys("freshness", "row_counts", "versions", "time_travel");
    Table table = table();
    long rows = sourceRows();

    List<List<Object>> freshness = trinoRows(queries.get("freshness"));
    assertThat(freshness).hasSize(1);
    assertThat(freshness.get(0).get(0)).isEqualTo(lakeTable);
    assertThat(freshness.get(0)).doesNotContainNull();
    assertThat((Long) freshness.get(0).get(3)).as("lag_seconds").isNotNegative();

    List<List<Object>> counts = trinoRows(queries.get("row_counts"));
    assertThat(counts).hasSize(1);
    assertThat(counts.get(0).get(0)).as("row_count").isEqualTo(rows);
    assertThat(counts.get(0).get(1))
        .as("the latest snapshot")
        .isEqualTo(table.currentSnapshot().snapshotId());

    // The versions to travel to: the current snapshot's line of ancestors, newest first, at most
    // 20, each one readable as of its snapshot id.
    List<List<Object>> versions = trinoRows(queries.get("versions"));
    List<Long> ancestors = SnapshotUtil.currentAncestorIds(table);
    assertThat(versions).hasSize(Math.min(20, ancestors.size()));
    List<Long> listed = new ArrayList<>();
    for (List<Object> version : versions) {
      listed.add((Long) version.get(1));
    }
    // (The rounds of one transaction may share a millisecond, so the order is not compared.)
    assertThat(listed).doesNotHaveDuplicates().contains(table.currentSnapshot().snapshotId());
    assertThat(ancestors).containsAll(listed);
    if (ancestors.size() <= 20) {
      assertThat(listed).containsExactlyInAnyOrderElementsOf(ancestors);
    }
    for (List<Object> version : versions) {
      assertThat(version.get(2)).as("operation of " + version.get(1)).isNotNull();
    }
    Object oldest = versions.get(versions.size() - 1).get(1);
    List<List<Object>> then =
        trinoRows("SELECT count(*) FROM " + lakeTable + " FOR VERSION AS OF " + oldest);
    assertThat((Long) then.get(0).get(0)).as("rows as of " + oldest).isNotNegative();

    // As deployed, the query reads the table as of an hour ago: this table is younger, so there
    // is no version then, and Athena's engine says so (as the query's description warns).
    String timeTravel = queries.get("time_travel");
    assertThat(table.history().get(0).timestampMillis())
        .as("the table's first commit")
        .isGreaterThan(Instant.now().minus(Duration.ofHours(1)).toEpochMilli());
    assertThatThrownBy(() -> trinoRows(timeTravel))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("No version history table");
    // The same query as of the moment the stream stopped (before the backfills changed the
    // table): the row count the source had then, and the current one.
    String anHourAgo = "(current_timestamp - interval '1' hour)";
    assertThat(timeTravel).contains(anHourAgo);
    String thatMoment =
        "TIMESTAMP '"
            + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
                .withZone(ZoneOffset.UTC)
                .format(streamStopped)
            + " UTC'";
    assertThat(trinoRows(timeTravel.replace(anHourAgo, thatMoment)))
        .containsExactlyInAnyOrder(
            List.of("one hour ago", rowsWhenStreamStopped), List.of("now", rows));
    stage(
        "6. Athena",
        "Trino 476 (Athena engine 3's engine) through its Glue catalog in moto and S3 in moto:"
            + " the mirror's rows equal the source's after the stream (with equality deletes)"
            + " and after the jobs; the "
            + queries.size()
            + " named queries of athena.tf answer as the source does (versions lists the"
            + " current snapshot's ancestors; time_travel as of the stream's stop: its one hour"
            + " ago precedes this table)");
  }

  private static void assertTrinoEqualsSource() throws SQLException {
    List<List<Object>> source;
    try (Connection c = stack.connect(DB)) {
      source = rows(c, "SELECT " + COLUMNS + " FROM orders ORDER BY id");
    }
    assertThat(source).as("orders in the source").hasSizeGreaterThan(300);
    assertThat(trinoRows("SELECT " + COLUMNS + " FROM " + lakeTable + " ORDER BY id"))
        .as(lakeTable + " read by Trino through the Glue catalog in moto")
        .containsExactlyElementsOf(source);
  }

  /** Rows of a query run by Trino, in the mirror's Glue database (schema). */
  private static List<List<Object>> trinoRows(String sql) throws SQLException {
    if (trinoConnection == null) {
      trinoConnection = trino.join().connect(namespace);
    }
    // A query for Athena ends with a semicolon, which Trino's JDBC driver does not take.
    Connection connection = trinoConnection;
    return TrinoServer.whileNodesMissing(
        () -> rows(connection, sql.strip().replaceFirst(";$", "")));
  }

  private static List<List<Object>> rows(Connection connection, String sql) throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>(columns);
        for (int i = 1; i <= columns; i++) {
          row.add(comparable(rs.getObject(i)));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /** Both drivers' timestamps as instants; everything else as returned. */
  private static Object comparable(Object value) {
    if (value instanceof Timestamp t) {
      return t.toInstant();
    }
    if (value instanceof ZonedDateTime t) {
      return t.toInstant();
    }
    if (value instanceof OffsetDateTime t) {
      return t.toInstant();
    }
    return value;
  }

  private static long liveDeleteFiles(Table table) throws Exception {
    long deletes = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        for (DeleteFile ignored : task.deletes()) {
          deletes++;
        }
      }
    }
    return deletes;
  }

  /**
   * With moto's IAM enforcement on, the stream runs as the Managed Flink application's role, the
   * maintenance job as its role and the backfill as its role, each holding the inline policy
   * Terraform renders for it (as moto can enforce it: {@link MotoIam}); each succeeds and leaves
   * the lake equal to the source, and actions outside each policy are refused.
   */
  @Test
  @Order(6)
  void theJobsRunWithTheirRolesPoliciesUnderMotosIamEnforcement() throws Throwable {
    Map<String, JsonNode> rendered = MotoIam.renderedPolicies(TerraformGlueJobs.terraformDir());
    MotoIam iam = new MotoIam(moto, REGION);
    Map<String, Credentials> roles = new LinkedHashMap<>();
    for (String resource : List.of("flink", "glue_maintenance", "glue_backfill")) {
      JsonNode policy = rendered.get(resource);
      assertThat(policy).as("the rendered aws_iam_role_policy." + resource).isNotNull();
      assertThat(policy.get("role").asText()).startsWith("tributary-dev-");
      String arn =
          iam.createRole(
              policy.get("role").asText(),
              policy.get("name").asText(),
              MotoIam.asMotoEnforcesIt(policy.get("policy")));
      roles.put(resource, iam.assume(arn));
    }
    String secretArn;
    try (SecretsManagerClient secrets = secrets(credentials())) {
      secretArn = secrets.describeSecret(b -> b.secretId("tributary-dev/source-database")).arn();
    }
    RecordedAwsCalls.start();
    iam.enforce(true);
    try {
      // The Managed Flink application's role: the stream starts again without state (a new
      // snapshot of the table, then changes), and the lake is compared with the source as that
      // role. No deletes here: a row deleted before the new snapshot reads it would stay in the
      // lake from the first run (a start without state does not remove rows).
      // This time it logs in with the password from the database secret, over TLS verified
      // against the certificate authority in S3, as the deployment configures it (the superuser's
      // login takes any password: what is checked here is that the role may read both).
      use(roles.get("flink"));
      job =
          startStream(
              config.toBuilder()
                  .source(
                      config.source().toBuilder()
                          .password(Secret.ofSecretsManager(secretArn))
                          .sslMode(SslMode.VERIFY_FULL)
                          .sslRootCert(
                              SslRootCert.parse("s3://" + artifactsBucket() + "/" + CA_KEY))
                          .build())
                  .build());
      sql(
          "INSERT INTO orders SELECT g, g % 50 + 1, g * 4, 'iam', now()"
              + " FROM generate_series(4000, 4019) g",
          "UPDATE orders SET status = 'iam' WHERE id % 11 = 0");
      awaitEqual();
      job.cancel().get(30, TimeUnit.SECONDS);
      job = null;
      AwsCredentialsProvider flink = provider(roles.get("flink"));
      assertDenied(
          "glue:CreateDatabase",
          () -> {
            try (GlueClient glue = glue(flink)) {
              glue.createDatabase(
                  b ->
                      b.catalogId(MotoServer.ACCOUNT_ID)
                          .databaseInput(DatabaseInput.builder().name("not_granted").build()));
            }
          });
      assertDenied(
          "s3:PutObject",
          () -> {
            try (S3Client s3 = s3(flink)) {
              s3.putObject(
                  b -> b.bucket(artifactsBucket()).key("certs/not-granted.pem"),
                  RequestBody.fromString("x"));
            }
          });

      // The maintenance job's role reads the table through the catalog (the job itself is not run
      // here: its orphan-file cleanup lists the table's prefix, and moto 5.2.1 refuses the
      // signature of a ListObjectsV2 whose prefix holds a "/" once enforcement is on, whatever
      // the policy); the database secret and the source's certificate authority are not its to
      // read.
      use(roles.get("glue_maintenance"));
      assertLakeEqualsSource();
      AwsCredentialsProvider maintenance = provider(roles.get("glue_maintenance"));
      assertDenied(
          "secretsmanager:GetSecretValue",
          () -> {
            try (SecretsManagerClient secrets = secrets(maintenance)) {
              secrets.getSecretValue(b -> b.secretId(secretArn));
            }
          });
      assertDenied(
          "s3:GetObject",
          () -> {
            try (S3Client s3 = s3(maintenance)) {
              s3.getObject(b -> b.bucket(artifactsBucket()).key(CA_KEY)).close();
            }
          });

      // The backfill's role: it reads the secret and the certificate authority and restates the
      // table after the source moved on without the stream.
      use(roles.get("glue_backfill"));
      sql(
          "INSERT INTO orders SELECT g, g % 50 + 1, g * 5, 'iam-late', now()"
              + " FROM generate_series(5000, 5009) g",
          "DELETE FROM orders WHERE id % 23 = 0");
      List<String> output = runThroughLauncher("backfill", Map.of("--table", lakeTable));
      assertThat(reports(output, BackfillJob.REPORT_PREFIX))
          .singleElement()
          .satisfies(r -> assertThat(r.get("rows").asLong()).isEqualTo(sourceRows()));
      assertLakeEqualsSource();
      AwsCredentialsProvider backfill = provider(roles.get("glue_backfill"));
      assertDenied(
          "glue:DeleteTable",
          () -> {
            try (GlueClient glue = glue(backfill)) {
              glue.deleteTable(
                  b ->
                      b.catalogId(MotoServer.ACCOUNT_ID)
                          .databaseName(namespace)
                          .name("not_granted"));
            }
          });
    } finally {
      iam.enforce(false);
      use(null);
    }
    // The maintenance job as its role, with the enforcement off (see above): only to record the
    // calls it makes.
    try {
      use(roles.get("glue_maintenance"));
      List<String> output = runThroughLauncher("maintenance", Map.of("--table", lakeTable));
      assertThat(reports(output, MaintenanceJob.REPORT_PREFIX))
          .singleElement()
          .satisfies(r -> assertThat(r.get("status").asText()).isNotEqualTo("failed"));
    } finally {
      RecordedAwsCalls.stop();
      use(null);
    }
    assertLakeEqualsSource();
    reportUnusedGrants(rendered, roles);
    stage(
        "7. IAM",
        "moto's IAM enforcement on: the stream as the Managed Flink role, the backfill as its"
            + " role, the table read as the maintenance role, each with the inline policy terraform"
            + " apply rendered (S3 checked on action and ARN, other services on the action only:"
            + " moto's limit), lake equal to the source after each; actions outside the policies"
            + " refused; the grants no run used listed in target/iam-unused-grants.txt");
  }

  /**
   * The actions each role's policy grants that its runs above never used, as candidates to remove
   * (printed, and written to target/iam-unused-grants.txt); the calls each role is known to make
   * must be among the used ones, so that a recording that saw nothing cannot pass.
   */
  private static void reportUnusedGrants(
      Map<String, JsonNode> rendered, Map<String, Credentials> roles) throws IOException {
    Map<String, List<UnusedGrants.StatementUse>> uses = new LinkedHashMap<>();
    List<String> lines = new ArrayList<>();
    for (Map.Entry<String, Credentials> role : roles.entrySet()) {
      Set<String> recorded = RecordedAwsCalls.actionsOf(role.getValue().accessKeyId());
      List<UnusedGrants.StatementUse> statements =
          UnusedGrants.of(rendered.get(role.getKey()).get("policy"), recorded);
      uses.put(role.getKey(), statements);
      lines.addAll(UnusedGrants.lines(role.getKey(), statements));
    }
    Path report = Path.of("target", "iam-unused-grants.txt");
    Files.write(report, lines);
    System.out.println("Grants never used in the rehearsal (" + report + "):");
    lines.forEach(l -> System.out.println("  " + l));
    assertThat(used(uses.get("flink"), "GlueCatalogTables"))
        .contains("glue:GetTable", "glue:UpdateTable");
    assertThat(used(uses.get("flink"), "ReadWriteWarehouseObjects"))
        .contains("s3:GetObject", "s3:PutObject");
    assertThat(used(uses.get("flink"), "ReadSourceSecret"))
        .contains("secretsmanager:GetSecretValue");
    assertThat(used(uses.get("glue_backfill"), "ReadSourceCaObject")).contains("s3:GetObject");
    assertThat(used(uses.get("glue_maintenance"), "GlueCatalogTables"))
        .contains("glue:GetTable", "glue:UpdateTable");
    assertThat(used(uses.get("flink"), "ReadSourceCaObject")).contains("s3:GetObject");
    assertThat(used(uses.get("glue_maintenance"), "ControlTable")).contains("dynamodb:PutItem");
  }

  private static Set<String> used(List<UnusedGrants.StatementUse> statements, String sid) {
    return statements.stream()
        .filter(s -> s.sid.equals(sid))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no statement " + sid))
        .used;
  }

  /**
   * The credentials the AWS SDK's default chains find from now on: the role's temporary ones, or
   * (null) the static keys of the rest of the test.
   */
  private static void use(Credentials role) {
    if (role == null) {
      System.setProperty("aws.accessKeyId", "rehearsal");
      System.setProperty("aws.secretAccessKey", "rehearsal-secret");
      System.clearProperty("aws.sessionToken");
    } else {
      System.setProperty("aws.accessKeyId", role.accessKeyId());
      System.setProperty("aws.secretAccessKey", role.secretAccessKey());
      System.setProperty("aws.sessionToken", role.sessionToken());
    }
  }

  private static AwsCredentialsProvider provider(Credentials role) {
    return StaticCredentialsProvider.create(
        AwsSessionCredentials.create(
            role.accessKeyId(), role.secretAccessKey(), role.sessionToken()));
  }

  /** The call is refused by moto's IAM: 403, AccessDenied (which names the action, but on S3). */
  private static void assertDenied(String action, ThrowingCallable call) {
    assertThatThrownBy(call)
        .as(action + " outside the role's policy")
        .isInstanceOfSatisfying(
            AwsServiceException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(403);
              String body =
                  e.awsErrorDetails() == null || e.awsErrorDetails().rawResponse() == null
                      ? ""
                      : e.awsErrorDetails().rawResponse().asUtf8String();
              String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
              String said = e.getMessage() + " " + code + " " + body;
              assertThat(said).contains("AccessDenied");
              if (!action.startsWith("s3:")) {
                assertThat(said).contains(action);
              }
            });
  }

  private static long number(Map<String, AttributeValue> item, String attribute) {
    AttributeValue value = item.get(attribute);
    return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
  }

  /**
   * Runs a Glue job as Glue runs it: the default arguments Terraform gives the job, the run's
   * arguments, and those Glue adds, through the launcher's argument handling to the main class it
   * names; returns the lines the job printed. Each run gets a Spark session of its own, as each
   * Glue run does.
   */
  private static List<String> runThroughLauncher(String jobKey, Map<String, String> runArguments)
      throws Throwable {
    Map<String, String> defaults = terraform.defaultArguments(jobKey);
    String jobName = "tributary-dev-" + jobKey;
    Map<String, String> glue = new LinkedHashMap<>();
    glue.put("--JOB_ID", "j_" + UUID.randomUUID().toString().replace("-", ""));
    glue.put("--JOB_RUN_ID", "jr_" + UUID.randomUUID().toString().replace("-", ""));
    glue.put("--JOB_NAME", jobName);
    glue.put("--SECURITY_CONFIGURATION", "tributary-dev-jobs");
    glue.put("--encryption-type", "sse-kms");
    // A run's arguments replace the defaults of the same name; Glue's own come first.
    Map<String, String> merged = new LinkedHashMap<>(glue);
    merged.putAll(defaults);
    merged.putAll(runArguments);
    assertThat(merged)
        .containsKeys("--TempDir", "--job-bookmark-option", "--enable-metrics", "--conf");
    List<String> sysArgs = new ArrayList<>();
    merged.forEach(
        (k, v) -> {
          sysArgs.add(k);
          sysArgs.add(v);
        });

    // What Glue sets up before the script runs: the master, and --conf for Spark.
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
    // Sized for the 2 cores of the test, as Glue sizes it for its workers.
    System.setProperty("spark.sql.shuffle.partitions", "4");
    List<String> confKeys = new ArrayList<>();
    for (String conf : defaults.get("--conf").split(" --conf ")) {
      int eq = conf.indexOf('=');
      confKeys.add(conf.substring(0, eq));
      System.setProperty(conf.substring(0, eq), conf.substring(eq + 1));
    }

    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(new Tee(original, captured), true, StandardCharsets.UTF_8));
    try {
      launch(sysArgs.toArray(new String[0]));
    } finally {
      System.setOut(original);
      stopSpark();
      confKeys.forEach(System::clearProperty);
    }
    return captured.toString(StandardCharsets.UTF_8).lines().toList();
  }

  /**
   * What {@code TributaryGlueLauncher.main} does with Glue's arguments: takes {@code
   * --tributary-main-class}, forwards every other key with its value (a value is the next token
   * unless it starts with {@code --}), and invokes the named class's {@code main}.
   */
  private static void launch(String[] sysArgs) throws Throwable {
    String mainClass = null;
    List<String> forwarded = new ArrayList<>();
    int i = 0;
    while (i < sysArgs.length) {
      String key = sysArgs[i];
      String value =
          i + 1 < sysArgs.length && !sysArgs[i + 1].startsWith("--") ? sysArgs[i + 1] : null;
      if (key.equals("--tributary-main-class")) {
        mainClass = value;
      } else {
        forwarded.add(key);
        if (value != null) {
          forwarded.add(value);
        }
      }
      i += value != null ? 2 : 1;
    }
    assertThat(mainClass).as("--tributary-main-class").isNotNull();
    try {
      Class.forName(mainClass)
          .getMethod("main", String[].class)
          .invoke(null, (Object) forwarded.toArray(new String[0]));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static void stopSpark() {
    if (SparkSession.getDefaultSession().isDefined()) {
      SparkSession.getDefaultSession().get().stop();
    }
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
  }

  private static List<JsonNode> reports(List<String> lines, String prefix) throws Exception {
    List<JsonNode> reports = new ArrayList<>();
    for (String line : lines) {
      if (line.startsWith(prefix)) {
        reports.add(JSON.readTree(line.substring(prefix.length())));
      }
    }
    return reports;
  }

  private static Table table() {
    return catalog.loadTable(TableIdentifier.of(namespace, lakeTable));
  }

  private static List<DataFile> dataFiles(Table table) throws Exception {
    List<DataFile> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        files.add(task.file());
      }
    }
    return files;
  }

  private static int count(Iterable<?> items) {
    int n = 0;
    for (Object ignored : items) {
      n++;
    }
    return n;
  }

  private static long sourceRows() throws SQLException {
    try (Connection c = stack.connect(DB);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void awaitEqual() {
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              assertThat(job.getJobStatus().get().isTerminalState())
                  .as("the stream stopped")
                  .isFalse();
              assertLakeEqualsSource();
            });
  }

  private static void assertLakeEqualsSource() throws SQLException {
    List<VerifyResult> results = LakeVerifier.verify(config, catalogSpec, null);
    assertThat(results).hasSize(1);
    assertThat(results).allSatisfy(r -> assertThat(r.equal()).as(r.toString()).isTrue());
  }

  private static List<Map<String, AttributeValue>> controlItems() {
    ControlConfig control = config.control().orElseThrow();
    try (DynamoDbClient dynamo = ControlClients.open(control)) {
      return dynamo.scan(b -> b.tableName(control.tableName())).items();
    }
  }

  private static Map<String, AttributeValue> stateItem() {
    for (Map<String, AttributeValue> item : controlItems()) {
      if (ControlTable.STATE.equals(item.get(ControlTable.SK).s())
          && lakeTable.equals(item.get(ControlTable.TABLE).s())) {
        return item;
      }
    }
    throw new AssertionError("no state item of " + lakeTable + " in the control table");
  }

  private static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create("rehearsal", "rehearsal-secret"));
  }

  private static S3Client s3() {
    return s3(credentials());
  }

  private static S3Client s3(AwsCredentialsProvider credentials) {
    return S3Client.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .endpointOverride(URI.create(moto.endpoint()))
        .forcePathStyle(true)
        .region(Region.of(REGION))
        .credentialsProvider(credentials)
        .build();
  }

  private static GlueClient glue() {
    return glue(credentials());
  }

  private static SecretsManagerClient secrets(AwsCredentialsProvider credentials) {
    return SecretsManagerClient.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .endpointOverride(URI.create(moto.endpoint()))
        .region(Region.of(REGION))
        .credentialsProvider(credentials)
        .build();
  }

  private static GlueClient glue(AwsCredentialsProvider credentials) {
    return GlueClient.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .endpointOverride(URI.create(moto.endpoint()))
        .region(Region.of(REGION))
        .credentialsProvider(credentials)
        .build();
  }

  /** Writes to two streams: the job's output stays in the test log. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws IOException {
      a.write(bytes, off, len);
      b.write(bytes, off, len);
    }
  }
}
