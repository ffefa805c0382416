package io.tributary.config;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;

/**
 * Reads secret strings from AWS Secrets Manager with the default credential chain. Kept apart from
 * {@link Secret} so that the AWS SDK is only loaded when a secret really lives there.
 */
final class AwsSecretsManager implements Secret.SecretsManagerAccess {

  @Override
  public String secretString(String secretId, String region) {
    // The HTTP client is named because several are on the classpath of the job.
    SecretsManagerClientBuilder builder =
        SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create());
    if (region != null) {
      builder.region(Region.of(region));
    }
    try (SecretsManagerClient client = builder.build()) {
      return client
          .getSecretValue(GetSecretValueRequest.builder().secretId(secretId).build())
          .secretString();
    } catch (SdkException e) {
      throw new ConfigException(
          "Cannot read AWS Secrets Manager secret "
              + secretId
              + ": "
              + e.getMessage()
              + ". Check the region and the secret, and that the job's role may call"
              + " secretsmanager:GetSecretValue on it (and kms:Decrypt on its key)",
          e);
    }
  }
}
