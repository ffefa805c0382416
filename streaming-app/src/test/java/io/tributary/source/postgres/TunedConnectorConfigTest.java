package io.tributary.source.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.config.Configuration;
import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.connector.postgresql.PostgresConnectorConfig.LogicalDecoder;
import io.debezium.relational.TableId;
import io.debezium.relational.Tables.TableFilter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The tuned Debezium configuration answers like the stock one, from the same properties, and its
 * table filter decides like the stock filter while matching each table's name once.
 */
class TunedConnectorConfigTest {
  private static final List<TableId> TABLES =
      List.of(
          new TableId(null, "sales", "orders"),
          new TableId(null, "sales", "order_lines"),
          new TableId(null, "sales", "orders_archive"),
          new TableId(null, "public", "orders"),
          new TableId(null, "pg_catalog", "pg_class"),
          new TableId("bench", "sales", "orders"));

  private static Configuration properties(String plugin, boolean unknownTypes, long xminMs) {
    return Configuration.create()
        .with("database.server.name", "postgres_cdc_source")
        .with("database.hostname", "127.0.0.1")
        .with("database.dbname", "bench")
        .with("plugin.name", plugin)
        .with("include.unknown.datatypes", unknownTypes)
        .with("xmin.fetch.interval.ms", xminMs)
        .with("schema.include.list", "sales,public")
        .with("table.include.list", "sales\\.orders,sales\\.order_.*")
        .build();
  }

  @Test
  void answersLikeTheStockConfiguration() {
    for (String plugin : List.of("pgoutput", "decoderbufs")) {
      for (boolean unknownTypes : List.of(true, false)) {
        Configuration config = properties(plugin, unknownTypes, 1234);
        PostgresConnectorConfig stock = new PostgresConnectorConfig(config);
        TunedConnectorConfig tuned = new TunedConnectorConfig(config);

        assertThat(tuned.plugin()).isEqualTo(LogicalDecoder.parse(plugin));
        assertThat(tuned.plugin()).isSameAs(tuned.plugin());
        assertThat(tuned.includeUnknownDatatypes()).isEqualTo(unknownTypes);
        assertThat(tuned.xminFetchInterval()).isEqualTo(Duration.ofMillis(1234));
        assertThat(tuned.getConfig().asProperties()).isEqualTo(stock.getConfig().asProperties());
        for (TableId table : TABLES) {
          assertThat(tuned.getTableFilters().dataCollectionFilter().isIncluded(table))
              .as(table.toString())
              .isEqualTo(stock.getTableFilters().dataCollectionFilter().isIncluded(table));
        }
      }
    }
    // The patterns above include these tables (PostgreSQL matches schema.table, whatever the
    // database).
    TableFilter filter =
        new TunedConnectorConfig(properties("pgoutput", true, 0))
            .getTableFilters()
            .dataCollectionFilter();
    assertThat(TABLES.stream().filter(filter::isIncluded))
        .containsExactly(TABLES.get(0), TABLES.get(1), TABLES.get(5));
  }

  @Test
  void cachedFilterAsksItsDelegateOncePerTable() {
    AtomicInteger asked = new AtomicInteger();
    TableFilter delegate =
        id -> {
          asked.incrementAndGet();
          return id.table().startsWith("order");
        };
    TableFilter cached = CachedTableFilter.of(delegate);
    for (int round = 0; round < 3; round++) {
      for (TableId table : TABLES) {
        // A new TableId object for every change, as the WAL reader parses one per message.
        TableId parsed = TableId.parse(table.toString());
        assertThat(cached.isIncluded(parsed))
            .as(table.toString())
            .isEqualTo(delegate.isIncluded(table));
      }
    }
    // Three rounds of asking the cache, plus the direct calls of the assertion.
    assertThat(asked.get()).isEqualTo(TABLES.size() + 3 * TABLES.size());
    assertThat(((CachedTableFilter) cached).remembered()).isEqualTo(TABLES.size());
    assertThat(CachedTableFilter.of(cached)).isSameAs(cached);
  }

  @Test
  void findsTheFilterFieldsItReplaces() {
    assertThat(TunedFetchTaskContext.schemaFilterField().getType()).isEqualTo(TableFilter.class);
    assertThat(TunedFetchTaskContext.dispatcherFilterField().getName()).isEqualTo("filter");
  }
}
