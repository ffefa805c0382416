package io.tributary.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.deletes.PositionDelete;
import org.apache.iceberg.deletes.PositionDeleteWriter;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.encryption.EncryptedOutputFile;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lake reader of verify returns what Iceberg's generic reader returns, on a table written as
 * the stream writes it: data files, equality deletes of older rows and position deletes of rows
 * written in the same commit, over many commits (each delete file applying to many data files);
 * with the equality deletes applied in one pass and with Iceberg's filter per data file.
 */
class LakeRowsTest {
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "v", Types.IntegerType.get()),
          Types.NestedField.optional(3, "s", Types.StringType.get()));

  @TempDir Path warehouse;
  private int files;

  private EncryptedOutputFile output(Table table) {
    return EncryptedFiles.plainAsEncryptedOutput(
        table.io().newOutputFile(table.location() + "/data/f" + (files++) + ".parquet"));
  }

  private static Record row(long id, int v) {
    Record r = GenericRecord.create(SCHEMA);
    r.setField("id", id);
    r.setField("v", v);
    r.setField("s", "s" + id + "-" + v);
    return r;
  }

  @Test
  void readsWhatTheGenericReaderReads() throws IOException {
    HadoopCatalog catalog = new HadoopCatalog();
    catalog.setConf(new Configuration());
    catalog.initialize("test", Map.of("warehouse", warehouse.toUri().toString()));
    Table table =
        catalog.createTable(
            TableIdentifier.of("db", "t"),
            SCHEMA,
            PartitionSpec.unpartitioned(),
            Map.of("format-version", "2"));
    Schema keySchema = SCHEMA.select("id");
    GenericAppenderFactory factory =
        new GenericAppenderFactory(SCHEMA, table.spec(), new int[] {1}, keySchema, null);

    DataWriter<Record> first = factory.newDataWriter(output(table), FileFormat.PARQUET, null);
    for (long id = 1; id <= 200; id++) {
      first.write(row(id, 0));
    }
    first.close();
    table.newAppend().appendFile(first.toDataFile()).commit();

    for (int round = 1; round <= 8; round++) {
      // Ten keys updated (equality deletes of their older versions), one of them twice in this
      // commit (a position delete of the first new version), and one key deleted.
      EqualityDeleteWriter<Record> eq =
          factory.newEqDeleteWriter(output(table), FileFormat.PARQUET, null);
      DataWriter<Record> data = factory.newDataWriter(output(table), FileFormat.PARQUET, null);
      List<Long> updated = new ArrayList<>();
      for (long id = round * 10L; id < round * 10L + 10; id++) {
        Record key = GenericRecord.create(keySchema);
        key.setField("id", id);
        eq.write(key);
        updated.add(id);
      }
      Record gone = GenericRecord.create(keySchema);
      gone.setField("id", 150L + round);
      eq.write(gone);
      eq.close();
      for (long id : updated) {
        data.write(row(id, round));
      }
      data.write(row(updated.get(0), round * 100));
      data.close();
      DataFile written = data.toDataFile();
      String dataPath = written.location();
      PositionDeleteWriter<Record> pos =
          factory.newPosDeleteWriter(output(table), FileFormat.PARQUET, null);
      PositionDelete<Record> delete = PositionDelete.create();
      pos.write(delete.set(dataPath, 0L, null));
      pos.close();
      RowDelta delta = table.newRowDelta().addRows(written);
      delta.addDeletes(eq.toDeleteFile());
      for (DeleteFile file : pos.result().deleteFiles()) {
        delta.addDeletes(file);
      }
      delta.commit();
    }
    table.refresh();

    List<String> expected = rows(IcebergGenerics.read(table).select("id", "v", "s").build());
    for (boolean onePass : new boolean[] {true, false}) {
      LakeRows.onePass = onePass;
      try {
        List<String> actual = rows(LakeRows.read(table, "id", "v", "s"));
        assertThat(actual).as("one pass: %s", onePass).hasSize(200 - 8);
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(actual).contains("10 100 s10-100").doesNotContain("10 1 s10-1", "151 0 s151-0");
        // Only the columns asked for are compared by verify; a projection without the key works.
        assertThat(rows(LakeRows.read(table, "v", "s"), false))
            .containsExactlyInAnyOrderElementsOf(
                rows(IcebergGenerics.read(table).select("v", "s").build(), false));
      } finally {
        LakeRows.onePass = true;
      }
    }
  }

  private static List<String> rows(CloseableIterable<Record> records) throws IOException {
    return rows(records, true);
  }

  private static List<String> rows(CloseableIterable<Record> records, boolean withId)
      throws IOException {
    List<String> rows = new ArrayList<>();
    try (records) {
      for (Record r : records) {
        rows.add((withId ? r.getField("id") + " " : "") + r.getField("v") + " " + r.getField("s"));
      }
    }
    return rows;
  }
}
