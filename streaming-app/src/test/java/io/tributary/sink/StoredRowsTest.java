package io.tributary.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/** Stored rows keep the values an update may leave out, by key, newest version first. */
class StoredRowsTest {
  private static final Schema V1 =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "n", Types.IntegerType.get()),
          Types.NestedField.optional(3, "body", Types.StringType.get()),
          Types.NestedField.optional(4, "blob", Types.BinaryType.get()),
          Types.NestedField.optional(5, "amount", Types.DecimalType.of(12, 2)),
          Types.NestedField.optional(6, "ts", Types.TimestampType.withoutZone()));
  private static final Schema V2 =
      withColumn(V1, Types.NestedField.optional(7, "doc", Types.StringType.get()));

  private static Schema withColumn(Schema schema, Types.NestedField column) {
    List<Types.NestedField> columns = new ArrayList<>(schema.columns());
    columns.add(column);
    return new Schema(columns);
  }

  private static Record row(Schema schema, long id, String body) {
    Record r = GenericRecord.create(schema);
    r.setField("id", id);
    r.setField("n", 7);
    r.setField("body", body);
    r.setField("blob", ByteBuffer.wrap(new byte[] {1, 2}));
    r.setField("amount", new BigDecimal("12.34"));
    r.setField("ts", LocalDateTime.of(2024, 1, 1, 0, 0));
    if (schema.findField("doc") != null) {
      r.setField("doc", "{\"a\": 1}");
    }
    return r;
  }

  private static Record key(Schema schema, long id) {
    Record r = GenericRecord.create(schema);
    r.setField("id", id);
    return r;
  }

  @Test
  void keepsOnlyValuesOfVariableLengthColumns() {
    StoredRows stored = new StoredRows(List.of("id"), "run");
    stored.written(row(V1, 1, "first"));
    StoredRows.StoredRow found = stored.find(null, key(V1, 1));
    assertThat(found.getField("body")).isEqualTo("first");
    assertThat(found.getField("blob")).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2}));
    assertThat(found.getField("amount")).isEqualTo(new BigDecimal("12.34"));
    // Fixed-width values are never left out by an update: not kept.
    assertThat(found.getField("n")).isNull();
    assertThat(found.getField("ts")).isNull();
    assertThat(StoredRows.mayBeLeftOut(Types.StringType.get())).isTrue();
    assertThat(StoredRows.mayBeLeftOut(Types.LongType.get())).isFalse();
    assertThat(StoredRows.mayBeLeftOut(Types.TimestampType.withZone())).isFalse();
  }

  @Test
  void newestVersionWinsAcrossCheckpointsAndSchemas() {
    StoredRows stored = new StoredRows(List.of("id"), "run");
    stored.written(row(V1, 1, "first"));
    stored.written(row(V1, 2, "other"));
    stored.flushed(5);
    stored.written(row(V2, 1, "second"));
    StoredRows.StoredRow found = stored.find(null, key(V2, 1));
    assertThat(found.getField("body")).isEqualTo("second");
    assertThat(found.getField("doc")).isEqualTo("{\"a\": 1}");
    assertThat(stored.find(null, key(V2, 2)).getField("body")).isEqualTo("other");
    assertThat(stored.find(null, key(V2, 2)).getField("doc")).isNull();

    stored.deleted(key(V2, 2));
    assertThat(stored.find(null, key(V2, 2))).isNull();
  }

  @Test
  void aDeadLetteredVersionIsFoundUntilTheKeyIsWrittenAgain() {
    StoredRows stored = new StoredRows(List.of("id"), "run");
    stored.written(row(V1, 1, "lake"));
    stored.flushed(1);
    stored.completed(1);
    // The change to "source" went to dead letters: the lake keeps "lake", the source has "source".
    stored.deadLettered(row(V1, 1, "source"));
    stored.flushed(2);
    stored.completed(2);
    assertThat(stored.find(null, key(V1, 1)).getField("body")).isEqualTo("source");
    assertThat(stored.deadLetteredRows()).isEqualTo(1);
    stored.written(row(V1, 1, "next"));
    assertThat(stored.deadLetteredRows()).isZero();
    assertThat(stored.find(null, key(V1, 1)).getField("body")).isEqualTo("next");
  }

  @Test
  void aDeletedRowIsFoundForTheKeyChangeThatMovedIt() {
    StoredRows stored = new StoredRows(List.of("id"), "run");
    stored.written(row(V1, 7, "moved"));
    stored.deleted(key(V1, 7));
    assertThat(stored.find(null, key(V1, 7))).isNull();
    assertThat(stored.findBeforeDelete(null, key(V1, 7)).getField("body")).isEqualTo("moved");
  }

  @Test
  void snapshotRowsAreNotKeptAndAReadWaitsForTheirCheckpoint() {
    StoredRows stored = new StoredRows(List.of("id"), "run");
    for (int i = 0; i < 1000; i++) {
      stored.written(row(V1, i, "snapshot " + i), false);
    }
    assertThat(stored.rowsInMemory()).isZero();
    assertThat(stored.keptRows()).isZero();
    assertThat(stored.writtenRows()).isEqualTo(1000);
    stored.flushed(3);
    assertThat(stored.lastFlushed()).as("the checkpoint had rows of this subtask").isEqualTo(3);
    stored.written(row(V1, 5, "streamed"));
    assertThat(stored.rowsInMemory()).isEqualTo(1);
    assertThat(stored.find(null, key(V1, 5)).getField("body")).isEqualTo("streamed");
  }

  @Test
  void aTableWithoutColumnsAnUpdateCanLeaveOutKeepsNothing() {
    Schema fixed =
        new Schema(
            Types.NestedField.required(1, "code", Types.StringType.get()),
            Types.NestedField.optional(2, "n", Types.IntegerType.get()));
    StoredRows stored = new StoredRows(List.of("code"), "run");
    Record r = GenericRecord.create(fixed);
    r.setField("code", "a key of a variable-length type is always sent");
    r.setField("n", 1);
    stored.written(r);
    assertThat(stored.rowsInMemory()).isZero();
  }

  @Test
  void aRowWrittenWithoutKeepingReplacesTheVersionInMemory() {
    StoredRows stored = new StoredRows(List.of("id"), "run");
    stored.written(row(V1, 1, "old"));
    stored.flushed(1);
    stored.written(row(V1, 1, "newer, not kept"), false);
    assertThat(stored.rowsInMemory()).as("no stale version left").isZero();
  }
}
