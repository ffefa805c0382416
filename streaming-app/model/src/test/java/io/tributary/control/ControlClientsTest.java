package io.tributary.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A control table client with an endpoint signs with the job's credentials when it has some (so an
 * AWS emulation that checks credentials sees the job's caller), else with fixed local ones.
 */
class ControlClientsTest {

  @Test
  void anEndpointClientUsesTheSystemPropertyCredentialsWhenSet() {
    String id = System.getProperty("aws.accessKeyId");
    String secret = System.getProperty("aws.secretAccessKey");
    try {
      System.setProperty("aws.accessKeyId", "job-key");
      System.setProperty("aws.secretAccessKey", "job-secret");
      assertThat(ControlClients.endpointCredentials().resolveCredentials().accessKeyId())
          .isEqualTo("job-key");
    } finally {
      restore("aws.accessKeyId", id);
      restore("aws.secretAccessKey", secret);
    }
  }

  @Test
  void anEndpointClientFallsBackToLocalCredentials() {
    String id = System.getProperty("aws.accessKeyId");
    String secret = System.getProperty("aws.secretAccessKey");
    try {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
      String expected =
          System.getenv("AWS_ACCESS_KEY_ID") == null ? "local" : System.getenv("AWS_ACCESS_KEY_ID");
      assertThat(ControlClients.endpointCredentials().resolveCredentials().accessKeyId())
          .isEqualTo(expected);
    } finally {
      restore("aws.accessKeyId", id);
      restore("aws.secretAccessKey", secret);
    }
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
