package io.tributary.source.postgres;

import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.cdc.connectors.base.source.meta.offset.OffsetFactory;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceRecords;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceSplitState;
import org.apache.flink.cdc.connectors.base.source.meta.wartermark.WatermarkEvent;
import org.apache.flink.cdc.connectors.base.source.metrics.SourceReaderMetrics;
import org.apache.flink.cdc.connectors.base.source.reader.IncrementalSourceRecordEmitter;
import org.apache.flink.cdc.connectors.base.utils.SourceRecordUtils;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Schema;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.source.SourceRecord;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink CDC's record emitter, doing per batch what need not be done per change.
 *
 * <p>Flink CDC hands the emitter one batch of changes at a time, and a checkpoint never falls
 * inside a batch. The stock emitter still turns every change's source offset into a position (a map
 * of strings) and stores it as the stream split's position, and matches a regular expression
 * against every change's key schema name. This one emits data changes directly and stores the
 * position of the last data change before any other event and at the end of the batch: the split
 * state that a checkpoint or any other event sees is the same. Every other event (watermarks,
 * heartbeats, schema changes) takes the stock path, in order. Whether a key schema marks a schema
 * change is decided once per schema object.
 *
 * <p>The rows of a snapshot chunk are held back until the chunk's high watermark and then emitted
 * in one go ({@link SnapshotChunkBuffer}). Flink CDC hands them over in several batches when the
 * snapshot skips its backfill, and a checkpoint may fall between two batches; that checkpoint would
 * count the chunk as unread while the sink commits the rows emitted before it. After a restore from
 * it the chunk is read again, from a later position, and the changes made in between to the rows
 * already committed (a delete above all) would be skipped by the stream, which starts each key
 * range at its chunk's latest position.
 */
final class BatchPositionEmitter<T> extends IncrementalSourceRecordEmitter<T> {
  private static final int MAX_KNOWN_SCHEMAS = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(BatchPositionEmitter.class);

  private final Map<Schema, Boolean> schemaChangeKeys = new IdentityHashMap<>();
  private final SnapshotChunkBuffer<T> chunk;
  private final Collector<T> chunkCollector;

  BatchPositionEmitter(
      DebeziumDeserializationSchema<T> deserializer,
      SourceReaderMetrics metrics,
      boolean includeSchemaChanges,
      OffsetFactory offsetFactory) {
    this(
        deserializer,
        metrics,
        includeSchemaChanges,
        offsetFactory,
        SnapshotChunkBuffer.DEFAULT_MEMORY_BUDGET,
        Path.of(System.getProperty("java.io.tmpdir")));
  }

  BatchPositionEmitter(
      DebeziumDeserializationSchema<T> deserializer,
      SourceReaderMetrics metrics,
      boolean includeSchemaChanges,
      OffsetFactory offsetFactory,
      long chunkMemoryBudget,
      Path spillDirectory) {
    super(deserializer, metrics, includeSchemaChanges, offsetFactory);
    this.chunk =
        new SnapshotChunkBuffer<>(
            deserializer.getProducedType().createSerializer(new ExecutionConfig()),
            chunkMemoryBudget,
            spillDirectory);
    this.chunkCollector =
        new Collector<T>() {
          @Override
          public void collect(T row) {
            chunk.add(row);
          }

          @Override
          public void close() {}
        };
  }

  @Override
  public void emitRecord(SourceRecords records, SourceOutput<T> output, SourceSplitState state)
      throws Exception {
    if (state.isSnapshotSplitState()) {
      emitSnapshotRecords(records, output, state);
      return;
    }
    SourceRecord unrecorded = null;
    for (SourceRecord record : records.getSourceRecordList()) {
      if (isDataChange(record)) {
        emitElement(record, output);
        unrecorded = record;
      } else {
        if (unrecorded != null) {
          recordPosition(unrecorded, state);
          unrecorded = null;
        }
        processElement(record, output, state);
      }
    }
    if (unrecorded != null) {
      recordPosition(unrecorded, state);
    }
  }

  /**
   * A batch of a snapshot chunk: its rows are held until the chunk's high watermark, then emitted
   * together, before the watermark ends the chunk.
   */
  private void emitSnapshotRecords(
      SourceRecords records, SourceOutput<T> output, SourceSplitState state) throws Exception {
    for (SourceRecord record : records.getSourceRecordList()) {
      if (isDataChange(record)) {
        sourceReaderMetrics.markRecord();
        sourceReaderMetrics.updateRecordCounters(record);
        debeziumDeserializationSchema.deserialize(record, chunkCollector);
      } else {
        if (WatermarkEvent.isLowWatermarkEvent(record) && chunk.size() > 0) {
          LOG.warn(
              "{} rows of an unfinished snapshot chunk were held when {} began; dropped, the"
                  + " chunk is read again",
              chunk.size(),
              state.toSourceSplit().splitId());
          chunk.discard();
        }
        if (WatermarkEvent.isHighWatermarkEvent(record)) {
          releaseChunk(output, state);
        }
        processElement(record, output, state);
      }
    }
  }

  private void releaseChunk(SourceOutput<T> output, SourceSplitState state) throws Exception {
    if (chunk.spilled()) {
      LOG.info(
          "Snapshot chunk {}: {} rows held on local disk until the chunk was read to its end",
          state.toSourceSplit().splitId(),
          chunk.size());
    }
    chunk.release(output::collect);
  }

  /** What the stock emitter does per data change, for the last one of a run of data changes. */
  private void recordPosition(SourceRecord record, SourceSplitState state) {
    if (state.isStreamSplitState()) {
      state.asStreamSplitState().setStartingOffset(getOffsetPosition(record));
    }
    reportMetrics(record);
  }

  /** A change of a row: neither a watermark nor a schema change, with an operation. */
  boolean isDataChange(SourceRecord record) {
    return !WatermarkEvent.isWatermarkEvent(record)
        && !isSchemaChange(record)
        && SourceRecordUtils.isDataChangeRecord(record);
  }

  private boolean isSchemaChange(SourceRecord record) {
    Schema key = record.keySchema();
    if (key == null) {
      return false;
    }
    Boolean known = schemaChangeKeys.get(key);
    if (known == null) {
      if (schemaChangeKeys.size() >= MAX_KNOWN_SCHEMAS) {
        schemaChangeKeys.clear();
      }
      known = SourceRecordUtils.isSchemaChangeEvent(record);
      schemaChangeKeys.put(key, known);
    }
    return known;
  }
}
