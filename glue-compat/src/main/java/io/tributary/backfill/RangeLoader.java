package io.tributary.backfill;

import io.tributary.change.SpecialDecimal;
import io.tributary.sink.IcebergSchemas;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.io.FanoutDataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.PropertyUtil;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of one Spark task: reads one key range of the source table inside the exported source
 * snapshot and writes it as Iceberg data files of the mirror table (not committed). Returns the
 * files' metadata, Java-serialized, so that it reaches the driver whatever serializer Spark uses.
 */
final class RangeLoader implements Function<KeyRange, byte[]> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RangeLoader.class);

  private final Table table;
  private final SourceAccess source;
  private final String snapshotId;
  private final String select;
  private final int[] sourceColumns;
  private final int fetchSize;
  private final String operationId;
  private final long sourceLsn;
  private final OffsetDateTime sourceTs;

  /**
   * @param table a serializable copy of the mirror table
   * @param select {@code SELECT <columns> FROM <table>} of the source
   * @param sourceColumns for each mirror column, its 1-based position in {@code select}, or 0
   */
  RangeLoader(
      Table table,
      SourceAccess source,
      String snapshotId,
      String select,
      int[] sourceColumns,
      int fetchSize,
      String operationId,
      long sourceLsn,
      OffsetDateTime sourceTs) {
    this.table = table;
    this.source = source;
    this.snapshotId = snapshotId;
    this.select = select;
    this.sourceColumns = sourceColumns;
    this.fetchSize = fetchSize;
    this.operationId = operationId;
    this.sourceLsn = sourceLsn;
    this.sourceTs = sourceTs;
  }

  @Override
  public byte[] call(KeyRange range) throws Exception {
    Schema schema = table.schema();
    PartitionSpec spec = table.spec();
    List<Types.NestedField> fields = schema.columns();
    long taskId = TaskContext.get() == null ? range.index() : TaskContext.get().taskAttemptId();
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, range.index(), taskId)
            .format(FileFormat.PARQUET)
            .operationId(operationId)
            .build();
    long targetSize =
        PropertyUtil.propertyAsLong(
            table.properties(),
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
    FanoutDataWriter<org.apache.iceberg.data.Record> writer =
        new FanoutDataWriter<>(new DataFileWriterFactory(table), files, table.io(), targetSize);
    PartitionKey partitionKey = spec.isUnpartitioned() ? null : new PartitionKey(spec, schema);
    InternalRecordWrapper wrapper = new InternalRecordWrapper(schema.asStruct());
    OffsetDateTime ingestedAt = OffsetDateTime.now(ZoneOffset.UTC);
    boolean closed = false;
    try (Connection c = source.connect()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try (Statement st = c.createStatement()) {
        st.execute("SET TRANSACTION SNAPSHOT '" + snapshotId + "'");
        // Intervals as the stream writes them (ISO 8601).
        st.execute("SET LOCAL intervalstyle = iso_8601");
      }
      try (PreparedStatement ps = c.prepareStatement(select + " WHERE " + range.condition())) {
        ps.setFetchSize(fetchSize);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            GenericRecord record = GenericRecord.create(schema);
            String unstorable = null;
            for (int i = 0; i < fields.size(); i++) {
              Types.NestedField field = fields.get(i);
              if (sourceColumns[i] > 0) {
                Object value = JdbcValues.read(rs, sourceColumns[i], field.type());
                if (unstorable == null && SpecialDecimal.name(value) != null) {
                  unstorable = field.name();
                }
                record.set(i, value);
              } else {
                record.set(i, metadataValue(field.name(), ingestedAt));
              }
            }
            if (unstorable != null) {
              // As the stream does with such a change (a dead letter), the row is not written.
              LOG.warn(
                  "Backfill of {}: row {} not loaded: column '{}' holds NaN, which the lake's"
                      + " decimal cannot hold; set a number or NULL at the source (see"
                      + " docs/operations.md, Dead letters)",
                  table.name(),
                  keyText(record, schema),
                  unstorable);
              continue;
            }
            if (partitionKey == null) {
              writer.write(record, spec, null);
            } else {
              partitionKey.partition(wrapper.wrap(record));
              writer.write(record, spec, partitionKey);
            }
          }
        }
      }
      c.rollback();
      writer.close();
      closed = true;
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Reading key range " + range.index() + " (" + range.condition() + ") failed: " + e, e);
    } finally {
      if (!closed) {
        writer.close();
      }
    }
    List<DataFile> written = new ArrayList<>(writer.result().dataFiles());
    return serialize(written);
  }

  private static String keyText(GenericRecord record, Schema schema) {
    StringBuilder key = new StringBuilder();
    for (Integer id : schema.identifierFieldIds()) {
      String name = schema.findField(id).name();
      key.append(key.length() == 0 ? "" : ", ")
          .append(name)
          .append('=')
          .append(record.getField(name));
    }
    return key.toString();
  }

  private Object metadataValue(String name, OffsetDateTime ingestedAt) {
    switch (name) {
      case IcebergSchemas.OP:
        return "r";
      case IcebergSchemas.SOURCE_LSN:
        return sourceLsn;
      case IcebergSchemas.SOURCE_TS:
        return sourceTs;
      case IcebergSchemas.INGESTED_AT:
        return ingestedAt;
      default:
        return null; // a mirror column the source no longer has
    }
  }

  private static byte[] serialize(List<DataFile> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new ArrayList<>(files));
    }
    return bytes.toByteArray();
  }
}
