package io.tributary.control;

import io.tributary.catalog.CatalogSpec;
import io.tributary.config.ControlConfig;
import io.tributary.sink.TableCommit;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * The end of the job: receives the committer's {@link TableCommit}s (one per table and completed
 * checkpoint) and hands them to a {@link ControlStateWriter}, which writes the tables' STATE items
 * off the job's threads, with the dead-letter count of each table. Stateless: a lost update only
 * makes counters lag, never the data.
 */
public final class ControlTableSink implements Sink<TableCommit> {
  private static final long serialVersionUID = 1L;

  private final ControlConfig config;
  private final CatalogSpec catalog;
  private final String namespace;

  /**
   * @param catalog the lake, whose dead-letter folder is counted
   * @param namespace the namespace of the mirror tables
   */
  public ControlTableSink(ControlConfig config, CatalogSpec catalog, String namespace) {
    this.config = config;
    this.catalog = catalog;
    this.namespace = namespace;
  }

  @Override
  @SuppressWarnings("deprecation")
  public SinkWriter<TableCommit> createWriter(InitContext context) {
    DeadLetterCounts deadLetters = new DeadLetterCounts(catalog, namespace);
    return new Writer(ControlStateWriter.start(config, deadLetters), deadLetters);
  }

  private static final class Writer implements SinkWriter<TableCommit> {
    private final ControlStateWriter state;
    private final DeadLetterCounts deadLetters;

    Writer(ControlStateWriter state, DeadLetterCounts deadLetters) {
      this.state = state;
      this.deadLetters = deadLetters;
    }

    @Override
    public void write(TableCommit commit, Context context) {
      state.submit(StateUpdate.of(commit));
    }

    @Override
    public void flush(boolean endOfInput) {
      // Nothing to do: updates are written asynchronously and carry no checkpointed state.
    }

    @Override
    public void close() {
      state.close();
      deadLetters.close();
    }
  }
}
