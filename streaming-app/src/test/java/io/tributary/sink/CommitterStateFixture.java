package io.tributary.sink;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileMetadata;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.io.WriteResult;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;

/**
 * A fixed write batch, the same in every release, for the checked-in committer state fixtures.
 *
 * <p>{@code committer-state/pending-v1.bin} holds one element of the committer's {@code
 * pending-writes} list state in the first state format (the write batch in Java serialization),
 * written by {@link #main} on the release that still wrote that format. It must never be
 * regenerated: it stands for savepoints taken by that release.
 */
public final class CommitterStateFixture {
  static final String SESSION = "session-fixture";
  static final long CHECKPOINT = 42;
  static final String V1_RESOURCE = "/committer-state/pending-v1.bin";

  static final Schema SCHEMA =
      new Schema(
          List.of(
              Types.NestedField.required(1, "id", Types.LongType.get()),
              Types.NestedField.optional(2, "region", Types.StringType.get()),
              Types.NestedField.optional(3, "v", Types.IntegerType.get()),
              Types.NestedField.optional(4, "_source_lsn", Types.LongType.get())),
          Set.of(1));
  static final PartitionSpec UNPARTITIONED = PartitionSpec.unpartitioned();
  static final PartitionSpec BY_REGION =
      PartitionSpec.builderFor(SCHEMA).identity("region").withSpecId(0).build();

  private CommitterStateFixture() {}

  private static Metrics metrics(long rows, long lowerLsn, long upperLsn) {
    return new Metrics(
        rows,
        Map.of(1, 80L, 4, 96L),
        Map.of(1, rows, 4, rows),
        Map.of(1, 0L, 4, 0L),
        null,
        Map.of(4, Conversions.toByteBuffer(Types.LongType.get(), lowerLsn)),
        Map.of(4, Conversions.toByteBuffer(Types.LongType.get(), upperLsn)));
  }

  private static DataFile data(PartitionSpec spec, String path, String partition, long rows) {
    DataFiles.Builder builder =
        DataFiles.builder(spec)
            .withPath(path)
            .withFormat(FileFormat.PARQUET)
            .withFileSizeInBytes(1000 + rows)
            .withMetrics(metrics(rows, 100, 100 + rows))
            .withSplitOffsets(List.of(4L));
    if (partition != null) {
      builder.withPartitionPath(partition);
    }
    return builder.build();
  }

  private static DeleteFile equalityDeletes(PartitionSpec spec, String path, long rows) {
    return FileMetadata.deleteFileBuilder(spec)
        .ofEqualityDeletes(1)
        .withPath(path)
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(500 + rows)
        .withMetrics(metrics(rows, 200, 200 + rows))
        .build();
  }

  private static DeleteFile positionDeletes(
      PartitionSpec spec, String path, String partition, String dataFile) {
    FileMetadata.Builder builder =
        FileMetadata.deleteFileBuilder(spec)
            .ofPositionDeletes()
            .withPath(path)
            .withFormat(FileFormat.PARQUET)
            .withFileSizeInBytes(321)
            .withRecordCount(3)
            .withReferencedDataFile(dataFile);
    if (partition != null) {
      builder.withPartitionPath(partition);
    }
    return builder.build();
  }

  /** The write batch of the fixtures: two tables in several segments and a TRUNCATE. */
  static WriteBatch batch() {
    String accounts = "file:/warehouse/shop/accounts/data/";
    WriteResult snapshotRows =
        WriteResult.builder()
            .addDataFiles(data(UNPARTITIONED, accounts + "00000-0-a.parquet", null, 1000))
            .build();
    WriteResult upserts =
        WriteResult.builder()
            .addDataFiles(data(UNPARTITIONED, accounts + "00000-1-a.parquet", null, 10))
            .addDeleteFiles(equalityDeletes(UNPARTITIONED, accounts + "00000-2-a.parquet", 10))
            .build();
    String orders = "file:/warehouse/shop/orders/data/";
    String usFile = orders + "region=US/00001-0-b.parquet";
    WriteResult partitioned =
        WriteResult.builder()
            .addDataFiles(
                data(BY_REGION, usFile, "region=US", 5),
                data(BY_REGION, orders + "region=EU/00001-1-b.parquet", "region=EU", 7))
            .addDeleteFiles(
                equalityDeletes(BY_REGION, orders + "region=US/00001-2-b.parquet", 2),
                positionDeletes(
                    BY_REGION, orders + "region=US/00001-3-b.parquet", "region=US", usFile))
            .addReferencedDataFiles(usFile)
            .build();
    return new WriteBatch(
        CHECKPOINT,
        1,
        List.of(
            new TableWrite("shop.accounts", List.of(snapshotRows, upserts), 1010, 10, 310, 7_000L),
            new TableWrite("shop.orders", List.of(partitioned), 12, 2, 207, 8_000L),
            TableWrite.truncate("shop.logs", 555)));
  }

  /** What a file is, for comparing files across formats. */
  static String describe(ContentFile<?> file) {
    Map<String, Object> fields = new TreeMap<>();
    fields.put("path", file.location());
    fields.put("content", file.content());
    fields.put("format", file.format());
    fields.put("spec", file.specId());
    List<Object> partition = new ArrayList<>();
    for (int i = 0; i < file.partition().size(); i++) {
      partition.add(file.partition().get(i, Object.class));
    }
    fields.put("partition", partition);
    fields.put("records", file.recordCount());
    fields.put("size", file.fileSizeInBytes());
    fields.put("columnSizes", sorted(file.columnSizes()));
    fields.put("valueCounts", sorted(file.valueCounts()));
    fields.put("nullCounts", sorted(file.nullValueCounts()));
    fields.put("lower", bounds(file.lowerBounds()));
    fields.put("upper", bounds(file.upperBounds()));
    fields.put("splits", file.splitOffsets());
    fields.put("equalityIds", file.equalityFieldIds());
    if (file instanceof DeleteFile) {
      fields.put("referenced", ((DeleteFile) file).referencedDataFile());
    }
    return fields.toString();
  }

  /** The files of a batch, table by table and segment by segment, described. */
  static List<String> describe(WriteBatch batch) {
    List<String> out = new ArrayList<>();
    out.add("checkpoint=" + batch.checkpointId() + " subtask=" + batch.subtask());
    for (TableWrite write : batch.tables()) {
      out.add(
          write.table()
              + " rows="
              + write.rows()
              + " deletes="
              + write.deletes()
              + " maxLsn="
              + write.maxLsn()
              + " maxTs="
              + write.maxSourceTsMicros()
              + " truncate="
              + write.truncateLsn()
              + " segments="
              + write.segments().size());
      for (int s = 0; s < write.segments().size(); s++) {
        WriteResult segment = write.segments().get(s);
        for (DataFile f : segment.dataFiles()) {
          out.add(s + " data " + describe(f));
        }
        for (DeleteFile f : segment.deleteFiles()) {
          out.add(s + " delete " + describe(f));
        }
        for (CharSequence f : segment.referencedDataFiles()) {
          out.add(s + " referenced " + f);
        }
      }
    }
    return out;
  }

  private static Object sorted(Map<Integer, Long> map) {
    return map == null ? null : new TreeMap<>(map);
  }

  private static Object bounds(Map<Integer, ByteBuffer> map) {
    if (map == null) {
      return null;
    }
    Map<Integer, String> hex = new TreeMap<>();
    map.forEach(
        (id, buffer) -> {
          StringBuilder s = new StringBuilder();
          ByteBuffer b = buffer.duplicate();
          while (b.hasRemaining()) {
            s.append(String.format("%02x", b.get()));
          }
          hex.put(id, s.toString());
        });
    return hex;
  }

  /**
   * Writes the fixture of the first state format. Run once, on the release that wrote that format:
   * {@code java -cp ... io.tributary.sink.CommitterStateFixture
   * streaming-app/src/test/resources/committer-state/pending-v1.bin}.
   */
  public static void main(String[] args) throws Exception {
    byte[] bytes = new IcebergCommitterOperator.Pending(SESSION, batch()).toBytes();
    Files.write(Path.of(args[0]), bytes);
  }
}
