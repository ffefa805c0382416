package io.tributary.source.postgres;

import io.debezium.connector.postgresql.PostgresOffsetContext;
import io.debezium.pipeline.spi.SnapshotResult;
import org.apache.flink.cdc.connectors.base.source.meta.split.SnapshotSplit;
import org.apache.flink.cdc.connectors.postgres.source.fetch.PostgresScanFetchTask;
import org.apache.flink.cdc.connectors.postgres.source.fetch.PostgresSourceFetchTaskContext;
import org.apache.flink.cdc.connectors.postgres.source.fetch.StoppableChangeEventSourceContext;

/**
 * Flink CDC's fetch task for a snapshot split, with the split's rows read by a {@link
 * SnapshotSplitReadTask}, so that snapshot rows carry the same values as streamed changes. Slots,
 * watermarks and backfill stay Flink CDC's.
 */
final class TunedScanFetchTask extends PostgresScanFetchTask {
  TunedScanFetchTask(SnapshotSplit split) {
    super(split);
  }

  @Override
  protected void executeDataSnapshot(Context context) throws Exception {
    PostgresSourceFetchTaskContext ctx = (PostgresSourceFetchTaskContext) context;
    SnapshotSplitReadTask task =
        new SnapshotSplitReadTask(
            ctx.getConnection(),
            ctx.getDbzConnectorConfig(),
            ctx.getDatabaseSchema(),
            ctx.getOffsetContext(),
            ctx.getEventDispatcher(),
            ctx.getSnapshotChangeEventSourceMetrics(),
            snapshotSplit);
    SnapshotResult<PostgresOffsetContext> result =
        task.execute(
            new StoppableChangeEventSourceContext(), ctx.getPartition(), ctx.getOffsetContext());
    if (!result.isCompletedOrSkipped()) {
      taskRunning = false;
      throw new IllegalStateException(
          "Reading snapshot split " + snapshotSplit.splitId() + " did not complete: " + result);
    }
  }
}
