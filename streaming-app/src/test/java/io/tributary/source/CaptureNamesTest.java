package io.tributary.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.change.TableId;
import io.tributary.sink.TableNames;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CaptureNamesTest {

  @Test
  void namesThatSurviveFlinkCdcsCheckpointsAreCaptured() {
    for (TableId id :
        new TableId[] {
          new TableId("public", "orders"),
          new TableId("public", "Orders"),
          new TableId("Sales", "Items"),
          new TableId("public", "1st"),
          new TableId("public", "select")
        }) {
      assertThat(CaptureNames.problem(id)).as(id.toString()).isEmpty();
    }
  }

  @Test
  void tablesSharingALakeNameAreBothRefusedEachNamingTheOther() {
    TableId plain = new TableId("public", "sales_orders");
    TableId schema = new TableId("sales", "orders");
    TableId alone = new TableId("public", "orders");
    Map<TableId, String> refused = CaptureNames.refusedForNames(List.of(plain, schema, alone));
    assertThat(refused).containsOnlyKeys(plain, schema);
    assertThat(refused.get(plain))
        .isEqualTo(
            "Table \"public\".\"sales_orders\" shares the lake name sales_orders with"
                + " \"sales\".\"orders\", so it is not captured");
    assertThat(refused.get(schema)).contains("with \"public\".\"sales_orders\"");
  }

  @Test
  void otherCharactersAreRefusedWithTheRenameToRun() {
    assertThat(CaptureNames.problem(new TableId("public", "Order Lines")))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .startsWith("Table \"public\".\"Order Lines\" is not captured")
                    .contains("ALTER TABLE \"public\".\"Order Lines\" RENAME TO \"Order_Lines\"")
                    .contains("the other tables are captured"));
    assertThat(CaptureNames.problem(new TableId("public", "a.b"))).isPresent();
    assertThat(CaptureNames.problem(new TableId("my schema", "t"))).isPresent();
    assertThat(CaptureNames.problem(new TableId("public", "a,b"))).isPresent();
    assertThat(CaptureNames.problem(new TableId("public", "tab\there"))).isPresent();
    assertThat(CaptureNames.problem(new TableId("public", "a$b"))).isPresent();
    assertThat(CaptureNames.problem(new TableId("Sales", "Größe"))).isPresent();
    assertThat(CaptureNames.problem(new TableId("public", "we\"ird"))).isPresent();
  }

  @Test
  void lakeNamesAreLowerCaseLettersDigitsAndUnderscores() {
    assertThat(TableNames.mirrorName(new TableId("public", "orders"))).isEqualTo("orders");
    assertThat(TableNames.mirrorName(new TableId("public", "Orders"))).isEqualTo("orders");
    assertThat(TableNames.mirrorName(new TableId("Sales", "Order$Lines")))
        .isEqualTo("sales_order_lines");
    assertThat(TableNames.mirrorName(new TableId("public", "Größe"))).isEqualTo("gr__e");
    assertThat(TableNames.mirrorName(new TableId("public", "we\"ird"))).isEqualTo("we_ird");
  }
}
