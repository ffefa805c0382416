package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretTest {

  private static final Secret.SecretsManagerAccess NO_AWS =
      (id, region) -> {
        throw new AssertionError("Secrets Manager must not be called");
      };

  @Test
  void envSecretReadsTheVariable() {
    Secret secret = Secret.ofEnv("TRIBUTARY_DB_PASSWORD");

    assertThat(secret.isPresent()).isTrue();
    assertThat(secret.resolve(Map.of("TRIBUTARY_DB_PASSWORD", "s3cr3t"), NO_AWS))
        .isEqualTo("s3cr3t");
    assertThat(secret.describe()).isEqualTo("environment variable TRIBUTARY_DB_PASSWORD");
  }

  @Test
  void envSecretReadsTheRealEnvironment() {
    assertThat(Secret.ofEnv("PATH").resolve()).isNotEmpty().isEqualTo(System.getenv("PATH"));
  }

  @Test
  void unsetVariableIsExplained() {
    assertThatThrownBy(() -> Secret.ofEnv("TRIBUTARY_UNSET").resolve(Map.of(), NO_AWS))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Environment variable TRIBUTARY_UNSET is not set: export it with the password before"
                + " starting the job, or configure the password with file or secret-arn instead");
  }

  @Test
  void emptyVariableIsExplained() {
    assertThatThrownBy(() -> Secret.ofEnv("PW").resolve(Map.of("PW", ""), NO_AWS))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Environment variable PW is empty: set it to the password");
  }

  @Test
  void fileSecretTrimsTheTrailingLineBreak(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pw");
    Files.writeString(file, "  p@ss word \r\n");

    assertThat(Secret.ofFile(file).resolve()).isEqualTo("  p@ss word ");
    assertThat(Secret.ofFile(file).describe()).isEqualTo("file " + file);
  }

  @Test
  void missingFileIsExplained(@TempDir Path dir) {
    Path file = dir.resolve("missing");

    assertThatThrownBy(() -> Secret.ofFile(file).resolve())
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Password file "
                + file
                + " does not exist: create it with the password as its only content, or correct"
                + " the path");
  }

  @Test
  void emptyFileIsExplained(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("empty");
    Files.writeString(file, "\n");

    assertThatThrownBy(() -> Secret.ofFile(file).resolve())
        .hasMessage("Password file " + file + " is empty: write the password into it");
  }

  @Test
  void secretsManagerPlainTextIsTheValue() {
    String arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf";
    String[] asked = new String[2];
    Secret.SecretsManagerAccess aws =
        (id, region) -> {
          asked[0] = id;
          asked[1] = region;
          return "plain";
        };

    assertThat(Secret.ofSecretsManager(arn).resolve(Map.of(), aws)).isEqualTo("plain");
    assertThat(asked).containsExactly(arn, "eu-west-1");
  }

  @Test
  void secretsManagerJsonUsesPasswordOrTheGivenKey() {
    Secret.SecretsManagerAccess aws =
        (id, region) -> "{\"username\":\"u\",\"password\":\"pw1\",\"other\":\"pw2\"}";

    assertThat(Secret.ofSecretsManager("db").resolve(Map.of(), aws)).isEqualTo("pw1");
    assertThat(Secret.ofSecretsManager("db", "other").resolve(Map.of(), aws)).isEqualTo("pw2");
    assertThat(Secret.ofSecretsManager("db", "password")).isEqualTo(Secret.ofSecretsManager("db"));
  }

  @Test
  void secretsManagerJsonWithoutTheKeyListsKeysNotValues() {
    Secret.SecretsManagerAccess aws = (id, region) -> "{\"username\":\"u\",\"pass\":\"pw1\"}";

    assertThatThrownBy(() -> Secret.ofSecretsManager("db").resolve(Map.of(), aws))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "AWS Secrets Manager secret db has no non-empty key 'password' (its keys: username,"
                + " pass): set secret-key to the key that holds the password")
        .hasMessageNotContaining("pw1");
  }

  @Test
  void secretNameUsesTheDefaultRegion() {
    assertThat(Secret.regionOf("tributary/db")).isNull();
    assertThat(Secret.regionOf("arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x"))
        .isEqualTo("cn-north-1");
  }

  @Test
  void valueAndNone() {
    assertThat(Secret.ofValue("v").resolve()).isEqualTo("v");
    assertThat(Secret.none().isPresent()).isFalse();
    assertThatThrownBy(() -> Secret.none().resolve())
        .hasMessageContaining("No secret is configured");
  }

  @Test
  void toStringNeverShowsAValue() {
    assertThat(Secret.ofValue("hunter2").toString())
        .isEqualTo("Secret{value=****}")
        .doesNotContain("hunter2");
    assertThat(Secret.ofValue("hunter2").describe()).doesNotContain("hunter2");
    assertThat(Secret.ofEnv("PGPASSWORD").toString())
        .isEqualTo("Secret{environment variable PGPASSWORD}");
  }

  @Test
  void configToStringNeverShowsSecretValues() {
    TributaryConfig config =
        TributaryConfig.builder()
            .source(
                SourceConfig.builder()
                    .host("db")
                    .database("shop")
                    .user("u")
                    .password(Secret.ofValue("source-secret"))
                    .build())
            .tables(TableSelection.builder().include("public.*").build())
            .sink(
                SinkConfig.builder()
                    .warehouse("s3://lake/wh")
                    .catalog(
                        CatalogConfig.builder()
                            .type(CatalogType.JDBC)
                            .uri("jdbc:postgresql://127.0.0.1/cat")
                            .user("c")
                            .password(Secret.ofValue("catalog-secret"))
                            .build())
                    .s3(
                        S3Config.builder()
                            .endpoint("http://127.0.0.1:9000")
                            .accessKeyId("key")
                            .secretAccessKey(Secret.ofValue("s3-secret"))
                            .build())
                    .build())
            .build();

    assertThat(config.toString())
        .doesNotContain("source-secret")
        .doesNotContain("catalog-secret")
        .doesNotContain("s3-secret")
        .contains("password=Secret{value=****}");
    assertThat(config.source().password().resolve()).isEqualTo("source-secret");
  }

  @Test
  void oneSecretFormatHoldsTheUsernameBesideThePassword() {
    String arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tributary/db-AbCdEf";
    Secret.SecretsManagerAccess json =
        (id, region) -> "{\"username\": \"cdc\", \"password\": \"pw\"}";
    Secret secret = Secret.ofSecretsManager(arn);
    assertThat(secret.isSecretsManager()).isTrue();
    assertThat(secret.resolveUsername(json)).isEqualTo("cdc");
    assertThat(secret.resolve(Map.of(), json)).isEqualTo("pw");

    // A plain-text secret is only the password: the user comes from the configuration.
    Secret.SecretsManagerAccess plain = (id, region) -> "just-the-password";
    assertThat(secret.resolveUsername(plain)).isNull();
    assertThat(secret.resolve(Map.of(), plain)).isEqualTo("just-the-password");

    assertThat(Secret.usernameOf("{\"password\": \"pw\"}")).isNull();
    assertThat(Secret.usernameOf("{\"username\": \"\", \"password\": \"pw\"}")).isNull();
    assertThat(Secret.usernameOf("{\"username\": {\"x\": 1}}")).isNull();
    assertThat(Secret.usernameOf("{not json")).isNull();
    assertThat(Secret.ofEnv("PW").resolveUsername()).isNull();
    assertThat(Secret.ofEnv("PW").isSecretsManager()).isFalse();
  }

  @Test
  void aReferenceStandsForTheSameSecretAndNeverHoldsAValue() {
    String arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tributary/db-AbCdEf";
    for (Secret secret :
        new Secret[] {
          Secret.ofEnv("PGPASSWORD"),
          Secret.ofFile(Path.of("/run/secrets/db password")),
          Secret.ofSecretsManager(arn),
          Secret.ofSecretsManager(arn, "pw"),
          Secret.ofSecretsManager("tributary/db")
        }) {
      assertThat(Secret.fromReference(secret.reference())).as(secret.reference()).isEqualTo(secret);
    }
    assertThat(Secret.ofSecretsManager(arn, "pw").reference())
        .isEqualTo("secretsmanager:" + arn + "#pw");
    assertThat(Secret.ofValue("hunter2").reference()).isNull();
    assertThat(Secret.none().reference()).isNull();
    assertThatThrownBy(() -> Secret.fromReference("hunter2"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("env:NAME, file:PATH or secretsmanager:ARN");
  }
}
