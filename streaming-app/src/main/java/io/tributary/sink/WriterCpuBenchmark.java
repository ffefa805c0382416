package io.tributary.sink;

import io.tributary.change.ChangeEvent;
import io.tributary.change.Column;
import io.tributary.change.ColumnType;
import io.tributary.change.SourceTable;
import io.tributary.change.TableId;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.WriteResult;

/**
 * Part of the benchmark program: the CPU time one writer thread spends to write upserts of the
 * benchmark table (data and equality-delete files, closed), with the stream's Parquet settings and
 * with the table defaults (zstd, 20,000-row pages), in memory so that only the writing counts.
 */
public final class WriterCpuBenchmark {
  private WriterCpuBenchmark() {}

  /** Thread CPU milliseconds per {@code rows} upserts: {stream settings, table defaults}. */
  public static double[] run(int rows, int repeats) {
    TableId id = new TableId("public", "bench");
    SourceTable source =
        new SourceTable(
            id,
            List.of(
                new Column("id", ColumnType.of(ColumnType.Kind.LONG), false, "int8"),
                new Column("a", ColumnType.of(ColumnType.Kind.INT), true, "int4"),
                new Column("b", ColumnType.of(ColumnType.Kind.INT), true, "int4"),
                new Column("c", ColumnType.of(ColumnType.Kind.STRING), true, "text"),
                new Column("d", ColumnType.of(ColumnType.Kind.STRING), true, "text"),
                new Column("amount", ColumnType.decimal(12, 2), true, "numeric"),
                new Column("ts", ColumnType.of(ColumnType.Kind.TIMESTAMP), true, "timestamp")),
            new int[] {0});
    InMemoryCatalog catalog = new InMemoryCatalog();
    catalog.initialize("bench", Map.of(CatalogProperties.WAREHOUSE_LOCATION, "/bench"));
    Table table = new TableManager(catalog, "bench", Map.of(), "bench").loadOrCreate(source);
    List<ChangeEvent> events = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      Object[] values = {
        (long) i,
        i % 1000,
        i % 7,
        UUID.nameUUIDFromBytes(Integer.toString(i).getBytes()).toString().replace("-", ""),
        "row " + i,
        BigDecimal.valueOf(i, 2),
        LocalDateTime.of(2024, 1, 1, 0, 0).plusSeconds(i)
      };
      events.add(new ChangeEvent(source, ChangeEvent.Op.UPDATE, values, 1000L + i, 1L + i));
    }
    double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
    for (int r = 0; r < repeats; r++) {
      table
          .updateProperties()
          .remove(RecordWriterFactory.STREAM_CODEC)
          .remove(RecordWriterFactory.STREAM_PAGE_ROW_LIMIT)
          .commit();
      best[0] = Math.min(best[0], write(table, source, events, r * 2));
      table
          .updateProperties()
          .set(RecordWriterFactory.STREAM_CODEC, TableProperties.PARQUET_COMPRESSION_DEFAULT)
          .set(
              RecordWriterFactory.STREAM_PAGE_ROW_LIMIT,
              Integer.toString(TableProperties.PARQUET_PAGE_ROW_LIMIT_DEFAULT))
          .commit();
      best[1] = Math.min(best[1], write(table, source, events, r * 2 + 1));
    }
    return best;
  }

  private static double write(Table table, SourceTable source, List<ChangeEvent> events, int n) {
    table.refresh();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long started = threads.getCurrentThreadCpuTime();
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 0, n).format(FileFormat.PARQUET).build();
    DeltaWriter writer = new DeltaWriter(table, table.schema(), table.spec(), true, files);
    RowMapper mapper = new RowMapper(source, table.schema());
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    for (ChangeEvent event : events) {
      Record record = mapper.toRecord(event, now);
      writer.write(record);
    }
    WriteResult result = writer.complete();
    if (result.dataFiles().length == 0) {
      throw new IllegalStateException("the writer benchmark wrote no data file");
    }
    return (threads.getCurrentThreadCpuTime() - started) / 1e6;
  }
}
