package io.tributary.config;

import io.tributary.config.OptionDoc.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every configuration key with its type, default and description: the single list that validation
 * checks keys against and that docs/configuration.md is checked against.
 */
public final class ConfigOptions {

  /** Prefix of per-table option keys; the group id on Managed Flink is the prefix without dot. */
  public static final String TABLE_OPTION_PREFIX = "table.<schema>.<table>.";

  /** Prefix of pass-through Iceberg catalog properties. */
  public static final String CATALOG_PROPERTIES_PREFIX = "sink.catalog.properties.";

  /** Top-level sections of the YAML file, which are also the fixed property group ids. */
  public static final List<String> SECTIONS = List.of("source", "tables", "sink", "job", "control");

  public static final OptionDoc SOURCE_TYPE =
      OptionDoc.enumeration(
          "source.type",
          "postgres, mysql",
          "postgres",
          "Kind of source database: `postgres`, or `mysql` for MySQL and MariaDB (a first"
              + " slice: see docs/mysql.md for what works and what does not yet).");
  public static final OptionDoc SOURCE_HOST =
      OptionDoc.required(
          "source.host", Kind.STRING, "Host name or IP address of the database server.");
  public static final OptionDoc SOURCE_PORT =
      OptionDoc.optional(
          "source.port",
          Kind.INT,
          "5432",
          "TCP port of the database server; 3306 by default for `mysql`.");
  public static final OptionDoc SOURCE_DATABASE =
      OptionDoc.required("source.database", Kind.STRING, "Name of the database to capture.");
  public static final OptionDoc SOURCE_USER =
      OptionDoc.optional(
          "source.user",
          Kind.STRING,
          "(key `username` of the password secret)",
          "Login role; needs the REPLICATION attribute and SELECT on the captured tables."
              + " Required unless the password's Secrets Manager secret is JSON"
              + " `{\"username\": ..., \"password\": ...}`; when both are given, this one is used.");
  public static final OptionDoc SOURCE_PASSWORD_ENV =
      secretEnv("source.password", "the database password");
  public static final OptionDoc SOURCE_PASSWORD_FILE =
      secretFile("source.password", "the database password");
  public static final OptionDoc SOURCE_PASSWORD_SECRET_ARN =
      secretArn("source.password", "the database password");
  public static final OptionDoc SOURCE_PASSWORD_SECRET_KEY = secretKey("source.password");
  public static final OptionDoc SOURCE_SSL_MODE =
      OptionDoc.enumeration(
          "source.ssl-mode",
          SslMode.validNames(),
          "prefer",
          "TLS mode of the database connection, as in libpq; use require or verify-full across"
              + " networks. For `mysql` only `disable` for now (the default there).");
  public static final OptionDoc SOURCE_SSL_ROOT_CERT =
      OptionDoc.optional(
          "source.ssl-root-cert",
          Kind.STRING,
          null,
          "Certificate authority (PEM) that signed the database server's certificate, for"
              + " `verify-ca` and `verify-full`: a local file path, `s3://bucket/key` (read with"
              + " the `sink.s3.*` settings) or `secretsmanager:<secret ARN or name>` (the whole"
              + " secret string). Fetched once when the job starts and kept in a private file;"
              + " unset, the driver looks for `~/.postgresql/root.crt`.");
  public static final OptionDoc SOURCE_SLOT_NAME =
      OptionDoc.optional(
          "source.slot-name",
          Kind.STRING,
          "tributary",
          "Logical replication slot the job reads from (lower-case letters, digits, underscores).");
  public static final OptionDoc SOURCE_PUBLICATION_NAME =
      OptionDoc.optional(
          "source.publication-name",
          Kind.STRING,
          "tributary",
          "Publication listing the captured tables.");
  public static final OptionDoc SOURCE_HEARTBEAT_INTERVAL =
      OptionDoc.optional(
          "source.heartbeat-interval",
          Kind.DURATION,
          "30s",
          "How often the source confirms progress while captured tables are idle, so the"
              + " server can recycle WAL.");
  public static final OptionDoc SOURCE_NEW_TABLE_CHECK_INTERVAL =
      OptionDoc.optional(
          "source.new-table-check-interval",
          Kind.DURATION,
          "5m",
          "How often the running job looks for new tables that `tables.include` matches; it"
              + " logs a warning for each, and captures them from its next start (see"
              + " docs/operations.md).");
  public static final OptionDoc SOURCE_SNAPSHOT_CHUNK_SIZE =
      OptionDoc.optional(
          "source.snapshot.chunk-size",
          Kind.INT,
          "50000",
          "Rows per split of a table's initial snapshot; splits are read in parallel. A reader"
              + " holds the rows of the split it reads until the split ends (in memory up to 64"
              + " MB, beyond that in a file under `java.io.tmpdir`), so the local disk needs room"
              + " for one split per reader.");
  public static final OptionDoc SOURCE_SNAPSHOT_FETCH_SIZE =
      OptionDoc.optional(
          "source.snapshot.fetch-size",
          Kind.INT,
          "10000",
          "Rows fetched per round trip while reading the snapshot.");
  public static final OptionDoc SOURCE_ALLOW_WAL_GAP =
      OptionDoc.optional(
          "source.allow-wal-gap",
          Kind.BOOLEAN,
          "false",
          "Start streaming even when a restore cannot be continued without a gap: the job"
              + " restored its state onto a replication slot that this start had to create"
              + " (dropped while the job was down, a database restored from a backup), or onto a"
              + " slot that has lost WAL. The changes in between are skipped; backfill the tables"
              + " afterwards. By default such a start stops and names both positions.");
  public static final OptionDoc SOURCE_SERVER_ID =
      OptionDoc.optional(
          "source.server-id",
          Kind.STRING,
          null,
          "MySQL only, and required there: the server ids of the job's binlog readers, `5400`"
              + " or a range `5400-5403` holding at least one id per parallel reader"
              + " (`job.parallelism`); no other replica of the server may use them.");

  public static final OptionDoc TABLES_INCLUDE =
      OptionDoc.required(
          "tables.include",
          Kind.LIST,
          "Tables to capture, as `schema.table` patterns where `*` and `?` match within a name,"
              + " e.g. `sales.*`, `public.customers`.");
  public static final OptionDoc TABLES_EXCLUDE =
      OptionDoc.optional(
          "tables.exclude",
          Kind.LIST,
          null,
          "Tables not to capture even when included, as `schema.table` patterns.");

  public static final OptionDoc TABLES_TRUNCATE =
      OptionDoc.enumeration(
          "tables.truncate",
          TruncateMode.validNames(),
          "apply",
          "What a `TRUNCATE` at the source does: `apply` empties the mirror table at that point"
              + " of the change order, `ignore` keeps its rows and logs and counts the truncate."
              + " Tables can override it.");

  public static final OptionDoc TABLE_MODE =
      OptionDoc.enumeration(
          TABLE_OPTION_PREFIX + "mode",
          TableMode.validNames(),
          "(mirror when the table has a key)",
          "`mirror`: a mirror table kept equal to the source (needs a primary key or"
              + " `key-columns`). `append-only`: no mirror table, every change is appended with"
              + " its `_op` to `<table>__changes`. Unset, a table without primary key and without"
              + " `key-columns` is append-only.");
  public static final OptionDoc TABLE_TRUNCATE =
      OptionDoc.enumeration(
          TABLE_OPTION_PREFIX + "truncate",
          TruncateMode.validNames(),
          "(tables.truncate)",
          "What a `TRUNCATE` of this table does, see `tables.truncate`.");
  public static final OptionDoc TABLES_FRESHNESS_TARGET =
      OptionDoc.optional(
          "tables.freshness-target",
          Kind.DURATION,
          "15m",
          "Freshness target of the tables without one of their own: a table whose lag behind the"
              + " source exceeds it reports `tributaryFreshnessTargetMissed` 1 (see"
              + " docs/metrics.md).");

  public static final OptionDoc TABLE_PARTITION_SPEC =
      OptionDoc.optional(
          TABLE_OPTION_PREFIX + "partition-spec",
          Kind.LIST,
          null,
          "Iceberg partition terms: `col` or `identity(col)`, `year(col)`, `month(col)`,"
              + " `day(col)`, `hour(col)`, `bucket(N, col)`, `truncate(W, col)`. Unpartitioned when"
              + " empty.");
  public static final OptionDoc TABLE_KEY_COLUMNS =
      OptionDoc.optional(
          TABLE_OPTION_PREFIX + "key-columns",
          Kind.LIST,
          null,
          "Key columns for a table without primary key; empty means the primary key.");
  public static final OptionDoc TABLE_CHANGELOG =
      OptionDoc.optional(
          TABLE_OPTION_PREFIX + "changelog",
          Kind.BOOLEAN,
          "false",
          "Also write every change event to an append-only table `<table>__changes`.");

  public static final OptionDoc TABLE_FRESHNESS_TARGET =
      OptionDoc.optional(
          TABLE_OPTION_PREFIX + "freshness-target",
          Kind.DURATION,
          "(tables.freshness-target)",
          "Freshness target of this table: how far it may lag its source.");

  public static final OptionDoc SINK_WAREHOUSE =
      OptionDoc.required(
          "sink.warehouse",
          Kind.STRING,
          "Root location of the Iceberg tables, e.g. `s3://my-lake/warehouse`.");
  public static final OptionDoc SINK_NAMESPACE =
      OptionDoc.optional(
          "sink.namespace",
          Kind.STRING,
          "(source.database)",
          "Iceberg namespace (Glue database) of the mirror tables; defaults to the value of"
              + " `source.database`.");
  public static final OptionDoc SINK_COMMIT_THREADS =
      OptionDoc.optional(
          "sink.commit-threads",
          Kind.INT,
          Integer.toString(SinkConfig.DEFAULT_COMMIT_THREADS),
          "How many tables the committer commits at the same time when a checkpoint completes"
              + " (1 to "
              + SinkConfig.MAX_COMMIT_THREADS
              + "). The commits of one table stay one after the other, and every table of a"
              + " checkpoint is committed before the next checkpoint's commits start. `1` commits"
              + " one table after the other. Raise it when a catalog commit is slow (Glue) and"
              + " many tables change in each checkpoint; see docs/benchmarks.md.");
  public static final OptionDoc SINK_CATALOG_TYPE =
      OptionDoc.enumeration(
          "sink.catalog.type",
          CatalogType.validNames(),
          "glue",
          "Iceberg catalog: AWS Glue Data Catalog, Iceberg JDBC catalog, or Iceberg REST"
              + " catalog.");
  public static final OptionDoc SINK_CATALOG_URI =
      OptionDoc.optional(
          "sink.catalog.uri",
          Kind.STRING,
          null,
          "Required for jdbc and rest catalogs: `jdbc:postgresql://host:port/db` or"
              + " `https://host/path`. Not used by glue.");
  public static final OptionDoc SINK_CATALOG_USER =
      OptionDoc.optional(
          "sink.catalog.user", Kind.STRING, null, "Login of the JDBC catalog database.");
  public static final OptionDoc SINK_CATALOG_PASSWORD_ENV =
      secretEnv("sink.catalog.password", "the catalog database password");
  public static final OptionDoc SINK_CATALOG_PASSWORD_FILE =
      secretFile("sink.catalog.password", "the catalog database password");
  public static final OptionDoc SINK_CATALOG_PASSWORD_SECRET_ARN =
      secretArn("sink.catalog.password", "the catalog database password");
  public static final OptionDoc SINK_CATALOG_PASSWORD_SECRET_KEY =
      secretKey("sink.catalog.password");
  public static final OptionDoc SINK_CATALOG_GLUE_CATALOG_ID =
      OptionDoc.optional(
          "sink.catalog.glue-catalog-id",
          Kind.STRING,
          null,
          "AWS account id (12 digits) of the Glue Data Catalog; defaults to the job's account.");
  public static final OptionDoc SINK_CATALOG_PROPERTIES =
      OptionDoc.optional(
          CATALOG_PROPERTIES_PREFIX + "<name>",
          Kind.STRING,
          null,
          "Any other Iceberg catalog property, passed through unchanged (not for secrets).");
  public static final OptionDoc SINK_S3_ENDPOINT =
      OptionDoc.optional(
          "sink.s3.endpoint",
          Kind.STRING,
          null,
          "Endpoint of an S3-compatible server, e.g. `http://127.0.0.1:9000`; not set for AWS S3.");
  public static final OptionDoc SINK_S3_PATH_STYLE_ACCESS =
      OptionDoc.optional(
          "sink.s3.path-style-access",
          Kind.BOOLEAN,
          "false",
          "Address buckets as `host/bucket` rather than `bucket.host` (most S3-compatible"
              + " servers).");
  public static final OptionDoc SINK_S3_REGION =
      OptionDoc.optional(
          "sink.s3.region",
          Kind.STRING,
          null,
          "AWS region, e.g. `eu-west-1`; defaults to the AWS default region chain.");
  public static final OptionDoc SINK_S3_ACCESS_KEY_ID =
      OptionDoc.optional(
          "sink.s3.access-key-id",
          Kind.STRING,
          null,
          "Static access key id, only for S3-compatible servers; AWS uses the default"
              + " credential chain.");
  public static final OptionDoc SINK_S3_SECRET_ACCESS_KEY_ENV =
      secretEnv("sink.s3.secret-access-key", "the S3 secret access key");
  public static final OptionDoc SINK_S3_SECRET_ACCESS_KEY_FILE =
      secretFile("sink.s3.secret-access-key", "the S3 secret access key");
  public static final OptionDoc SINK_S3_SECRET_ACCESS_KEY_SECRET_ARN =
      secretArn("sink.s3.secret-access-key", "the S3 secret access key");
  public static final OptionDoc SINK_S3_SECRET_ACCESS_KEY_SECRET_KEY =
      secretKey("sink.s3.secret-access-key");

  public static final OptionDoc JOB_NAME =
      OptionDoc.optional("job.name", Kind.STRING, "tributary", "Flink job name.");
  public static final OptionDoc JOB_CHECKPOINT_INTERVAL =
      OptionDoc.optional(
          "job.checkpoint-interval",
          Kind.DURATION,
          "30s",
          "Time between checkpoints; each completed checkpoint commits the tables, so this is"
              + " the data latency. On Managed Flink the application's checkpoint configuration"
              + " applies instead (Terraform `flink_checkpoint_interval_ms`).");
  public static final OptionDoc JOB_PARALLELISM =
      OptionDoc.optional(
          "job.parallelism",
          Kind.INT,
          "2",
          "Parallelism of the source and the writers (the committer and other single operators"
              + " run once). Not used on Managed Flink, where the application's parallelism"
              + " configuration applies (Terraform `flink_parallelism`, autoscaling).");
  public static final OptionDoc JOB_CHECKPOINT_DIR =
      OptionDoc.optional(
          "job.checkpoint-dir",
          Kind.STRING,
          null,
          "Checkpoint location, e.g. `file:///var/tributary/checkpoints` or `s3://bucket/path`;"
              + " not used on Managed Flink, which manages its own.");

  public static final OptionDoc JOB_SOURCE_POLL_INTERVAL =
      OptionDoc.optional(
          "job.source-poll-interval",
          Kind.DURATION,
          "30s",
          "How often the job asks the source, off the data path, for the replication slot's lag"
              + " and WAL position (slot-lag metric, freshness of idle tables). A failed poll is"
              + " logged and never fails the job.");
  public static final OptionDoc CONTROL_TABLE_NAME =
      OptionDoc.optional(
          "control.table-name",
          Kind.STRING,
          null,
          "DynamoDB control table the job writes each table's state to once per checkpoint (see"
              + " docs/control-plane.md); without it, no state is written.");
  public static final OptionDoc CONTROL_REGION =
      OptionDoc.optional(
          "control.region",
          Kind.STRING,
          null,
          "AWS region of the control table; defaults to the AWS default region chain.");
  public static final OptionDoc CONTROL_ENDPOINT =
      OptionDoc.optional(
          "control.endpoint",
          Kind.STRING,
          null,
          "Endpoint of a DynamoDB-compatible server, e.g. `http://127.0.0.1:4567` (the local"
              + " stack) or an AWS API emulation; not set for AWS. With it, the client signs with"
              + " the credentials of the environment or the JVM's system properties when set,"
              + " else with fixed local ones.");
  public static final OptionDoc CONTROL_HISTORY_RETENTION =
      OptionDoc.optional(
          "control.history-retention",
          Kind.DURATION,
          "90d",
          "How long the control table keeps its history: maintenance and backfill records, and a"
              + " lock left behind by a run that ended without releasing it (counted from the end"
              + " of its lease). Such items get `expiresAt` (epoch seconds) and DynamoDB deletes"
              + " them some time after it; table states never expire. 1d to 3650d.");

  private static final List<OptionDoc> ALL =
      List.of(
          SOURCE_TYPE,
          SOURCE_HOST,
          SOURCE_PORT,
          SOURCE_DATABASE,
          SOURCE_USER,
          SOURCE_PASSWORD_ENV,
          SOURCE_PASSWORD_FILE,
          SOURCE_PASSWORD_SECRET_ARN,
          SOURCE_PASSWORD_SECRET_KEY,
          SOURCE_SSL_MODE,
          SOURCE_SSL_ROOT_CERT,
          SOURCE_SLOT_NAME,
          SOURCE_PUBLICATION_NAME,
          SOURCE_HEARTBEAT_INTERVAL,
          SOURCE_NEW_TABLE_CHECK_INTERVAL,
          SOURCE_SNAPSHOT_CHUNK_SIZE,
          SOURCE_SNAPSHOT_FETCH_SIZE,
          SOURCE_ALLOW_WAL_GAP,
          SOURCE_SERVER_ID,
          TABLES_INCLUDE,
          TABLES_EXCLUDE,
          TABLES_TRUNCATE,
          TABLE_MODE,
          TABLE_TRUNCATE,
          TABLES_FRESHNESS_TARGET,
          TABLE_PARTITION_SPEC,
          TABLE_KEY_COLUMNS,
          TABLE_CHANGELOG,
          TABLE_FRESHNESS_TARGET,
          SINK_WAREHOUSE,
          SINK_NAMESPACE,
          SINK_COMMIT_THREADS,
          SINK_CATALOG_TYPE,
          SINK_CATALOG_URI,
          SINK_CATALOG_USER,
          SINK_CATALOG_PASSWORD_ENV,
          SINK_CATALOG_PASSWORD_FILE,
          SINK_CATALOG_PASSWORD_SECRET_ARN,
          SINK_CATALOG_PASSWORD_SECRET_KEY,
          SINK_CATALOG_GLUE_CATALOG_ID,
          SINK_CATALOG_PROPERTIES,
          SINK_S3_ENDPOINT,
          SINK_S3_PATH_STYLE_ACCESS,
          SINK_S3_REGION,
          SINK_S3_ACCESS_KEY_ID,
          SINK_S3_SECRET_ACCESS_KEY_ENV,
          SINK_S3_SECRET_ACCESS_KEY_FILE,
          SINK_S3_SECRET_ACCESS_KEY_SECRET_ARN,
          SINK_S3_SECRET_ACCESS_KEY_SECRET_KEY,
          JOB_NAME,
          JOB_CHECKPOINT_INTERVAL,
          JOB_PARALLELISM,
          JOB_CHECKPOINT_DIR,
          JOB_SOURCE_POLL_INTERVAL,
          CONTROL_TABLE_NAME,
          CONTROL_REGION,
          CONTROL_ENDPOINT,
          CONTROL_HISTORY_RETENTION);

  /** Keys without placeholders, which the readers match exactly. */
  private static final Map<String, OptionDoc> FIXED = fixedKeys();

  /** Keys whose value says where a secret is, without the last segment. */
  static final List<String> SECRET_PREFIXES =
      List.of("source.password", "sink.catalog.password", "sink.s3.secret-access-key");

  /** Option names of a table: the last segment of the {@code table.<schema>.<table>.} keys. */
  static final List<String> TABLE_OPTION_NAMES = tableOptionNames();

  private ConfigOptions() {}

  /** Every key, in documentation order. */
  public static List<OptionDoc> all() {
    return ALL;
  }

  /** The options table of docs/configuration.md, in Markdown, generated from {@link #all()}. */
  public static String markdownTable() {
    StringBuilder table = new StringBuilder();
    table.append("| Option | Required | Default | Type | Description |\n");
    table.append("|---|---|---|---|---|\n");
    for (OptionDoc option : ALL) {
      table
          .append("| `")
          .append(option.key())
          .append("` | ")
          .append(option.required() ? "yes" : "no")
          .append(" | ")
          .append(formatDefault(option.defaultValue()))
          .append(" | ")
          .append(option.type())
          .append(" | ")
          .append(option.description())
          .append(" |\n");
    }
    return table.toString();
  }

  private static String formatDefault(String value) {
    if (value == null) {
      return "";
    }
    // A default derived from another key is a description in parentheses, not a literal.
    return value.startsWith("(") ? value : "`" + value + "`";
  }

  /** The option with exactly this key (no placeholders), or null. */
  static OptionDoc fixed(String key) {
    return FIXED.get(key);
  }

  /** Keys without placeholders. */
  static List<String> fixedKeys(String prefix) {
    List<String> keys = new ArrayList<>();
    for (String key : FIXED.keySet()) {
      if (key.startsWith(prefix)) {
        keys.add(key);
      }
    }
    return keys;
  }

  /** The table option named {@code name} (e.g. "changelog"), or null. */
  static OptionDoc tableOption(String name) {
    for (OptionDoc option : ALL) {
      if (option.key().equals(TABLE_OPTION_PREFIX + name)) {
        return option;
      }
    }
    return null;
  }

  private static Map<String, OptionDoc> fixedKeys() {
    Map<String, OptionDoc> fixed = new LinkedHashMap<>();
    for (OptionDoc option : ALL) {
      if (option.key().indexOf('<') < 0) {
        fixed.put(option.key(), option);
      }
    }
    return Collections.unmodifiableMap(fixed);
  }

  private static List<String> tableOptionNames() {
    List<String> names = new ArrayList<>();
    for (OptionDoc option : ALL) {
      if (option.key().startsWith(TABLE_OPTION_PREFIX)) {
        names.add(option.key().substring(TABLE_OPTION_PREFIX.length()));
      }
    }
    return Collections.unmodifiableList(names);
  }

  private static OptionDoc secretEnv(String prefix, String what) {
    return OptionDoc.optional(
        prefix + ".env",
        Kind.STRING,
        null,
        "Environment variable holding " + what + ". Give one of env, file or secret-arn.");
  }

  private static OptionDoc secretFile(String prefix, String what) {
    return OptionDoc.optional(
        prefix + ".file",
        Kind.STRING,
        null,
        "File holding " + what + " (a trailing line break is ignored).");
  }

  private static OptionDoc secretArn(String prefix, String what) {
    return OptionDoc.optional(
        prefix + ".secret-arn",
        Kind.STRING,
        null,
        "ARN of an AWS Secrets Manager secret holding " + what + ", as plain text or JSON.");
  }

  private static OptionDoc secretKey(String prefix) {
    return OptionDoc.optional(
        prefix + ".secret-key",
        Kind.STRING,
        Secret.DEFAULT_JSON_KEY,
        "Key to read when the Secrets Manager secret is a JSON object.");
  }
}
