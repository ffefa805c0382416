package io.tributary.sink;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.io.WriteResult;

/**
 * The files one writer wrote for one table within one checkpoint, as segments in write order, and
 * what they hold. Segments must be committed in order, each as its own snapshot.
 */
public final class TableWrite implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String table;
  private final List<WriteResult> segments;
  private final long rows;
  private final long deletes;
  private final long maxLsn;
  private final long maxSourceTsMicros;

  /** Source position of the latest TRUNCATE to apply after the segments; 0 for none. */
  private final long truncateLsn;

  /**
   * The table's partition specs by id, which the files' partition values are read with when the
   * write is stored (see {@link WriteBatch#toBytes()}); null in writes read from the first state
   * format, which did not store them.
   */
  private final Map<Integer, PartitionSpec> specs;

  /** Only a TRUNCATE of the table, to apply at source position {@code truncateLsn}. */
  public static TableWrite truncate(String table, long truncateLsn) {
    return new TableWrite(table, List.of(), 0, 0, truncateLsn, -1, truncateLsn);
  }

  public TableWrite(
      String table,
      List<WriteResult> segments,
      long rows,
      long deletes,
      long maxLsn,
      long maxSourceTsMicros) {
    this(table, segments, rows, deletes, maxLsn, maxSourceTsMicros, 0);
  }

  public TableWrite(
      String table,
      List<WriteResult> segments,
      long rows,
      long deletes,
      long maxLsn,
      long maxSourceTsMicros,
      long truncateLsn) {
    this(table, segments, rows, deletes, maxLsn, maxSourceTsMicros, truncateLsn, Map.of());
  }

  /**
   * @param specs the table's partition specs by id ({@code Table.specs()}): the partition values of
   *     partitioned files can only be stored with their spec
   */
  public TableWrite(
      String table,
      List<WriteResult> segments,
      long rows,
      long deletes,
      long maxLsn,
      long maxSourceTsMicros,
      long truncateLsn,
      Map<Integer, PartitionSpec> specs) {
    this.specs = Collections.unmodifiableMap(new TreeMap<>(specs));
    this.table = table;
    this.truncateLsn = truncateLsn;
    this.segments = Collections.unmodifiableList(new ArrayList<>(segments));
    this.rows = rows;
    this.deletes = deletes;
    this.maxLsn = maxLsn;
    this.maxSourceTsMicros = maxSourceTsMicros;
  }

  /** The Iceberg table identifier, {@code namespace.name}. */
  public String table() {
    return table;
  }

  public List<WriteResult> segments() {
    return segments;
  }

  /** The table's partition specs by id, as far as the writer passed them. */
  public Map<Integer, PartitionSpec> specs() {
    return specs == null ? Map.of() : specs;
  }

  /** Rows written (inserts, updates and snapshot rows). */
  public long rows() {
    return rows;
  }

  /** Deletes written. */
  public long deletes() {
    return deletes;
  }

  /** Highest source position among the changes, or -1. */
  public long maxLsn() {
    return maxLsn;
  }

  /** Latest source commit time among the changes, in microseconds, or -1. */
  public long maxSourceTsMicros() {
    return maxSourceTsMicros;
  }

  /**
   * The source position of a TRUNCATE of the table among these changes (the latest when there were
   * several), or 0 when there was none: every row whose source position is lower, or unknown
   * (snapshot rows), is deleted once the segments of all writers are committed.
   */
  public long truncateLsn() {
    return truncateLsn;
  }

  @Override
  public String toString() {
    return "TableWrite{"
        + table
        + ", segments="
        + segments.size()
        + ", rows="
        + rows
        + ", deletes="
        + deletes
        + (truncateLsn > 0 ? ", truncate at " + truncateLsn : "")
        + "}";
  }
}
