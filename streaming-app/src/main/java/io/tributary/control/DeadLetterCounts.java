package io.tributary.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.catalog.CatalogSpec;
import io.tributary.change.TableId;
import io.tributary.deadletter.DeadLetters;
import io.tributary.sink.TableNames;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.iceberg.io.FileIO;

/**
 * Counts the published dead letters of every table, by the control table's partition key, with the
 * reason of the newest one: lists the dead-letter folder of the warehouse and reads each file once
 * (published files never change).
 */
final class DeadLetterCounts
    implements Supplier<Map<String, DeadLetterCounts.Count>>, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The dead letters of one table. */
  static final class Count {
    final long count;
    final String lastReason;

    Count(long count, String lastReason) {
      this.count = count;
      this.lastReason = lastReason;
    }

    Count plus(Count later) {
      return new Count(count + later.count, later.lastReason);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Count
          && ((Count) o).count == count
          && Objects.equals(((Count) o).lastReason, lastReason);
    }

    @Override
    public int hashCode() {
      return Objects.hash(count, lastReason);
    }
  }

  private final CatalogSpec catalog;
  private final String namespace;
  private final Map<String, Count> byPath = new HashMap<>();
  private FileIO io;

  DeadLetterCounts(CatalogSpec catalog, String namespace) {
    this.catalog = catalog;
    this.namespace = namespace;
  }

  /**
   * Dead letters per table ({@code pk} of its STATE item), files in path order (which is write
   * order within a run); tables without any are absent.
   */
  @Override
  public Map<String, Count> get() {
    if (io == null) {
      io = catalog.openFileIo();
    }
    Map<String, Count> counts = new HashMap<>();
    for (DeadLetters.DeadLetterFile file : DeadLetters.list(io, catalog.warehouse(), null)) {
      Count inFile = byPath.computeIfAbsent(file.path(), this::read);
      String table = TableNames.mirrorName(TableId.parse(file.table()));
      counts.merge(ControlTable.pk(namespace, table), inFile, Count::plus);
    }
    return counts;
  }

  private Count read(String path) {
    List<String> lines = DeadLetters.read(io, path);
    String reason = null;
    if (!lines.isEmpty()) {
      try {
        reason = JSON.readTree(lines.get(lines.size() - 1)).path("reason").asText(null);
      } catch (IOException e) {
        reason = null;
      }
    }
    return new Count(lines.size(), reason);
  }

  @Override
  public void close() {
    if (io != null) {
      io.close();
    }
  }
}
