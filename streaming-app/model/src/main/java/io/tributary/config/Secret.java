package io.tributary.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a secret (a password) comes from: an environment variable, a file, or AWS Secrets Manager.
 *
 * <p>The configuration only holds this reference; {@link #resolve()} reads the value when it is
 * needed, so that it never sits in a configuration file, a runtime property, or a log line. {@link
 * #toString()} never shows a value.
 */
public final class Secret implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The JSON key read from a Secrets Manager secret whose value is a JSON object. */
  public static final String DEFAULT_JSON_KEY = "password";

  /**
   * The JSON key of the login in a database secret: every component reads one secret format, {@code
   * {"username": "...", "password": "..."}}; a plain-text secret holds only the password.
   */
  public static final String USERNAME_KEY = "username";

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern SECRET_ARN =
      Pattern.compile("arn:[a-z0-9-]+:secretsmanager:([a-z0-9-]+):\\d{12}:secret:.+");
  private static final Secret NONE = new Secret(Kind.NONE, null, null);

  private enum Kind {
    NONE,
    ENV,
    FILE,
    SECRETS_MANAGER,
    VALUE
  }

  private final Kind kind;
  private final String reference;
  private final String jsonKey;

  private Secret(Kind kind, String reference, String jsonKey) {
    this.kind = kind;
    this.reference = reference;
    this.jsonKey = jsonKey;
  }

  /** The value of environment variable {@code variable}, read when resolved. */
  public static Secret ofEnv(String variable) {
    if (variable == null || !ENV_NAME.matcher(variable).matches()) {
      throw new ConfigException(
          "'"
              + variable
              + "' is not an environment variable name: use letters, digits and underscores,"
              + " e.g. TRIBUTARY_DB_PASSWORD");
    }
    return new Secret(Kind.ENV, variable, null);
  }

  /** The content of {@code file} without its trailing line break, read when resolved. */
  public static Secret ofFile(Path file) {
    if (file == null || file.toString().isBlank()) {
      throw new ConfigException("a password file needs a path, e.g. /run/secrets/db-password");
    }
    return new Secret(Kind.FILE, file.toString(), null);
  }

  /**
   * The secret string of an AWS Secrets Manager secret (ARN or name); when it is a JSON object, its
   * {@value #DEFAULT_JSON_KEY} key.
   */
  public static Secret ofSecretsManager(String secretArn) {
    return ofSecretsManager(secretArn, null);
  }

  /**
   * The secret string of an AWS Secrets Manager secret (ARN or name); when it is a JSON object, its
   * key {@code jsonKey} ({@value #DEFAULT_JSON_KEY} when null).
   */
  public static Secret ofSecretsManager(String secretArn, String jsonKey) {
    if (secretArn == null || secretArn.isBlank()) {
      throw new ConfigException(
          "a Secrets Manager secret needs its ARN, e.g."
              + " arn:aws:secretsmanager:eu-west-1:123456789012:secret:tributary/db-AbCdEf");
    }
    if (secretArn.startsWith("arn:") && !SECRET_ARN.matcher(secretArn).matches()) {
      throw new ConfigException(
          "'"
              + secretArn
              + "' is not a Secrets Manager secret ARN: expected"
              + " arn:<partition>:secretsmanager:<region>:<account>:secret:<name>");
    }
    if (jsonKey != null && jsonKey.isBlank()) {
      throw new ConfigException("the JSON key of a Secrets Manager secret must not be empty");
    }
    String key = jsonKey == null || jsonKey.equals(DEFAULT_JSON_KEY) ? null : jsonKey;
    return new Secret(Kind.SECRETS_MANAGER, secretArn.trim(), key);
  }

  /**
   * A value given directly in code, for the local runner and tests only; configuration files and
   * runtime properties cannot produce one.
   */
  public static Secret ofValue(String value) {
    Objects.requireNonNull(value, "value");
    return new Secret(Kind.VALUE, value, null);
  }

  /** No secret: for example a local database that trusts its clients. */
  public static Secret none() {
    return NONE;
  }

  /** Whether a secret was configured. */
  public boolean isPresent() {
    return kind != Kind.NONE;
  }

  /**
   * Reads the secret value now.
   *
   * @throws ConfigException naming the variable, file or secret, and what to do, when the value is
   *     missing, empty or unreadable
   */
  public String resolve() {
    return resolve(System.getenv(), kind == Kind.SECRETS_MANAGER ? new AwsSecretsManager() : null);
  }

  /** Reads the secret value with the given environment and Secrets Manager access (for tests). */
  String resolve(Map<String, String> environment, SecretsManagerAccess secretsManager) {
    switch (kind) {
      case NONE:
        throw new ConfigException(
            "No secret is configured: set env, file or secret-arn for this password");
      case VALUE:
        return reference;
      case ENV:
        return fromEnvironment(environment);
      case FILE:
        return fromFile();
      case SECRETS_MANAGER:
        return fromSecretsManager(secretsManager);
      default:
        throw new IllegalStateException("unknown secret kind " + kind);
    }
  }

  /** Whether the secret lives in AWS Secrets Manager. */
  public boolean isSecretsManager() {
    return kind == Kind.SECRETS_MANAGER;
  }

  /**
   * The login stored beside the password: key {@value #USERNAME_KEY} of a Secrets Manager secret
   * that is a JSON object; null when the secret is plain text, has no such key, or does not live in
   * Secrets Manager.
   *
   * @throws ConfigException when the secret cannot be read
   */
  public String resolveUsername() {
    return kind == Kind.SECRETS_MANAGER ? resolveUsername(new AwsSecretsManager()) : null;
  }

  /** {@link #resolveUsername()} with the given Secrets Manager access (for tests). */
  String resolveUsername(SecretsManagerAccess secretsManager) {
    if (kind != Kind.SECRETS_MANAGER) {
      return null;
    }
    return usernameOf(secretsManager.secretString(reference, regionOf(reference)));
  }

  /**
   * The non-empty {@value #USERNAME_KEY} of a secret string that is a JSON object, else null (a
   * plain-text secret is only a password).
   */
  public static String usernameOf(String secretString) {
    if (secretString == null) {
      return null;
    }
    JsonNode json = parseJsonObject(secretString);
    JsonNode value = json == null ? null : json.get(USERNAME_KEY);
    if (value == null || !value.isValueNode() || value.isNull() || value.asText().isEmpty()) {
      return null;
    }
    return value.asText();
  }

  /**
   * Where the secret comes from as one string that {@link #fromReference} reads back ({@code
   * env:NAME}, {@code file:PATH}, {@code secretsmanager:ARN} or {@code secretsmanager:ARN#KEY}):
   * handed to a process that reads the value itself, each time it needs it, so that the value is
   * never part of a job's definition and a rotated secret is picked up. Null for no secret or a
   * value given in code.
   */
  public String reference() {
    switch (kind) {
      case ENV:
        return "env:" + reference;
      case FILE:
        return "file:" + reference;
      case SECRETS_MANAGER:
        return "secretsmanager:" + reference + (jsonKey == null ? "" : "#" + jsonKey);
      default:
        return null;
    }
  }

  /** The secret a {@link #reference()} stands for. */
  public static Secret fromReference(String reference) {
    if (reference == null) {
      throw new ConfigException("no secret reference given");
    }
    if (reference.startsWith("env:")) {
      return ofEnv(reference.substring(4));
    }
    if (reference.startsWith("file:")) {
      return ofFile(Path.of(reference.substring(5)));
    }
    if (reference.startsWith("secretsmanager:")) {
      String rest = reference.substring("secretsmanager:".length());
      int hash = rest.lastIndexOf('#');
      return hash < 0
          ? ofSecretsManager(rest)
          : ofSecretsManager(rest.substring(0, hash), rest.substring(hash + 1));
    }
    throw new ConfigException(
        "'"
            + reference
            + "' is not a secret reference: expected env:NAME, file:PATH or secretsmanager:ARN");
  }

  /** Where the secret comes from, e.g. "environment variable PGPASSWORD"; never the value. */
  public String describe() {
    switch (kind) {
      case NONE:
        return "no secret";
      case VALUE:
        return "value given in code";
      case ENV:
        return "environment variable " + reference;
      case FILE:
        return "file " + reference;
      case SECRETS_MANAGER:
        return "AWS Secrets Manager secret "
            + reference
            + (jsonKey == null ? "" : " (JSON key '" + jsonKey + "')");
      default:
        throw new IllegalStateException("unknown secret kind " + kind);
    }
  }

  private String fromEnvironment(Map<String, String> environment) {
    String value = environment.get(reference);
    if (value == null) {
      throw new ConfigException(
          "Environment variable "
              + reference
              + " is not set: export it with the password before starting the job,"
              + " or configure the password with file or secret-arn instead");
    }
    if (value.isEmpty()) {
      throw new ConfigException(
          "Environment variable " + reference + " is empty: set it to the password");
    }
    return value;
  }

  private String fromFile() {
    Path file = Path.of(reference);
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(
          "Password file "
              + reference
              + " does not exist: create it with the password as its only content,"
              + " or correct the path",
          e);
    } catch (AccessDeniedException e) {
      throw new ConfigException(
          "Password file "
              + reference
              + " cannot be read (permission denied): make it readable by the user running"
              + " the job",
          e);
    } catch (IOException e) {
      throw new ConfigException("Password file " + reference + " cannot be read: " + e, e);
    }
    String value = stripTrailingLineBreaks(content);
    if (value.isEmpty()) {
      throw new ConfigException(
          "Password file " + reference + " is empty: write the password into it");
    }
    return value;
  }

  private static String stripTrailingLineBreaks(String content) {
    int end = content.length();
    while (end > 0 && (content.charAt(end - 1) == '\n' || content.charAt(end - 1) == '\r')) {
      end--;
    }
    return content.substring(0, end);
  }

  private String fromSecretsManager(SecretsManagerAccess secretsManager) {
    String secretString = secretsManager.secretString(reference, regionOf(reference));
    if (secretString == null || secretString.isEmpty()) {
      throw new ConfigException(
          "AWS Secrets Manager secret "
              + reference
              + " has no secret string: store the password as plain text or as JSON with key '"
              + (jsonKey == null ? DEFAULT_JSON_KEY : jsonKey)
              + "'");
    }
    JsonNode json = parseJsonObject(secretString);
    if (json == null) {
      if (jsonKey != null) {
        throw new ConfigException(
            "AWS Secrets Manager secret "
                + reference
                + " is not a JSON object, so it has no key '"
                + jsonKey
                + "': remove secret-key to use the whole secret string, or store JSON");
      }
      return secretString;
    }
    String key = jsonKey == null ? DEFAULT_JSON_KEY : jsonKey;
    JsonNode value = json.get(key);
    if (value == null || value.isNull() || !value.isValueNode() || value.asText().isEmpty()) {
      List<String> keys = new ArrayList<>();
      for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
        keys.add(names.next());
      }
      throw new ConfigException(
          "AWS Secrets Manager secret "
              + reference
              + " has no non-empty key '"
              + key
              + "' (its keys: "
              + String.join(", ", keys)
              + "): set secret-key to the key that holds the password");
    }
    return value.asText();
  }

  private static JsonNode parseJsonObject(String text) {
    String trimmed = text.trim();
    if (!trimmed.startsWith("{")) {
      return null;
    }
    try {
      JsonNode node = new ObjectMapper().readTree(trimmed);
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** The region of a full secret ARN, or null to use the default region chain. */
  static String regionOf(String secretId) {
    Matcher matcher = SECRET_ARN.matcher(secretId);
    return matcher.matches() ? matcher.group(1) : null;
  }

  /** Reads a secret string from AWS Secrets Manager; replaced in tests. */
  interface SecretsManagerAccess {
    /**
     * Returns the secret string of a secret.
     *
     * @param secretId ARN or name
     * @param region the region of the ARN, or null for the default region chain
     * @throws ConfigException naming the secret when it cannot be read
     */
    String secretString(String secretId, String region);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Secret)) {
      return false;
    }
    Secret other = (Secret) o;
    return kind == other.kind
        && Objects.equals(reference, other.reference)
        && Objects.equals(jsonKey, other.jsonKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, reference, jsonKey);
  }

  /** Describes the source of the secret; a value given in code is masked. */
  @Override
  public String toString() {
    return kind == Kind.VALUE ? "Secret{value=****}" : "Secret{" + describe() + "}";
  }
}
