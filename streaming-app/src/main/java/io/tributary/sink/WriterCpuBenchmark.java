package io.tributary.sink;

import io.tributary.change.ChangeEvent;
import io.tributary.change.Column;
import io.tributary.change.ColumnType;
import io.tributary.change.SourceTable;
import io.tributary.change.TableId;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.apache.iceberg.io.FileWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.WriteResult;

/**
 * Part of the benchmark program: the CPU time one writer thread spends to write upserts of the
 * benchmark table (data and equality-delete files, closed), with the stream's Parquet settings and
 * with the table defaults (zstd, 20,000-row pages), in memory so that only the writing counts.
 */
public final class WriterCpuBenchmark {
  /** How many tables' segments the writer closes at once at a barrier. */
  public static final int CLOSE_THREADS = SegmentCloser.DEFAULT_THREADS;

  private WriterCpuBenchmark() {}

  /** Thread CPU milliseconds per {@code rows} upserts: {stream settings, table defaults}. */
  public static double[] run(int rows, int repeats) {
    SourceTable source = benchTable();
    InMemoryCatalog catalog = new InMemoryCatalog();
    catalog.initialize("bench", Map.of(CatalogProperties.WAREHOUSE_LOCATION, "/bench"));
    Table table = new TableManager(catalog, "bench", Map.of(), "bench").loadOrCreate(source);
    List<ChangeEvent> events = events(source, rows);
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

  /** The benchmark table's shape (that of {@code tributary bench}'s table). */
  private static SourceTable benchTable() {
    return new SourceTable(
        new TableId("public", "bench"),
        List.of(
            new Column("id", ColumnType.of(ColumnType.Kind.LONG), false, "int8"),
            new Column("a", ColumnType.of(ColumnType.Kind.INT), true, "int4"),
            new Column("b", ColumnType.of(ColumnType.Kind.INT), true, "int4"),
            new Column("c", ColumnType.of(ColumnType.Kind.STRING), true, "text"),
            new Column("d", ColumnType.of(ColumnType.Kind.STRING), true, "text"),
            new Column("amount", ColumnType.decimal(12, 2), true, "numeric"),
            new Column("ts", ColumnType.of(ColumnType.Kind.TIMESTAMP), true, "timestamp")),
        new int[] {0});
  }

  /** {@code rows} updates of the benchmark table, one per key. */
  private static List<ChangeEvent> events(SourceTable source, int rows) {
    List<ChangeEvent> events = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      Object[] values = {
        (long) i,
        i % 1000,
        i % 7,
        UUID.nameUUIDFromBytes(Integer.toString(i).getBytes(StandardCharsets.UTF_8))
            .toString()
            .replace("-", ""),
        "row " + i,
        BigDecimal.valueOf(i, 2),
        LocalDateTime.of(2024, 1, 1, 0, 0).plusSeconds(i)
      };
      events.add(new ChangeEvent(source, ChangeEvent.Op.UPDATE, values, 1000L + i, 1L + i));
    }
    return events;
  }

  /**
   * Thread CPU milliseconds to write one small file pair (a data file of {@code rows} rows and an
   * equality-delete file of their keys, each opened, written and closed), as a checkpoint writes
   * for each table it touches: {the stream's writer factory, Iceberg's appender factory with the
   * same properties}. The difference is the opening cost {@link HadoopDefaults} saves.
   */
  public static double[] smallFiles(int files, int rows, int repeats) {
    SourceTable source = benchTable();
    InMemoryCatalog catalog = new InMemoryCatalog();
    catalog.initialize("bench", Map.of(CatalogProperties.WAREHOUSE_LOCATION, "/bench"));
    Table table = new TableManager(catalog, "bench", Map.of(), "bench").loadOrCreate(source);
    RowMapper mapper = new RowMapper(source, table.schema());
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    int[] keyIds = {table.schema().findField("id").fieldId()};
    Schema keySchema = table.schema().select("id");
    List<Record> records = new ArrayList<>(rows);
    List<Record> keys = new ArrayList<>(rows);
    for (ChangeEvent event : events(source, rows)) {
      Record record = mapper.toRecord(event, now);
      records.add(record);
      Record key = GenericRecord.create(keySchema);
      key.setField("id", record.getField("id"));
      keys.add(key);
    }
    Map<String, String> properties = RecordWriterFactory.streamWriteProperties(table.properties());
    RecordWriterFactory stream =
        new RecordWriterFactory(table, table.schema(), table.spec(), keyIds, keySchema);
    GenericAppenderFactory iceberg =
        new GenericAppenderFactory(
            table, table.schema(), table.spec(), properties, keyIds, keySchema, null);
    OutputFileFactory out =
        OutputFileFactory.builderFor(table, 0, 0).format(FileFormat.PARQUET).build();
    double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
    for (int r = 0; r < repeats; r++) {
      for (int way = 0; way < 2; way++) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long started = threads.getCurrentThreadCpuTime();
        for (int f = 0; f < files; f++) {
          FileWriter<Record, ?> data =
              way == 0
                  ? stream.newDataWriter(out.newOutputFile(), table.spec(), null)
                  : iceberg.newDataWriter(out.newOutputFile(), FileFormat.PARQUET, null);
          FileWriter<Record, ?> deletes =
              way == 0
                  ? stream.newEqualityDeleteWriter(out.newOutputFile(), table.spec(), null)
                  : iceberg.newEqDeleteWriter(out.newOutputFile(), FileFormat.PARQUET, null);
          try (FileWriter<Record, ?> d = data;
              FileWriter<Record, ?> e = deletes) {
            for (int i = 0; i < rows; i++) {
              d.write(records.get(i));
              e.write(keys.get(i));
            }
          } catch (IOException ex) {
            throw new UncheckedIOException(ex);
          }
        }
        double perFile = (threads.getCurrentThreadCpuTime() - started) / 1e6 / files;
        best[way] = Math.min(best[way], perFile);
      }
    }
    return best;
  }

  /**
   * Wall seconds of the writer's work at one checkpoint barrier that finds {@code tables} tables
   * each with {@code rows} upserts in an open segment, when every file upload takes {@code
   * uploadMillis} more (a stand-in for S3's latency; the files go to memory): closing the segments
   * ({@link SegmentCloser}) with {@code threads} at once. Best of {@code repeats}.
   */
  public static double barrierSeconds(
      int tables, int rows, long uploadMillis, int threads, int repeats) {
    SourceTable source = benchTable();
    InMemoryCatalog catalog = new InMemoryCatalog();
    catalog.initialize("bench", Map.of(CatalogProperties.WAREHOUSE_LOCATION, "/bench"));
    TableManager manager = new TableManager(catalog, "bench", Map.of(), "bench");
    List<Table> lake = new ArrayList<>(tables);
    for (int t = 0; t < tables; t++) {
      lake.add(
          manager.loadOrCreate(
              new SourceTable(
                  new TableId("public", "bench" + t), source.columns(), new int[] {0})));
    }
    List<ChangeEvent> events = events(source, rows);
    double best = Double.MAX_VALUE;
    for (int r = 0; r < repeats; r++) {
      List<WriterTableState> states = new ArrayList<>(tables);
      OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
      for (Table table : lake) {
        WriterTableState state = new WriterTableState();
        state.table = table;
        state.identifier = table.name();
        OutputFileFactory files =
            OutputFileFactory.builderFor(table, 0, r)
                .format(FileFormat.PARQUET)
                .ioSupplier(() -> new UploadHookIO(table.io(), location -> pause(uploadMillis)))
                .build();
        state.writer = new DeltaWriter(table, table.schema(), table.spec(), true, files);
        RowMapper mapper = new RowMapper(source, table.schema());
        for (ChangeEvent event : events) {
          state.writer.write(mapper.toRecord(event, now));
        }
        states.add(state);
      }
      long started = System.nanoTime();
      try (SegmentCloser closer = new SegmentCloser(threads, "bench-close")) {
        closer.closeAll(states);
      }
      best = Math.min(best, (System.nanoTime() - started) / 1e9);
    }
    return best;
  }

  /** Makes an upload take {@code millis} more. */
  private static void pause(long millis) throws InterruptedIOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("upload interrupted");
    }
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
