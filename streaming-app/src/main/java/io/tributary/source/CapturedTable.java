package io.tributary.source;

import io.tributary.change.TableId;
import io.tributary.config.TableMode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/** A source table that the preflight check found and accepted, with how Tributary captures it. */
public final class CapturedTable implements Serializable {
  private static final long serialVersionUID = 2L;

  private final TableId id;
  private final List<String> primaryKey;
  private final List<String> key;
  private final String replicaIdentity;
  private final TableMode mode;
  private final String chunkColumn;
  private boolean slotCreatedAtStart;

  /** A mirrored table whose snapshot is split on the first key column. */
  public CapturedTable(
      TableId id, List<String> primaryKey, List<String> key, String replicaIdentity) {
    this(id, primaryKey, key, replicaIdentity, TableMode.MIRROR, key.isEmpty() ? null : key.get(0));
  }

  public CapturedTable(
      TableId id,
      List<String> primaryKey,
      List<String> key,
      String replicaIdentity,
      TableMode mode,
      String chunkColumn) {
    this.id = id;
    this.primaryKey = Collections.unmodifiableList(new ArrayList<>(primaryKey));
    this.key = Collections.unmodifiableList(new ArrayList<>(key));
    this.replicaIdentity = replicaIdentity;
    this.mode = Objects.requireNonNull(mode, "mode");
    this.chunkColumn = chunkColumn;
    if (mode == TableMode.MIRROR && key.isEmpty()) {
      throw new IllegalArgumentException("A mirrored table needs a key: " + id);
    }
  }

  public TableId id() {
    return id;
  }

  /**
   * Whether this start created the replication slot of the table's source (it did not exist). A
   * restore onto such a slot has lost every change between the restored position and the slot's
   * creation.
   */
  public boolean slotCreatedAtStart() {
    return slotCreatedAtStart;
  }

  /** This table, read from a slot that this start created. */
  public CapturedTable withSlotCreatedAtStart() {
    CapturedTable copy = new CapturedTable(id, primaryKey, key, replicaIdentity, mode, chunkColumn);
    copy.slotCreatedAtStart = true;
    return copy;
  }

  /** The declared primary key; empty when the table has none. */
  public List<String> primaryKey() {
    return primaryKey;
  }

  /**
   * The key used for upserts: the configured key columns, else the primary key; empty for an
   * append-only table.
   */
  public List<String> key() {
    return key;
  }

  /** {@code default}, {@code full}, {@code index} or {@code nothing}. */
  public String replicaIdentity() {
    return replicaIdentity;
  }

  /** Whether the table is mirrored or only appended to its changelog table. */
  public TableMode mode() {
    return mode;
  }

  /** Whether the table has no mirror table, only its changelog table. */
  public boolean appendOnly() {
    return mode == TableMode.APPEND_ONLY;
  }

  /**
   * Whether only the table's inserts (and truncates) can be published: it has no primary key and
   * its replica identity is {@code DEFAULT} or {@code NOTHING}, and PostgreSQL rejects updates and
   * deletes of such a table once it is in a publication that publishes them.
   */
  public boolean insertOnly() {
    return primaryKey.isEmpty()
        && ("default".equals(replicaIdentity) || "nothing".equals(replicaIdentity));
  }

  /** The column the initial snapshot is split on: the first key column, else a chosen column. */
  public String chunkColumn() {
    return chunkColumn;
  }

  /** Whether the key is a configured override rather than the primary key. */
  public boolean keyOverridden() {
    return !key.equals(primaryKey);
  }

  @Override
  public String toString() {
    return id + (appendOnly() ? " append-only" : " key " + key);
  }
}
