package io.tributary.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.change.ChangeEvent;
import io.tributary.change.Column;
import io.tributary.change.ColumnType;
import io.tributary.change.SourceTable;
import io.tributary.change.TableId;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How source schema changes are told apart and applied to the mirror table. */
class SchemaEvolutionTest {
  private static final TableId ID = new TableId("public", "t");
  private static final ColumnType INT = ColumnType.of(ColumnType.Kind.INT);
  private static final ColumnType LONG = ColumnType.of(ColumnType.Kind.LONG);
  private static final ColumnType TEXT = ColumnType.of(ColumnType.Kind.STRING);

  private InMemoryCatalog catalog;
  private TableManager manager;
  private Table table;

  private static SourceTable source(Object... nameTypePairs) {
    List<Column> columns = new ArrayList<>();
    for (int i = 0; i < nameTypePairs.length; i += 2) {
      columns.add(
          new Column((String) nameTypePairs[i], (ColumnType) nameTypePairs[i + 1], i > 0, ""));
    }
    return new SourceTable(ID, columns, new int[] {0});
  }

  @BeforeEach
  void create() {
    catalog = new InMemoryCatalog();
    catalog.initialize("mem", Map.of(CatalogProperties.WAREHOUSE_LOCATION, "/mem/warehouse"));
    manager = new TableManager(catalog, "shop", Map.of(), "run-1");
    table = manager.loadOrCreate(source("id", LONG, "a", INT, "b", TEXT, "c", TEXT));
  }

  private int id(String name) {
    return table.schema().findField(name).fieldId();
  }

  @Test
  void sameCountSamePositionSameTypeAndOldNameGoneIsARename() {
    int b = id("b");
    table = manager.ensureColumns(table, source("id", LONG, "a", INT, "b2", TEXT, "c", TEXT), 10);
    assertThat(id("b2")).isEqualTo(b);
    assertThat(table.schema().findField("b")).isNull();
    assertThat(TableManager.renamedColumns(table.properties())).containsEntry("b", b);
    assertThat(TableManager.droppedColumns(table.properties())).isEmpty();
  }

  @Test
  void aRenameWithAWiderTypeIsStillARename() {
    int a = id("a");
    table = manager.ensureColumns(table, source("id", LONG, "a2", LONG, "b", TEXT, "c", TEXT), 10);
    assertThat(id("a2")).isEqualTo(a);
    assertThat(table.schema().findField("a2").type()).isEqualTo(Types.LongType.get());
  }

  @Test
  void aDropInTheMiddleAndAnAddAreNotARename() {
    int b = id("b");
    table = manager.ensureColumns(table, source("id", LONG, "a", INT, "c", TEXT, "d", TEXT), 10);
    assertThat(id("b")).isEqualTo(b);
    assertThat(table.schema().findField("d")).isNotNull();
    assertThat(TableManager.droppedColumns(table.properties())).containsExactly(b);
  }

  @Test
  void aDropOfTheLastColumnAndAnAddOfAnotherTypeAreNotARename() {
    int c = id("c");
    table = manager.ensureColumns(table, source("id", LONG, "a", INT, "b", TEXT, "n", INT), 10);
    assertThat(id("c")).isEqualTo(c);
    assertThat(id("n")).isNotEqualTo(c);
    assertThat(TableManager.droppedColumns(table.properties())).containsExactly(c);
  }

  @Test
  void aSchemaFromBeforeTheLastChangeNeitherDropsNorRenames() {
    SourceTable old = source("id", LONG, "a", INT, "b", TEXT, "c", TEXT);
    table = manager.ensureColumns(table, source("id", LONG, "a", INT, "b2", TEXT, "c", TEXT), 10);
    table =
        manager.ensureColumns(
            table, source("id", LONG, "a", INT, "b2", TEXT, "c", TEXT, "d", TEXT), 20);
    long schemaId = table.schema().schemaId();
    // A writer still busy with rows from before both changes: nothing changes, rows still map.
    table = manager.ensureColumns(table, old, 5);
    assertThat(table.schema().schemaId()).isEqualTo(schemaId);
    assertThat(TableManager.droppedColumns(table.properties())).isEmpty();
    RowMapper mapper =
        new RowMapper(old, table.schema(), TableManager.renamedColumns(table.properties()));
    Record row =
        mapper.toRecord(
            new ChangeEvent(old, ChangeEvent.Op.INSERT, new Object[] {1L, 2, "x", "y"}, 5, 1),
            OffsetDateTime.now());
    assertThat(row.getField("b2")).isEqualTo("x");
    assertThat(mapper.targetName(2)).isEqualTo("b2");
  }

  @Test
  void aTypeIcebergCannotChangeIsRefused() {
    assertThatThrownBy(
            () ->
                manager.ensureColumns(table, source("id", LONG, "a", INT, "b", INT, "c", TEXT), 10))
        .isInstanceOf(SchemaChangeException.class)
        .hasMessageContaining("'b'");
  }

  private Record map(SourceTable source, Object... values) {
    RowMapper mapper =
        new RowMapper(source, table.schema(), TableManager.renamedColumns(table.properties()));
    return mapper.toRecord(
        new ChangeEvent(source, ChangeEvent.Op.INSERT, values, 5, 1), OffsetDateTime.now());
  }

  @Test
  void aRenameAndAnAddOfTheOldNameInOneSchemaGiveTheAddANewField() {
    int b = id("b");
    SourceTable now = source("id", LONG, "a", INT, "b_old", TEXT, "c", TEXT, "b", TEXT);
    table = manager.ensureColumns(table, now, 10);
    assertThat(id("b_old")).isEqualTo(b);
    assertThat(id("b")).isNotEqualTo(b);
    assertThat(TableManager.droppedColumns(table.properties())).isEmpty();
    Record row = map(now, 1L, 2, "old", "y", "new");
    assertThat(row.getField("b_old")).isEqualTo("old");
    assertThat(row.getField("b")).isEqualTo("new");
  }

  @Test
  void aRenameAndAnAddOfTheOldNameOfTheLastColumnGiveTheAddANewField() {
    int c = id("c");
    SourceTable now = source("id", LONG, "a", INT, "b", TEXT, "c_old", TEXT, "c", TEXT);
    table = manager.ensureColumns(table, now, 10);
    assertThat(id("c_old")).isEqualTo(c);
    assertThat(id("c")).isNotEqualTo(c);
    assertThat(TableManager.droppedColumns(table.properties())).isEmpty();
  }

  @Test
  void anAddOfARenamedColumnsOldNameSeenLaterGetsANewFieldAndTheFormerNameStopsApplying() {
    int b = id("b");
    SourceTable renamed = source("id", LONG, "a", INT, "b_old", TEXT, "c", TEXT);
    table = manager.ensureColumns(table, renamed, 10);
    assertThat(TableManager.renamedColumns(table.properties())).containsEntry("b", b);
    SourceTable now = source("id", LONG, "a", INT, "b_old", TEXT, "c", TEXT, "b", TEXT);
    table = manager.ensureColumns(table, now, 20);
    assertThat(id("b_old")).isEqualTo(b);
    assertThat(id("b")).isNotEqualTo(b);
    Record row = map(now, 1L, 2, "old", "y", "new");
    assertThat(row.getField("b_old")).isEqualTo("old");
    assertThat(row.getField("b")).isEqualTo("new");
    // A writer still busy with rows from before the rename: its b is the old column.
    SourceTable before = source("id", LONG, "a", INT, "b", TEXT, "c", TEXT);
    long schemaId = table.schema().schemaId();
    table = manager.ensureColumns(table, before, 5);
    assertThat(table.schema().schemaId()).isEqualTo(schemaId);
    Record old = map(before, 1L, 2, "old", "y");
    assertThat(old.getField("b_old")).isEqualTo("old");
    assertThat(old.getField("b")).isNull();
  }

  @Test
  void aDropAndAnAddOfTheSameNameInOneSchemaGiveTheAddANewFieldAndMoveTheOldOneAside() {
    int a = id("a");
    SourceTable now = source("id", LONG, "b", TEXT, "c", TEXT, "a", INT);
    table = manager.ensureColumns(table, now, 10);
    assertThat(id("a")).isNotEqualTo(a);
    assertThat(table.schema().findField(a).name()).isEqualTo("a__dropped_" + a);
    assertThat(TableManager.droppedColumns(table.properties())).containsExactly(a);
    Record row = map(now, 1L, "x", "y", 7);
    assertThat(row.getField("a")).isEqualTo(7);
    assertThat(row.getField("a__dropped_" + a)).isNull();
    // The new column is placed where the source has it: last, before the metadata columns.
    List<String> order = new ArrayList<>();
    table.schema().columns().forEach(f -> order.add(f.name()));
    assertThat(order.subList(0, 5)).containsExactly("id", "a__dropped_" + a, "b", "c", "a");
  }

  @Test
  void aDropSeenFirstAndALaterAddOfTheSameNameGiveANewFieldAcrossARestart() {
    int a = id("a");
    table = manager.ensureColumns(table, source("id", LONG, "b", TEXT, "c", TEXT), 10);
    assertThat(TableManager.droppedColumns(table.properties())).containsExactly(a);
    // A restart: state comes from the table alone.
    manager = new TableManager(catalog, "shop", Map.of(), "run-2");
    table = catalog.loadTable(tableId());
    SourceTable now = source("id", LONG, "b", TEXT, "c", TEXT, "a", INT);
    table = manager.ensureColumns(table, now, 20);
    assertThat(id("a")).isNotEqualTo(a);
    assertThat(table.schema().findField(a).name()).isEqualTo("a__dropped_" + a);
    assertThat(TableManager.droppedColumns(table.properties())).containsExactly(a);
    assertThat(map(now, 1L, "x", "y", null).getField("a")).isNull();
    // A writer still busy with rows from before the drop fills the old column, changing nothing.
    SourceTable before = source("id", LONG, "a", INT, "b", TEXT, "c", TEXT);
    long schemaId = table.schema().schemaId();
    table = manager.ensureColumns(table, before, 5);
    assertThat(table.schema().schemaId()).isEqualTo(schemaId);
    Record old = map(before, 1L, 3, "x", "y");
    assertThat(old.getField("a__dropped_" + a)).isEqualTo(3);
    assertThat(old.getField("a")).isNull();
    // The same schema again (another writer, or a replay after a restart) changes nothing.
    table = manager.ensureColumns(table, now, 20);
    assertThat(table.schema().schemaId()).isEqualTo(schemaId);
  }

  @Test
  void aNameReusedTwiceMovesEachOldColumnAsideUnderItsOwnName() {
    int a = id("a");
    table = manager.ensureColumns(table, source("id", LONG, "b", TEXT, "c", TEXT, "a", INT), 10);
    int second = id("a");
    table = manager.ensureColumns(table, source("id", LONG, "b", TEXT, "c", TEXT), 20);
    table = manager.ensureColumns(table, source("id", LONG, "b", TEXT, "c", TEXT, "a", INT), 30);
    assertThat(id("a")).isNotIn(a, second);
    assertThat(table.schema().findField(a).name()).isEqualTo("a__dropped_" + a);
    assertThat(table.schema().findField(second).name()).isEqualTo("a__dropped_" + second);
    assertThat(TableManager.droppedColumns(table.properties()))
        .containsExactlyInAnyOrder(a, second);
  }

  @Test
  void anAsideNameNeverTakesAColumnName() {
    assertThat(SchemaEvolution.asideName("a", 2, Set.of())).isEqualTo("a__dropped_2");
    assertThat(SchemaEvolution.asideName("a", 2, Set.of("a__dropped_2")))
        .isEqualTo("a__dropped_2_2");
    // A source column that has an aside name takes it; the old column moves aside again.
    int a = id("a");
    table = manager.ensureColumns(table, source("id", LONG, "b", TEXT, "c", TEXT, "a", INT), 10);
    table =
        manager.ensureColumns(
            table, source("id", LONG, "b", TEXT, "c", TEXT, "a", INT, "a__dropped_" + a, TEXT), 20);
    assertThat(id("a__dropped_" + a)).isNotEqualTo(a);
    assertThat(table.schema().findField(a).name()).isEqualTo("a__dropped_" + a + "__dropped_" + a);
  }

  @Test
  void aColumnAddedInTheMiddleIsPlacedThereSoLaterSchemasStillMatch() {
    int c = id("c");
    // a renamed and b dropped in one step: too ambiguous for a rename, so a drop of both and an
    // add.
    SourceTable now = source("id", LONG, "a2", INT, "c", TEXT);
    table = manager.ensureColumns(table, now, 10);
    assertThat(TableManager.droppedColumns(table.properties()))
        .containsExactlyInAnyOrder(id("a"), id("b"));
    List<String> order = new ArrayList<>();
    table.schema().columns().forEach(f -> order.add(f.name()));
    assertThat(order.subList(0, 5)).containsExactly("id", "a", "b", "a2", "c");
    long schemaId = table.schema().schemaId();
    table = manager.ensureColumns(table, now, 20);
    assertThat(table.schema().schemaId()).isEqualTo(schemaId);
    table = manager.ensureColumns(table, source("id", LONG, "a2", INT, "c", TEXT, "d", TEXT), 30);
    assertThat(id("c")).isEqualTo(c);
    assertThat(TableManager.droppedColumns(table.properties())).doesNotContain(c);
  }

  @Test
  void aRenameBackTakesTheFormerNameAgain() {
    int b = id("b");
    table = manager.ensureColumns(table, source("id", LONG, "a", INT, "b2", TEXT, "c", TEXT), 10);
    SourceTable back = source("id", LONG, "a", INT, "b", TEXT, "c", TEXT);
    table = manager.ensureColumns(table, back, 20);
    assertThat(id("b")).isEqualTo(b);
    assertThat(table.schema().findField("b2")).isNull();
    assertThat(TableManager.renamedColumns(table.properties())).containsEntry("b2", b);
    assertThat(map(back, 1L, 2, "x", "y").getField("b")).isEqualTo("x");
  }

  private TableIdentifier tableId() {
    return TableNames.mirror("shop", ID);
  }
}
