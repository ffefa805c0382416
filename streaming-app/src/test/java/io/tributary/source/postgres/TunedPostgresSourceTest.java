package io.tributary.source.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.data.Envelope;
import io.debezium.relational.TableId;
import io.tributary.config.Secret;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.cdc.connectors.base.config.JdbcSourceConfig;
import org.apache.flink.cdc.connectors.base.config.SourceConfig;
import org.apache.flink.cdc.connectors.base.source.IncrementalSource;
import org.apache.flink.cdc.connectors.base.source.meta.offset.Offset;
import org.apache.flink.cdc.connectors.base.source.meta.split.SnapshotSplit;
import org.apache.flink.cdc.connectors.base.source.meta.split.SnapshotSplitState;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceRecords;
import org.apache.flink.cdc.connectors.base.source.meta.split.StreamSplit;
import org.apache.flink.cdc.connectors.base.source.meta.split.StreamSplitState;
import org.apache.flink.cdc.connectors.base.source.meta.wartermark.WatermarkEvent;
import org.apache.flink.cdc.connectors.base.source.meta.wartermark.WatermarkKind;
import org.apache.flink.cdc.connectors.base.source.metrics.SourceReaderMetrics;
import org.apache.flink.cdc.connectors.base.source.reader.IncrementalSourceRecordEmitter;
import org.apache.flink.cdc.connectors.base.source.reader.external.FetchTask;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;
import org.apache.flink.cdc.connectors.postgres.source.offset.PostgresOffset;
import org.apache.flink.cdc.connectors.postgres.source.offset.PostgresOffsetFactory;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Schema;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Struct;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.source.SourceRecord;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tuned source reads like Flink CDC's own: the batch emitter leaves the same stream position
 * and emits the same changes as the stock emitter, and the fetcher's lazy positions compare like
 * the stock ones.
 */
class TunedPostgresSourceTest {
  private static final Schema KEY =
      SchemaBuilder.struct().name("bench.public.t.Key").field("id", Schema.INT64_SCHEMA).build();
  private static final Schema ROW =
      SchemaBuilder.struct().name("bench.public.t.Value").field("id", Schema.INT64_SCHEMA).build();
  private static final Schema SOURCE =
      SchemaBuilder.struct()
          .name("io.debezium.connector.postgresql.Source")
          .field("ts_ms", Schema.INT64_SCHEMA)
          .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
          .build();
  private static final Envelope ENVELOPE =
      Envelope.defineSchema()
          .withName("bench.public.t.Envelope")
          .withRecord(ROW)
          .withSource(SOURCE)
          .build();
  private static final Schema HEARTBEAT_KEY =
      SchemaBuilder.struct()
          .name("io.debezium.connector.common.ServerNameKey")
          .field("serverName", Schema.STRING_SCHEMA)
          .build();
  private static final Schema HEARTBEAT =
      SchemaBuilder.struct()
          .name("io.debezium.connector.common.Heartbeat")
          .field("ts_ms", Schema.INT64_SCHEMA)
          .build();

  private static Map<String, Object> offset(long lsn) {
    Map<String, Object> offset = new HashMap<>();
    offset.put("lsn", lsn);
    offset.put("txId", lsn / 10);
    offset.put("ts_usec", 1_700_000_000_000_000L + lsn);
    offset.put("lsn_proc", lsn);
    offset.put("lsn_commit", lsn - 1);
    return offset;
  }

  private static SourceRecord change(long lsn) {
    Struct row = new Struct(ROW).put("id", lsn);
    Struct source = new Struct(SOURCE).put("ts_ms", 1_700_000_000_000L).put("lsn", lsn);
    return record(
        lsn,
        "bench.public.t",
        new Struct(KEY).put("id", lsn),
        ENVELOPE.create(row, source, Instant.ofEpochMilli(1_700_000_000_500L)));
  }

  private static SourceRecord record(long lsn, String topic, Struct key, Struct value) {
    return new SourceRecord(
        Map.of("server", "bench"),
        offset(lsn),
        topic,
        null,
        key.schema(),
        key,
        value.schema(),
        value);
  }

  private static SourceRecord heartbeat(long lsn) {
    return record(
        lsn,
        "__debezium-heartbeat.bench",
        new Struct(HEARTBEAT_KEY).put("serverName", "bench"),
        new Struct(HEARTBEAT).put("ts_ms", 1_700_000_000_000L));
  }

  /** Emits the LSN in each change's source offset. */
  private static final class LsnDeserializer implements DebeziumDeserializationSchema<Long> {
    @Override
    public void deserialize(SourceRecord record, Collector<Long> out) {
      out.collect(((Number) record.sourceOffset().get("lsn")).longValue());
    }

    @Override
    public TypeInformation<Long> getProducedType() {
      return Types.LONG;
    }
  }

  private static final class ListOutput implements SourceOutput<Long> {
    final List<Long> values = new ArrayList<>();

    @Override
    public void collect(Long record) {
      values.add(record);
    }

    @Override
    public void collect(Long record, long timestamp) {
      values.add(record);
    }

    @Override
    public void emitWatermark(Watermark watermark) {}

    @Override
    public void markIdle() {}

    @Override
    public void markActive() {}
  }

  private static StreamSplitState streamState(PostgresOffsetFactory offsets) {
    return new StreamSplitState(
        new StreamSplit(
            "stream-split",
            offsets.newOffset(Map.of("lsn", "1")),
            offsets.createNoStoppingOffset(),
            new ArrayList<>(),
            new HashMap<>(),
            0));
  }

  @Test
  void batchEmitterLeavesTheSamePositionAndChangesAsTheStockEmitter() throws Exception {
    PostgresOffsetFactory offsets = new PostgresOffsetFactory();
    IncrementalSourceRecordEmitter<Long> stock =
        new IncrementalSourceRecordEmitter<>(
            new LsnDeserializer(),
            new SourceReaderMetrics(UnregisteredMetricsGroup.createSourceReaderMetricGroup()),
            false,
            offsets);
    BatchPositionEmitter<Long> batch =
        new BatchPositionEmitter<>(
            new LsnDeserializer(),
            new SourceReaderMetrics(UnregisteredMetricsGroup.createSourceReaderMetricGroup()),
            false,
            offsets);
    StreamSplitState stockState = streamState(offsets);
    StreamSplitState batchState = streamState(offsets);
    ListOutput stockOut = new ListOutput();
    ListOutput batchOut = new ListOutput();

    List<List<SourceRecord>> batches =
        List.of(
            List.of(change(10), change(11), change(12)),
            List.of(change(20), heartbeat(25), change(30)),
            List.of(change(40), heartbeat(45)),
            List.of(heartbeat(50)),
            List.of(),
            List.of(change(60)));
    for (List<SourceRecord> records : batches) {
      stock.emitRecord(new SourceRecords(records), stockOut, stockState);
      batch.emitRecord(new SourceRecords(records), batchOut, batchState);
      assertThat(batchState.getStartingOffset()).isEqualTo(stockState.getStartingOffset());
    }
    assertThat(batchOut.values)
        .isEqualTo(stockOut.values)
        .containsExactly(10L, 11L, 12L, 20L, 30L, 40L, 60L);
    assertThat(batchState.getStartingOffset().getOffset()).containsEntry("lsn", "60");
  }

  private static SourceRecord watermark(long lsn, String split, WatermarkKind kind) {
    return WatermarkEvent.create(
        Map.of("server", "bench"),
        "bench.public.t",
        split,
        kind,
        new PostgresOffsetFactory().newOffset(Map.of("lsn", Long.toString(lsn))));
  }

  private static SnapshotSplitState snapshotState(String split) {
    return new SnapshotSplitState(
        new SnapshotSplit(
            new TableId(null, "public", "t"),
            split,
            RowType.of(new BigIntType()),
            null,
            null,
            null,
            new HashMap<>()));
  }

  /**
   * The rows of a snapshot chunk that arrive in several batches are emitted together when the
   * chunk's high watermark arrives, so that no checkpoint falls between two of them; with a memory
   * budget of nothing they go through a local file and come back in order.
   */
  @Test
  void snapshotChunkIsEmittedWholeAtItsHighWatermark(@TempDir Path dir) throws Exception {
    for (long budget : new long[] {SnapshotChunkBuffer.DEFAULT_MEMORY_BUDGET, 0}) {
      BatchPositionEmitter<Long> emitter =
          new BatchPositionEmitter<>(
              new LsnDeserializer(),
              new SourceReaderMetrics(UnregisteredMetricsGroup.createSourceReaderMetricGroup()),
              false,
              new PostgresOffsetFactory(),
              budget,
              dir);
      SnapshotSplitState state = snapshotState("t:0");
      ListOutput out = new ListOutput();
      emitter.emitRecord(
          new SourceRecords(List.of(watermark(5, "t:0", WatermarkKind.LOW), change(1), change(2))),
          out,
          state);
      emitter.emitRecord(new SourceRecords(List.of(change(3), change(4))), out, state);
      assertThat(out.values).as("budget %d: before the high watermark", budget).isEmpty();
      assertThat(state.getHighWatermark()).isNull();
      emitter.emitRecord(
          new SourceRecords(List.of(change(5), watermark(5, "t:0", WatermarkKind.HIGH))),
          out,
          state);
      assertThat(out.values).as("budget %d", budget).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(state.getHighWatermark().getOffset()).containsEntry("lsn", "5");
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files).as("files left behind").isEmpty();
      }

      // A chunk whose high watermark never came (its reader failed) is dropped when the next
      // chunk begins: it is read again.
      emitter.emitRecord(
          new SourceRecords(List.of(watermark(6, "t:1", WatermarkKind.LOW), change(6))),
          out,
          snapshotState("t:1"));
      SnapshotSplitState again = snapshotState("t:1");
      emitter.emitRecord(
          new SourceRecords(
              List.of(
                  watermark(7, "t:1", WatermarkKind.LOW),
                  change(7),
                  watermark(7, "t:1", WatermarkKind.HIGH))),
          out,
          again);
      assertThat(out.values).containsExactly(1L, 2L, 3L, 4L, 5L, 7L);
    }
  }

  /**
   * Flink CDC's connection pool gets the driver settings Debezium's connections get: TLS (without
   * them the pool's connections would use the driver's default, which does not check the server's
   * certificate) and the password plugin; not the settings Debezium handles itself.
   */
  @Test
  void poolSharesTheTlsAndPasswordSettingsOfDebeziumsConnections() {
    Properties debezium = new Properties();
    debezium.setProperty("database.sslmode", "verify-full");
    debezium.setProperty("database.sslrootcert", "/tmp/ca.pem");
    debezium.setProperty("database.hostname", "db.example.com");
    debezium.setProperty("database.password", "never");
    debezium.setProperty("slot.name", "tributary");
    Secret secret = Secret.ofFile(Path.of("/run/secrets/db"));
    SecretPasswordPlugin.driverProperties(secret)
        .forEach((k, v) -> debezium.setProperty("database." + k, (String) v));

    assertThat(TunedPostgresSource.PoolFactory.driverProperties(debezium))
        .containsExactly(
            Map.entry("authenticationPluginClassName", SecretPasswordPlugin.class.getName()),
            Map.entry("sslmode", "verify-full"),
            Map.entry("sslrootcert", "/tmp/ca.pem"),
            Map.entry("tributaryPasswordSecret", "file:/run/secrets/db"));
  }

  @Test
  void batchEmitterRecognisesDataChangesAndOtherEvents() {
    BatchPositionEmitter<Long> batch =
        new BatchPositionEmitter<>(
            new LsnDeserializer(),
            new SourceReaderMetrics(UnregisteredMetricsGroup.createSourceReaderMetricGroup()),
            false,
            new PostgresOffsetFactory());
    assertThat(batch.isDataChange(change(1))).isTrue();
    assertThat(batch.isDataChange(change(2))).isTrue();
    assertThat(batch.isDataChange(heartbeat(3))).isFalse();
    Schema schemaChangeKey =
        SchemaBuilder.struct()
            .name("io.debezium.connector.postgresql.SchemaChangeKey")
            .field("databaseName", Schema.STRING_SCHEMA)
            .build();
    SourceRecord schemaChange =
        record(
            4,
            "bench",
            new Struct(schemaChangeKey).put("databaseName", "bench"),
            ENVELOPE.create(
                new Struct(ROW).put("id", 4L),
                new Struct(SOURCE).put("ts_ms", 1L),
                Instant.ofEpochMilli(1)));
    // Even shaped like a change, a record keyed as a schema change takes the stock path.
    assertThat(batch.isDataChange(schemaChange)).isFalse();
    assertThat(batch.isDataChange(schemaChange)).isFalse();
  }

  @Test
  void lazyPositionEqualsTheStockPositionInEveryUse() throws Exception {
    SourceRecord record = change(1234);
    PostgresOffset stock = PostgresOffset.of(record);
    PostgresOffset earlier = PostgresOffset.of(change(1000));
    PostgresOffset later = PostgresOffset.of(change(2000));

    assertThat(new LazyStreamOffset(record).isAfter(earlier)).isTrue();
    assertThat(new LazyStreamOffset(record).isBefore(later)).isTrue();
    assertThat(new LazyStreamOffset(record).isAtOrAfter(stock)).isTrue();
    assertThat(new LazyStreamOffset(record).compareTo(new LazyStreamOffset(change(1000))))
        .isPositive();
    LazyStreamOffset lazy = new LazyStreamOffset(record);
    assertThat(lazy.getOffset()).isEqualTo(stock.getOffset());
    assertThat(lazy).isEqualTo(stock);
    assertThat(lazy.hashCode()).isEqualTo(stock.hashCode());
    assertThat(lazy.toString()).isEqualTo(stock.toString());

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new LazyStreamOffset(record));
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      Object read = in.readObject();
      assertThat(read).isInstanceOf(PostgresOffset.class).isEqualTo(stock);
    }
  }

  @Test
  void tunedSourceKeepsTheBuiltConfigurationAndHandsOutLazyPositions() throws Exception {
    Properties debezium = new Properties();
    debezium.setProperty("publication.name", "tributary");
    PostgresSourceBuilder.PostgresIncrementalSource<Long> built =
        PostgresSourceBuilder.PostgresIncrementalSource.<Long>builder()
            .hostname("127.0.0.1")
            .port(5432)
            .database("bench")
            .schemaList("public")
            .tableList("public\\.t")
            .username("postgres")
            .password("")
            .slotName("tributary")
            .decodingPluginName("pgoutput")
            .deserializer(new LsnDeserializer())
            .debeziumProperties(debezium)
            .build();
    TunedPostgresSource<Long> tuned = TunedPostgresSource.of(built);

    for (String name : Arrays.asList("configFactory", "deserializationSchema", "offsetFactory")) {
      assertThat(field(tuned, name)).as(name).isSameAs(field(built, name));
    }
    Object dialect = field(tuned, "dataSourceDialect");
    assertThat(dialect).isInstanceOf(TunedPostgresSource.TunedDialect.class);
    JdbcSourceConfig config =
        (JdbcSourceConfig) ((SourceConfig.Factory<?>) field(tuned, "configFactory")).create(0);
    FetchTask.Context context =
        ((TunedPostgresSource.TunedDialect) dialect).createFetchTaskContext(config);
    Offset position = context.getStreamOffset(change(77));
    assertThat(position).isInstanceOf(LazyStreamOffset.class);
    assertThat(position).isEqualTo(PostgresOffset.of(change(77)));
    assertThat(tuned.getProducedType()).isEqualTo(Types.LONG);
  }

  private static Object field(IncrementalSource<?, ?> source, String name) throws Exception {
    Field field = IncrementalSource.class.getDeclaredField(name);
    field.setAccessible(true);
    return field.get(source);
  }
}
