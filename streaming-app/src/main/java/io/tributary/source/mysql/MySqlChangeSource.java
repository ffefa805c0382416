package io.tributary.source.mysql;

import io.tributary.change.ChangeEvent;
import io.tributary.change.TableId;
import io.tributary.config.Secret;
import io.tributary.config.SourceConfig;
import io.tributary.config.TributaryConfig;
import io.tributary.source.CapturedTable;
import io.tributary.source.ChangeSource;
import io.tributary.source.debezium.DebeziumChangeDeserializer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.cdc.connectors.mysql.source.MySqlSource;
import org.apache.flink.cdc.connectors.mysql.table.StartupOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * MySQL and MariaDB as a {@link ChangeSource}: the {@link MySqlPreflight} check, then Flink CDC's
 * MySQL incremental source (a parallel, lock-free snapshot of every table, then the binlog from the
 * snapshot's start) under the uid {@value #UID}, its records turned into the same change events as
 * PostgreSQL's.
 */
public final class MySqlChangeSource implements ChangeSource {
  /** Uid of the source operator; part of the savepoint format. */
  public static final String UID = "mysql-source";

  @Override
  public Plan check(TributaryConfig config, Predicate<TableId> lakeAppendOnly) {
    MySqlPreflight preflight = new MySqlPreflight(config.source(), config.tables());
    List<CapturedTable> tables = preflight.run();
    Set<String> refused = new TreeSet<>();
    preflight.refused().keySet().forEach(id -> refused.add(id.qualified()));
    return new Plan(tables, refused);
  }

  @Override
  public DataStream<ChangeEvent> addTo(
      StreamExecutionEnvironment env,
      TributaryConfig config,
      List<CapturedTable> tables,
      Set<String> refused,
      int parallelism) {
    DataStreamSource<ChangeEvent> stream =
        env.fromSource(build(config.source(), tables), WatermarkStrategy.noWatermarks(), UID);
    stream.uid(UID);
    if (parallelism > 0) {
      stream.setParallelism(parallelism);
    }
    return stream;
  }

  /** The incremental source of the tables. */
  static MySqlSource<ChangeEvent> build(SourceConfig source, List<CapturedTable> tables) {
    List<String> databases = new ArrayList<>();
    String[] tableList = new String[tables.size()];
    Map<TableId, List<String>> keys = new HashMap<>();
    Set<TableId> all = new HashSet<>();
    for (int i = 0; i < tables.size(); i++) {
      TableId id = tables.get(i).id();
      tableList[i] = tablePattern(id);
      if (!databases.contains(id.schema())) {
        databases.add(id.schema());
      }
      keys.put(id, tables.get(i).key());
      all.add(id);
    }
    return MySqlSource.<ChangeEvent>builder()
        .hostname(source.host())
        .port(source.port())
        .databaseList(databases.toArray(new String[0]))
        .tableList(tableList)
        .username(source.user())
        .password(password(source))
        .serverId(source.serverId().toString())
        // The job reads and the lake stores DATETIME and TIMESTAMP values in UTC.
        .serverTimeZone("UTC")
        // Every table's rows arrive whole (binlog_row_image=FULL, checked by the preflight), and
        // its key is its primary key, which the streamed records' keys follow.
        .deserializer(new DebeziumChangeDeserializer(keys, all, all))
        .splitSize(source.snapshotChunkSize())
        .fetchSize(source.snapshotFetchSize())
        .heartbeatInterval(source.heartbeatInterval())
        // As for PostgreSQL: snapshot rows are written as read, and the binlog from the first
        // chunk's start is applied over them (every change carries its whole row).
        .skipSnapshotBackfill(true)
        .scanNewlyAddedTableEnabled(true)
        .closeIdleReaders(true)
        .includeSchemaChanges(false)
        .startupOptions(StartupOptions.initial())
        .jdbcProperties(jdbcProperties())
        .debeziumProperties(debeziumProperties())
        .build();
  }

  /**
   * The regular expression Flink CDC matches one table with ({@code db.table}): every character
   * other than a letter, digit or underscore escaped, so that it matches itself.
   */
  static String tablePattern(TableId id) {
    return escape(id.schema()) + "\\." + escape(id.table());
  }

  private static String escape(String name) {
    StringBuilder escaped = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!Character.isLetterOrDigit(c) && c != '_') {
        escaped.append('\\');
      }
      escaped.append(c);
    }
    return escaped.toString();
  }

  /**
   * The password written into the job's definition. Only a password given in code or an environment
   * variable or file (local runs, tests) can be read here; a Secrets Manager password is read on
   * the client too, as the MySQL source takes no password plugin.
   */
  private static String password(SourceConfig source) {
    Secret password = source.password();
    return password == null || !password.isPresent() ? "" : password.resolve();
  }

  private static Properties jdbcProperties() {
    Properties jdbc = new Properties();
    jdbc.setProperty("sslMode", "DISABLED");
    jdbc.setProperty("connectionTimeZone", "UTC");
    jdbc.setProperty("forceConnectionTimeZoneToSession", "true");
    return jdbc;
  }

  /** Debezium's properties, as for PostgreSQL where the two share a meaning. */
  static Properties debeziumProperties() {
    Properties debezium = new Properties();
    debezium.setProperty("decimal.handling.mode", "precise");
    debezium.setProperty("time.precision.mode", "adaptive_time_microseconds");
    debezium.setProperty("binary.handling.mode", "bytes");
    debezium.setProperty("bigint.unsigned.handling.mode", "precise");
    debezium.setProperty("tombstones.on.delete", "false");
    debezium.setProperty("include.unknown.datatypes", "true");
    return debezium;
  }
}
