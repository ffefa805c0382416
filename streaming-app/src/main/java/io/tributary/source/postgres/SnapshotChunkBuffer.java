package io.tributary.source.postgres;

import io.tributary.change.ChangeEvent;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.apache.flink.util.function.ThrowingConsumer;

/**
 * The rows of one snapshot chunk, held back until the chunk is read to its end, so that a
 * checkpoint never falls between two rows of a chunk (see {@link BatchPositionEmitter}). Rows stay
 * in memory up to a budget; beyond it, the chunk's rows go to a local file, written with the rows'
 * own serializer, and are read back in order when the chunk is released.
 *
 * @param <T> the rows' type
 */
final class SnapshotChunkBuffer<T> implements AutoCloseable {
  /** The default memory budget of one reader's chunk, in bytes (estimated). */
  static final long DEFAULT_MEMORY_BUDGET = 64L << 20;

  private static final long OBJECT_BYTES = 48;
  private static final long UNKNOWN_ROW_BYTES = 1024;

  private final TypeSerializer<T> serializer;
  private final long memoryBudget;
  private final Path spillDirectory;
  private final List<T> rows = new ArrayList<>();
  private long bytes;
  private Path spillFile;
  private OutputStream spillStream;
  private DataOutputViewStreamWrapper spillOut;
  private long spilledRows;

  SnapshotChunkBuffer(TypeSerializer<T> serializer, long memoryBudget, Path spillDirectory) {
    this.serializer = serializer;
    this.memoryBudget = memoryBudget;
    this.spillDirectory = spillDirectory;
  }

  /** Holds one row of the chunk. */
  void add(T row) {
    if (spillOut != null) {
      write(row);
      return;
    }
    rows.add(row);
    bytes += estimatedBytes(row);
    if (bytes > memoryBudget) {
      spill();
    }
  }

  /** The rows held, in memory and on disk. */
  long size() {
    return rows.size() + spilledRows;
  }

  /** Whether the rows went to a local file. */
  boolean spilled() {
    return spillFile != null;
  }

  /** Hands every row held to {@code consumer}, in the order they were added, and empties this. */
  void release(ThrowingConsumer<T, Exception> consumer) throws Exception {
    try {
      if (spillOut != null) {
        spillOut.flush();
        spillStream.close();
        spillOut = null;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(spillFile), 1 << 16)) {
          DataInputViewStreamWrapper view = new DataInputViewStreamWrapper(in);
          for (long i = 0; i < spilledRows; i++) {
            consumer.accept(serializer.deserialize(view));
          }
        }
      }
      for (T row : rows) {
        consumer.accept(row);
      }
    } finally {
      discard();
    }
  }

  /** Drops every row held (the chunk will be read again). */
  void discard() {
    rows.clear();
    bytes = 0;
    spilledRows = 0;
    closeSpill();
  }

  @Override
  public void close() {
    discard();
  }

  private void spill() {
    try {
      Files.createDirectories(spillDirectory);
      spillFile = Files.createTempFile(spillDirectory, "tributary-snapshot-chunk-", ".bin");
      spillStream = new BufferedOutputStream(Files.newOutputStream(spillFile), 1 << 16);
      spillOut = new DataOutputViewStreamWrapper(spillStream);
    } catch (IOException e) {
      closeSpill();
      throw new UncheckedIOException(
          "Cannot create a file in "
              + spillDirectory
              + " for a snapshot chunk larger than "
              + (memoryBudget >> 20)
              + " MB: make the directory writable, or lower source.snapshot.chunk-size",
          e);
    }
    for (T row : rows) {
      write(row);
    }
    rows.clear();
    bytes = 0;
  }

  private void write(T row) {
    try {
      serializer.serialize(row, spillOut);
      spilledRows++;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write a snapshot chunk to " + spillFile + " (is the disk full?)", e);
    }
  }

  private void closeSpill() {
    if (spillStream != null) {
      try {
        spillStream.close();
      } catch (IOException e) {
        // the file is deleted next
      }
    }
    spillStream = null;
    spillOut = null;
    if (spillFile != null) {
      try {
        Files.deleteIfExists(spillFile);
      } catch (IOException e) {
        spillFile.toFile().deleteOnExit();
      }
    }
    spillFile = null;
  }

  /** A rough size of a row on the heap: enough to bound the memory a chunk holds. */
  static long estimatedBytes(Object row) {
    if (!(row instanceof ChangeEvent)) {
      return UNKNOWN_ROW_BYTES;
    }
    Object[] values = ((ChangeEvent) row).values();
    long size = OBJECT_BYTES * 2 + 8L * values.length;
    for (Object value : values) {
      if (value == null) {
        continue;
      }
      if (value instanceof CharSequence) {
        size += OBJECT_BYTES + ((CharSequence) value).length() * 2L;
      } else if (value instanceof byte[]) {
        size += OBJECT_BYTES + ((byte[]) value).length;
      } else if (value instanceof BigDecimal) {
        size += OBJECT_BYTES * 2 + ((BigDecimal) value).unscaledValue().bitLength() / 8;
      } else if (value instanceof Object[]) {
        size += OBJECT_BYTES + 64L * ((Object[]) value).length;
      } else {
        size += OBJECT_BYTES;
      }
    }
    return size;
  }
}
