package io.tributary.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.sink.IcebergSchemas;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class ChangelogDuplicatesTest {
  private static final Types.NestedField ID =
      Types.NestedField.optional(1, "id", Types.LongType.get());
  private static final Types.NestedField NAME =
      Types.NestedField.optional(2, "name", Types.StringType.get());
  private static final Schema SCHEMA =
      new Schema(
          ID,
          NAME,
          Types.NestedField.optional(3, IcebergSchemas.OP, Types.StringType.get()),
          Types.NestedField.optional(4, IcebergSchemas.SOURCE_LSN, Types.LongType.get()),
          Types.NestedField.optional(5, IcebergSchemas.INGESTED_AT, Types.StringType.get()));

  private static Record change(long id, String name, String op, Long lsn, String ingestedAt) {
    Record record = GenericRecord.create(SCHEMA);
    record.setField("id", id);
    record.setField("name", name);
    record.setField(IcebergSchemas.OP, op);
    record.setField(IcebergSchemas.SOURCE_LSN, lsn);
    record.setField(IcebergSchemas.INGESTED_AT, ingestedAt);
    return record;
  }

  @Test
  void aChangeIsIdentifiedByItsKeyOperationAndPosition() {
    String first =
        ChangelogDuplicates.changeIdentity(change(1, "a", "u", 42L, "t1"), List.of(ID), false);
    assertThat(first).isEqualTo("id=1 (op u at LSN 42)");
    // Written again later, with other values: still the same change.
    assertThat(
            ChangelogDuplicates.changeIdentity(change(1, "b", "u", 42L, "t2"), List.of(ID), false))
        .isEqualTo(first);
    assertThat(
            ChangelogDuplicates.changeIdentity(change(1, "a", "u", 43L, "t1"), List.of(ID), false))
        .isNotEqualTo(first);
    assertThat(
            ChangelogDuplicates.changeIdentity(change(1, "a", "d", null, "t1"), List.of(ID), false))
        .isEqualTo("id=1 (op d, no source position)");
  }

  @Test
  void aSnapshotRowIsToldApartByWhenItWasWrittenAndSkippedForATableWithoutKey() {
    assertThat(
            ChangelogDuplicates.changeIdentity(change(1, "a", "r", 0L, "t1"), List.of(ID), false))
        .isEqualTo("id=1 (snapshot row written at t1)");
    assertThat(
            ChangelogDuplicates.changeIdentity(
                change(1, "a", "r", 0L, "t1"), List.of(ID, NAME), true))
        .isNull();
    assertThat(
            ChangelogDuplicates.changeIdentity(
                change(1, null, "c", 7L, "t1"), List.of(ID, NAME), true))
        .isEqualTo("id=1, name=null (op c at LSN 7)");
  }

  @Test
  void onlyChangesHeldMoreThanOnceAreReportedAtMostTenThenHowManyMore() {
    Map<String, Long> counts = new TreeMap<>();
    counts.put("id=0 (op c at LSN 1)", 1L);
    for (int i = 10; i < 23; i++) {
      counts.put("id=" + i + " (op c at LSN " + i + ")", 2L);
    }
    List<String> lines = ChangelogDuplicates.report("lake.t_changes", counts);
    assertThat(lines).hasSize(RowDifferences.MAX_REPORTED + 1);
    assertThat(lines.get(0))
        .isEqualTo(
            "id=10 (op c at LSN 10): lake.t_changes holds this change 2 times (a commit applied"
                + " twice)");
    assertThat(lines.get(RowDifferences.MAX_REPORTED))
        .isEqualTo("3 more changes held more than once in lake.t_changes");
    assertThat(ChangelogDuplicates.report("lake.t_changes", Map.of("x", 1L))).isEmpty();
  }
}
