package io.tributary.change;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class ChangeEventSerializerTest {
  private static final SourceTable TABLE =
      new SourceTable(
          new TableId("sales", "orders"),
          List.of(
              new Column("id", ColumnType.of(ColumnType.Kind.LONG), false, "int8"),
              new Column("small", ColumnType.of(ColumnType.Kind.INT), true, "int2"),
              new Column("ok", ColumnType.of(ColumnType.Kind.BOOLEAN), true, "bool"),
              new Column("ratio", ColumnType.of(ColumnType.Kind.FLOAT), true, "float4"),
              new Column("score", ColumnType.of(ColumnType.Kind.DOUBLE), true, "float8"),
              new Column("amount", ColumnType.decimal(38, 10), true, "numeric"),
              new Column("note", ColumnType.of(ColumnType.Kind.STRING), true, "text"),
              new Column("blob", ColumnType.of(ColumnType.Kind.BINARY), true, "bytea"),
              new Column("day", ColumnType.of(ColumnType.Kind.DATE), true, "date"),
              new Column("at", ColumnType.of(ColumnType.Kind.TIME), true, "time"),
              new Column("ts", ColumnType.of(ColumnType.Kind.TIMESTAMP), true, "timestamp"),
              new Column("tstz", ColumnType.of(ColumnType.Kind.TIMESTAMPTZ), true, "timestamptz")),
          new int[] {0});

  private static ChangeEvent roundTrip(ChangeEventSerializer serializer, ChangeEvent event)
      throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(event, out);
    return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
  }

  @Test
  void everyKindSurvivesTheWireExactly() throws Exception {
    Object[] values = {
      Long.MIN_VALUE,
      -32768,
      true,
      3.25f,
      Double.MAX_VALUE,
      new BigDecimal("-1234567890123456789012345678.0123456789"),
      "Grüße ✓ " + "x".repeat(70_000),
      new byte[] {0, -1, 16},
      LocalDate.of(1, 1, 1),
      LocalTime.of(23, 59, 59, 999_999_000),
      LocalDateTime.of(2024, 2, 29, 12, 34, 56, 654_321_000),
      OffsetDateTime.of(1969, 12, 31, 23, 59, 59, 1_000, ZoneOffset.UTC)
    };
    ChangeEvent event = new ChangeEvent(TABLE, ChangeEvent.Op.UPDATE, values, 42L, 1_700_000L);
    ChangeEventSerializer serializer = new ChangeEventSerializer();
    ChangeEvent copy = roundTrip(serializer, event);
    assertThat(copy).isEqualTo(event);
    assertThat(copy.table().fingerprint()).isEqualTo(TABLE.fingerprint());
    // The second event of the same schema reuses the decoded schema.
    assertThat(roundTrip(serializer, event).table()).isSameAs(copy.table());
  }

  @Test
  void specialDecimalsSurviveTheWireAsThemselves() throws Exception {
    ChangeEventSerializer serializer = new ChangeEventSerializer();
    for (BigDecimal special :
        List.of(
            SpecialDecimal.NAN,
            SpecialDecimal.POSITIVE_INFINITY,
            SpecialDecimal.NEGATIVE_INFINITY)) {
      Object[] values = new Object[TABLE.columns().size()];
      values[0] = 1L;
      values[5] = special;
      ChangeEvent copy =
          roundTrip(serializer, new ChangeEvent(TABLE, ChangeEvent.Op.INSERT, values, 1L, 1L));
      assertThat(SpecialDecimal.name(copy.value(5))).isEqualTo(SpecialDecimal.name(special));
    }
  }

  @Test
  void nullsInEveryColumnButTheKey() throws Exception {
    Object[] values = new Object[TABLE.columns().size()];
    values[0] = 7L;
    ChangeEvent event = new ChangeEvent(TABLE, ChangeEvent.Op.DELETE, values, -1, -1);
    assertThat(roundTrip(new ChangeEventSerializer(), event)).isEqualTo(event);
  }

  @Test
  void aSnapshotRowsSchemaPositionSurvivesTheWire() throws Exception {
    Object[] values = new Object[TABLE.columns().size()];
    values[0] = 7L;
    ChangeEvent event =
        new ChangeEvent(TABLE, ChangeEvent.Op.SNAPSHOT, values, -1, -1).withSchemaLsn(1234L);
    ChangeEvent back = roundTrip(new ChangeEventSerializer(), event);
    assertThat(back).isEqualTo(event);
    assertThat(back.lsn()).isEqualTo(-1L);
    assertThat(back.schemaLsn()).isEqualTo(1234L);
  }

  @Test
  void unchangedColumnsSurviveTheWire() throws Exception {
    Object[] values = new Object[TABLE.columns().size()];
    values[0] = 7L;
    values[1] = 3;
    boolean[] unchanged = new boolean[values.length];
    unchanged[6] = true;
    unchanged[7] = true;
    ChangeEvent event = new ChangeEvent(TABLE, ChangeEvent.Op.UPDATE, values, 5, 6, unchanged);
    ChangeEvent copy = roundTrip(new ChangeEventSerializer(), event);
    assertThat(copy).isEqualTo(event);
    assertThat(copy.hasUnchanged()).isTrue();
    assertThat(copy.isUnchanged(6)).isTrue();
    assertThat(copy.isUnchanged(7)).isTrue();
    assertThat(copy.isUnchanged(1)).isFalse();
    assertThat(copy.withValues(values).hasUnchanged()).isFalse();
  }

  @Test
  void thePreviousKeyOfAKeyChangeSurvivesTheWire() throws Exception {
    Object[] values = new Object[TABLE.columns().size()];
    values[0] = 1007L;
    boolean[] unchanged = new boolean[values.length];
    unchanged[6] = true;
    Object[] previousKey = new Object[TABLE.keySize()];
    previousKey[0] = 7L;
    ChangeEvent event =
        new ChangeEvent(TABLE, ChangeEvent.Op.INSERT, values, 5, 6, unchanged, previousKey);
    ChangeEvent copy = roundTrip(new ChangeEventSerializer(), event);
    assertThat(copy).isEqualTo(event);
    assertThat(copy.previousKey()).containsExactly(previousKey);
    assertThat(copy.isUnchanged(6)).isTrue();
  }

  @Test
  void aCaptureProblemSurvivesTheWireAndMakesAnotherSchema() throws Exception {
    SourceTable parked = TABLE.withCaptureProblem("column \"c\" is of type refcursor now");
    assertThat(parked.fingerprint()).isNotEqualTo(TABLE.fingerprint());
    assertThat(parked).isNotEqualTo(TABLE);
    Object[] values = new Object[TABLE.columns().size()];
    values[0] = 3L;
    ChangeEventSerializer serializer = new ChangeEventSerializer();
    ChangeEvent copy =
        roundTrip(serializer, new ChangeEvent(parked, ChangeEvent.Op.UPDATE, values, 9L, 1L));
    assertThat(copy.table()).isEqualTo(parked);
    assertThat(copy.table().captureProblem()).isEqualTo("column \"c\" is of type refcursor now");
    assertThat(copy.table().withKey(new int[] {0}).captureProblem())
        .isEqualTo(parked.captureProblem());
    // A table without one reads back without one, as before.
    ChangeEvent plain =
        roundTrip(serializer, new ChangeEvent(TABLE, ChangeEvent.Op.UPDATE, values, 9L, 1L));
    assertThat(plain.table().captureProblem()).isNull();
  }

  @Test
  void routingDependsOnTableAndKeyOnly() {
    Object[] a = new Object[TABLE.columns().size()];
    Object[] b = new Object[TABLE.columns().size()];
    a[0] = 7L;
    b[0] = 7L;
    b[6] = "other values";
    assertThat(new ChangeEvent(TABLE, ChangeEvent.Op.INSERT, a, 1, 1).routingHash())
        .isEqualTo(new ChangeEvent(TABLE, ChangeEvent.Op.DELETE, b, 2, 2).routingHash());
  }

  @Test
  void aWidenedKeyValueRoutesLikeTheNarrowOne() {
    for (long v : new long[] {-5, -1, 0, 7, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      int asLong = ChangeEvent.stableHash(v);
      assertThat(ChangeEvent.stableHash((int) v)).as("int %d", v).isEqualTo(asLong);
      assertThat(ChangeEvent.stableHash(new BigDecimal(v).setScale(2)))
          .as("numeric %d", v)
          .isEqualTo(asLong);
      if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
        assertThat(ChangeEvent.stableHash((short) v)).as("smallint %d", v).isEqualTo(asLong);
      }
    }
    assertThat(ChangeEvent.stableHash(-2.5f)).isEqualTo(ChangeEvent.stableHash(-2.5d));
    assertThat(ChangeEvent.stableHash(new BigDecimal("1.50")))
        .isEqualTo(ChangeEvent.stableHash(new BigDecimal("1.5")));
    BigDecimal huge = new BigDecimal("123456789012345678901234567890");
    assertThat(ChangeEvent.stableHash(huge)).isEqualTo(ChangeEvent.stableHash(huge.setScale(3)));
  }
}
