package io.tributary.source.postgres;

import io.debezium.relational.TableId;
import io.debezium.relational.Tables.TableFilter;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A table filter that remembers its delegate's answer per table. Debezium's filter matches the
 * table's name against the include and exclude patterns (regular expressions) each time it is
 * asked, which its WAL reader does several times per change; the answer for a table never changes
 * while a configuration lives.
 */
final class CachedTableFilter implements TableFilter {
  /** More distinct tables than this are answered by the delegate without being remembered. */
  static final int MAX_TABLES = 100_000;

  private final TableFilter delegate;
  private final ConcurrentHashMap<TableId, Boolean> answers = new ConcurrentHashMap<>();

  private CachedTableFilter(TableFilter delegate) {
    this.delegate = delegate;
  }

  /** The filter, remembering its answers; a filter that already does is returned as it is. */
  static TableFilter of(TableFilter filter) {
    return filter instanceof CachedTableFilter ? filter : new CachedTableFilter(filter);
  }

  @Override
  public boolean isIncluded(TableId id) {
    Boolean answer = answers.get(id);
    if (answer == null) {
      answer = delegate.isIncluded(id);
      if (answers.size() < MAX_TABLES) {
        answers.put(id, answer);
      }
    }
    return answer;
  }

  int remembered() {
    return answers.size();
  }
}
