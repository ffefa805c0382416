package io.tributary.source.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.config.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.plugin.AuthenticationRequestType;

/** The driver's password comes from the secret when a connection logs in, not from the job. */
class SecretPasswordPluginTest {
  @Test
  void readsTheSecretWhenTheDriverAsksAndReusesItBriefly(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("password");
    Files.writeString(file, "first\n");
    Properties driver = SecretPasswordPlugin.driverProperties(Secret.ofFile(file));
    assertThat(driver.getProperty("authenticationPluginClassName"))
        .isEqualTo(SecretPasswordPlugin.class.getName());
    assertThat(driver.toString()).doesNotContain("first");

    SecretPasswordPlugin.forget();
    SecretPasswordPlugin plugin = new SecretPasswordPlugin(driver);
    assertThat(plugin.getPassword(AuthenticationRequestType.SASL))
        .containsExactly("first".toCharArray());

    Files.writeString(file, "second\n");
    // Within the reuse window the value read is kept (many connections open at once) ...
    assertThat(new SecretPasswordPlugin(driver).getPassword(AuthenticationRequestType.SASL))
        .containsExactly("first".toCharArray());
    // ... after it, the secret is read again.
    SecretPasswordPlugin.forget();
    assertThat(new SecretPasswordPlugin(driver).getPassword(AuthenticationRequestType.SASL))
        .containsExactly("second".toCharArray());
  }

  @Test
  void aConnectionWithoutTheSecretsReferenceIsRefusedWithTheReason() {
    Properties driver = new Properties();
    driver.setProperty("authenticationPluginClassName", SecretPasswordPlugin.class.getName());
    assertThatThrownBy(() -> new SecretPasswordPlugin(driver))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tributaryPasswordSecret");
  }
}
