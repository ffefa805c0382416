package io.tributary.deadletter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.change.ChangeEvent;
import io.tributary.change.Column;
import io.tributary.change.SpecialDecimal;
import io.tributary.change.TableId;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * Where dead letters live and how they are written and read. Layout: {@code
 * <warehouse>/_dead_letters/<schema.table>/<run>-<start>-<checkpoint>-<subtask>.jsonl}, one JSON
 * object a line: {@code table, op, lsn, source_ts_us, reason, values} (values by column name;
 * numbers and booleans as JSON, decimals, dates and times as ISO text, binary as base64). A file is
 * first written under {@code _dead_letters/_pending/} before the checkpoint barrier and published
 * when the checkpoint completes, so a change replayed after a failure is never listed twice. {@code
 * <start>} is the start time of the writer (a new value on every start, restored or not): a job
 * restored from an older savepoint repeats checkpoint ids the previous start already published, and
 * must not overwrite their files. Names sort in the order they were written.
 */
public final class DeadLetters {
  /** The folder under the warehouse. */
  public static final String DIRECTORY = "_dead_letters";

  private static final String PENDING = "_pending";
  private static final ObjectMapper JSON = new ObjectMapper();

  private DeadLetters() {}

  /** The dead-letter root of a warehouse. */
  public static String root(String warehouse) {
    if (warehouse == null || warehouse.isEmpty()) {
      throw new IllegalArgumentException(
          "Dead letters need sink.warehouse to be set: they are written under it");
    }
    String base =
        warehouse.endsWith("/") ? warehouse.substring(0, warehouse.length() - 1) : warehouse;
    return base + "/" + DIRECTORY;
  }

  /** The pending path of one file; {@link #publish} moves it to its final place. */
  public static String pendingPath(
      String warehouse,
      TableId table,
      String runId,
      long startMillis,
      long checkpointId,
      int subtask) {
    return root(warehouse)
        + "/"
        + PENDING
        + "/"
        + table.qualified()
        + "/"
        + String.format("%s-%013d-%020d-%04d.jsonl", runId, startMillis, checkpointId, subtask);
  }

  /** The final path of a pending file. */
  static String finalPath(String pendingPath) {
    return pendingPath.replace("/" + DIRECTORY + "/" + PENDING + "/", "/" + DIRECTORY + "/");
  }

  /** One JSON line for a change that could not be written. */
  public static String line(ChangeEvent event, String reason) {
    ObjectNode node = JSON.createObjectNode();
    node.put("table", event.table().id().qualified());
    node.put("op", event.op().code());
    node.put("lsn", event.lsn());
    node.put("source_ts_us", event.sourceTsMicros());
    node.put("reason", reason);
    ObjectNode values = node.putObject("values");
    List<Column> columns = event.table().columns();
    for (int i = 0; i < columns.size(); i++) {
      String name = columns.get(i).name();
      Object value = event.value(i);
      if (event.isUnchanged(i)) {
        values.put(name, "(unchanged TOASTed value: not sent by the source)");
      } else if (value == null) {
        values.putNull(name);
      } else if (value instanceof Boolean) {
        values.put(name, (Boolean) value);
      } else if (value instanceof Integer || value instanceof Long) {
        values.put(name, ((Number) value).longValue());
      } else if (value instanceof Float || value instanceof Double) {
        double d = ((Number) value).doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          values.put(name, Double.toString(d));
        } else {
          values.put(name, d);
        }
      } else if (value instanceof BigDecimal) {
        String special = SpecialDecimal.name(value);
        values.put(name, special != null ? special : ((BigDecimal) value).toPlainString());
      } else if (value instanceof byte[]) {
        values.put(name, Base64.getEncoder().encodeToString((byte[]) value));
      } else {
        values.put(name, value.toString());
      }
    }
    try {
      return JSON.writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode a dead letter of " + event.table().id(), e);
    }
  }

  /** Writes lines to a (pending) file, replacing it if it exists. */
  public static void write(FileIO io, String path, List<String> lines) {
    try (PositionOutputStream out = io.newOutputFile(path).createOrOverwrite()) {
      for (String line : lines) {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to write dead-letter file " + path, e);
    }
  }

  /**
   * Publishes a pending file: copies it to its final path and deletes it. Idempotent: a file
   * already published (pending copy gone) is left as it is.
   */
  public static void publish(FileIO io, String pendingPath) {
    InputFile pending = io.newInputFile(pendingPath);
    if (!pending.exists()) {
      return;
    }
    String target = finalPath(pendingPath);
    try (InputStream in = pending.newStream();
        OutputStream out = io.newOutputFile(target).createOrOverwrite()) {
      in.transferTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to publish dead-letter file " + pendingPath, e);
    }
    io.deleteFile(pendingPath);
  }

  /** One published dead-letter file. */
  public static final class DeadLetterFile {
    private final String table;
    private final String path;
    private final long size;

    DeadLetterFile(String table, String path, long size) {
      this.table = table;
      this.path = path;
      this.size = size;
    }

    /** The source table, {@code schema.table}. */
    public String table() {
      return table;
    }

    public String path() {
      return path;
    }

    public long size() {
      return size;
    }

    @Override
    public String toString() {
      return table + " " + path + " (" + size + " bytes)";
    }
  }

  /** The published files, of one source table ({@code schema.table}) or of all when null. */
  public static List<DeadLetterFile> list(FileIO io, String warehouse, String table) {
    if (!(io instanceof SupportsPrefixOperations)) {
      throw new IllegalArgumentException(
          "The warehouse's FileIO " + io.getClass().getName() + " cannot list files");
    }
    String root = root(warehouse) + "/";
    String prefix = table == null ? root : root + table + "/";
    List<DeadLetterFile> files = new ArrayList<>();
    List<FileInfo> infos = new ArrayList<>();
    try {
      ((SupportsPrefixOperations) io).listPrefix(prefix).forEach(infos::add);
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof FileNotFoundException) {
        return files; // a file system without the folder: no dead letters (S3 lists nothing)
      }
      throw e;
    }
    for (FileInfo info : infos) {
      String location = info.location();
      int at = location.indexOf("/" + DIRECTORY + "/");
      String rest = at < 0 ? location : location.substring(at + DIRECTORY.length() + 2);
      if (rest.startsWith(PENDING + "/") || !rest.endsWith(".jsonl") || rest.indexOf('/') < 0) {
        continue;
      }
      files.add(new DeadLetterFile(rest.substring(0, rest.indexOf('/')), location, info.size()));
    }
    files.sort((a, b) -> a.path().compareTo(b.path()));
    return files;
  }

  /** The lines of one file. */
  public static List<String> read(FileIO io, String path) {
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(io.newInputFile(path).newStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isEmpty()) {
          lines.add(line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to read dead-letter file " + path, e);
    }
    return lines;
  }
}
