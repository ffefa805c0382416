package io.tributary.backfill;

import io.tributary.glue.ArgumentException;
import io.tributary.glue.GlueArguments;
import java.util.List;

/**
 * What one backfill run loads and how.
 *
 * @param table the table to restate (lake or source name)
 * @param jdbcUrl the source database, or null to use the configuration file's source
 * @param sourceSecretArn the Secrets Manager secret with the source login, or null
 * @param sourceUser the source user, or null to take it from the URL or the secret
 * @param sourceSecretKey the secret's JSON key holding the password, or null for {@code password}
 * @param sslRootCert the source's certificate authority (file, {@code s3://} or {@code
 *     secretsmanager:}), or null
 * @param keyFrom the lowest key a partial reload restates (inclusive), or null
 * @param keyTo the highest key a partial reload restates (inclusive), or null; with neither, the
 *     whole table is restated
 */
public record BackfillOptions(
    String table,
    String jdbcUrl,
    String sourceSecretArn,
    String sourceUser,
    String sourceSecretKey,
    String sslRootCert,
    int parallelism,
    int fetchSize,
    String keyFrom,
    String keyTo) {

  public static final String TABLE = "--table";
  public static final String SOURCE_SECRET_ARN = "--source-secret-arn";
  public static final String JDBC_URL = "--jdbc-url";
  public static final String SOURCE_USER = "--source-user";
  public static final String SOURCE_SECRET_KEY = "--source-secret-key";
  public static final String SOURCE_SSL_ROOT_CERT = "--source-ssl-root-cert";
  public static final String PARALLELISM = "--parallelism";
  public static final String FETCH_SIZE = "--fetch-size";
  public static final String KEY_FROM = "--key-from";
  public static final String KEY_TO = "--key-to";

  /** The job's own arguments (the shared lake arguments come on top). */
  public static final List<String> KEYS =
      List.of(
          TABLE,
          SOURCE_SECRET_ARN,
          JDBC_URL,
          SOURCE_USER,
          SOURCE_SECRET_KEY,
          SOURCE_SSL_ROOT_CERT,
          PARALLELISM,
          FETCH_SIZE,
          KEY_FROM,
          KEY_TO);

  static final int DEFAULT_PARALLELISM = 8;
  static final int DEFAULT_FETCH_SIZE = 10_000;

  /** Options without a user, secret key or certificate authority argument. */
  public BackfillOptions(
      String table, String jdbcUrl, String sourceSecretArn, int parallelism, int fetchSize) {
    this(table, jdbcUrl, sourceSecretArn, null, null, null, parallelism, fetchSize, null, null);
  }

  /** These options restricted to the keys from {@code from} to {@code to} (inclusive). */
  public BackfillOptions withKeyRange(String from, String to) {
    return new BackfillOptions(
        table,
        jdbcUrl,
        sourceSecretArn,
        sourceUser,
        sourceSecretKey,
        sslRootCert,
        parallelism,
        fetchSize,
        from,
        to);
  }

  /** Whether only a key range is restated. */
  public boolean partial() {
    return keyFrom != null || keyTo != null;
  }

  public BackfillOptions {
    if (table == null || table.isBlank()) {
      throw new ArgumentException("name the table to backfill with " + TABLE + " NAME");
    }
    if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql://")) {
      throw new ArgumentException(
          JDBC_URL
              + " '"
              + jdbcUrl
              + "' is not a PostgreSQL JDBC URL: use jdbc:postgresql://host:5432/db");
    }
  }

  /** Reads the options from parsed arguments. */
  public static BackfillOptions from(GlueArguments args) {
    return new BackfillOptions(
        args.get(TABLE),
        args.get(JDBC_URL),
        args.get(SOURCE_SECRET_ARN),
        args.get(SOURCE_USER),
        args.get(SOURCE_SECRET_KEY),
        args.get(SOURCE_SSL_ROOT_CERT),
        (int) args.getLong(PARALLELISM, DEFAULT_PARALLELISM, 1),
        (int) args.getLong(FETCH_SIZE, DEFAULT_FETCH_SIZE, 1),
        args.get(KEY_FROM),
        args.get(KEY_TO));
  }
}
