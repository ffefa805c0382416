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
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Table;
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
    InMemoryCatalog catalog = new InMemoryCatalog();
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
}
