package io.tributary.sink;

import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.deletes.PositionDeleteWriter;
import org.apache.iceberg.encryption.EncryptedOutputFile;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.FileWriterFactory;

/**
 * Writes Parquet data, equality-delete and position-delete files of generic records. Data and
 * position deletes use the table's partition spec; equality deletes use the delete spec, which may
 * be the unpartitioned spec so that they apply to every partition.
 *
 * <p>Files are written with the table's write properties, except two that trade file size for CPU,
 * because the stream's files are small and short-lived (maintenance rewrites them with the table's
 * own settings): the compression codec ({@value #STREAM_CODEC}, default {@value
 * #DEFAULT_STREAM_CODEC}; the table's default, zstd, costs about three times the CPU) and the page
 * row limit ({@value #STREAM_PAGE_ROW_LIMIT}, default {@value #DEFAULT_STREAM_PAGE_ROW_LIMIT}: a
 * column whose values do not repeat gives up its dictionary after the first page, so a small first
 * page wastes little work).
 *
 * <p>Each writer is opened without Hadoop's XML default resources ({@link HadoopDefaults}), which
 * Iceberg would otherwise parse again for every file.
 */
final class RecordWriterFactory implements FileWriterFactory<Record> {
  /** Table property: Parquet compression codec of the files the stream writes. */
  static final String STREAM_CODEC = "tributary.stream.compression-codec";

  /** Table property: Parquet page row limit of the files the stream writes. */
  static final String STREAM_PAGE_ROW_LIMIT = "tributary.stream.page-row-limit";

  static final String DEFAULT_STREAM_CODEC = "snappy";
  static final String DEFAULT_STREAM_PAGE_ROW_LIMIT = "2000";

  private final GenericAppenderFactory dataFactory;
  private final GenericAppenderFactory deleteFactory;

  RecordWriterFactory(
      Table table, Schema schema, PartitionSpec deleteSpec, int[] keyFieldIds, Schema keySchema) {
    Map<String, String> properties = streamWriteProperties(table.properties());
    this.dataFactory =
        new GenericAppenderFactory(
            table, schema, table.spec(), properties, keyFieldIds, keySchema, null);
    this.deleteFactory =
        new GenericAppenderFactory(
            table, schema, deleteSpec, properties, keyFieldIds, keySchema, null);
  }

  /** The write properties of the stream's files: the table's, with the stream's overrides. */
  static Map<String, String> streamWriteProperties(Map<String, String> tableProperties) {
    Map<String, String> properties = new HashMap<>(tableProperties);
    // Metrics settings come from the table itself (the appender factory rejects them here).
    properties
        .keySet()
        .removeIf(
            key ->
                key.startsWith(TableProperties.METRICS_MODE_COLUMN_CONF_PREFIX)
                    || key.startsWith("write.metadata.metrics."));
    String codec = tableProperties.getOrDefault(STREAM_CODEC, DEFAULT_STREAM_CODEC);
    String pageRows =
        tableProperties.getOrDefault(STREAM_PAGE_ROW_LIMIT, DEFAULT_STREAM_PAGE_ROW_LIMIT);
    properties.put(TableProperties.PARQUET_COMPRESSION, codec);
    properties.put(TableProperties.DELETE_PARQUET_COMPRESSION, codec);
    properties.remove(TableProperties.PARQUET_COMPRESSION_LEVEL);
    properties.remove(TableProperties.DELETE_PARQUET_COMPRESSION_LEVEL);
    properties.put(TableProperties.PARQUET_PAGE_ROW_LIMIT, pageRows);
    properties.put(TableProperties.DELETE_PARQUET_PAGE_ROW_LIMIT, pageRows);
    return properties;
  }

  @Override
  public DataWriter<Record> newDataWriter(
      EncryptedOutputFile file, PartitionSpec spec, StructLike partition) {
    return HadoopDefaults.hidden(
        () -> dataFactory.newDataWriter(file, FileFormat.PARQUET, partition));
  }

  @Override
  public EqualityDeleteWriter<Record> newEqualityDeleteWriter(
      EncryptedOutputFile file, PartitionSpec spec, StructLike partition) {
    return HadoopDefaults.hidden(
        () -> deleteFactory.newEqDeleteWriter(file, FileFormat.PARQUET, partition));
  }

  @Override
  public PositionDeleteWriter<Record> newPositionDeleteWriter(
      EncryptedOutputFile file, PartitionSpec spec, StructLike partition) {
    return HadoopDefaults.hidden(
        () -> dataFactory.newPosDeleteWriter(file, FileFormat.PARQUET, partition));
  }
}
