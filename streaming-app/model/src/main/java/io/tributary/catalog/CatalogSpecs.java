package io.tributary.catalog;

import io.tributary.config.CatalogConfig;
import io.tributary.config.S3Config;
import io.tributary.config.Secret;
import io.tributary.config.SinkConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the {@link CatalogSpec} of a sink configuration: the one definition all jobs share. */
public final class CatalogSpecs {
  private CatalogSpecs() {}

  /** The catalog and file IO properties of the configured lake. */
  public static CatalogSpec from(SinkConfig sink) {
    Map<String, String> props = new LinkedHashMap<>();
    Map<String, CatalogSpec.SerializableSupplier> secrets = new LinkedHashMap<>();
    CatalogConfig catalog = sink.catalog();
    props.put("warehouse", sink.warehouse());
    switch (catalog.type()) {
      case JDBC:
        props.put("catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog");
        props.put("uri", catalog.uri());
        props.put("jdbc.schema-version", "V1");
        if (catalog.user() != null) {
          props.put("jdbc.user", catalog.user());
        }
        addSecret(secrets, "jdbc.password", catalog.password());
        break;
      case GLUE:
        props.put("catalog-impl", "org.apache.iceberg.aws.glue.GlueCatalog");
        if (catalog.glueCatalogId() != null) {
          props.put("glue.id", catalog.glueCatalogId());
        }
        props.put("glue.skip-name-validation", "false");
        break;
      case REST:
        props.put("catalog-impl", "org.apache.iceberg.rest.RESTCatalog");
        props.put("uri", catalog.uri());
        break;
      default:
        throw new IllegalArgumentException("Unknown catalog type " + catalog.type());
    }
    props.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    S3Config s3 = sink.s3();
    if (s3 != null) {
      if (s3.endpoint() != null) {
        props.put("s3.endpoint", s3.endpoint());
      }
      props.put("s3.path-style-access", Boolean.toString(s3.pathStyleAccess()));
      if (s3.region() != null) {
        props.put("client.region", s3.region());
      }
      if (s3.accessKeyId() != null) {
        props.put("s3.access-key-id", s3.accessKeyId());
      }
      addSecret(secrets, "s3.secret-access-key", s3.secretAccessKey());
    }
    props.putAll(catalog.properties());
    return new CatalogSpec(props, secrets);
  }

  private static void addSecret(
      Map<String, CatalogSpec.SerializableSupplier> secrets, String key, Secret secret) {
    if (secret != null && secret.isPresent()) {
      secrets.put(key, secret::resolve);
    }
  }
}
