package io.tributary.source.postgres;

import io.tributary.change.ChangeEvent;
import io.tributary.change.TableId;
import io.tributary.config.Secret;
import io.tributary.config.SourceConfig;
import io.tributary.source.CapturedTable;
import io.tributary.source.debezium.DebeziumChangeDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;

/**
 * Builds the Flink CDC PostgreSQL sources of a capture: one source (one replication slot, one
 * publication) for all tables with a primary key, and one more for each chunk column name used by
 * tables without one, because the incremental snapshot splits every table of a source on the same
 * chunk column. Tables whose replica identity cannot carry updates and deletes get sources of their
 * own whose publication publishes only inserts and truncates (see {@link
 * CapturedTable#insertOnly()}).
 */
public final class PostgresSources {
  /** Debezium's poll interval for Tributary's sources (see {@link #debeziumProperties}). */
  static final Duration POLL_INTERVAL = Duration.ofMillis(50);

  /** The group of tables that have a primary key. */
  public static final String MAIN_GROUP = "";

  private PostgresSources() {}

  /** Suffix of the group of insert-only tables split on one chunk column. */
  public static final String INSERT_ONLY_SUFFIX = "__inserts";

  /**
   * Tables by source group: {@link #MAIN_GROUP}, the chunk column of keyless tables, or that column
   * with {@link #INSERT_ONLY_SUFFIX} for insert-only tables.
   */
  public static Map<String, List<CapturedTable>> groups(List<CapturedTable> tables) {
    Map<String, List<CapturedTable>> groups = new TreeMap<>();
    for (CapturedTable table : tables) {
      String group =
          table.primaryKey().isEmpty()
              ? table.chunkColumn() + (table.insertOnly() ? INSERT_ONLY_SUFFIX : "")
              : MAIN_GROUP;
      groups.computeIfAbsent(group, g -> new ArrayList<>()).add(table);
    }
    return groups;
  }

  /** Whether a group's publication publishes only inserts and truncates. */
  public static boolean insertOnly(String group) {
    return group.endsWith(INSERT_ONLY_SUFFIX);
  }

  /** The replication slot of a group. */
  public static String slotName(SourceConfig source, String group) {
    return group.isEmpty() ? source.slotName() : sanitize(source.slotName() + "_" + group);
  }

  /** The publication of a group. */
  public static String publicationName(SourceConfig source, String group) {
    return group.isEmpty()
        ? source.publicationName()
        : sanitize(source.publicationName() + "_" + group);
  }

  /** The Flink operator uid of a group's source; never change it. */
  public static String uid(String group) {
    return group.isEmpty() ? "postgres-source" : "postgres-source-" + sanitize(group);
  }

  private static String sanitize(String name) {
    String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    return s.length() > 63 ? s.substring(0, 63) : s;
  }

  /**
   * The key columns of every table, as the preflight check found them (snapshot records of the
   * incremental source carry no key schema, so the key cannot be taken from the records).
   */
  public static Map<TableId, List<String>> keys(List<CapturedTable> tables) {
    Map<TableId, List<String>> keys = new HashMap<>();
    for (CapturedTable table : tables) {
      keys.put(table.id(), table.key());
    }
    return keys;
  }

  /**
   * The regular expression Debezium's table filter matches one table with: its names quoted, so
   * that a {@code $} or other regular-expression character in a name matches itself.
   */
  static String includePattern(TableId id) {
    return Pattern.quote(id.schema()) + "\\." + Pattern.quote(id.table());
  }

  /**
   * The tables whose key is their primary key, or that have no key (append-only): their streamed
   * records' key (the primary key as the source has it) is followed when it changes.
   */
  static Set<TableId> sourceKeyed(List<CapturedTable> tables) {
    Set<TableId> keyed = new HashSet<>();
    for (CapturedTable table : tables) {
      if (table.key().isEmpty() || table.key().equals(table.primaryKey())) {
        keyed.add(table.id());
      }
    }
    return keyed;
  }

  /** The tables whose replica identity is {@code FULL}. */
  static Set<TableId> fullIdentity(List<CapturedTable> tables) {
    Set<TableId> full = new HashSet<>();
    for (CapturedTable table : tables) {
      if ("full".equals(table.replicaIdentity())) {
        full.add(table.id());
      }
    }
    return full;
  }

  /** The source of one group. */
  public static PostgresSourceBuilder.PostgresIncrementalSource<ChangeEvent> build(
      SourceConfig source,
      String group,
      List<CapturedTable> tables,
      Map<TableId, List<String>> keys) {
    String[] tableList = new String[tables.size()];
    List<String> schemas = new ArrayList<>();
    for (int i = 0; i < tables.size(); i++) {
      TableId id = tables.get(i).id();
      tableList[i] = includePattern(id);
      if (!schemas.contains(id.schema())) {
        schemas.add(id.schema());
      }
    }
    Properties debezium = debeziumProperties(source, group);
    PostgresSourceBuilder<ChangeEvent> builder =
        PostgresSourceBuilder.PostgresIncrementalSource.<ChangeEvent>builder()
            .hostname(source.host())
            .port(source.port())
            .database(source.database())
            .schemaList(schemas.toArray(new String[0]))
            .tableList(tableList)
            .username(source.user())
            .password(embeddedPassword(source))
            .slotName(slotName(source, group))
            .decodingPluginName("pgoutput")
            .deserializer(
                new DebeziumChangeDeserializer(
                    keys, fullIdentity(tables), sourceKeyed(tables), LiveColumnCheck.of(source)))
            .splitSize(source.snapshotChunkSize())
            .fetchSize(source.snapshotFetchSize())
            .heartbeatInterval(source.heartbeatInterval())
            .skipSnapshotBackfill(true)
            // Tables added to tableList since the savepoint are snapshotted, then streamed.
            .scanNewlyAddedTableEnabled(true)
            // A partitioned table is read through its root: its partitions are not tables of
            // their own, and its changes (published via the root) arrive under the root's name.
            .includePartitionedTables(true)
            .closeIdleReaders(true)
            .startupOptions(StartupOptions.initial())
            .debeziumProperties(debezium);
    if (!group.isEmpty()) {
      builder.chunkKeyColumn(tables.get(0).chunkColumn());
    }
    return TunedPostgresSource.of(
            builder.build(),
            source.allowWalGap(),
            tables.stream().anyMatch(CapturedTable::slotCreatedAtStart))
        .withSslRootCert(source.sslRootCert());
  }

  /**
   * The password written into the job's definition: none when the configured secret can be read
   * where the connections are opened ({@link SecretPasswordPlugin}); only a password given in code
   * (the local runner, tests) is embedded.
   */
  static String embeddedPassword(SourceConfig source) {
    Secret password = source.password();
    if (password == null || !password.isPresent() || password.reference() != null) {
      return "";
    }
    return password.resolve();
  }

  /** Debezium's properties for the source of one group. */
  static Properties debeziumProperties(SourceConfig source, String group) {
    Properties debezium = new Properties();
    Secret password = source.password();
    if (password != null && password.reference() != null) {
      SecretPasswordPlugin.driverProperties(password)
          .forEach((key, value) -> debezium.setProperty("database." + key, (String) value));
    }
    debezium.setProperty("publication.name", publicationName(source, group));
    debezium.setProperty("publication.autocreate.mode", "disabled");
    debezium.setProperty("decimal.handling.mode", "precise");
    debezium.setProperty("time.precision.mode", "adaptive_time_microseconds");
    debezium.setProperty("binary.handling.mode", "bytes");
    debezium.setProperty("interval.handling.mode", "string");
    debezium.setProperty("hstore.handling.mode", "json");
    // numeric without precision: exact text with its scale (Debezium's precise mode strips zeros).
    debezium.setProperty("converters", NumericConverter.NAME);
    debezium.setProperty(NumericConverter.NAME + ".type", NumericConverter.class.getName());
    debezium.setProperty("column.propagate.source.type", ".*");
    debezium.setProperty("include.unknown.datatypes", "true");
    debezium.setProperty("tombstones.on.delete", "false");
    // TRUNCATE reaches the job as an event of each truncated table (pgoutput only).
    debezium.setProperty("truncate.handling.mode", "include");
    // How long Debezium's WAL reader sleeps when it finds no message, and how long the split
    // fetcher waits for a batch of changes to fill up: Debezium's default of 500 ms adds up to a
    // second to every change's latency, and up to a second between two snapshot chunks (the last
    // rows of a chunk wait for a batch that never fills). 50 ms costs a few idle wake-ups a second.
    debezium.setProperty("poll.interval.ms", Long.toString(POLL_INTERVAL.toMillis()));
    slotRetries(debezium);
    if (source.sslMode() != null) {
      debezium.setProperty("database.sslmode", source.sslMode().libpqName());
    }
    if (source.sslRootCert() != null) {
      debezium.setProperty("database.sslrootcert", source.sslRootCert().localFile().toString());
    }
    return debezium;
  }

  /**
   * Debezium waits 10 s before it retries a replication slot that is still active, and it hits that
   * when it reconnects right after looking up its start position in the WAL (the old walsender has
   * not let go of the slot yet): every start of the stream could stall 10 s. Retry every 250 ms
   * instead, for the same minute in all.
   */
  public static void slotRetries(Properties debezium) {
    debezium.setProperty("slot.retry.delay.ms", "250");
    debezium.setProperty("slot.max.retries", "240");
  }
}
