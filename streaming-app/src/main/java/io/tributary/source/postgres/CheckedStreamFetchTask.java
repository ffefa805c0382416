package io.tributary.source.postgres;

import java.sql.SQLException;
import org.apache.flink.cdc.connectors.base.source.meta.split.StreamSplit;
import org.apache.flink.cdc.connectors.postgres.source.fetch.PostgresSourceFetchTaskContext;
import org.apache.flink.cdc.connectors.postgres.source.fetch.PostgresStreamFetchTask;
import org.apache.flink.cdc.connectors.postgres.source.offset.PostgresOffset;

/**
 * Flink CDC's stream fetch task, started only after {@link SlotPositionCheck} found that the slot
 * has not confirmed past the split's starting position.
 */
final class CheckedStreamFetchTask extends PostgresStreamFetchTask {
  private final boolean allowWalGap;
  private final boolean slotCreatedAtStart;

  CheckedStreamFetchTask(StreamSplit split, boolean allowWalGap, boolean slotCreatedAtStart) {
    super(split);
    this.allowWalGap = allowWalGap;
    this.slotCreatedAtStart = slotCreatedAtStart;
  }

  @Override
  public void execute(Context context) throws Exception {
    PostgresSourceFetchTaskContext postgres = (PostgresSourceFetchTaskContext) context;
    StreamSplit split = getSplit().asStreamSplit();
    if (split.getStartingOffset() instanceof PostgresOffset) {
      try {
        SlotPositionCheck.check(
            postgres.getConnection().connection(),
            postgres.getSlotName(),
            ((PostgresOffset) split.getStartingOffset()).getLsn(),
            slotCreatedAtStart,
            allowWalGap);
      } catch (SQLException e) {
        throw new IllegalStateException(
            "Cannot connect to check replication slot " + postgres.getSlotName(), e);
      }
    }
    super.execute(context);
  }
}
