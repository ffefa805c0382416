package io.tributary.sink;

import io.tributary.catalog.CatalogSpec;
import io.tributary.change.TableId;
import java.io.Serializable;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What the Iceberg writers and committer need to know: where the lake is and how tables look. */
public final class SinkSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  private final CatalogSpec catalog;
  private final String namespace;
  private final Map<TableId, List<String>> partitionTerms;
  private final String runId;
  private final java.util.Set<TableId> changelogTables;

  public SinkSpec(
      CatalogSpec catalog,
      String namespace,
      Map<TableId, List<String>> partitionTerms,
      java.util.Set<TableId> changelogTables,
      String runId) {
    this.changelogTables = java.util.Set.copyOf(changelogTables);
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.partitionTerms = Collections.unmodifiableMap(new HashMap<>(partitionTerms));
    this.runId = Objects.requireNonNull(runId, "runId");
  }

  public CatalogSpec catalog() {
    return catalog;
  }

  public String namespace() {
    return namespace;
  }

  public Map<TableId, List<String>> partitionTerms() {
    return partitionTerms;
  }

  /** Tables that also get an append-only changelog table. */
  public java.util.Set<TableId> changelogTables() {
    return changelogTables;
  }

  /**
   * Identifies this run of the pipeline: chosen when the job is first started and kept in operator
   * state across restarts, so commits of a restored job are recognised as its own.
   */
  public String runId() {
    return runId;
  }
}
