package io.tributary.config;

import io.tributary.config.RawConfig.TableEntry;
import io.tributary.config.RawConfig.Value;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Turns a {@link RawConfig} into a {@link TributaryConfig}: parses every value to its type and runs
 * the builders' validation, collecting every problem before failing.
 */
final class ConfigBinder {

  private final RawConfig raw;
  private final Problems problems = new Problems();

  /** Canonical keys, longest first, to find the line a builder's message is about. */
  private final List<String> keysByLength;

  private ConfigBinder(RawConfig raw) {
    this.raw = raw;
    this.keysByLength = new ArrayList<>(raw.values.keySet());
    this.keysByLength.sort(Comparator.comparingInt(String::length).reversed());
  }

  /**
   * Binds {@code raw}.
   *
   * @param context what was read, for the exception message, e.g. "Invalid configuration file x"
   * @throws ConfigException listing every problem of reading and of validation
   */
  static TributaryConfig bind(RawConfig raw, String context) {
    return new ConfigBinder(raw).bind(context);
  }

  private TributaryConfig bind(String context) {
    problems.addAll(raw.problems.list());
    SourceConfig bound = build(this::source);
    TableSelection tables = build(this::tables);
    CatalogConfig catalog = build(this::catalog);
    S3Config s3 = build(this::s3);
    SinkConfig sink = catalog == null || s3 == null ? null : build(() -> sink(catalog, s3));
    // An s3:// certificate is read with the lake's S3 settings (endpoint, keys).
    SourceConfig source =
        bound == null || bound.sslRootCert() == null || s3 == null
            ? bound
            : bound.toBuilder().sslRootCert(bound.sslRootCert().withS3(s3)).build();
    JobConfig job = build(this::job);
    ControlConfig control = build(this::control);
    problems.throwIfAny(context);
    TributaryConfig[] config = new TributaryConfig[1];
    problems.collect(
        () ->
            config[0] =
                TributaryConfig.builder()
                    .source(source)
                    .tables(tables)
                    .sink(sink)
                    .job(job)
                    .control(control)
                    .build());
    problems.throwIfAny(context);
    return config[0];
  }

  private SourceConfig source() {
    SourceConfig.Builder b = SourceConfig.builder();
    text(ConfigOptions.SOURCE_TYPE, b::type);
    text(ConfigOptions.SOURCE_HOST, b::host);
    integer(ConfigOptions.SOURCE_PORT, b::port);
    text(ConfigOptions.SOURCE_DATABASE, b::database);
    text(ConfigOptions.SOURCE_USER, b::user);
    secret("source.password", b::password);
    choice(ConfigOptions.SOURCE_SSL_MODE, SslMode::fromName, SslMode.validNames(), b::sslMode);
    Value rootCert = raw.values.get(ConfigOptions.SOURCE_SSL_ROOT_CERT.key());
    if (rootCert != null) {
      try {
        b.sslRootCert(SslRootCert.parse(rootCert.text));
      } catch (ConfigException e) {
        problems.add(rootCert.problem(e.getMessage()));
      }
    }
    text(ConfigOptions.SOURCE_SLOT_NAME, b::slotName);
    text(ConfigOptions.SOURCE_PUBLICATION_NAME, b::publicationName);
    duration(ConfigOptions.SOURCE_HEARTBEAT_INTERVAL, b::heartbeatInterval);
    duration(ConfigOptions.SOURCE_NEW_TABLE_CHECK_INTERVAL, b::newTableCheckInterval);
    integer(ConfigOptions.SOURCE_SNAPSHOT_CHUNK_SIZE, b::snapshotChunkSize);
    integer(ConfigOptions.SOURCE_SNAPSHOT_FETCH_SIZE, b::snapshotFetchSize);
    bool(ConfigOptions.SOURCE_ALLOW_WAL_GAP, b::allowWalGap);
    Value serverId = raw.values.get(ConfigOptions.SOURCE_SERVER_ID.key());
    if (serverId != null) {
      try {
        b.serverId(ServerIdRange.parse(serverId.text));
      } catch (ConfigException e) {
        problems.add(serverId.problem(e.getMessage()));
      }
    }
    return b.build();
  }

  private TableSelection tables() {
    TableSelection.Builder b = TableSelection.builder();
    list(ConfigOptions.TABLES_INCLUDE, Values::splitList, b::include);
    list(ConfigOptions.TABLES_EXCLUDE, Values::splitList, b::exclude);
    choice(
        ConfigOptions.TABLES_TRUNCATE,
        TruncateMode::fromName,
        TruncateMode.validNames(),
        b::truncate);
    duration(ConfigOptions.TABLES_FRESHNESS_TARGET, b::freshnessTarget);
    for (Map.Entry<String, TableEntry> table : raw.tables.entrySet()) {
      TableOptions options = tableOptions(table.getValue());
      if (options != null) {
        b.option(table.getKey(), options);
      }
    }
    return b.build();
  }

  private TableOptions tableOptions(TableEntry entry) {
    TableOptions.Builder b = TableOptions.builder();
    Map<String, Value> values = entry.options;
    tableList(values.get("partition-spec"), Values::splitTerms, b::partitionSpec);
    tableList(values.get("key-columns"), Values::splitList, b::keyColumns);
    Value changelog = values.get("changelog");
    if (changelog != null) {
      Boolean parsed = parseBoolean(changelog);
      if (parsed != null) {
        b.changelog(parsed);
      }
    }
    Value mode = values.get("mode");
    if (mode != null) {
      tableChoice(mode, TableMode::fromName, TableMode.validNames(), b::mode);
    }
    Value truncate = values.get("truncate");
    if (truncate != null) {
      tableChoice(truncate, TruncateMode::fromName, TruncateMode.validNames(), b::truncate);
    }
    Value freshness = values.get("freshness-target");
    if (freshness != null) {
      Duration parsed = parseDuration(freshness);
      if (parsed != null) {
        b.freshnessTarget(parsed);
      }
    }
    try {
      return b.build();
    } catch (ConfigException e) {
      for (String problem : e.problems()) {
        String option = problem.substring(0, Math.max(0, problem.indexOf(':')));
        Value value = values.get(option);
        String location = value == null ? entry.location : value.location;
        problems.add(RawConfig.at(location, entry.key + "." + problem));
      }
      return null;
    }
  }

  private <E> void tableChoice(
      Value value, Function<String, E> parse, String validNames, Consumer<E> setter) {
    E parsed = value.text == null ? null : parse.apply(value.text);
    if (parsed == null) {
      problems.add(
          value.problem(
              value.key
                  + ": '"
                  + (value.text == null ? String.join(", ", value.items) : value.text)
                  + "' is not valid: use one of "
                  + validNames));
    } else {
      setter.accept(parsed);
    }
  }

  private void tableList(
      Value value, Function<String, List<String>> split, Consumer<List<String>> setter) {
    if (value != null) {
      setter.accept(value.items != null ? value.items : split.apply(value.text));
    }
  }

  private CatalogConfig catalog() {
    CatalogConfig.Builder b = CatalogConfig.builder();
    choice(
        ConfigOptions.SINK_CATALOG_TYPE, CatalogType::fromName, CatalogType.validNames(), b::type);
    text(ConfigOptions.SINK_CATALOG_URI, b::uri);
    text(ConfigOptions.SINK_CATALOG_USER, b::user);
    secret("sink.catalog.password", b::password);
    text(ConfigOptions.SINK_CATALOG_GLUE_CATALOG_ID, b::glueCatalogId);
    Map<String, String> properties = new LinkedHashMap<>();
    for (Map.Entry<String, Value> value : raw.values.entrySet()) {
      if (value.getKey().startsWith(ConfigOptions.CATALOG_PROPERTIES_PREFIX)) {
        properties.put(
            value.getKey().substring(ConfigOptions.CATALOG_PROPERTIES_PREFIX.length()),
            value.getValue().text.trim());
      }
    }
    b.properties(properties);
    return b.build();
  }

  private S3Config s3() {
    S3Config.Builder b = S3Config.builder();
    text(ConfigOptions.SINK_S3_ENDPOINT, b::endpoint);
    bool(ConfigOptions.SINK_S3_PATH_STYLE_ACCESS, b::pathStyleAccess);
    text(ConfigOptions.SINK_S3_REGION, b::region);
    text(ConfigOptions.SINK_S3_ACCESS_KEY_ID, b::accessKeyId);
    secret("sink.s3.secret-access-key", b::secretAccessKey);
    return b.build();
  }

  private SinkConfig sink(CatalogConfig catalog, S3Config s3) {
    SinkConfig.Builder b = SinkConfig.builder().catalog(catalog).s3(s3);
    text(ConfigOptions.SINK_WAREHOUSE, b::warehouse);
    text(ConfigOptions.SINK_NAMESPACE, b::namespace);
    integer(ConfigOptions.SINK_COMMIT_THREADS, b::commitThreads);
    return b.build();
  }

  private JobConfig job() {
    JobConfig.Builder b = JobConfig.builder();
    text(ConfigOptions.JOB_NAME, b::name);
    duration(ConfigOptions.JOB_CHECKPOINT_INTERVAL, b::checkpointInterval);
    integer(ConfigOptions.JOB_PARALLELISM, b::parallelism);
    text(ConfigOptions.JOB_CHECKPOINT_DIR, b::checkpointDir);
    duration(ConfigOptions.JOB_SOURCE_POLL_INTERVAL, b::sourcePollInterval);
    return b.build();
  }

  /** The control section, or null when none of its keys is given. */
  private ControlConfig control() {
    if (ConfigOptions.fixedKeys("control.").stream().noneMatch(raw.values::containsKey)) {
      return null;
    }
    ControlConfig.Builder b = ControlConfig.builder();
    text(ConfigOptions.CONTROL_TABLE_NAME, b::tableName);
    text(ConfigOptions.CONTROL_REGION, b::region);
    text(ConfigOptions.CONTROL_ENDPOINT, b::endpoint);
    duration(ConfigOptions.CONTROL_HISTORY_RETENTION, b::historyRetention);
    return b.build();
  }

  // ---- typed values ----

  private void text(OptionDoc option, Consumer<String> setter) {
    Value value = raw.values.get(option.key());
    if (value != null) {
      setter.accept(value.text);
    }
  }

  private void integer(OptionDoc option, IntConsumer setter) {
    Value value = raw.values.get(option.key());
    if (value == null) {
      return;
    }
    Integer parsed = Values.parseInt(value.text);
    if (parsed == null) {
      problems.add(value.problem(value.key + ": '" + value.text + "' is not a whole number"));
    } else {
      setter.accept(parsed);
    }
  }

  private void bool(OptionDoc option, Consumer<Boolean> setter) {
    Value value = raw.values.get(option.key());
    if (value != null) {
      Boolean parsed = parseBoolean(value);
      if (parsed != null) {
        setter.accept(parsed);
      }
    }
  }

  private Boolean parseBoolean(Value value) {
    Boolean parsed = value.text == null ? null : Values.parseBoolean(value.text);
    if (parsed == null) {
      problems.add(
          value.problem(
              value.key
                  + ": '"
                  + (value.text == null ? String.join(", ", value.items) : value.text)
                  + "' is not a boolean: write true or false"));
    }
    return parsed;
  }

  private void duration(OptionDoc option, Consumer<Duration> setter) {
    Value value = raw.values.get(option.key());
    if (value == null) {
      return;
    }
    Duration parsed = parseDuration(value);
    if (parsed != null) {
      setter.accept(parsed);
    }
  }

  /** A positive duration, or null after recording the problem. */
  private Duration parseDuration(Value value) {
    Duration parsed = value.text == null ? null : Values.parseDuration(value.text);
    if (parsed == null) {
      problems.add(
          value.problem(
              value.key
                  + ": '"
                  + value.text
                  + "' is not a duration: write e.g. 500ms, 30s, 5m, 1h or PT30S"));
      return null;
    }
    if (parsed.isZero() || parsed.isNegative()) {
      problems.add(value.problem(value.key + " must be greater than zero, e.g. 30s"));
      return null;
    }
    return parsed;
  }

  private <E> void choice(
      OptionDoc option, Function<String, E> parse, String validNames, Consumer<E> setter) {
    Value value = raw.values.get(option.key());
    if (value == null) {
      return;
    }
    E parsed = parse.apply(value.text);
    if (parsed == null) {
      problems.add(
          value.problem(
              value.key + ": '" + value.text + "' is not valid: use one of " + validNames));
    } else {
      setter.accept(parsed);
    }
  }

  private void list(
      OptionDoc option, Function<String, List<String>> split, Consumer<List<String>> setter) {
    Value value = raw.values.get(option.key());
    if (value != null) {
      setter.accept(value.items != null ? value.items : split.apply(value.text));
    }
  }

  /** Reads {@code prefix.env}, {@code .file}, {@code .secret-arn} and {@code .secret-key}. */
  private void secret(String prefix, Consumer<Secret> setter) {
    Value env = raw.values.get(prefix + ".env");
    Value file = raw.values.get(prefix + ".file");
    Value arn = raw.values.get(prefix + ".secret-arn");
    Value jsonKey = raw.values.get(prefix + ".secret-key");
    List<Value> given = new ArrayList<>();
    for (Value value : new Value[] {env, file, arn}) {
      if (value != null) {
        given.add(value);
      }
    }
    if (jsonKey != null && arn == null) {
      problems.add(
          jsonKey.problem(
              jsonKey.key
                  + " is only used with "
                  + prefix
                  + ".secret-arn: add the secret ARN or remove secret-key"));
    }
    if (given.size() > 1) {
      List<String> keys = new ArrayList<>();
      for (Value value : given) {
        keys.add(value.key);
      }
      problems.add(
          given
              .get(1)
              .problem(
                  prefix
                      + " is given in more than one way ("
                      + String.join(", ", keys)
                      + "): keep exactly one of env, file or secret-arn"));
      return;
    }
    if (given.isEmpty()) {
      return;
    }
    Value value = given.get(0);
    try {
      Secret secret;
      if (value == env) {
        secret = Secret.ofEnv(value.text.trim());
      } else if (value == file) {
        secret = Secret.ofFile(Path.of(value.text.trim()));
      } else {
        secret =
            Secret.ofSecretsManager(
                value.text.trim(), jsonKey == null ? null : jsonKey.text.trim());
      }
      setter.accept(secret);
    } catch (ConfigException | InvalidPathException e) {
      problems.add(value.problem(value.key + ": " + e.getMessage()));
    }
  }

  // ---- builders ----

  /** Runs a builder; on failure records its problems, with the line of the key they name. */
  private <T> T build(Supplier<T> builder) {
    try {
      return builder.get();
    } catch (ConfigException e) {
      for (String problem : e.problems()) {
        problems.add(RawConfig.at(locationOf(problem), problem));
      }
      return null;
    }
  }

  private String locationOf(String problem) {
    for (String key : keysByLength) {
      if (problem.startsWith(key)
          && (problem.length() == key.length() || !isKeyChar(problem.charAt(key.length())))) {
        return raw.values.get(key).location;
      }
    }
    return null;
  }

  private static boolean isKeyChar(char c) {
    return Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_';
  }
}
