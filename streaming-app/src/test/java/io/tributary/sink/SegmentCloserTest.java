package io.tributary.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.WriteResult;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The segments of the tables a barrier flushes are closed several at a time: every table keeps its
 * own files and rows, whichever thread closed it, and a table whose upload fails fails the barrier
 * without keeping the others from closing.
 */
class SegmentCloserTest {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Types.NestedField.required(1, "id", Types.LongType.get()),
              Types.NestedField.optional(2, "name", Types.StringType.get())),
          Set.of(1));

  private InMemoryCatalog catalog;
  private SegmentCloser closer;

  /** Threads that closed an output stream, by file location. */
  private final Map<String, String> closedBy = new ConcurrentHashMap<>();

  /** File locations whose upload fails. */
  private final Set<String> failing = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void catalog() {
    catalog = new InMemoryCatalog();
    catalog.initialize("mem", Map.of(CatalogProperties.WAREHOUSE_LOCATION, "/mem/warehouse"));
    catalog.createNamespace(Namespace.of("lake"));
  }

  @AfterEach
  void stop() {
    if (closer != null) {
      closer.close();
    }
  }

  @Test
  void everyTableIsClosedWithItsOwnRowsAndSeveralAtOnce() throws IOException {
    closer = new SegmentCloser(4, "test-close");
    List<WriterTableState> states = new ArrayList<>();
    for (int t = 0; t < 12; t++) {
      states.add(stateWithRows("t" + t, t + 1));
    }
    closer.closeAll(states);

    Set<String> threads = new HashSet<>();
    for (int t = 0; t < 12; t++) {
      WriterTableState state = states.get(t);
      assertThat(state.writer).isNull();
      assertThat(state.done).hasSize(1);
      WriteResult result = state.done.get(0);
      assertThat(result.dataFiles()).hasSize(1);
      DataFile file = result.dataFiles()[0];
      assertThat(file.recordCount()).isEqualTo(t + 1);
      threads.add(closedBy.get(file.location()));
      assertThat(rowsOf(state.table, result)).isEqualTo(t + 1);
    }
    assertThat(threads).allMatch(name -> name.startsWith("test-close-"));
    assertThat(threads).hasSizeGreaterThan(1);
  }

  @Test
  void oneThreadClosesOnTheCaller() throws IOException {
    closer = new SegmentCloser(1, "test-close");
    List<WriterTableState> states = List.of(stateWithRows("a", 3), stateWithRows("b", 2));
    closer.closeAll(states);
    for (WriterTableState state : states) {
      DataFile file = state.done.get(0).dataFiles()[0];
      assertThat(closedBy.get(file.location())).isEqualTo(Thread.currentThread().getName());
    }
  }

  @Test
  void aFailedUploadFailsTheBarrierAfterTheOthersClosed() throws IOException {
    closer = new SegmentCloser(4, "test-close");
    failing.add("broken");
    List<WriterTableState> states =
        List.of(stateWithRows("a", 3), stateWithRows("broken", 2), stateWithRows("c", 4));
    assertThatThrownBy(() -> closer.closeAll(states))
        .hasMessageContaining("lake.broken")
        .hasRootCauseMessage("upload of a file of lake.broken refused");
    assertThat(states.get(0).done.get(0).dataFiles()[0].recordCount()).isEqualTo(3);
    assertThat(states.get(2).done.get(0).dataFiles()[0].recordCount()).isEqualTo(4);
  }

  private WriterTableState stateWithRows(String name, int rows) {
    Table table = catalog.createTable(TableIdentifier.of("lake", name), SCHEMA);
    WriterTableState state = new WriterTableState();
    state.table = table;
    state.identifier = "lake." + name;
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 0, 1)
            .format(FileFormat.PARQUET)
            .ioSupplier(
                () -> new UploadHookIO(table.io(), location -> beforeUpload(name, location)))
            .build();
    state.writer = new DeltaWriter(table, table.schema(), table.spec(), true, files);
    for (long id = 0; id < rows; id++) {
      Record row = GenericRecord.create(SCHEMA);
      row.setField("id", id);
      row.setField("name", name + id);
      state.writer.write(row);
    }
    return state;
  }

  /** Notes which thread closes each output file, and refuses uploads of the failing tables. */
  private void beforeUpload(String table, String location) throws IOException {
    if (failing.contains(table)) {
      throw new IOException("upload of a file of lake." + table + " refused");
    }
    closedBy.put(location, Thread.currentThread().getName());
  }

  private static long rowsOf(Table table, WriteResult result) throws IOException {
    table.newRowDelta().addRows(result.dataFiles()[0]).commit();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
      long n = 0;
      for (Record ignored : rows) {
        n++;
      }
      return n;
    }
  }
}
