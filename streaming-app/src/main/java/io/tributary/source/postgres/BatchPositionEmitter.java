package io.tributary.source.postgres;

import java.util.IdentityHashMap;
import java.util.Map;
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
 */
final class BatchPositionEmitter<T> extends IncrementalSourceRecordEmitter<T> {
  private static final int MAX_KNOWN_SCHEMAS = 10_000;

  private final Map<Schema, Boolean> schemaChangeKeys = new IdentityHashMap<>();

  BatchPositionEmitter(
      DebeziumDeserializationSchema<T> deserializer,
      SourceReaderMetrics metrics,
      boolean includeSchemaChanges,
      OffsetFactory offsetFactory) {
    super(deserializer, metrics, includeSchemaChanges, offsetFactory);
  }

  @Override
  public void emitRecord(SourceRecords records, SourceOutput<T> output, SourceSplitState state)
      throws Exception {
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
