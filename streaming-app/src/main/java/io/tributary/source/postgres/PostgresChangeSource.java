package io.tributary.source.postgres;

import io.tributary.change.ChangeEvent;
import io.tributary.change.TableId;
import io.tributary.config.TributaryConfig;
import io.tributary.source.CapturedTable;
import io.tributary.source.ChangeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * PostgreSQL as a {@link ChangeSource}: the {@link SourcePreflight} check, which creates the
 * replication slots that do not exist yet, then one incremental source per slot group ({@code
 * postgres-source*} uids) and the {@link NewTableWatcher}.
 */
public final class PostgresChangeSource implements ChangeSource {
  /** Uid of the operator that looks for new source tables while the job runs. */
  public static final String NEW_TABLE_WATCHER_UID = "new-table-watcher";

  @Override
  public Plan check(TributaryConfig config, Predicate<TableId> lakeAppendOnly) {
    SourcePreflight preflight = new SourcePreflight(config.source(), config.tables());
    List<CapturedTable> tables = preflight.lakeAppendOnly(lakeAppendOnly).run();
    Set<String> refused = new TreeSet<>();
    preflight.refused().keySet().forEach(id -> refused.add(id.qualified()));
    Set<String> created = SourcePreflight.createMissingSlots(config.source(), tables);
    Map<String, List<CapturedTable>> groups = PostgresSources.groups(tables);
    List<CapturedTable> marked = new ArrayList<>();
    for (Map.Entry<String, List<CapturedTable>> group : groups.entrySet()) {
      boolean slotCreated =
          created.contains(PostgresSources.slotName(config.source(), group.getKey()));
      for (CapturedTable table : group.getValue()) {
        marked.add(slotCreated ? table.withSlotCreatedAtStart() : table);
      }
    }
    return new Plan(marked, refused);
  }

  @Override
  public DataStream<ChangeEvent> addTo(
      StreamExecutionEnvironment env,
      TributaryConfig config,
      List<CapturedTable> tables,
      Set<String> refused,
      int parallelism) {
    Map<TableId, List<String>> keys = PostgresSources.keys(tables);
    DataStream<ChangeEvent> events = null;
    for (Map.Entry<String, List<CapturedTable>> group : PostgresSources.groups(tables).entrySet()) {
      String uid = PostgresSources.uid(group.getKey());
      DataStreamSource<ChangeEvent> stream =
          env.fromSource(
              PostgresSources.build(config.source(), group.getKey(), group.getValue(), keys),
              WatermarkStrategy.noWatermarks(),
              uid);
      stream.uid(uid);
      if (parallelism > 0) {
        stream.setParallelism(parallelism);
      }
      events = events == null ? stream : events.union(stream);
    }

    // New matching tables are captured from the next start; warn about them meanwhile.
    env.fromSource(
            new NewTableWatcher(config.source(), config.tables(), tables, refused),
            WatermarkStrategy.noWatermarks(),
            NEW_TABLE_WATCHER_UID,
            TypeInformation.of(String.class))
        .uid(NEW_TABLE_WATCHER_UID)
        .setParallelism(1)
        .sinkTo(new DiscardingSink<>())
        .uid(NEW_TABLE_WATCHER_UID + "-sink")
        .setParallelism(1)
        .name(NEW_TABLE_WATCHER_UID + "-sink");
    return events;
  }
}
