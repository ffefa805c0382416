package io.tributary.source.debezium;

import java.util.Map;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Field;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Schema;

/**
 * The fields of a change record's envelope, found by name once per envelope schema. A PostgreSQL
 * record names its position {@code lsn} and its table {@code schema.table}; a MySQL record names
 * its position {@code file} and {@code pos} and its table {@code db.table}.
 */
final class Envelope {
  final Field op;
  final Field source;
  final Field before;
  final Field after;
  final Field lsn;
  final Field binlogFile;
  final Field binlogPos;
  final Field tsMs;
  final Field schema;
  final Field table;

  Envelope(Schema envelope) {
    this.op = envelope.field("op");
    this.source = envelope.field("source");
    this.before = envelope.field("before");
    this.after = envelope.field("after");
    Schema info = source.schema();
    this.lsn = info.field("lsn");
    this.tsMs = info.field("ts_ms");
    this.binlogFile = info.field("file");
    this.binlogPos = info.field("pos");
    this.schema = info.field("schema") != null ? info.field("schema") : info.field("db");
    this.table = info.field("table");
  }

  /**
   * The envelope of a record schema, or null for records that are not changes of a row; cached in
   * {@code envelopes} by schema identity.
   */
  static Envelope of(Map<Schema, Envelope> envelopes, Schema schema) {
    Envelope envelope = envelopes.get(schema);
    if (envelope == null && !envelopes.containsKey(schema)) {
      boolean change =
          schema.type() == Schema.Type.STRUCT
              && schema.field("op") != null
              && schema.field("source") != null
              && (schema.field("source").schema().field("schema") != null
                  || schema.field("source").schema().field("db") != null)
              && schema.field("source").schema().field("table") != null;
      envelope = change ? new Envelope(schema) : null;
      if (envelopes.size() >= RowConverters.MAX_CACHED_SCHEMAS) {
        envelopes.clear();
      }
      envelopes.put(schema, envelope);
    }
    return envelope;
  }
}
