package io.tributary.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The committer's state format: pending files are stored as Iceberg content-file JSON under a
 * format version, and state of the first format (Java serialization, checked in as a fixture
 * written by the release that wrote it) still restores to the same files.
 */
class CommitterStateFormatTest {

  private static byte[] fixture() throws IOException {
    try (InputStream in =
        CommitterStateFormatTest.class.getResourceAsStream(CommitterStateFixture.V1_RESOURCE)) {
      assertThat(in).as("fixture " + CommitterStateFixture.V1_RESOURCE).isNotNull();
      return in.readAllBytes();
    }
  }

  /** The fixture batch as the writer builds it now: with the tables' partition specs. */
  private static WriteBatch withSpecs(WriteBatch batch) {
    List<TableWrite> writes = new ArrayList<>();
    for (TableWrite w : batch.tables()) {
      writes.add(
          new TableWrite(
              w.table(),
              w.segments(),
              w.rows(),
              w.deletes(),
              w.maxLsn(),
              w.maxSourceTsMicros(),
              w.truncateLsn(),
              w.table().equals("shop.orders")
                  ? Map.of(0, CommitterStateFixture.BY_REGION)
                  : Map.of(0, CommitterStateFixture.UNPARTITIONED)));
    }
    return new WriteBatch(batch.checkpointId(), batch.subtask(), writes);
  }

  @Test
  void stateOfTheFirstFormatRestoresToTheSameFiles() throws IOException {
    byte[] bytes = fixture();
    assertThat(ByteBuffer.wrap(bytes, 4 + 2 + CommitterStateFixture.SESSION.length(), 4).getInt())
        .as("batch format version of the fixture")
        .isEqualTo(WriteBatch.JAVA_SERIALIZED);

    IcebergCommitterOperator.Pending restored = IcebergCommitterOperator.Pending.fromBytes(bytes);

    assertThat(restored.session).isEqualTo(CommitterStateFixture.SESSION);
    assertThat(CommitterStateFixture.describe(restored.batch))
        .containsExactlyElementsOf(CommitterStateFixture.describe(CommitterStateFixture.batch()));
  }

  @Test
  void pendingFilesAreStoredAsVersionedJsonAndReadBackTheSame() {
    WriteBatch batch = withSpecs(CommitterStateFixture.batch());
    byte[] bytes = new IcebergCommitterOperator.Pending("session-b", batch).toBytes();

    int versionAt = 4 + 2 + "session-b".length();
    assertThat(ByteBuffer.wrap(bytes, versionAt, 4).getInt()).isEqualTo(WriteBatch.FORMAT_VERSION);
    String text = new String(bytes, StandardCharsets.UTF_8);
    assertThat(text)
        .as("files are stored as Iceberg content-file JSON, not as Java objects")
        .contains("\"file-path\":\"file:/warehouse/shop/orders/data/region=US/00001-0-b.parquet\"")
        .doesNotContain("org.apache.iceberg.GenericDataFile");

    IcebergCommitterOperator.Pending restored = IcebergCommitterOperator.Pending.fromBytes(bytes);
    assertThat(restored.session).isEqualTo("session-b");
    assertThat(CommitterStateFixture.describe(restored.batch))
        .containsExactlyElementsOf(CommitterStateFixture.describe(batch));
    assertThat(restored.batch.tables().get(1).specs().get(0).fields())
        .hasSize(1)
        .first()
        .satisfies(field -> assertThat(field.name()).isEqualTo("region"));

    // Stored again, a restored batch gives the same bytes.
    assertThat(new IcebergCommitterOperator.Pending("session-b", restored.batch).toBytes())
        .isEqualTo(bytes);
  }

  @Test
  void theStreamFromWritersToCommitterUsesTheSameFormat() throws IOException {
    WriteBatch batch = withSpecs(CommitterStateFixture.batch());
    WriteBatchSerializer serializer = new WriteBatchSerializer();
    DataOutputSerializer out = new DataOutputSerializer(1024);
    serializer.serialize(batch, out);
    byte[] bytes = out.getCopyOfBuffer();
    assertThat(ByteBuffer.wrap(bytes, 4, 4).getInt()).isEqualTo(WriteBatch.FORMAT_VERSION);
    WriteBatch read = serializer.deserialize(new DataInputDeserializer(bytes));
    assertThat(CommitterStateFixture.describe(read))
        .containsExactlyElementsOf(CommitterStateFixture.describe(batch));
  }

  @Test
  void aPartitionedFileWithoutItsSpecIsRefusedNamingTheTable() {
    WriteBatch batch = CommitterStateFixture.batch();
    assertThatThrownBy(batch::toBytes)
        .hasMessageContaining("shop.orders")
        .hasMessageContaining("partition spec 0");
  }

  @Test
  void anUnknownFormatVersionIsRefusedWithWhatToDo() {
    byte[] bytes = {0, 0, 0, 9, 1, 2, 3};
    assertThatThrownBy(() -> WriteBatch.fromBytes(bytes))
        .hasMessageContaining("format version 9")
        .hasMessageContaining("Restore the savepoint with the release that took it");
  }
}
