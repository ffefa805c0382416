package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The table mode (mirror or append-only) and what a TRUNCATE does, in YAML and property groups. */
class TableModeConfigTest {
  private static final String BASE =
      "source: {host: db, database: shop, user: u}\nsink: {warehouse: s3://lake/wh}\n";

  @Test
  void truncateDefaultsToApplyAndTablesOverrideIt() {
    TributaryConfig config =
        ConfigLoader.fromYamlString(
            BASE
                + "tables:\n"
                + "  include: [\"public.*\"]\n"
                + "  truncate: ignore\n"
                + "  options:\n"
                + "    public.orders: {truncate: apply}\n"
                + "    public.events: {mode: append-only}\n");
    TableSelection tables = config.tables();
    assertThat(tables.truncate()).isEqualTo(TruncateMode.IGNORE);
    assertThat(tables.truncateFor("public.orders")).isEqualTo(TruncateMode.APPLY);
    assertThat(tables.truncateFor("public.customers")).isEqualTo(TruncateMode.IGNORE);
    assertThat(tables.optionsFor("public.events").mode()).isEqualTo(TableMode.APPEND_ONLY);
    assertThat(tables.optionsFor("public.orders").mode()).isNull();

    TributaryConfig defaults =
        ConfigLoader.fromYamlString(BASE + "tables: {include: [public.orders]}\n");
    assertThat(defaults.tables().truncateFor("public.orders")).isEqualTo(TruncateMode.APPLY);
  }

  @Test
  void propertyGroupsGiveTheSameOptions() {
    Map<String, Properties> groups = ConfigLoaderPropertyGroupsTest.minimalGroups();
    groups.get("tables").setProperty("truncate", "ignore");
    groups.put(
        "table.public.orders",
        ConfigLoaderPropertyGroupsTest.props("mode", "append-only", "truncate", "apply"));
    TableSelection tables = ConfigLoader.fromPropertyGroups(groups).tables();
    assertThat(tables.truncate()).isEqualTo(TruncateMode.IGNORE);
    assertThat(tables.optionsFor("public.orders").mode()).isEqualTo(TableMode.APPEND_ONLY);
    assertThat(tables.truncateFor("public.orders")).isEqualTo(TruncateMode.APPLY);
  }

  @Test
  void invalidValuesAndContradictionsAreNamed() {
    assertThatThrownBy(
            () ->
                ConfigLoader.fromYamlString(
                    BASE
                        + "tables:\n"
                        + "  include: [\"public.*\"]\n"
                        + "  truncate: drop\n"
                        + "  options:\n"
                        + "    public.a: {mode: upsert}\n"
                        + "    public.b: {mode: append-only, partition-spec: [day(ts)]}\n"
                        + "    public.c: {mode: append-only, key-columns: [id]}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tables.truncate: 'drop' is not valid: use one of apply, ignore")
        .hasMessageContaining(
            "tables.options.public.a.mode: 'upsert' is not valid: use one of mirror, append-only")
        .hasMessageContaining(
            "tables.options.public.b.partition-spec: an append-only table has no mirror table to"
                + " partition")
        .hasMessageContaining(
            "tables.options.public.c.key-columns: an append-only table is not keyed");
  }
}
