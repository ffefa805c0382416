package io.tributary.sink;

import io.tributary.catalog.CatalogSpec;
import io.tributary.change.TableId;
import io.tributary.config.SinkConfig;
import java.io.Serializable;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** What the Iceberg writers and committer need to know: where the lake is and how tables look. */
public final class SinkSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  private final CatalogSpec catalog;
  private final String namespace;
  private final Map<TableId, List<String>> partitionTerms;
  private final String runId;
  private final Set<TableId> changelogTables;
  private final Set<TableId> appendOnlyTables;
  private final Set<TableId> truncateIgnored;
  private final Set<TableId> keylessTables;
  private final int commitThreads;

  /** How many tables the committer commits at the same time, unless set. */
  public static final int DEFAULT_COMMIT_THREADS = SinkConfig.DEFAULT_COMMIT_THREADS;

  public SinkSpec(
      CatalogSpec catalog,
      String namespace,
      Map<TableId, List<String>> partitionTerms,
      Set<TableId> changelogTables,
      String runId) {
    this(catalog, namespace, partitionTerms, changelogTables, Set.of(), Set.of(), runId);
  }

  /**
   * @param appendOnlyTables tables written only to their changelog table, without a mirror
   * @param truncateIgnored tables whose {@code TRUNCATE} leaves the mirror as it is
   */
  public SinkSpec(
      CatalogSpec catalog,
      String namespace,
      Map<TableId, List<String>> partitionTerms,
      Set<TableId> changelogTables,
      Set<TableId> appendOnlyTables,
      Set<TableId> truncateIgnored,
      String runId) {
    this(
        catalog,
        namespace,
        partitionTerms,
        changelogTables,
        appendOnlyTables,
        truncateIgnored,
        Set.of(),
        runId);
  }

  /**
   * @param keylessTables the append-only tables that had no primary key when the job started: a
   *     primary key added to one while the job runs is reported (see the writer)
   */
  public SinkSpec(
      CatalogSpec catalog,
      String namespace,
      Map<TableId, List<String>> partitionTerms,
      Set<TableId> changelogTables,
      Set<TableId> appendOnlyTables,
      Set<TableId> truncateIgnored,
      Set<TableId> keylessTables,
      String runId) {
    this(
        catalog,
        namespace,
        partitionTerms,
        changelogTables,
        appendOnlyTables,
        truncateIgnored,
        keylessTables,
        runId,
        DEFAULT_COMMIT_THREADS);
  }

  private SinkSpec(
      CatalogSpec catalog,
      String namespace,
      Map<TableId, List<String>> partitionTerms,
      Set<TableId> changelogTables,
      Set<TableId> appendOnlyTables,
      Set<TableId> truncateIgnored,
      Set<TableId> keylessTables,
      String runId,
      int commitThreads) {
    if (commitThreads < 1) {
      throw new IllegalArgumentException(
          "The committer needs at least 1 commit thread, got " + commitThreads);
    }
    this.commitThreads = commitThreads;
    this.keylessTables = Set.copyOf(keylessTables);
    this.changelogTables = Set.copyOf(changelogTables);
    this.appendOnlyTables = Set.copyOf(appendOnlyTables);
    this.truncateIgnored = Set.copyOf(truncateIgnored);
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.partitionTerms = Collections.unmodifiableMap(new HashMap<>(partitionTerms));
    this.runId = Objects.requireNonNull(runId, "runId");
  }

  /** This spec with {@code threads} commit threads (see {@link #commitThreads()}). */
  public SinkSpec withCommitThreads(int threads) {
    return new SinkSpec(
        catalog,
        namespace,
        partitionTerms,
        changelogTables,
        appendOnlyTables,
        truncateIgnored,
        keylessTables,
        runId,
        threads);
  }

  /**
   * How many tables the committer commits at the same time; the commits of one table stay in order.
   */
  public int commitThreads() {
    return commitThreads;
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
  public Set<TableId> changelogTables() {
    return changelogTables;
  }

  /** Tables without a mirror table: every change is appended to their changelog table. */
  public Set<TableId> appendOnlyTables() {
    return appendOnlyTables;
  }

  /** Append-only tables that had no primary key when the job started. */
  public Set<TableId> keylessTables() {
    return keylessTables;
  }

  /** Tables whose {@code TRUNCATE} is logged and counted but not applied (truncate: ignore). */
  public Set<TableId> truncateIgnored() {
    return truncateIgnored;
  }

  /**
   * Identifies this run of the pipeline: chosen when the job is first started and kept in operator
   * state across restarts, so commits of a restored job are recognised as its own.
   */
  public String runId() {
    return runId;
  }
}
