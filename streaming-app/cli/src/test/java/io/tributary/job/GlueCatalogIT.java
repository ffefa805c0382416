package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.catalog.CatalogSpec;
import io.tributary.catalog.CatalogSpecs;
import io.tributary.change.TableId;
import io.tributary.config.CatalogType;
import io.tributary.config.SslMode;
import io.tributary.config.TributaryConfig;
import io.tributary.control.ControlClients;
import io.tributary.control.ControlTable;
import io.tributary.local.Dynalite;
import io.tributary.sink.TableNames;
import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.io.IOException;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.DatabaseInput;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The production catalog path against AWS API emulation ({@code moto_server}): the job runs with
 * the runtime property groups {@code infra/terraform/flink.tf} deploys (read from the file and
 * evaluated with the variables below), so with {@code catalog.type: glue}, the warehouse in S3, the
 * source password read from the Secrets Manager secret Terraform creates (JSON {@code
 * username}/{@code password}), and the control table in DynamoDB. The only additions are what
 * points the AWS clients at the emulation instead of AWS (endpoints, static credentials) and a
 * short checkpoint interval (the service's setting in AWS). A snapshot, then inserts, updates,
 * deletes and an added column on two tables; the lake must equal the source by {@code verify}, and
 * the Glue tables must be Iceberg tables with their {@code metadata_location} in S3.
 *
 * <p>The job is the deployable jar, submitted through the REST API to a Flink cluster of its own
 * processes (a JobManager and a TaskManager on Flink's own class path, as a Flink distribution
 * starts them), with the runtime properties file passed as {@code --application-properties}; the
 * TaskManager is killed with SIGKILL half-way and a new one takes its place.
 */
class GlueCatalogIT {
  private static final String DB = "it_glue";
  private static final String REGION = "us-east-1";
  private static final String LOGIN = "tributary";
  private static final String CA_KEY = "certs/source-ca.pem";

  /** The tfvars of this rehearsal; every other variable takes its default from variables.tf. */
  private static final Map<String, String> TFVARS = new LinkedHashMap<>();

  /** System properties set for the AWS SDK's default chains, restored afterwards. */
  private static final List<String> AWS_PROPERTIES =
      List.of(
          "aws.accessKeyId", "aws.secretAccessKey", "aws.region", "aws.endpointUrlSecretsManager");

  @TempDir static Path workdir;
  private static MotoServer moto;
  private static ItStack it;
  private static final Map<String, String> savedProperties = new LinkedHashMap<>();
  private static TributaryConfig config;
  private static CatalogSpec catalog;
  private static Map<String, Properties> groups;
  private static String namespace;
  private static String bucket;
  private static FlinkCluster cluster;
  private static String jobId;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start(workdir.resolve("moto"));
    it = new ItStack(workdir, DB);
    // The role's credentials and region, which the service gives the job, as the default chains
    // find them; Secrets Manager is reached through the SDK's own endpoint setting.
    for (String name : AWS_PROPERTIES) {
      savedProperties.put(name, System.getProperty(name));
    }
    System.setProperty("aws.accessKeyId", "rehearsal");
    System.setProperty("aws.secretAccessKey", "rehearsal-secret");
    System.setProperty("aws.region", REGION);
    System.setProperty("aws.endpointUrlSecretsManager", moto.endpoint());

    String password = "pw-" + UUID.randomUUID();
    prepareSource(password);
    Path ca = enableTls();

    TFVARS.put("name_prefix", "tributary");
    TFVARS.put("environment", "dev");
    TFVARS.put("source_host", "127.0.0.1");
    TFVARS.put("source_port", Integer.toString(it.stack.postgresPort()));
    TFVARS.put("source_database", DB);
    TFVARS.put("source_user", LOGIN);
    // ssl-mode keeps its default, verify-full: the certificate authority is an S3 object, one of
    // the two documented ways to deliver it.
    TFVARS.put("source_ssl_root_cert", "s3://" + artifactsBucket() + "/" + CA_KEY);
    TFVARS.put("tables_include", "public.customers,public.orders");
    TFVARS.put("snapshot_chunk_size", "100");

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
    references.put("local.region", REGION);
    references.put("local.flink_application_name", name + "-cdc");
    references.put("aws_dynamodb_table.control.name", name + "-control");
    groups =
        TerraformPropertyGroups.evaluate(
            TerraformPropertyGroups.terraformDir(), TFVARS, references);

    // Pointing the clients at the emulation instead of AWS.
    groups.get("sink").setProperty("s3.endpoint", moto.endpoint());
    groups.get("sink").setProperty("s3.path-style-access", "true");
    groups.get("sink").setProperty("catalog.properties.glue.endpoint", moto.endpoint());
    groups.get("control").setProperty("endpoint", moto.endpoint());

    // As the service hands them to the job: a runtime properties file read by its library.
    Path properties = workdir.resolve("application_properties.json");
    Files.writeString(properties, applicationPropertiesJson(groups));
    config = FlinkMain.fromApplicationProperties(properties.toString());
    catalog = CatalogSpecs.from(config.sink());
    createAwsResources(ca);

    jobId = startJob();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (cluster != null) {
        try {
          if (jobId != null) {
            cluster.cancel(jobId);
          }
        } finally {
          cluster.close();
        }
      }
    } finally {
      try {
        if (it != null) {
          it.close();
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
   * A login that must give its password (SCRAM), owning the captured tables, with the REPLICATION
   * attribute; the superuser of the embedded server keeps trust authentication for the workload.
   */
  private static void prepareSource(String password) throws Exception {
    Path hba = workdir.resolve("stack").resolve("postgres").resolve("pg_hba.conf");
    String rules =
        "host all "
            + LOGIN
            + " 127.0.0.1/32 scram-sha-256\nhost replication "
            + LOGIN
            + " 127.0.0.1/32 scram-sha-256\n";
    Files.writeString(hba, rules + Files.readString(hba, StandardCharsets.UTF_8));
    it.sql(
        "CREATE ROLE " + LOGIN + " LOGIN REPLICATION PASSWORD '" + password + "'",
        "GRANT CREATE ON DATABASE " + DB + " TO " + LOGIN,
        "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, tier text)",
        "INSERT INTO customers SELECT g, 'c' || g, CASE WHEN g % 3 = 0 THEN 'gold' END"
            + " FROM generate_series(1, 300) g",
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, amount numeric(10,2),"
            + " status text, placed_at timestamptz)",
        "INSERT INTO orders SELECT g, g % 300 + 1, g * 1.25, 'new',"
            + " timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'"
            + " FROM generate_series(1, 600) g",
        "ALTER TABLE customers OWNER TO " + LOGIN,
        "ALTER TABLE orders OWNER TO " + LOGIN,
        "SELECT pg_reload_conf()");
    // The rule applies: a wrong password is refused, so the job can only log in with the secret.
    String url = it.stack.jdbcUrl(DB).replaceAll("\\?.*$", "");
    assertThatThrownBy(() -> DriverManager.getConnection(url, LOGIN, "wrong").close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("password authentication failed");
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
    try (Connection c = it.stack.connect("postgres");
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
              try (Connection c = it.stack.connect("postgres");
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
  private static void createAwsResources(Path ca) {
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
    Dynalite.createControlTable(config.control().orElseThrow());
  }

  /**
   * Starts a Flink cluster of its own processes (a JobManager and a TaskManager of two slots, as
   * the service's parallelism 2) with the role's credentials and region as the service gives them,
   * and submits the deployable jar through the REST API with the runtime properties file; returns
   * the job id without waiting for the snapshot.
   */
  private static String startJob() throws Exception {
    Map<String, String> flink = new LinkedHashMap<>();
    flink.put("state.checkpoints.dir", workdir.resolve("checkpoints").toUri().toString());
    // The service's checkpoint configuration (Terraform's is 60 s; short here).
    flink.put("execution.checkpointing.interval", "1 s");
    cluster =
        FlinkCluster.start(
            workdir.resolve("flink"),
            2,
            flink,
            List.of(
                "-Daws.accessKeyId=rehearsal",
                "-Daws.secretAccessKey=rehearsal-secret",
                "-Daws.region=" + REGION,
                "-Daws.endpointUrlSecretsManager=" + moto.endpoint()));
    return cluster.submit(
        deployableJar(),
        FlinkMain.class.getName(),
        List.of(
            "--application-properties", workdir.resolve("application_properties.json").toString()));
  }

  /** The jar the build makes for the service (classifier {@code flink}). */
  private static Path deployableJar() throws IOException {
    // The job's module (streaming-app) builds it; this test runs in streaming-app/cli.
    Path target = Path.of("..", "target").toAbsolutePath().normalize();
    try (Stream<Path> files = Files.list(target)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith("-flink.jar"))
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "No deployable jar (*-flink.jar) in "
                          + target
                          + ": the integration tests run after the package phase"));
    }
  }

  /** Property groups in the format of the service's runtime properties file. */
  private static String applicationPropertiesJson(Map<String, Properties> groups) throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<Map<String, Object>> list = new ArrayList<>();
    for (Map.Entry<String, Properties> group : groups.entrySet()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("PropertyGroupId", group.getKey());
      Map<String, String> map = new TreeMap<>();
      group
          .getValue()
          .stringPropertyNames()
          .forEach(k -> map.put(k, group.getValue().getProperty(k)));
      entry.put("PropertyMap", map);
      list.add(entry);
    }
    return json.writerWithDefaultPrettyPrinter().writeValueAsString(list);
  }

  @Test
  void lakeInGlueAndS3EqualsTheSourceThroughSnapshotChangesAndASchemaChange() throws Exception {
    assertThat(config.sink().catalog().type()).isEqualTo(CatalogType.GLUE);
    assertThat(config.source().password().isSecretsManager()).isTrue();
    assertThat(config.control()).isPresent();
    assertThat(config.source().sslMode()).isEqualTo(SslMode.VERIFY_FULL);

    awaitEqual();

    it.sql(
        "INSERT INTO customers SELECT g, 'c' || g, 'new' FROM generate_series(301, 340) g",
        "UPDATE customers SET tier = 'silver' WHERE id % 7 = 0",
        "DELETE FROM customers WHERE id % 11 = 0",
        "INSERT INTO orders SELECT g, g % 340 + 1, g * 0.5, 'new', now()"
            + " FROM generate_series(601, 700) g",
        "UPDATE orders SET status = 'shipped', amount = amount + 1 WHERE id % 5 = 0",
        "DELETE FROM orders WHERE id % 13 = 0");
    it.sql(
        "ALTER TABLE customers ADD COLUMN email text",
        "UPDATE customers SET email = 'c' || id || '@example.com' WHERE id % 2 = 0",
        "INSERT INTO customers VALUES (1000, 'late', 'gold', 'late@example.com')",
        "DELETE FROM orders WHERE id BETWEEN 650 AND 660");
    awaitEqual();

    // The replication stream runs over TLS, as verify-full demands.
    try (Connection c = it.stack.connect(DB);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*), count(*) FILTER (WHERE s.ssl AND r.usename = '"
                    + LOGIN
                    + "') FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)")) {
      rs.next();
      assertThat(rs.getInt(1)).as("replication connections").isPositive();
      assertThat(rs.getInt(2)).as("over TLS as " + LOGIN).isEqualTo(rs.getInt(1));
    }

    try (GlueClient glue = glue()) {
      for (String source : List.of("customers", "orders")) {
        String lakeName = TableNames.mirror(namespace, new TableId("public", source)).name();
        Table table =
            glue.getTable(
                    b -> b.catalogId(MotoServer.ACCOUNT_ID).databaseName(namespace).name(lakeName))
                .table();
        Map<String, String> parameters = table.parameters();
        assertThat(parameters.get("table_type")).as(lakeName).isEqualToIgnoringCase("ICEBERG");
        String metadata = parameters.get("metadata_location");
        assertThat(metadata)
            .as(lakeName)
            .startsWith("s3://" + bucket + "/warehouse/")
            .endsWith(".metadata.json");
        String key = metadata.substring(("s3://" + bucket + "/").length());
        try (S3Client s3 = s3()) {
          assertThat(s3.headObject(b -> b.bucket(bucket).key(key)).contentLength())
              .as(metadata)
              .isPositive();
        }
        if (source.equals("customers")) {
          List<String> columns =
              table.storageDescriptor().columns().stream()
                  .map(Column::name)
                  .collect(Collectors.toList());
          assertThat(columns).as("Glue columns of " + lakeName).contains("email");
        }
      }
    }

    stage(
        "1. AWS APIs",
        "moto_server at "
            + moto.endpoint()
            + ": Iceberg tables in its Glue catalog with metadata in its S3, the password from its"
            + " Secrets Manager, the control table in its DynamoDB");
    stage(
        "2. Terraform's values",
        "the Managed Flink property groups evaluated from infra/terraform with the test's tfvars,"
            + " as the runtime properties file; only the AWS endpoints are the test's");
    // A lost host: the TaskManager is killed with SIGKILL while changes arrive, a new one takes
    // its place, and the job restarts from its last checkpoint with nothing lost or doubled.
    long completedBefore = cluster.checkpoints(jobId).path("counts").path("completed").asLong();
    assertThat(completedBefore).as("completed checkpoints").isPositive();
    it.sql(
        "UPDATE orders SET status = 'lost-host' WHERE id % 3 = 0",
        "INSERT INTO customers SELECT g, 'k' || g, 'tm' FROM generate_series(2001, 2050) g");
    cluster.killTaskManager();
    it.sql(
        "DELETE FROM customers WHERE id BETWEEN 2001 AND 2010",
        "UPDATE orders SET amount = amount * 2 WHERE id % 4 = 0");
    cluster.startTaskManager();
    awaitEqual();
    assertThat(cluster.checkpoints(jobId).path("latest").path("restored").isObject())
        .as("the job restored a checkpoint after the TaskManager was lost")
        .isTrue();

    stage(
        "3. Managed Flink",
        "the deployable jar submitted over REST to a JobManager and a TaskManager of their own,"
            + " TLS verify-full to the source with the CA from S3, snapshot, changes and an added"
            + " column, the TaskManager SIGKILLed and replaced, checkpoint restored, lake equal to"
            + " the source");
    try (DynamoDbClient dynamo = ControlClients.open(config.control().orElseThrow())) {
      List<String> tables = new ArrayList<>();
      for (Map<String, AttributeValue> item :
          dynamo.scan(b -> b.tableName(config.control().orElseThrow().tableName())).items()) {
        if (ControlTable.STATE.equals(item.get(ControlTable.SK).s())) {
          tables.add(item.get(ControlTable.TABLE).s());
        }
      }
      assertThat(tables).as("control table state items").hasSize(2);
    }
  }

  /** A line for {@code tributary rehearse}: a stage of the rehearsal and what it checked. */
  private static void stage(String name, String checked) {
    System.out.println("REHEARSAL | " + name + ": ok: " + checked);
  }

  private static void awaitEqual() {
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              assertThat(cluster.jobState(jobId))
                  .as("the job's state (logs: %s)", cluster.logs())
                  .isIn("RUNNING", "CREATED", "RESTARTING", "INITIALIZING");
              List<VerifyResult> results = LakeVerifier.verify(config, catalog, null);
              assertThat(results).hasSize(2);
              assertThat(results).allSatisfy(r -> assertThat(r.equal()).as(r.toString()).isTrue());
            });
  }

  private static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create("rehearsal", "rehearsal-secret"));
  }

  private static S3Client s3() {
    return S3Client.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .endpointOverride(URI.create(moto.endpoint()))
        .forcePathStyle(true)
        .region(Region.of(REGION))
        .credentialsProvider(credentials())
        .build();
  }

  private static GlueClient glue() {
    return GlueClient.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .endpointOverride(URI.create(moto.endpoint()))
        .region(Region.of(REGION))
        .credentialsProvider(credentials())
        .build();
  }
}
