package io.tributary.source;

import io.tributary.change.ChangeEvent;
import io.tributary.change.TableId;
import io.tributary.config.SourceConfig;
import io.tributary.config.TributaryConfig;
import io.tributary.source.mysql.MySqlChangeSource;
import io.tributary.source.postgres.PostgresChangeSource;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One kind of source database, as the job sees it: the check before a start, which decides what is
 * captured, and the operators that read the captured tables' changes as {@link ChangeEvent}s, which
 * every source hands to the same sink.
 *
 * <p>Lifecycle: {@link #of} picks the implementation from {@code source.type}; a start calls {@link
 * #check} once on the client (it may prepare the source, as PostgreSQL's creates its replication
 * slots), then {@link #addTo} once while the job graph is built. Nothing is kept between the two
 * calls but their arguments. Errors: a source that cannot be captured as configured throws {@link
 * SourceNotReadyException} from {@link #check}, naming every problem and its remedy; a table that
 * alone cannot be captured is refused (named in {@link Plan#refused()}) and the others are
 * captured.
 */
public interface ChangeSource {

  /** The source that {@code source.type} names. */
  static ChangeSource of(SourceConfig source) {
    return source.isMySql() ? new MySqlChangeSource() : new PostgresChangeSource();
  }

  /**
   * Checks the source and decides what this start captures.
   *
   * @param lakeAppendOnly whether the lake holds a table as captured append-only
   * @throws SourceNotReadyException listing every problem found
   */
  Plan check(TributaryConfig config, Predicate<TableId> lakeAppendOnly);

  /**
   * Adds the operators that read the tables' changes, with stable uids, to the environment.
   *
   * @param refused qualified names of the tables the check refused
   * @param parallelism of the readers, or 0 for the environment's
   * @return the changes of every table, in each key's source order
   */
  DataStream<ChangeEvent> addTo(
      StreamExecutionEnvironment env,
      TributaryConfig config,
      List<CapturedTable> tables,
      Set<String> refused,
      int parallelism);

  /** What a start captures: the tables accepted and the names of those refused. */
  final class Plan {
    private final List<CapturedTable> tables;
    private final Set<String> refused;

    /**
     * @param tables the tables to capture
     * @param refused the qualified names of the tables the check refused
     */
    public Plan(List<CapturedTable> tables, Set<String> refused) {
      this.tables = List.copyOf(tables);
      this.refused = Set.copyOf(refused);
    }

    /** The tables to capture. */
    public List<CapturedTable> tables() {
      return tables;
    }

    /** Qualified names of the tables the check refused. */
    public Set<String> refused() {
      return refused;
    }

    @Override
    public String toString() {
      return "Plan{tables=" + tables + ", refused=" + refused + "}";
    }
  }
}
