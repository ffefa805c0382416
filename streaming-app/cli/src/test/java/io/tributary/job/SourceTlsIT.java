package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.config.S3Config;
import io.tributary.config.SourceConfig;
import io.tributary.config.SslMode;
import io.tributary.config.SslRootCert;
import io.tributary.config.TableSelection;
import io.tributary.local.LocalStack;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * The source over TLS with {@code ssl-mode: verify-full}: the embedded server gets a certificate
 * for 127.0.0.1 signed by a certificate authority made here, and the job must reach it with that
 * authority given as {@code source.ssl-root-cert} (a file, then an S3 object on the local S3
 * server), through preflight, snapshot, replication stream and verify. Another authority must be
 * refused at preflight with a message naming the option.
 */
class SourceTlsIT {
  private static final String DB = "it_tls";

  @TempDir static Path workdir;
  private static ItStack it;
  private static Path caFile;
  private static Path otherCaFile;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, DB);
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
        "/CN=Tributary Test CA");
    openssl(
        certs,
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "other.key",
        "-out",
        "other.crt",
        "-days",
        "2",
        "-subj",
        "/CN=Some Other CA");
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
    caFile = certs.resolve("ca.crt");
    otherCaFile = certs.resolve("other.crt");
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
    it.sql(
        "CREATE TABLE orders_file (id int PRIMARY KEY, item text, amount numeric(10,2))",
        "INSERT INTO orders_file SELECT g, 'item ' || g, g * 1.5 FROM generate_series(1, 200) g",
        "CREATE TABLE orders_s3 (id int PRIMARY KEY, item text, amount numeric(10,2))",
        "INSERT INTO orders_s3 SELECT g, 'item ' || g, g * 2.5 FROM generate_series(1, 150) g");
  }

  @AfterAll
  static void stop() throws Exception {
    if (it != null) {
      it.close();
    }
  }

  @Test
  void capturesWithTheAuthorityFromAFile() throws Exception {
    capture("orders_file", "tls_file", SslRootCert.parse(caFile.toString()));
  }

  @Test
  void capturesWithTheAuthorityFromAnS3Object() throws Exception {
    S3Config s3 = it.stack.sink(DB).s3();
    try (S3Client client =
        S3Client.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .endpointOverride(URI.create(s3.endpoint()))
            .forcePathStyle(true)
            .region(Region.of(s3.region()))
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(s3.accessKeyId(), s3.secretAccessKey().resolve())))
            .build()) {
      client.putObject(
          PutObjectRequest.builder().bucket(LocalStack.BUCKET).key("certs/db-ca.pem").build(),
          RequestBody.fromFile(caFile));
    }
    SslRootCert fromS3 =
        SslRootCert.parse("s3://" + LocalStack.BUCKET + "/certs/db-ca.pem").withS3(s3);
    capture("orders_s3", "tls_s3", fromS3);
  }

  @Test
  void refusesAnotherAuthorityNamingTheOption() {
    configure("orders_file", "tls_wrong", SslRootCert.parse(otherCaFile.toString()));
    assertThatThrownBy(() -> TributaryJob.check(it.config))
        .hasMessageContaining("source.ssl-root-cert")
        .hasMessageContaining(otherCaFile.toString())
        .hasMessageContaining("verify-full");
  }

  private static void capture(String table, String slot, SslRootCert rootCert) throws Exception {
    configure(table, slot, rootCert);
    it.start(null);
    try {
      it.sql(
          "INSERT INTO " + table + " SELECT g, 'late ' || g, g FROM generate_series(1001, 1050) g",
          "UPDATE " + table + " SET item = 'changed' WHERE id <= 10",
          "DELETE FROM " + table + " WHERE id BETWEEN 20 AND 29");
      it.awaitEqual(1, Duration.ofMinutes(3));
      // The replication stream itself runs over TLS. On a loaded machine the stream can be between
      // two connections at the moment of the query: wait for a walsender, then check them all.
      int[] senders = new int[2];
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                try (Connection c = it.stack.connect(DB);
                    Statement st = c.createStatement();
                    ResultSet rs =
                        st.executeQuery(
                            "SELECT count(*), count(*) FILTER (WHERE s.ssl) FROM"
                                + " pg_stat_replication r JOIN pg_stat_ssl s ON s.pid = r.pid")) {
                  rs.next();
                  senders[0] = rs.getInt(1);
                  senders[1] = rs.getInt(2);
                  return senders[0] > 0;
                }
              });
      assertThat(senders[1]).as("walsenders over TLS of %d", senders[0]).isEqualTo(senders[0]);
    } finally {
      it.job.cancel().get(1, TimeUnit.MINUTES);
      it.job = null;
    }
  }

  private static void configure(String table, String slot, SslRootCert rootCert) {
    it.configure(
        TableSelection.builder().include(List.of("public." + table)).build(),
        Duration.ofSeconds(2),
        1000);
    SourceConfig source =
        it.config.source().toBuilder()
            .sslMode(SslMode.VERIFY_FULL)
            .sslRootCert(rootCert)
            .slotName(slot)
            .publicationName(slot)
            .build();
    it.config = it.config.toBuilder().source(source).build();
  }

  private static void openssl(Path dir, String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = "openssl";
    System.arraycopy(args, 0, command, 1, args.length);
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile())
            .start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue())
        .as("openssl %s: %s", String.join(" ", args), Files.readString(dir.resolve("openssl.log")))
        .isZero();
  }
}
