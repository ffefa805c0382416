package io.tributary.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.sink.IcebergSchemas;
import io.tributary.sink.TableManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class ColumnMatchTest {
  private static final Schema LAKE =
      new Schema(
          List.of(
              Types.NestedField.required(1, "id", Types.LongType.get()),
              Types.NestedField.optional(2, "total", Types.DecimalType.of(10, 2)),
              Types.NestedField.optional(3, "note", Types.StringType.get()),
              Types.NestedField.optional(4, "customer", Types.StringType.get()),
              Types.NestedField.optional(5, IcebergSchemas.OP, Types.StringType.get()),
              Types.NestedField.optional(6, IcebergSchemas.SOURCE_LSN, Types.LongType.get())),
          Set.of(1));

  private static Map<String, String> source(String... namesAndTypes) {
    Map<String, String> columns = new LinkedHashMap<>();
    for (int i = 0; i < namesAndTypes.length; i += 2) {
      columns.put(namesAndTypes[i], namesAndTypes[i + 1]);
    }
    return columns;
  }

  @Test
  void sourceColumnsMatchLiveLakeColumnsByLowerCaseName() {
    ColumnMatch match =
        ColumnMatch.of(source("ID", "bigint", "Total", "numeric(10,2)"), LAKE, Map.of());
    assertThat(match.columns)
        .extracting(c -> c.sourceName() + "->" + c.field().fieldId())
        .containsExactly("ID->1", "Total->2");
    assertThat(match.notInLake).isEmpty();
  }

  @Test
  void aColumnKeptForHistoryIsNotMatchedAndTheSourceColumnIsNotInTheLake() {
    ColumnMatch match =
        ColumnMatch.of(
            source("id", "bigint", "note", "text"),
            LAKE,
            Map.of(TableManager.DROPPED_COLUMNS, "3"));
    assertThat(match.columns).extracting(ComparedColumn::sourceName).containsExactly("id");
    assertThat(match.notInLake).containsExactly("note");
  }

  @Test
  void aRenamedColumnIsMatchedByItsFormerNameUnlessALiveColumnHasThatName() {
    ColumnMatch renamed =
        ColumnMatch.of(
            source("id", "bigint", "client", "text"),
            LAKE,
            Map.of(TableManager.RENAMED_PREFIX + "client", "4"));
    assertThat(renamed.columns)
        .extracting(c -> c.sourceName() + "->" + c.name())
        .containsExactly("id->id", "client->customer");

    ColumnMatch reused =
        ColumnMatch.of(
            source("note", "text"), LAKE, Map.of(TableManager.RENAMED_PREFIX + "note", "4"));
    assertThat(reused.columns).extracting(ComparedColumn::name).containsExactly("note");
  }

  @Test
  void metadataColumnsAreNeverMatched() {
    ColumnMatch match = ColumnMatch.of(source("id", "bigint", "_op", "text"), LAKE, Map.of());
    assertThat(match.notInLake).containsExactly("_op");
  }

  @Test
  void theKeyIsTheIdentifierFieldsOfAMirrorAndTheWholeRowOfAChangelog() {
    ColumnMatch match = ColumnMatch.of(source("id", "bigint", "note", "text"), LAKE, Map.of());
    assertThat(match.keys(LAKE, false)).containsExactly(1);
    assertThat(match.keys(LAKE, true)).containsExactlyInAnyOrder(1, 3);
  }
}
