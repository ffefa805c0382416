package io.tributary.source.debezium;

import io.tributary.change.TableId;
import java.io.Serializable;

/**
 * Asked when Debezium hands over a new row schema of a table: whether the source can capture the
 * table as it is now. The answer travels with the table's changes, and the writer parks the table
 * with it.
 */
public interface ColumnCheck extends Serializable {
  /** Why the table cannot be captured as it is now, or null when it can (or is not known). */
  String problem(TableId id);
}
