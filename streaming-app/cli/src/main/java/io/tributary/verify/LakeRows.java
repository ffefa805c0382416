package io.tributary.verify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.BaseDeleteLoader;
import org.apache.iceberg.data.DeleteFilter;
import org.apache.iceberg.data.DeleteLoader;
import org.apache.iceberg.data.IdentityPartitionConverters;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.parquet.ParquetValueReader;
import org.apache.iceberg.util.PartitionUtil;
import org.apache.parquet.schema.MessageType;

/**
 * Reads the live rows of a table as Iceberg's generic reader does (data files with their delete
 * files applied), in time that grows with the table's files, not with their square. A table the
 * stream writes without maintenance gains data files and equality delete files with every
 * checkpoint, and each equality delete file applies to every older data file: the generic reader
 * read and set up the keys of every such delete file again for each data file, so that verify of a
 * table streamed for ten minutes took a quarter of an hour. Here the equality deletes are read once
 * ({@link NewestDeletes}: the newest sequence number of each deleted key, against each data
 * file's), and a position delete file is read once (kept while the delete files fit in a quarter of
 * the heap). A table with equality deletes of one partition only (never written by the stream) is
 * read with Iceberg's own filter over each data file's deletes, with the same cache.
 */
final class LakeRows {
  private static final Method BUILD_READER = buildReaderMethod();

  /** False in a test only: every table is read with Iceberg's filter over each file's deletes. */
  static volatile boolean onePass = true;

  private LakeRows() {}

  /** The table's live rows with these columns (and the columns its delete files need). */
  static CloseableIterable<Record> read(Table table, String... columns) {
    Schema requested = table.schema().select(columns);
    List<FileScanTask> tasks = new ArrayList<>();
    try (CloseableIterable<FileScanTask> planned = table.newScan().project(requested).planFiles()) {
      planned.forEach(tasks::add);
    } catch (IOException e) {
      throw new UncheckedIOException("Planning the read of " + table.name() + " failed", e);
    }
    DeleteCache cache = new DeleteCache(table.io(), Runtime.getRuntime().maxMemory() / 4);
    NewestDeletes newest =
        !onePass
            ? null
            : NewestDeletes.load(
                table,
                tasks,
                (file, keys) ->
                    parquet(
                        table.io().newInputFile(file), keys, Map.of(), 0, file.fileSizeInBytes()));
    if (newest == null) {
      return CloseableIterable.concat(
          CloseableIterable.transform(
              CloseableIterable.withNoopClose(tasks),
              task -> open(table, task, requested, cache, true)));
    }
    List<String> names = new ArrayList<>(List.of(columns));
    for (String key : newest.keyColumns()) {
      if (!names.contains(key)) {
        names.add(key);
      }
    }
    Schema projection = table.schema().select(names);
    return CloseableIterable.concat(
        CloseableIterable.transform(
            CloseableIterable.withNoopClose(tasks),
            task ->
                newest.live(
                    open(table, task, projection, cache, false),
                    task.file().dataSequenceNumber())));
  }

  /**
   * The rows of a task's data file with its delete files applied: all of them, or the position
   * deletes only (the equality deletes are then applied by {@link NewestDeletes}).
   */
  private static CloseableIterable<Record> open(
      Table table,
      FileScanTask task,
      Schema projection,
      DeleteCache cache,
      boolean equalityDeletes) {
    if (task.file().format() != FileFormat.PARQUET) {
      throw new IllegalStateException(
          "Data file "
              + task.file().location()
              + " of "
              + table.name()
              + " is "
              + task.file().format()
              + ": Tributary writes and reads Parquet only");
    }
    List<DeleteFile> deletes = new ArrayList<>();
    for (DeleteFile file : task.deletes()) {
      if (equalityDeletes || file.content() != FileContent.EQUALITY_DELETES) {
        deletes.add(file);
      }
    }
    RowFilter filter = new RowFilter(table.io(), task, deletes, table.schema(), projection, cache);
    Map<Integer, ?> constants =
        PartitionUtil.constantsMap(task, IdentityPartitionConverters::convertConstant);
    return filter.filter(
        parquet(
            table.io().newInputFile(task.file()),
            filter.requiredSchema(),
            constants,
            task.start(),
            task.length()));
  }

  private static CloseableIterable<Record> parquet(
      InputFile input, Schema required, Map<Integer, ?> constants, long start, long length) {
    Function<Object, Object> readers = fileSchema -> buildReader(required, fileSchema, constants);
    return Parquet.read(input)
        .project(required)
        .createReaderFunc(readerFunction(readers))
        .split(start, length)
        .build();
  }

  /** Iceberg's delete filter of generic records over the given delete files of a task. */
  private static final class RowFilter extends DeleteFilter<Record> {
    private final FileIO io;
    private final InternalRecordWrapper asStructLike;
    private final DeleteCache cache;

    RowFilter(
        FileIO io,
        FileScanTask task,
        List<DeleteFile> deletes,
        Schema tableSchema,
        Schema projection,
        DeleteCache cache) {
      super(task.file().location(), deletes, tableSchema, projection);
      this.io = io;
      this.asStructLike = new InternalRecordWrapper(requiredSchema().asStruct());
      this.cache = cache;
    }

    @Override
    protected StructLike asStructLike(Record record) {
      return asStructLike.wrap(record);
    }

    @Override
    protected InputFile getInputFile(String location) {
      return io.newInputFile(location);
    }

    @Override
    protected DeleteLoader newDeleteLoader() {
      return cache;
    }
  }

  /**
   * Iceberg's generic Parquet reader for a file's schema. Called by name: Iceberg's Spark bundle
   * (on the classpath of the Glue jobs' tests, which verify too) holds Iceberg's Parquet classes
   * with Parquet relocated, so a call compiled against Parquet's own schema class fails there.
   */
  private static Object buildReader(Schema required, Object fileSchema, Map<Integer, ?> constants) {
    try {
      return BUILD_READER.invoke(null, required, fileSchema, constants);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** The reader function as Parquet's read builder takes it (generic types only: no cast). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Function<MessageType, ParquetValueReader<?>> readerFunction(
      Function<Object, Object> readers) {
    return (Function) readers;
  }

  private static Method buildReaderMethod() {
    for (Method method : GenericParquetReaders.class.getMethods()) {
      if (method.getName().equals("buildReader") && method.getParameterCount() == 3) {
        return method;
      }
    }
    throw new IllegalStateException(
        "GenericParquetReaders.buildReader(Schema, MessageType, Map) not found: the Iceberg version"
            + " on the classpath is not the one Tributary is built with");
  }

  /** Iceberg's delete loader with a cache of the delete files read, up to a budget in bytes. */
  private static final class DeleteCache extends BaseDeleteLoader {
    private final Map<String, Object> loaded = new ConcurrentHashMap<>();
    private final AtomicLong used = new AtomicLong();
    private final long budget;

    DeleteCache(FileIO io, long budget) {
      super(io::newInputFile);
      this.budget = budget;
    }

    @Override
    protected boolean canCache(long size) {
      return used.get() + size <= budget;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <V> V getOrLoad(String key, Supplier<V> valueSupplier, long valueSize) {
      Object value = loaded.get(key);
      if (value == null) {
        value = valueSupplier.get();
        loaded.put(key, value);
        used.addAndGet(valueSize);
      }
      return (V) value;
    }
  }
}
