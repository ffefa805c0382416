package io.tributary.control;

import io.tributary.config.ControlConfig;
import io.tributary.sink.TableCommit;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * The end of the job: receives the committer's {@link TableCommit}s (one per table and completed
 * checkpoint) and hands them to a {@link ControlStateWriter}, which writes the tables' STATE items
 * off the job's threads. Stateless: a lost update only makes counters lag, never the data.
 */
public final class ControlTableSink implements Sink<TableCommit> {
  private static final long serialVersionUID = 1L;

  private final ControlConfig config;

  public ControlTableSink(ControlConfig config) {
    this.config = config;
  }

  @Override
  @SuppressWarnings("deprecation")
  public SinkWriter<TableCommit> createWriter(InitContext context) {
    return new Writer(ControlStateWriter.start(config));
  }

  private static final class Writer implements SinkWriter<TableCommit> {
    private final ControlStateWriter state;

    Writer(ControlStateWriter state) {
      this.state = state;
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
    }
  }
}
