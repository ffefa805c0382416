package io.tributary.source.debezium;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.change.ChangeEvent;
import io.tributary.change.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Schema;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Struct;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.source.SourceRecord;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/** The key of a change follows the source's primary key: renamed, added, or as configured. */
class DebeziumKeyTest {
  private static final TableId T = new TableId("public", "t");

  private static final Schema SOURCE =
      SchemaBuilder.struct()
          .field("schema", Schema.STRING_SCHEMA)
          .field("table", Schema.STRING_SCHEMA)
          .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
          .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
          .build();

  private static Schema row(String key) {
    return SchemaBuilder.struct()
        .name("t.Value")
        .field(key, Schema.INT32_SCHEMA)
        .field("v", Schema.OPTIONAL_STRING_SCHEMA)
        .optional()
        .build();
  }

  private static SourceRecord record(String op, Schema row, Schema keySchema, int id, long lsn) {
    Schema envelope =
        SchemaBuilder.struct()
            .field("before", row)
            .field("after", row)
            .field("source", SOURCE)
            .field("op", Schema.STRING_SCHEMA)
            .build();
    Struct after = new Struct(row).put(row.fields().get(0).name(), id).put("v", "x");
    Struct value =
        new Struct(envelope)
            .put("after", after)
            .put("op", op)
            .put(
                "source",
                new Struct(SOURCE).put("schema", "public").put("table", "t").put("lsn", lsn));
    Struct key =
        keySchema == null ? null : new Struct(keySchema).put(keySchema.fields().get(0).name(), id);
    return new SourceRecord(Map.of(), Map.of(), "t", null, keySchema, key, envelope, value);
  }

  private static Schema key(String name) {
    return SchemaBuilder.struct().name("t.Key").field(name, Schema.INT32_SCHEMA).build();
  }

  private static List<ChangeEvent> run(DebeziumChangeDeserializer d, SourceRecord... records) {
    List<ChangeEvent> events = new ArrayList<>();
    Collector<ChangeEvent> out =
        new Collector<>() {
          @Override
          public void collect(ChangeEvent event) {
            events.add(event);
          }

          @Override
          public void close() {}
        };
    for (SourceRecord record : records) {
      d.deserialize(record, out);
    }
    return events;
  }

  @Test
  void aRenamedPrimaryKeyColumnIsTheKeyFromTheNextChangeOn() {
    DebeziumChangeDeserializer d =
        new DebeziumChangeDeserializer(Map.of(T, List.of("id")), Set.of(), Set.of(T));
    List<ChangeEvent> events =
        run(
            d,
            record("r", row("id"), null, 1, 10),
            record("c", row("id"), key("id"), 2, 20),
            record("c", row("order_id"), key("order_id"), 3, 30),
            // A snapshot row without a record key, after the rename: the last key seen.
            record("r", row("order_id"), null, 4, 40));
    assertThat(events.get(0).table().keyNames()).containsExactly("id");
    assertThat(events.get(1).table().keyNames()).containsExactly("id");
    assertThat(events.get(2).table().keyNames()).containsExactly("order_id");
    assertThat(events.get(3).table().keyNames()).containsExactly("order_id");
  }

  @Test
  void aPrimaryKeyAddedToAKeylessTableIsTheKeyFromTheNextChangeOn() {
    DebeziumChangeDeserializer d =
        new DebeziumChangeDeserializer(Map.of(T, List.of()), Set.of(), Set.of(T));
    Schema row = row("id");
    List<ChangeEvent> events =
        run(d, record("c", row, null, 1, 10), record("c", row, key("id"), 2, 20));
    assertThat(events.get(0).table().keySize()).isZero();
    assertThat(events.get(1).table().keyNames()).containsExactly("id");
    assertThat(events.get(1).table().fingerprint())
        .isNotEqualTo(events.get(0).table().fingerprint());
  }

  @Test
  void aConfiguredKeyWinsOverTheRecordKey() {
    DebeziumChangeDeserializer d =
        new DebeziumChangeDeserializer(Map.of(T, List.of("v")), Set.of(), Set.of());
    List<ChangeEvent> events = run(d, record("c", row("id"), key("id"), 1, 10));
    assertThat(events.get(0).table().keyNames()).containsExactly("v");
  }

  /**
   * A snapshot row has no source position: the one its record carries is where its split read the
   * schema, kept as the event's schema position only (its {@code _source_lsn} stays empty).
   */
  @Test
  void aSnapshotRowsPositionIsItsSchemasNotItsOwn() {
    DebeziumChangeDeserializer d =
        new DebeziumChangeDeserializer(Map.of(T, List.of("id")), Set.of(), Set.of(T));
    List<ChangeEvent> events =
        run(d, record("r", row("id"), null, 1, 10), record("c", row("id"), key("id"), 2, 20));
    assertThat(events.get(0).lsn()).isEqualTo(-1L);
    assertThat(events.get(0).schemaLsn()).isEqualTo(10L);
    assertThat(events.get(1).lsn()).isEqualTo(20L);
    assertThat(events.get(1).schemaLsn()).isEqualTo(20L);
  }
}
