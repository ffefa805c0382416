package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SslRootCertTest {

  private static final String PEM =
      "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

  @TempDir Path dir;

  @Test
  void aFileIsCopiedToAPrivateFileNamedByItsContent() throws Exception {
    Path ca = dir.resolve("ca.pem");
    Files.writeString(ca, PEM);
    SslRootCert cert = SslRootCert.parse(" " + ca + " ");

    Path local = cert.localFile();

    assertThat(local).isNotEqualTo(ca);
    assertThat(Files.readString(local)).isEqualTo(PEM);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(local)))
        .isEqualTo("rw-------");
    assertThat(SslRootCert.ofPem(PEM).localFile()).isEqualTo(local);
    Properties jdbc = new Properties();
    cert.addTo(jdbc);
    assertThat(jdbc.getProperty("sslrootcert")).isEqualTo(local.toString());
    assertThat(cert.describe()).isEqualTo("file " + ca);
  }

  @Test
  void theFetchedTextTravelsWhenSerialized() throws Exception {
    Path ca = dir.resolve("ca.pem");
    Files.writeString(ca, PEM);
    SslRootCert cert = SslRootCert.parse(ca.toString());
    cert.pem();
    Files.delete(ca);

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(cert);
    }
    SslRootCert copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (SslRootCert) in.readObject();
    }

    // A task manager or executor does not read the source again.
    assertThat(copy.pem()).isEqualTo(PEM);
    assertThat(copy).isEqualTo(cert);
  }

  @Test
  void s3AndSecretsManagerReferencesAreRecognised() {
    SslRootCert s3 = SslRootCert.parse("s3://certs-bucket/db/ca.pem");
    assertThat(s3.describe()).isEqualTo("S3 object s3://certs-bucket/db/ca.pem");
    assertThat(s3.reference()).isEqualTo("s3://certs-bucket/db/ca.pem");
    assertThat(s3.withS3(S3Config.builder().endpoint("http://127.0.0.1:9000").build()))
        .isNotEqualTo(s3);

    String arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tributary/db-ca-AbCdEf";
    SslRootCert secret = SslRootCert.parse("secretsmanager:" + arn);
    assertThat(secret.describe()).isEqualTo("AWS Secrets Manager secret " + arn);
    assertThat(secret.reference()).isEqualTo("secretsmanager:" + arn);
    assertThat(secret.withS3(S3Config.builder().build())).isSameAs(secret);
  }

  @Test
  void malformedValuesNameTheOption() {
    assertThatThrownBy(() -> SslRootCert.parse(" "))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("source.ssl-root-cert is empty");
    assertThatThrownBy(() -> SslRootCert.parse("s3://bucket-only"))
        .hasMessageContaining("source.ssl-root-cert 's3://bucket-only' is not an S3 object");
    assertThatThrownBy(() -> SslRootCert.parse("secretsmanager:arn:aws:s3:::nope"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("is not a Secrets Manager secret ARN");
  }

  @Test
  void aMissingFileOrOneWithoutCertificateIsReported() throws Exception {
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> SslRootCert.parse(missing.toString()).localFile())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("source.ssl-root-cert: file " + missing + " does not exist");
    Path key = dir.resolve("key.pem");
    Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nabc\n");
    assertThatThrownBy(() -> SslRootCert.parse(key.toString()).pem())
        .hasMessageContaining("file " + key + " holds no PEM certificate");
  }

  @Test
  void theYamlAndTheManagedFlinkPropertiesNameIt() {
    String yaml =
        ConfigLoaderYamlTest.FULL.replace(
            "  ssl-mode: verify-full\n",
            "  ssl-mode: verify-full\n  ssl-root-cert: s3://certs/onprem-ca.pem\n");
    TributaryConfig config = ConfigLoader.fromYamlString(yaml);
    // An s3:// authority is read with the lake's S3 settings (here an S3-compatible endpoint).
    assertThat(config.source().sslRootCert())
        .isEqualTo(SslRootCert.parse("s3://certs/onprem-ca.pem").withS3(config.sink().s3()))
        .isNotEqualTo(SslRootCert.parse("s3://certs/onprem-ca.pem"));

    Map<String, Properties> groups = new HashMap<>();
    Properties source = new Properties();
    source.setProperty("host", "db");
    source.setProperty("database", "shop");
    source.setProperty("user", "cdc");
    source.setProperty("ssl-mode", "verify-full");
    source.setProperty(
        "ssl-root-cert",
        "secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:ca-AbCdEf");
    groups.put("source", source);
    Properties tables = new Properties();
    tables.setProperty("include", "public.*");
    groups.put("tables", tables);
    Properties sink = new Properties();
    sink.setProperty("warehouse", "s3://lake/warehouse");
    sink.setProperty("catalog.type", "glue");
    groups.put("sink", sink);
    assertThat(ConfigLoader.fromPropertyGroups(groups).source().sslRootCert().describe())
        .isEqualTo(
            "AWS Secrets Manager secret"
                + " arn:aws:secretsmanager:eu-west-1:123456789012:secret:ca-AbCdEf");

    source.setProperty("ssl-root-cert", "s3://no-key");
    assertThatThrownBy(() -> ConfigLoader.fromPropertyGroups(groups))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("source.ssl-root-cert 's3://no-key' is not an S3 object");
  }

  @Test
  void aSecretsManagerSecretIsTheWholePem() {
    String arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tributary/db-ca-AbCdEf";
    String[] asked = new String[2];
    SslRootCert cert = SslRootCert.parse("secretsmanager:" + arn);
    assertThat(
            cert.pem(
                (id, region) -> {
                  asked[0] = id;
                  asked[1] = region;
                  return PEM;
                }))
        .isEqualTo(PEM);
    assertThat(asked).containsExactly(arn, "eu-west-1");
    // Fetched once: no second call.
    assertThat(cert.pem()).isEqualTo(PEM);
    assertThatThrownBy(
            () -> SslRootCert.parse("secretsmanager:" + arn).pem((id, region) -> "not a pem"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "source.ssl-root-cert: AWS Secrets Manager secret "
                + arn
                + " holds no PEM certificate");
  }
}
