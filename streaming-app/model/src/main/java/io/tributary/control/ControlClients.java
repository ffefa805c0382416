package io.tributary.control;

import io.tributary.config.ControlConfig;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/** Builds DynamoDB clients for the control table: AWS, or a local stand-in by endpoint. */
public final class ControlClients {
  private ControlClients() {}

  /**
   * A client for the configured table. With an endpoint (the local stand-in, or an emulation of
   * DynamoDB) the region defaults to us-east-1, and the credentials are those of the environment
   * ({@code AWS_ACCESS_KEY_ID}, ...) or the JVM's system properties ({@code aws.accessKeyId}, ...)
   * when set, else fixed local ones, which the local stand-in accepts since it checks none.
   */
  public static DynamoDbClient open(ControlConfig config) {
    // The HTTP client is named because several are on the classpath of the job.
    DynamoDbClientBuilder builder =
        DynamoDbClient.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(
                ClientOverrideConfiguration.builder()
                    .apiCallTimeout(Duration.ofSeconds(20))
                    .apiCallAttemptTimeout(Duration.ofSeconds(5))
                    .build());
    if (config.endpoint() != null) {
      builder
          .endpointOverride(URI.create(config.endpoint()))
          .region(Region.of(config.region() == null ? "us-east-1" : config.region()))
          .credentialsProvider(endpointCredentials());
    } else if (config.region() != null) {
      builder.region(Region.of(config.region()));
    }
    return builder.build();
  }

  /**
   * The credentials of a client with an endpoint: the job's own when the environment or the system
   * properties hold them (an emulation that checks them sees the caller the job runs as), else
   * fixed local ones. Neither a profile file nor the instance metadata is consulted.
   */
  static AwsCredentialsProvider endpointCredentials() {
    return AwsCredentialsProviderChain.builder()
        .reuseLastProviderEnabled(false)
        .credentialsProviders(
            SystemPropertyCredentialsProvider.create(),
            EnvironmentVariableCredentialsProvider.create(),
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .build();
  }
}
