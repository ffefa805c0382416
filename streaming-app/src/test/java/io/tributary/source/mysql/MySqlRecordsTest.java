package io.tributary.source.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.change.ChangeEvent;
import io.tributary.change.TableId;
import io.tributary.source.BinlogPosition;
import io.tributary.source.debezium.DebeziumChangeDeserializer;
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

/**
 * Change records as the MySQL connector writes them (the table as {@code db.table}, the position as
 * binlog {@code file} and {@code pos}) become the same change events as PostgreSQL's.
 */
class MySqlRecordsTest {
  private static final TableId T = new TableId("shop", "orders");

  private static final Schema SOURCE =
      SchemaBuilder.struct()
          .field("db", Schema.STRING_SCHEMA)
          .field("table", Schema.OPTIONAL_STRING_SCHEMA)
          .field("file", Schema.STRING_SCHEMA)
          .field("pos", Schema.INT64_SCHEMA)
          .field("row", Schema.INT32_SCHEMA)
          .field("ts_ms", Schema.INT64_SCHEMA)
          .build();

  private static final Schema ROW =
      SchemaBuilder.struct()
          .name("shop.orders.Value")
          .field("id", Schema.INT32_SCHEMA)
          .field("v", Schema.OPTIONAL_STRING_SCHEMA)
          .optional()
          .build();

  private static final Schema ENVELOPE =
      SchemaBuilder.struct()
          .field("before", ROW)
          .field("after", ROW)
          .field("source", SOURCE)
          .field("op", Schema.STRING_SCHEMA)
          .build();

  private static Struct row(int id, String v) {
    return new Struct(ROW).put("id", id).put("v", v);
  }

  private static SourceRecord record(
      String op, Struct before, Struct after, String file, long pos) {
    Struct source =
        new Struct(SOURCE)
            .put("db", "shop")
            .put("table", "orders")
            .put("file", file)
            .put("pos", pos)
            .put("row", 0)
            .put("ts_ms", 1_700_000_000_000L);
    Struct value =
        new Struct(ENVELOPE)
            .put("before", before)
            .put("after", after)
            .put("source", source)
            .put("op", op);
    return new SourceRecord(Map.of(), Map.of(), "t", null, null, null, ENVELOPE, value);
  }

  private static List<ChangeEvent> run(SourceRecord... records) {
    DebeziumChangeDeserializer d =
        new DebeziumChangeDeserializer(Map.of(T, List.of("id")), Set.of(T), Set.of(T));
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
  void theTableIsDatabaseDotTableAndThePositionIsTheBinlogPosition() {
    List<ChangeEvent> events =
        run(
            record("r", null, row(1, "a"), "", 0),
            record("c", null, row(2, "b"), "binlog.000003", 900),
            record("u", row(2, "b"), row(2, "c"), "binlog.000004", 4),
            record("d", row(1, "a"), null, "binlog.000004", 377));
    assertThat(events)
        .extracting(ChangeEvent::op)
        .containsExactly(
            ChangeEvent.Op.SNAPSHOT,
            ChangeEvent.Op.INSERT,
            ChangeEvent.Op.UPDATE,
            ChangeEvent.Op.DELETE);
    assertThat(events).allSatisfy(e -> assertThat(e.table().id()).isEqualTo(T));
    assertThat(events)
        .extracting(ChangeEvent::lsn)
        .containsExactly(
            -1L,
            BinlogPosition.encode("binlog.000003", 900),
            BinlogPosition.encode("binlog.000004", 4),
            BinlogPosition.encode("binlog.000004", 377));
    assertThat(events.get(1).sourceTsMicros()).isEqualTo(1_700_000_000_000_000L);
    assertThat(events.get(2).values()).containsExactly(2, "c");
  }

  @Test
  void anUpdateOfTheKeyIsADeleteAndAnInsert() {
    List<ChangeEvent> events = run(record("u", row(2, "b"), row(7, "b"), "binlog.000004", 99));
    assertThat(events)
        .extracting(ChangeEvent::op)
        .containsExactly(ChangeEvent.Op.DELETE, ChangeEvent.Op.INSERT);
    assertThat(events.get(0).values()).containsExactly(2, "b");
    assertThat(events.get(1).values()).containsExactly(7, "b");
    assertThat(events.get(1).previousKey()).containsExactly(2);
  }
}
