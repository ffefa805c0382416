package io.tributary.config;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The certificate authority (PEM) that signed the source database's server certificate ({@code
 * source.ssl-root-cert}): a local file, an S3 object ({@code s3://bucket/key}) or an AWS Secrets
 * Manager secret ({@code secretsmanager:<arn-or-name>}).
 *
 * <p>The certificate is fetched once per process, on first use, and written to a private file (mode
 * 0600) in the temporary directory whose name depends only on the certificate's content, so every
 * process of a job (Flink job manager and task managers, Spark driver and executors) finds it under
 * the same path. The fetched text travels with this object when it is serialized, so a task manager
 * or executor does not fetch it again. The JDBC driver and Debezium get that path as {@code
 * sslrootcert}.
 */
public final class SslRootCert implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The option that names the certificate, for messages. */
  public static final String OPTION = "source.ssl-root-cert";

  /** Prefix of a Secrets Manager reference. */
  public static final String SECRETS_MANAGER_PREFIX = "secretsmanager:";

  private static final String PEM_BEGIN = "-----BEGIN CERTIFICATE-----";

  /** Local files already written in this process, by content hash. */
  private static final Map<String, Path> WRITTEN = new ConcurrentHashMap<>();

  private enum Kind {
    FILE,
    S3,
    SECRETS_MANAGER
  }

  private final Kind kind;
  private final String reference;
  private final S3Access s3;

  /** The fetched PEM text, once fetched. */
  private volatile String pem;

  private SslRootCert(Kind kind, String reference, S3Access s3, String pem) {
    this.kind = kind;
    this.reference = reference;
    this.s3 = s3;
    this.pem = pem;
  }

  /**
   * The certificate named by an option value: {@code s3://bucket/key}, {@code
   * secretsmanager:<arn-or-name>}, or a local file path.
   *
   * @throws ConfigException when the value is empty or malformed
   */
  public static SslRootCert parse(String value) {
    String text = value == null ? "" : value.trim();
    if (text.isEmpty()) {
      throw new ConfigException(
          OPTION
              + " is empty: give a PEM file path, s3://bucket/key or"
              + " secretsmanager:<secret ARN or name>");
    }
    if (text.startsWith("s3://")) {
      URI uri = URI.create(text.replace(" ", "%20"));
      String bucket = uri.getHost();
      String key = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
      if (bucket == null || bucket.isEmpty() || key.isEmpty()) {
        throw new ConfigException(
            OPTION + " '" + text + "' is not an S3 object: use s3://bucket/path/to/ca.pem");
      }
      return new SslRootCert(Kind.S3, text, null, null);
    }
    if (text.startsWith(SECRETS_MANAGER_PREFIX)) {
      String id = text.substring(SECRETS_MANAGER_PREFIX.length()).trim();
      // Validates the ARN form with the password's rules.
      Secret.ofSecretsManager(id);
      return new SslRootCert(Kind.SECRETS_MANAGER, id, null, null);
    }
    return new SslRootCert(Kind.FILE, text, null, null);
  }

  /** The certificate given directly as PEM text (tests and embedding code). */
  public static SslRootCert ofPem(String pem) {
    return new SslRootCert(Kind.FILE, "<PEM given in code>", null, checkPem(pem, "given PEM"));
  }

  /**
   * This certificate read from S3 with these settings (endpoint, path style, region, static keys)
   * instead of AWS's default chains; other kinds are returned unchanged.
   */
  public SslRootCert withS3(S3Config config) {
    if (kind != Kind.S3 || config == null) {
      return this;
    }
    return new SslRootCert(
        kind,
        reference,
        new S3Access(
            config.endpoint(),
            config.pathStyleAccess(),
            config.region(),
            config.accessKeyId(),
            config.secretAccessKey()),
        pem);
  }

  /** The option value, e.g. {@code s3://bucket/ca.pem}. */
  public String reference() {
    return kind == Kind.SECRETS_MANAGER ? SECRETS_MANAGER_PREFIX + reference : reference;
  }

  /**
   * The PEM text, fetched on first call.
   *
   * @throws ConfigException naming the option and the file, object or secret when it cannot be read
   *     or holds no certificate
   */
  public String pem() {
    return pem(null);
  }

  /** {@link #pem()} with the given Secrets Manager access, or null for AWS's (for tests). */
  String pem(Secret.SecretsManagerAccess secretsManager) {
    String value = pem;
    if (value == null) {
      synchronized (this) {
        if (pem == null) {
          pem = checkPem(fetch(secretsManager), describe());
        }
        value = pem;
      }
    }
    return value;
  }

  /**
   * The private local file holding the certificate, written on first call in this process.
   *
   * @throws ConfigException when the certificate cannot be fetched or the file cannot be written
   */
  public Path localFile() {
    String text = pem();
    String hash = sha256(text).substring(0, 24);
    return WRITTEN.computeIfAbsent(hash, h -> write(h, text));
  }

  /** Adds {@code sslrootcert} with the local file to JDBC connection properties. */
  public void addTo(Properties jdbcProperties) {
    jdbcProperties.setProperty("sslrootcert", localFile().toString());
  }

  /** Where the certificate comes from, for messages. */
  public String describe() {
    switch (kind) {
      case S3:
        return "S3 object " + reference;
      case SECRETS_MANAGER:
        return "AWS Secrets Manager secret " + reference;
      default:
        return "file " + reference;
    }
  }

  private String fetch(Secret.SecretsManagerAccess secretsManager) {
    switch (kind) {
      case S3:
        return S3Objects.read(reference, s3);
      case SECRETS_MANAGER:
        return (secretsManager == null ? new AwsSecretsManager() : secretsManager)
            .secretString(reference, Secret.regionOf(reference));
      default:
        try {
          return Files.readString(Path.of(reference), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
          throw new ConfigException(
              OPTION + ": file " + reference + " does not exist: correct the path", e);
        } catch (AccessDeniedException e) {
          throw new ConfigException(
              OPTION
                  + ": file "
                  + reference
                  + " cannot be read (permission denied): make it readable by the job",
              e);
        } catch (IOException e) {
          throw new ConfigException(OPTION + ": file " + reference + " cannot be read: " + e, e);
        }
    }
  }

  private static String checkPem(String text, String where) {
    if (text == null || !text.contains(PEM_BEGIN)) {
      throw new ConfigException(
          OPTION
              + ": "
              + where
              + " holds no PEM certificate (no '"
              + PEM_BEGIN
              + "' line): store the certificate authority's certificate in PEM form");
    }
    return text;
  }

  private static Path write(String hash, String text) {
    Path dir = Path.of(System.getProperty("java.io.tmpdir"));
    Path target = dir.resolve("tributary-ssl-root-" + hash + ".crt");
    try {
      Path temp =
          Files.createTempFile(
              dir,
              "tributary-ssl-root-",
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (IOException | UnsupportedOperationException e) {
      throw new ConfigException(
          OPTION + ": cannot write the certificate to " + target + ": " + e, e);
    }
  }

  private static String sha256(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder();
      for (byte b : digest) {
        hex.append(String.format("%02x", b));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** How an S3 object is read when the defaults do not apply (an S3-compatible server). */
  static final class S3Access implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String endpoint;
    private final boolean pathStyleAccess;
    private final String region;
    private final String accessKeyId;
    private final Secret secretAccessKey;

    S3Access(
        String endpoint,
        boolean pathStyleAccess,
        String region,
        String accessKeyId,
        Secret secretAccessKey) {
      this.endpoint = endpoint;
      this.pathStyleAccess = pathStyleAccess;
      this.region = region;
      this.accessKeyId = accessKeyId;
      this.secretAccessKey = secretAccessKey == null ? Secret.none() : secretAccessKey;
    }

    String endpoint() {
      return endpoint;
    }

    boolean pathStyleAccess() {
      return pathStyleAccess;
    }

    String region() {
      return region;
    }

    String accessKeyId() {
      return accessKeyId;
    }

    Secret secretAccessKey() {
      return secretAccessKey;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof S3Access)) {
        return false;
      }
      S3Access other = (S3Access) o;
      return pathStyleAccess == other.pathStyleAccess
          && Objects.equals(endpoint, other.endpoint)
          && Objects.equals(region, other.region)
          && Objects.equals(accessKeyId, other.accessKeyId)
          && Objects.equals(secretAccessKey, other.secretAccessKey);
    }

    @Override
    public int hashCode() {
      return Objects.hash(endpoint, pathStyleAccess, region, accessKeyId);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SslRootCert)) {
      return false;
    }
    SslRootCert other = (SslRootCert) o;
    return kind == other.kind
        && reference.equals(other.reference)
        && Objects.equals(s3, other.s3)
        && (kind != Kind.FILE || !reference.startsWith("<") || Objects.equals(pem, other.pem));
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, reference);
  }

  @Override
  public String toString() {
    return reference();
  }
}
