package io.tributary.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.change.ChangeEvent;
import io.tributary.change.Column;
import io.tributary.change.ColumnType;
import io.tributary.change.SourceTable;
import io.tributary.change.TableId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.WriteResult;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream writes its files with a cheap codec and small first pages, per table overridable, and
 * otherwise with the table's own write properties.
 */
class StreamFileSettingsTest {
  private static final TableId ID = new TableId("public", "items");
  private static final SourceTable SOURCE =
      new SourceTable(
          ID,
          List.of(
              new Column("id", ColumnType.of(ColumnType.Kind.LONG), false, "int8"),
              new Column("name", ColumnType.of(ColumnType.Kind.STRING), true, "text")),
          new int[] {0});

  @TempDir Path temp;
  private InMemoryCatalog catalog;

  @BeforeEach
  void catalog() {
    catalog = new InMemoryCatalog();
    catalog.initialize("mem", Map.of(CatalogProperties.WAREHOUSE_LOCATION, "/mem/warehouse"));
  }

  @Test
  void streamOverridesOnlyCodecAndPageRows() {
    Map<String, String> properties =
        RecordWriterFactory.streamWriteProperties(
            Map.of(
                TableProperties.PARQUET_COMPRESSION, "zstd",
                TableProperties.PARQUET_COMPRESSION_LEVEL, "9",
                TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, "1048576"));
    assertThat(properties)
        .containsEntry(TableProperties.PARQUET_COMPRESSION, "snappy")
        .containsEntry(TableProperties.DELETE_PARQUET_COMPRESSION, "snappy")
        .containsEntry(TableProperties.PARQUET_PAGE_ROW_LIMIT, "2000")
        .containsEntry(TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, "1048576")
        .doesNotContainKey(TableProperties.PARQUET_COMPRESSION_LEVEL);
  }

  @Test
  void dataAndDeleteFilesUseTheStreamCodec() throws IOException {
    Table table = new TableManager(catalog, "shop", Map.of(), "run-1").loadOrCreate(SOURCE);
    WriteResult result = writeUpserts(table);
    assertThat(codecs(table, result)).containsOnly(CompressionCodecName.SNAPPY);
  }

  @Test
  void aTablePropertyChoosesAnotherCodec() throws IOException {
    Table table = new TableManager(catalog, "shop", Map.of(), "run-1").loadOrCreate(SOURCE);
    table.updateProperties().set(RecordWriterFactory.STREAM_CODEC, "zstd").commit();
    WriteResult result = writeUpserts(table);
    assertThat(codecs(table, result)).containsOnly(CompressionCodecName.ZSTD);
  }

  /** Two segments: rows, then updates of some of them (equality deletes) in a new segment. */
  private WriteResult writeUpserts(Table table) {
    table.refresh();
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 0, 1).format(FileFormat.PARQUET).build();
    DeltaWriter writer =
        new DeltaWriter(table, table.schema(), table.spec(), /* upsert= */ true, files);
    RowMapper mapper = new RowMapper(SOURCE, table.schema());
    OffsetDateTime now = OffsetDateTime.of(2025, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    for (long id = 1; id <= 100; id++) {
      ChangeEvent event =
          new ChangeEvent(SOURCE, ChangeEvent.Op.UPDATE, new Object[] {id, "n" + id}, id, 1L);
      writer.write(mapper.toRecord(event, now));
    }
    return writer.complete();
  }

  private List<CompressionCodecName> codecs(Table table, WriteResult result) throws IOException {
    assertThat(result.dataFiles()).isNotEmpty();
    assertThat(result.deleteFiles()).as("equality deletes of keys not written before").isNotEmpty();
    List<String> paths = new ArrayList<>();
    for (DataFile file : result.dataFiles()) {
      paths.add(file.location());
    }
    for (DeleteFile file : result.deleteFiles()) {
      paths.add(file.location());
    }
    List<CompressionCodecName> codecs = new ArrayList<>();
    int n = 0;
    for (String path : paths) {
      Path local = temp.resolve("f" + n++ + ".parquet");
      try (InputStream in = table.io().newInputFile(path).newStream()) {
        Files.copy(in, local);
      }
      try (ParquetFileReader reader =
          ParquetFileReader.open(
              HadoopInputFile.fromPath(
                  new org.apache.hadoop.fs.Path(local.toUri()), new Configuration()))) {
        for (ColumnChunkMetaData column : reader.getFooter().getBlocks().get(0).getColumns()) {
          codecs.add(column.getCodec());
        }
      }
    }
    return codecs;
  }
}
