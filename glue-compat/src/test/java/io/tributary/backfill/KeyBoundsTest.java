package io.tributary.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.glue.ArgumentException;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class KeyBoundsTest {
  private static Schema keyed(Types.NestedField... fields) {
    Set<Integer> ids = Set.of(fields[0].fieldId());
    return new Schema(List.of(fields), ids);
  }

  private static final Schema LONG_KEY =
      keyed(Types.NestedField.required(1, "id", Types.LongType.get()));
  private static final Schema TEXT_KEY =
      keyed(Types.NestedField.required(1, "code", Types.StringType.get()));

  private static Record key(Schema schema, Object value) {
    Record record = GenericRecord.create(schema.select(schema.columns().get(0).name()));
    record.set(0, value);
    return record;
  }

  @Test
  void noBoundsIsTheWholeTable() {
    assertThat(KeyBounds.of(LONG_KEY, "shop.t", null, null)).isNull();
  }

  @Test
  void integerRangeIsInclusiveAtBothEnds() {
    KeyBounds bounds = KeyBounds.of(LONG_KEY, "shop.t", "10", "20");
    assertThat(bounds.sqlCondition("\"id\"")).isEqualTo("\"id\" >= 10 AND \"id\" <= 20");
    assertThat(bounds.contains(key(LONG_KEY, 10L))).isTrue();
    assertThat(bounds.contains(key(LONG_KEY, 20L))).isTrue();
    assertThat(bounds.contains(key(LONG_KEY, 9L))).isFalse();
    assertThat(bounds.contains(key(LONG_KEY, 21L))).isFalse();
    assertThat(bounds.toString()).isEqualTo("id from 10 to 20");
  }

  @Test
  void anOpenEndIsUnbounded() {
    KeyBounds bounds = KeyBounds.of(LONG_KEY, "shop.t", null, "5");
    assertThat(bounds.sqlCondition("\"id\"")).isEqualTo("\"id\" <= 5");
    assertThat(bounds.contains(key(LONG_KEY, Long.MIN_VALUE))).isTrue();
    assertThat(bounds.toString()).isEqualTo("id from the lowest to 5");
  }

  @Test
  void textComparesByCodePointAtTheSourceAndInTheLake() {
    KeyBounds bounds = KeyBounds.of(TEXT_KEY, "shop.t", "B", "b'x");
    // Quotes are escaped; the source compares in the C collation, as the lake does.
    assertThat(bounds.sqlCondition("\"code\""))
        .isEqualTo("\"code\" COLLATE \"C\" >= 'B' AND \"code\" COLLATE \"C\" <= 'b''x'");
    assertThat(bounds.contains(key(TEXT_KEY, "Z"))).isTrue();
    assertThat(bounds.contains(key(TEXT_KEY, "a"))).isTrue();
    assertThat(bounds.contains(key(TEXT_KEY, "A"))).isFalse();
    assertThat(bounds.contains(key(TEXT_KEY, "é"))).isFalse();
  }

  @Test
  void badArgumentsAreRefusedWithTheWayOn() {
    assertThatThrownBy(() -> KeyBounds.of(LONG_KEY, "shop.t", "ten", null))
        .isInstanceOf(ArgumentException.class)
        .hasMessageContaining("--key-from 'ten' is not a number");
    assertThatThrownBy(() -> KeyBounds.of(LONG_KEY, "shop.t", "20", "10"))
        .isInstanceOf(ArgumentException.class)
        .hasMessageContaining("give the lower end first");
    Schema twoColumns =
        new Schema(
            List.of(
                Types.NestedField.required(1, "a", Types.LongType.get()),
                Types.NestedField.required(2, "b", Types.LongType.get())),
            Set.of(1, 2));
    assertThatThrownBy(() -> KeyBounds.of(twoColumns, "shop.t", "1", null))
        .isInstanceOf(ArgumentException.class)
        .hasMessageContaining("key of 2 columns")
        .hasMessageContaining("reload the whole table");
    Schema uuidKey = keyed(Types.NestedField.required(1, "u", Types.UUIDType.get()));
    assertThatThrownBy(() -> KeyBounds.of(uuidKey, "shop.t", "1", null))
        .isInstanceOf(ArgumentException.class)
        .hasMessageContaining("integer, text or numeric key");
  }
}
