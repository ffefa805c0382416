package io.tributary.sink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.ContentFileParser;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.PartitionSpecParser;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.io.WriteResult;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.util.JsonUtil;

/** Everything one writer subtask wrote within one checkpoint: one {@link TableWrite} per table. */
public final class WriteBatch implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The format written: files as Iceberg content-file JSON. */
  static final int FORMAT_VERSION = 2;

  /** The first format, read only: the whole batch in Java serialization. */
  static final int JAVA_SERIALIZED = 1;

  private final long checkpointId;
  private final int subtask;
  private final List<TableWrite> tables;

  public WriteBatch(long checkpointId, int subtask, List<TableWrite> tables) {
    this.checkpointId = checkpointId;
    this.subtask = subtask;
    this.tables = Collections.unmodifiableList(new ArrayList<>(tables));
  }

  public long checkpointId() {
    return checkpointId;
  }

  public int subtask() {
    return subtask;
  }

  public List<TableWrite> tables() {
    return tables;
  }

  /**
   * The versioned binary form kept in the committer's state and sent from the writers to the
   * committer: an int format version, then the batch.
   *
   * <p>Version 2 (written now) stores each data and delete file as the JSON of Iceberg's {@code
   * ContentFileParser}, with the partition spec (and the schema of its source columns) it was
   * written with, and everything else as plain fields. That JSON is the content-file form of the
   * Iceberg REST catalog specification, kept readable across Iceberg releases; Java serialization
   * of Iceberg's file classes (version 1) is not, as they declare no serialVersionUID. Storing the
   * files in a manifest instead would write a file per batch that nothing removes when the
   * checkpoint is dropped, and need file I/O to read the state.
   *
   * <p>Version 1 (read only): the batch in Java serialization, as written by earlier releases; it
   * is read as long as the Iceberg classes it holds still deserialize.
   */
  public byte[] toBytes() {
    try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(bytes)) {
      data.writeInt(FORMAT_VERSION);
      data.writeLong(checkpointId);
      data.writeInt(subtask);
      data.writeInt(tables.size());
      for (TableWrite table : tables) {
        writeTable(data, table);
      }
      data.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot serialize the write batch of checkpoint " + checkpointId, e);
    }
  }

  /** Reads {@link #toBytes()}, in the current or an earlier format version. */
  public static WriteBatch fromBytes(byte[] bytes) {
    try (DataInputStream data = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int version = data.readInt();
      if (version == FORMAT_VERSION) {
        long checkpointId = data.readLong();
        int subtask = data.readInt();
        int count = data.readInt();
        List<TableWrite> tables = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          tables.add(readTable(data));
        }
        return new WriteBatch(checkpointId, subtask, tables);
      }
      if (version == JAVA_SERIALIZED) {
        try (ObjectInputStream in = new ObjectInputStream(data)) {
          return (WriteBatch) in.readObject();
        } catch (InvalidClassException e) {
          throw new IllegalStateException(
              "Write batch in committer state has format version 1 (Java serialization, written by"
                  + " an earlier release), and the Iceberg classes in it no longer deserialize ("
                  + e.getMessage()
                  + "). Restore the savepoint with a release that writes format 2 on the same"
                  + " Iceberg version as the release that took it, take a new savepoint with it,"
                  + " and restore that one.",
              e);
        }
      }
      throw new IllegalStateException(
          "Write batch in committer state has format version "
              + version
              + "; this release reads versions "
              + JAVA_SERIALIZED
              + " and "
              + FORMAT_VERSION
              + ". Restore the savepoint with the release that took it, or a newer one.");
    } catch (IOException | ClassNotFoundException | RuntimeException e) {
      if (e instanceof IllegalStateException
          && e.getMessage() != null
          && e.getMessage().startsWith("Write batch in")) {
        throw (IllegalStateException) e;
      }
      throw new IllegalStateException(
          "Cannot read a write batch from committer state: " + e.getMessage(), e);
    }
  }

  private static void writeTable(DataOutputStream out, TableWrite table) throws IOException {
    writeString(out, table.table());
    out.writeLong(table.rows());
    out.writeLong(table.deletes());
    out.writeLong(table.maxLsn());
    out.writeLong(table.maxSourceTsMicros());
    out.writeLong(table.truncateLsn());
    Map<Integer, PartitionSpec> specs = new TreeMap<>();
    for (WriteResult segment : table.segments()) {
      for (ContentFile<?> file : segment.dataFiles()) {
        specs.computeIfAbsent(file.specId(), id -> specOf(table, file));
      }
      for (ContentFile<?> file : segment.deleteFiles()) {
        specs.computeIfAbsent(file.specId(), id -> specOf(table, file));
      }
      for (ContentFile<?> file : segment.rewrittenDeleteFiles()) {
        specs.computeIfAbsent(file.specId(), id -> specOf(table, file));
      }
    }
    out.writeInt(specs.size());
    for (PartitionSpec spec : specs.values()) {
      Set<Integer> sources = new HashSet<>();
      spec.fields().forEach(field -> sources.add(field.sourceId()));
      out.writeInt(spec.specId());
      writeString(out, SchemaParser.toJson(TypeUtil.select(spec.schema(), sources)));
      writeString(out, PartitionSpecParser.toJson(spec));
    }
    out.writeInt(table.segments().size());
    for (WriteResult segment : table.segments()) {
      writeFiles(out, segment.dataFiles(), specs);
      writeFiles(out, segment.deleteFiles(), specs);
      writeFiles(out, segment.rewrittenDeleteFiles(), specs);
      out.writeInt(segment.referencedDataFiles().length);
      for (CharSequence path : segment.referencedDataFiles()) {
        writeString(out, path.toString());
      }
    }
  }

  private static TableWrite readTable(DataInputStream in) throws IOException {
    String name = readString(in);
    long rows = in.readLong();
    long deletes = in.readLong();
    long maxLsn = in.readLong();
    long maxTs = in.readLong();
    long truncateLsn = in.readLong();
    int specCount = in.readInt();
    Map<Integer, PartitionSpec> specs = new TreeMap<>();
    for (int i = 0; i < specCount; i++) {
      int id = in.readInt();
      Schema schema = SchemaParser.fromJson(readString(in));
      specs.put(id, PartitionSpecParser.fromJson(schema, readString(in)));
    }
    int segmentCount = in.readInt();
    List<WriteResult> segments = new ArrayList<>(segmentCount);
    for (int i = 0; i < segmentCount; i++) {
      WriteResult.Builder segment = WriteResult.builder();
      for (ContentFile<?> file : readFiles(in, specs)) {
        segment.addDataFiles((DataFile) file);
      }
      for (ContentFile<?> file : readFiles(in, specs)) {
        segment.addDeleteFiles((DeleteFile) file);
      }
      for (ContentFile<?> file : readFiles(in, specs)) {
        segment.addRewrittenDeleteFiles((DeleteFile) file);
      }
      int referenced = in.readInt();
      for (int r = 0; r < referenced; r++) {
        segment.addReferencedDataFiles(readString(in));
      }
      segments.add(segment.build());
    }
    return new TableWrite(name, segments, rows, deletes, maxLsn, maxTs, truncateLsn, specs);
  }

  /**
   * The data and delete files of a write, one line each: the file's content-file JSON, or only its
   * path when its partition spec is unknown.
   */
  static List<String> describeFiles(TableWrite table) {
    List<String> lines = new ArrayList<>();
    for (WriteResult segment : table.segments()) {
      List<ContentFile<?>> files = new ArrayList<>();
      Collections.addAll(files, segment.dataFiles());
      Collections.addAll(files, segment.deleteFiles());
      for (ContentFile<?> file : files) {
        String line;
        try {
          line = ContentFileParser.toJson(file, specOf(table, file));
        } catch (RuntimeException e) {
          line =
              "{\"content\":\""
                  + file.content().name()
                  + "\",\"file-path\":"
                  + jsonString(file.location())
                  + ",\"record-count\":"
                  + file.recordCount()
                  + "}";
        }
        lines.add(line);
      }
    }
    return lines;
  }

  /**
   * The spec a file was written with: from the table's specs the writer passed, or for an
   * unpartitioned file without them, an unpartitioned spec of the same id.
   */
  private static PartitionSpec specOf(TableWrite table, ContentFile<?> file) {
    PartitionSpec spec = table.specs().get(file.specId());
    if (spec != null) {
      return spec;
    }
    if (file.partition() == null || file.partition().size() == 0) {
      return PartitionSpec.builderFor(new Schema()).withSpecId(file.specId()).build();
    }
    throw new IllegalStateException(
        "The write of table "
            + table.table()
            + " does not carry partition spec "
            + file.specId()
            + " of its file "
            + file.location()
            + "; the file cannot be stored in committer state");
  }

  private static void writeFiles(
      DataOutputStream out, ContentFile<?>[] files, Map<Integer, PartitionSpec> specs)
      throws IOException {
    out.writeInt(files.length);
    for (ContentFile<?> file : files) {
      writeString(out, ContentFileParser.toJson(file, specs.get(file.specId())));
    }
  }

  private static List<ContentFile<?>> readFiles(
      DataInputStream in, Map<Integer, PartitionSpec> specs) throws IOException {
    int count = in.readInt();
    List<ContentFile<?>> files = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      files.add(parseContentFile(readString(in), specs));
    }
    return files;
  }

  /**
   * {@code ContentFileParser.fromJson(JsonUtil.mapper().readTree(json), specs)}, called by
   * reflection: Iceberg's parser takes a Jackson tree, and where Iceberg comes from a runtime jar
   * that relocates Jackson (the Spark runtime of the Glue jobs), its signature names the relocated
   * classes, which code compiled against Iceberg's plain jars cannot call directly.
   */
  static ContentFile<?> parseContentFile(String json, Map<Integer, PartitionSpec> specs) {
    try {
      Object mapper = JsonUtil.class.getMethod("mapper").invoke(null);
      Object tree = mapper.getClass().getMethod("readTree", String.class).invoke(mapper, json);
      for (Method method : ContentFileParser.class.getMethods()) {
        if (method.getName().equals("fromJson")
            && method.getParameterCount() == 2
            && method.getParameterTypes()[1] == Map.class
            && method.getParameterTypes()[0].isInstance(tree)) {
          return (ContentFile<?>) method.invoke(null, tree, specs);
        }
      }
      throw new IllegalStateException("No ContentFileParser.fromJson(JsonNode, Map) in Iceberg");
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new IllegalStateException("Cannot read a content file: " + json, cause);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Cannot read a content file: " + json, e);
    }
  }

  /** A JSON string literal. */
  private static String jsonString(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  private static void writeString(DataOutputStream out, String value) throws IOException {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static String readString(DataInputStream in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "WriteBatch{checkpoint=" + checkpointId + ", subtask=" + subtask + ", " + tables + "}";
  }
}
