package io.tributary.local;

import io.tributary.catalog.CatalogSpec;
import io.tributary.config.SourceConfig;
import io.tributary.source.postgres.PostgresSources;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;
import org.apache.flink.cdc.debezium.table.DebeziumChangelogMode;
import org.apache.flink.cdc.debezium.table.RowDataDebeziumDeserializeSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.sink.FlinkSink;
import org.apache.iceberg.types.Types;

/**
 * The benchmark's reference pipeline: the same CDC source with its stock row deserializer into
 * Iceberg's own {@code FlinkSink} in upsert mode, one table, as a user would assemble it without
 * Tributary. Used only by {@link Benchmark}.
 */
final class PlainPipeline {
  private PlainPipeline() {}

  private static final RowType ROW =
      RowType.of(
          new LogicalType[] {
            new BigIntType(false),
            new IntType(),
            new IntType(),
            new VarCharType(VarCharType.MAX_LENGTH),
            new VarCharType(VarCharType.MAX_LENGTH),
            new DecimalType(12, 2),
            new TimestampType(6)
          },
          new String[] {"id", "a", "b", "c", "d", "amount", "ts"});

  /** Creates the reference table for the bench table's columns. */
  static Table createTable(Catalog catalog, TableIdentifier id) {
    Schema schema =
        new Schema(
            List.of(
                Types.NestedField.required(1, "id", Types.LongType.get()),
                Types.NestedField.optional(2, "a", Types.IntegerType.get()),
                Types.NestedField.optional(3, "b", Types.IntegerType.get()),
                Types.NestedField.optional(4, "c", Types.StringType.get()),
                Types.NestedField.optional(5, "d", Types.StringType.get()),
                Types.NestedField.optional(6, "amount", Types.DecimalType.of(12, 2)),
                Types.NestedField.optional(7, "ts", Types.TimestampType.withoutZone())),
            Set.of(1));
    return catalog.createTable(
        id, schema, PartitionSpec.unpartitioned(), Map.of("format-version", "2"));
  }

  /** Starts the reference job on the bench table. */
  static JobClient start(
      StreamExecutionEnvironment env,
      SourceConfig source,
      String table,
      String slot,
      String publication,
      CatalogSpec catalog,
      TableIdentifier target)
      throws Exception {
    Properties debezium = new Properties();
    debezium.setProperty("publication.name", publication);
    debezium.setProperty("publication.autocreate.mode", "disabled");
    debezium.setProperty("decimal.handling.mode", "precise");
    // The same slot retry as Tributary's, so that neither pipeline pays a random 10 s stall.
    PostgresSources.slotRetries(debezium);
    RowDataDebeziumDeserializeSchema deserializer =
        RowDataDebeziumDeserializeSchema.newBuilder()
            .setPhysicalRowType(ROW)
            .setResultTypeInfo(InternalTypeInfo.of(ROW))
            // Updates without a before-image (REPLICA IDENTITY DEFAULT) into an upsert sink.
            .setChangelogMode(DebeziumChangelogMode.UPSERT)
            .build();
    PostgresSourceBuilder.PostgresIncrementalSource<RowData> cdc =
        PostgresSourceBuilder.PostgresIncrementalSource.<RowData>builder()
            .hostname(source.host())
            .port(source.port())
            .database(source.database())
            .schemaList("public")
            .tableList("public\\." + table)
            .username(source.user())
            .password("")
            .slotName(slot)
            .decodingPluginName("pgoutput")
            .deserializer(deserializer)
            .splitSize(source.snapshotChunkSize())
            .fetchSize(source.snapshotFetchSize())
            .skipSnapshotBackfill(true)
            .startupOptions(StartupOptions.initial())
            .debeziumProperties(debezium)
            .build();
    DataStream<RowData> rows =
        env.fromSource(cdc, WatermarkStrategy.noWatermarks(), "plain-source").setParallelism(2);
    TableLoader loader =
        TableLoader.fromCatalog(
            CatalogLoader.custom(
                CatalogSpec.CATALOG_NAME,
                catalog.resolvedProperties(),
                new Configuration(false),
                catalog.properties().get("catalog-impl")),
            target);
    FlinkSink.forRowData(rows)
        .tableLoader(loader)
        .upsert(true)
        .equalityFieldColumns(List.of("id"))
        .writeParallelism(2)
        .append();
    return env.executeAsync("plain-reference");
  }
}
