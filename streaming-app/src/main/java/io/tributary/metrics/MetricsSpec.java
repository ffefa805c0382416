package io.tributary.metrics;

import io.tributary.catalog.CatalogSpec;
import io.tributary.config.Secret;
import io.tributary.config.SslRootCert;
import io.tributary.config.TributaryConfig;
import io.tributary.sink.TableNames;
import io.tributary.source.CapturedTable;
import io.tributary.source.postgres.PostgresSources;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the metrics of a job need to know, resolved once when the job is built: the captured tables
 * with their mirror tables, replication slots and freshness targets, the lake, and how to reach the
 * source for the slot poll.
 */
public final class MetricsSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  private final CatalogSpec catalog;
  private final Map<String, Table> tables;
  private final String jdbcUrl;
  private final String user;
  private final Secret password;
  private final SslRootCert sslRootCert;
  private final long pollIntervalMillis;

  /** One captured table. */
  public static final class Table implements Serializable {
    private static final long serialVersionUID = 1L;

    final String source;
    final String mirror;
    final String slot;
    final long targetMillis;

    Table(String source, String mirror, String slot, long targetMillis) {
      this.source = source;
      this.mirror = mirror;
      this.slot = slot;
      this.targetMillis = targetMillis;
    }

    /** The source table, {@code schema.table}: the value of the {@code table} dimension. */
    public String source() {
      return source;
    }

    /** The mirror table's identifier, {@code namespace.name}. */
    public String mirror() {
      return mirror;
    }

    /** The replication slot that carries the table's changes. */
    public String slot() {
      return slot;
    }

    /** The freshness target in milliseconds. */
    public long targetMillis() {
      return targetMillis;
    }
  }

  private MetricsSpec(
      CatalogSpec catalog,
      Map<String, Table> tables,
      String jdbcUrl,
      String user,
      Secret password,
      SslRootCert sslRootCert,
      long pollIntervalMillis) {
    this.catalog = catalog;
    this.tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.sslRootCert = sslRootCert;
    this.pollIntervalMillis = pollIntervalMillis;
  }

  /** The spec of a job capturing {@code captured}; resolves the source password. */
  public static MetricsSpec of(
      TributaryConfig config, List<CapturedTable> captured, CatalogSpec catalog) {
    Map<String, Table> tables = new LinkedHashMap<>();
    for (Map.Entry<String, List<CapturedTable>> group :
        PostgresSources.groups(captured).entrySet()) {
      String slot = PostgresSources.slotName(config.source(), group.getKey());
      for (CapturedTable table : group.getValue()) {
        String name = table.id().qualified();
        Duration target = config.tables().freshnessTargetFor(name);
        tables.put(
            name,
            new Table(
                name,
                TableNames.mirror(config.sink().namespace(), table.id()).toString(),
                slot,
                target.toMillis()));
      }
    }
    // Where the password is, read at each connection: never the value, so that it is not part of
    // the job's definition and a rotated secret is picked up.
    Secret password =
        config.source().password() != null && config.source().password().isPresent()
            ? config.source().password()
            : null;
    return new MetricsSpec(
        catalog,
        tables,
        // The slot and row-estimate polls read PostgreSQL's catalog: none for MySQL sources yet.
        config.source().isMySql() ? null : config.source().jdbcUrl(),
        config.source().user(),
        password,
        config.source().sslRootCert(),
        config.job().sourcePollInterval().toMillis());
  }

  /** The lake's catalog. */
  public CatalogSpec catalog() {
    return catalog;
  }

  /** The captured tables by {@code schema.table}. */
  public Map<String, Table> tables() {
    return tables;
  }

  /** JDBC URL of the source database; null when the source is not polled (MySQL). */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  /** Login of the source database. */
  public String user() {
    return user;
  }

  /** Where the password of the source database is, or null. */
  Secret password() {
    return password;
  }

  /** The source's certificate authority, or null for the driver's default. */
  SslRootCert sslRootCert() {
    return sslRootCert;
  }

  /** How often the source is polled. */
  public long pollIntervalMillis() {
    return pollIntervalMillis;
  }

  @Override
  public String toString() {
    return "MetricsSpec{tables="
        + tables.keySet()
        + ", source="
        + jdbcUrl
        + ", pollIntervalMillis="
        + pollIntervalMillis
        + "}";
  }
}
