package io.tributary.sink;

import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
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
 */
final class RecordWriterFactory implements FileWriterFactory<Record> {
  private final GenericAppenderFactory dataFactory;
  private final GenericAppenderFactory deleteFactory;

  RecordWriterFactory(
      Table table, Schema schema, PartitionSpec deleteSpec, int[] keyFieldIds, Schema keySchema) {
    this.dataFactory =
        new GenericAppenderFactory(
            table, schema, table.spec(), java.util.Map.of(), keyFieldIds, keySchema, null);
    this.deleteFactory =
        new GenericAppenderFactory(
            table, schema, deleteSpec, java.util.Map.of(), keyFieldIds, keySchema, null);
  }

  @Override
  public DataWriter<Record> newDataWriter(
      EncryptedOutputFile file, PartitionSpec spec, StructLike partition) {
    return dataFactory.newDataWriter(file, FileFormat.PARQUET, partition);
  }

  @Override
  public EqualityDeleteWriter<Record> newEqualityDeleteWriter(
      EncryptedOutputFile file, PartitionSpec spec, StructLike partition) {
    return deleteFactory.newEqDeleteWriter(file, FileFormat.PARQUET, partition);
  }

  @Override
  public PositionDeleteWriter<Record> newPositionDeleteWriter(
      EncryptedOutputFile file, PartitionSpec spec, StructLike partition) {
    return dataFactory.newPosDeleteWriter(file, FileFormat.PARQUET, partition);
  }
}
