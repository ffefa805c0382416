package io.tributary.sink;

import io.tributary.change.TableId;

/** A source schema change that cannot be applied to the mirror table. */
public final class SchemaChangeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final TableId table;

  public SchemaChangeException(TableId table, String reason) {
    super("Cannot apply the schema change of " + table + ": " + reason);
    this.table = table;
  }

  public TableId table() {
    return table;
  }
}
