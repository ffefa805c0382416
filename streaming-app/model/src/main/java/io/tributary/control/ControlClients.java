package io.tributary.control;

import io.tributary.config.ControlConfig;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/** Builds DynamoDB clients for the control table: AWS, or a local stand-in by endpoint. */
public final class ControlClients {
  private ControlClients() {}

  /**
   * A client for the configured table. With an endpoint (the local stand-in) the region defaults to
   * us-east-1 and fixed local credentials are used, since the stand-in checks none.
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
          .credentialsProvider(
              StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
    } else if (config.region() != null) {
      builder.region(Region.of(config.region()));
    }
    return builder.build();
  }
}
