package io.tributary.source.postgres;

import io.debezium.config.Configuration;
import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.relational.RelationalTableFilters;
import java.time.Duration;

/**
 * Debezium's PostgreSQL connector configuration with the answers its WAL reader asks for on every
 * change computed once. The stock configuration looks each of them up in its property map and
 * parses it again for every change (the decoding plugin when it builds a change, whether unknown
 * types are included for every column, the xmin fetch interval for every message), and matches the
 * table against the include patterns with regular expressions several times per change. The
 * configuration is immutable, so every answer is the same as the stock one.
 */
final class TunedConnectorConfig extends PostgresConnectorConfig {
  // Lazily filled: the superclass constructor may already ask for them, before these are set.
  private volatile LogicalDecoder plugin;
  private volatile Boolean includeUnknownDatatypes;
  private volatile Duration xminFetchInterval;

  TunedConnectorConfig(Configuration config) {
    super(config);
    RelationalTableFilters filters = getTableFilters();
    filters.setDataCollectionFilters(CachedTableFilter.of(filters.dataCollectionFilter()));
  }

  @Override
  public LogicalDecoder plugin() {
    LogicalDecoder value = plugin;
    if (value == null) {
      value = super.plugin();
      plugin = value;
    }
    return value;
  }

  @Override
  public boolean includeUnknownDatatypes() {
    Boolean value = includeUnknownDatatypes;
    if (value == null) {
      value = super.includeUnknownDatatypes();
      includeUnknownDatatypes = value;
    }
    return value;
  }

  @Override
  public Duration xminFetchInterval() {
    Duration value = xminFetchInterval;
    if (value == null) {
      value = super.xminFetchInterval();
      xminFetchInterval = value;
    }
    return value;
  }
}
