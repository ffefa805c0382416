package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableSelectionTest {

  private final TableSelection selection =
      TableSelection.builder()
          .include("sales.*", "public.customers", "*.audit_*", "hr.emp_??")
          .exclude("sales.tmp_*")
          .option("sales.orders", TableOptions.builder().changelog(true).build())
          .build();

  @Test
  void exactNamesMatch() {
    assertThat(selection.matches("public.customers")).isTrue();
    assertThat(selection.matches("public.customers_old")).isFalse();
    assertThat(selection.matches("public.orders")).isFalse();
  }

  @Test
  void globsMatchWithinSchemaAndTable() {
    assertThat(selection.matches("sales.orders")).isTrue();
    assertThat(selection.matches("finance.audit_log")).isTrue();
    assertThat(selection.matches("finance.audit_")).isTrue();
    assertThat(selection.matches("finance.my_audit_log")).isFalse();
    assertThat(selection.matches("hr.emp_01")).isTrue();
    assertThat(selection.matches("hr.emp_1")).isFalse();
  }

  @Test
  void excludeWins() {
    assertThat(selection.matches("sales.tmp_load")).isFalse();
  }

  @Test
  void namesAreCaseSensitive() {
    assertThat(selection.matches("Sales.orders")).isFalse();
    assertThat(selection.matches("PUBLIC.CUSTOMERS")).isFalse();
  }

  @Test
  void regexCharactersAreLiteral() {
    TableSelection dots = TableSelection.builder().include("a.b$c+d").build();

    assertThat(dots.matches("a.b$c+d")).isTrue();
    assertThat(dots.matches("a.bbc+d")).isFalse();
  }

  @Test
  void namesWithoutSchemaDoNotMatch() {
    assertThat(selection.matches("orders")).isFalse();
    assertThat(selection.matches(null)).isFalse();
  }

  @Test
  void optionsForFallsBackToDefaults() {
    assertThat(selection.optionsFor("sales.orders").changelog()).isTrue();
    assertThat(selection.optionsFor("sales.lines")).isSameAs(TableOptions.defaults());
    assertThat(TableOptions.defaults().partitionSpec()).isEmpty();
    assertThat(TableOptions.defaults().keyColumns()).isEmpty();
    assertThat(TableOptions.defaults().changelog()).isFalse();
  }

  @Test
  void builderRejectsOptionsForTablesNotCaptured() {
    assertThatThrownBy(
            () ->
                TableSelection.builder()
                    .include("sales.*")
                    .option("sales.*", TableOptions.defaults())
                    .option("public.x", TableOptions.defaults())
                    .build())
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).problems())
                    .containsExactly(
                        "tables.options: 'sales.*' must be an exact schema.table name without * or"
                            + " ?: give options for each table",
                        "tables.options: table 'public.x' is not matched by tables.include"
                            + " [sales.*]: add it to include or correct the name"));
  }

  @Test
  void listsAreImmutable() {
    assertThatThrownBy(() -> selection.include().add("x.y"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> selection.options().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
