package io.tributary.source;

import io.tributary.change.TableId;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A source table that the preflight check found and accepted, with the key Tributary uses. */
public final class CapturedTable implements Serializable {
  private static final long serialVersionUID = 1L;

  private final TableId id;
  private final List<String> primaryKey;
  private final List<String> key;
  private final String replicaIdentity;

  public CapturedTable(
      TableId id, List<String> primaryKey, List<String> key, String replicaIdentity) {
    this.id = id;
    this.primaryKey = Collections.unmodifiableList(new ArrayList<>(primaryKey));
    this.key = Collections.unmodifiableList(new ArrayList<>(key));
    this.replicaIdentity = replicaIdentity;
  }

  public TableId id() {
    return id;
  }

  /** The declared primary key; empty when the table has none. */
  public List<String> primaryKey() {
    return primaryKey;
  }

  /** The key used for upserts: the configured key columns, else the primary key. */
  public List<String> key() {
    return key;
  }

  /** {@code default}, {@code full}, {@code index} or {@code nothing}. */
  public String replicaIdentity() {
    return replicaIdentity;
  }

  /** Whether the key is a configured override rather than the primary key. */
  public boolean keyOverridden() {
    return !key.equals(primaryKey);
  }

  @Override
  public String toString() {
    return id + " key " + key;
  }
}
