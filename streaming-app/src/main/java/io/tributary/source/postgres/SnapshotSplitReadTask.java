package io.tributary.source.postgres;

import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.connector.postgresql.PostgresEventDispatcher;
import io.debezium.connector.postgresql.PostgresOffsetContext;
import io.debezium.connector.postgresql.PostgresPartition;
import io.debezium.connector.postgresql.PostgresSchema;
import io.debezium.connector.postgresql.SourceInfo;
import io.debezium.connector.postgresql.Utils;
import io.debezium.connector.postgresql.connection.PostgresConnection;
import io.debezium.pipeline.EventDispatcher;
import io.debezium.pipeline.source.AbstractSnapshotChangeEventSource;
import io.debezium.pipeline.source.spi.ChangeEventSource;
import io.debezium.pipeline.source.spi.SnapshotProgressListener;
import io.debezium.pipeline.spi.SnapshotResult;
import io.debezium.relational.RelationalSnapshotChangeEventSource;
import io.debezium.relational.SnapshotChangeRecordEmitter;
import io.debezium.relational.Table;
import io.debezium.relational.TableId;
import io.debezium.util.Clock;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.cdc.connectors.base.source.meta.split.SnapshotSplit;
import org.apache.flink.cdc.connectors.postgres.source.utils.PostgresQueryUtils;
import org.postgresql.PGStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one snapshot split (a key range of one table) and dispatches each row as a snapshot read
 * event, like Flink CDC's own split reader, with the row values taken by a {@link
 * SnapshotRowReader}: equal to what the WAL reader produces for the same row.
 *
 * <p>The scan runs as an unnamed statement, so the driver receives every value in text form: a
 * server-prepared statement (the driver prepares one after five executions of the same query, which
 * happens after five chunks of a table) switches numbers, dates and times to binary transfer, whose
 * decoding differs from the text the WAL carries.
 */
final class SnapshotSplitReadTask
    extends AbstractSnapshotChangeEventSource<PostgresPartition, PostgresOffsetContext> {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotSplitReadTask.class);

  private final PostgresConnection connection;
  private final PostgresConnectorConfig connectorConfig;
  private final PostgresSchema schema;
  private final PostgresEventDispatcher<TableId> dispatcher;
  private final PostgresOffsetContext offset;
  private final SnapshotProgressListener<PostgresPartition> progress;
  private final SnapshotSplit split;
  private final Clock clock = Clock.SYSTEM;

  SnapshotSplitReadTask(
      PostgresConnection connection,
      PostgresConnectorConfig connectorConfig,
      PostgresSchema schema,
      PostgresOffsetContext offset,
      PostgresEventDispatcher<TableId> dispatcher,
      SnapshotProgressListener<PostgresPartition> progress,
      SnapshotSplit split) {
    super(connectorConfig, progress);
    this.connection = connection;
    this.connectorConfig = connectorConfig;
    this.schema = schema;
    this.offset = offset;
    this.dispatcher = dispatcher;
    this.progress = progress;
    this.split = split;
  }

  @Override
  protected SnapshotResult<PostgresOffsetContext> doExecute(
      ChangeEventSource.ChangeEventSourceContext context,
      PostgresOffsetContext previousOffset,
      SnapshotContext<PostgresPartition, PostgresOffsetContext> snapshotContext,
      SnapshottingTask task)
      throws Exception {
    Utils.refreshSchema(schema, connection, true);
    snapshotContext.offset = positioned(offset, connection.currentXLogLocation());
    Table table = schema.tableFor(split.getTableId());
    if (table == null) {
      throw new IllegalStateException(
          "Table "
              + split.getTableId()
              + " of snapshot split "
              + split.splitId()
              + " is not in the source's schema: it was dropped or renamed during the snapshot");
    }
    EventDispatcher.SnapshotReceiver<PostgresPartition> receiver =
        dispatcher.getSnapshotChangeEventReceiver();
    readRows(snapshotContext, receiver, table);
    receiver.completeSnapshot();
    return SnapshotResult.completed(snapshotContext.offset);
  }

  private void readRows(
      SnapshotContext<PostgresPartition, PostgresOffsetContext> snapshotContext,
      EventDispatcher.SnapshotReceiver<PostgresPartition> receiver,
      Table table)
      throws InterruptedException {
    long start = clock.currentTimeInMillis();
    List<String> uuidKeys = new ArrayList<>();
    for (String keyField : split.getSplitKeyType().getFieldNames()) {
      if ("uuid".equals(table.columnWithName(keyField).typeName())) {
        uuidKeys.add(keyField);
      }
    }
    boolean first = split.getSplitStart() == null;
    boolean last = split.getSplitEnd() == null;
    String query =
        PostgresQueryUtils.buildSplitScanQuery(
            split.getTableId(), split.getSplitKeyType(), first, last, uuidKeys);
    LOG.debug("Snapshot split {} of {}: {}", split.splitId(), table.id(), query);
    long rows = 0;
    try (PreparedStatement statement =
            PostgresQueryUtils.readTableSplitDataStatement(
                connection,
                query,
                first,
                last,
                split.getSplitStart(),
                split.getSplitEnd(),
                split.getSplitKeyType().getFieldCount(),
                connectorConfig.getSnapshotFetchSize());
        ResultSet rs = executeAsText(statement)) {
      SnapshotRowReader reader =
          SnapshotRowReader.of(
              table,
              rs,
              connection.getTypeRegistry(),
              connectorConfig
                  .getConfig()
                  .getBoolean(PostgresConnectorConfig.INCLUDE_UNKNOWN_DATATYPES));
      while (rs.next()) {
        rows++;
        Object[] row = reader.read(rs);
        snapshotContext.offset.event(table.id(), clock.currentTime());
        dispatcher.dispatchSnapshotEvent(
            snapshotContext.partition,
            table.id(),
            new SnapshotChangeRecordEmitter<>(
                snapshotContext.partition, snapshotContext.offset, row, clock),
            receiver);
      }
      progress.rowsScanned(snapshotContext.partition, table.id(), rows);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Reading snapshot split "
              + split.splitId()
              + " of table "
              + table.id()
              + " failed after "
              + rows
              + " rows: "
              + e.getMessage(),
          e);
    }
    LOG.info(
        "Read {} rows of snapshot split {} of {} in {} ms",
        rows,
        split.splitId(),
        table.id(),
        clock.currentTimeInMillis() - start);
  }

  /**
   * The split's offset with the server's WAL position read right after the schema refresh: the
   * snapshot rows carry it as their source position, which the deserializer turns into the position
   * their schema is known to hold at (the rows themselves have none; see {@link
   * io.tributary.change.ChangeEvent#schemaLsn()}). Read after the refresh, it is never older than
   * the schema: a change streamed from before it may lack a column this schema has without the
   * column having been dropped.
   */
  private PostgresOffsetContext positioned(PostgresOffsetContext offset, long walPosition) {
    Map<String, Object> values = new HashMap<>(offset.getOffset());
    values.put(SourceInfo.LSN_KEY, walPosition);
    values.putIfAbsent(SourceInfo.TIMESTAMP_USEC_KEY, clock.currentTimeInMicros());
    return new PostgresOffsetContext.Loader(connectorConfig).load(values);
  }

  /** Runs the scan as an unnamed statement, so that every value arrives as text. */
  private static ResultSet executeAsText(PreparedStatement statement) throws SQLException {
    if (statement.isWrapperFor(PGStatement.class)) {
      statement.unwrap(PGStatement.class).setPrepareThreshold(0);
    }
    return statement.executeQuery();
  }

  @Override
  protected SnapshottingTask getSnapshottingTask(
      PostgresPartition partition, PostgresOffsetContext previousOffset) {
    return new SnapshottingTask(false, true);
  }

  @Override
  protected SnapshotContext<PostgresPartition, PostgresOffsetContext> prepare(
      PostgresPartition partition) throws Exception {
    return new RelationalSnapshotChangeEventSource.RelationalSnapshotContext<>(partition, "");
  }
}
