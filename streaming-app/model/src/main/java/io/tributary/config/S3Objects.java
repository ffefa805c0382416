package io.tributary.config;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

/**
 * Reads a small S3 object as text for {@link SslRootCert}. Kept apart so that the AWS SDK is only
 * loaded when the certificate really lives in S3.
 */
final class S3Objects {

  private S3Objects() {}

  /** The UTF-8 content of {@code s3://bucket/key}. */
  static String read(String location, SslRootCert.S3Access access) {
    URI uri = URI.create(location.replace(" ", "%20"));
    String bucket = uri.getHost();
    String key = uri.getPath().replaceFirst("^/", "");
    S3ClientBuilder builder = S3Client.builder().httpClient(UrlConnectionHttpClient.create());
    if (access != null) {
      if (access.endpoint() != null) {
        builder.endpointOverride(URI.create(access.endpoint()));
      }
      builder.forcePathStyle(access.pathStyleAccess());
      if (access.region() != null) {
        builder.region(Region.of(access.region()));
      } else if (access.endpoint() != null) {
        builder.region(Region.US_EAST_1);
      }
      if (access.accessKeyId() != null && access.secretAccessKey().isPresent()) {
        builder.credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(
                    access.accessKeyId(), access.secretAccessKey().resolve())));
      }
    }
    try (S3Client client = builder.build()) {
      return client
          .getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build())
          .asUtf8String();
    } catch (SdkException e) {
      throw new ConfigException(
          SslRootCert.OPTION
              + ": cannot read S3 object "
              + location
              + ": "
              + e.getMessage()
              + ". Check the bucket and key, and that the job's role may call s3:GetObject on it"
              + " (and kms:Decrypt on its key)",
          e);
    }
  }
}
