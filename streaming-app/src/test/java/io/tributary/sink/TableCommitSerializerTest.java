package io.tributary.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.job.TributaryJob;
import java.io.IOException;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** A {@link TableCommit} crosses from the committer to the sinks whole, and without Kryo. */
class TableCommitSerializerTest {

  private static final TableCommit FULL =
      new TableCommit(
          "public.orders",
          42L,
          -7_100_200_300L,
          1_000_000L,
          12L,
          0x16B3_7A40L,
          1_733_500_000_123_456L,
          1_733_500_001_000L,
          3,
          1,
          "column price: numeric(10,2) cannot hold 12345678901.5; widen the column",
          "a primary key was added at the source; the table stays append-only");

  private static final TableCommit SPARSE =
      new TableCommit(
          "public.\"odd name\"",
          1L,
          0L,
          0L,
          0L,
          Long.MIN_VALUE,
          Long.MAX_VALUE,
          0L,
          0,
          0,
          null,
          null);

  @Test
  void roundTripKeepsEveryField() throws IOException {
    for (TableCommit commit : new TableCommit[] {FULL, SPARSE, longReason()}) {
      assertEqual(roundTrip(new TableCommitSerializer(), commit), commit);
    }
  }

  @Test
  void copyBetweenViewsKeepsTheRecord() throws IOException {
    TableCommitSerializer serializer = new TableCommitSerializer();
    DataOutputSerializer first = new DataOutputSerializer(64);
    serializer.serialize(FULL, first);
    serializer.serialize(SPARSE, first);
    DataInputDeserializer in = new DataInputDeserializer(first.getCopyOfBuffer());
    DataOutputSerializer second = new DataOutputSerializer(64);
    serializer.copy(in, second);
    serializer.copy(in, second);
    DataInputDeserializer back = new DataInputDeserializer(second.getCopyOfBuffer());
    assertEqual(serializer.deserialize(back), FULL);
    assertEqual(serializer.deserialize(back), SPARSE);
    assertThat(back.available()).isZero();
  }

  @Test
  void typeInformationWorksWhereKryoIsForbidden() throws IOException {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(3);
    TributaryJob.forbidGenericTypes(env);
    ExecutionConfig config = env.getConfig();
    assertThat(config.hasGenericTypesDisabled()).isTrue();
    assertThat(env.getParallelism()).isEqualTo(3);

    // Without its own type information the commit would need Kryo, which the job refuses.
    assertThatThrownBy(
            () ->
                TypeInformation.of(TableCommit.class)
                    .createSerializer(config.getSerializerConfig()))
        .isInstanceOf(UnsupportedOperationException.class);

    TypeSerializer<TableCommit> serializer =
        TableCommitSerializer.typeInfo().createSerializer(config.getSerializerConfig());
    assertThat(serializer).isInstanceOf(TableCommitSerializer.class);
    assertEqual(roundTrip(serializer, FULL), FULL);
  }

  @Test
  void snapshotRestoresTheSameSerializer() {
    assertThat(new TableCommitSerializer().snapshotConfiguration().restoreSerializer())
        .isInstanceOf(TableCommitSerializer.class);
  }

  private static TableCommit longReason() {
    String reason = "x".repeat(70_000) + " \u00e9\u4e2d\ud83d\ude00";
    return new TableCommit("s.t", 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9, 10, reason, reason);
  }

  private static TableCommit roundTrip(TypeSerializer<TableCommit> serializer, TableCommit commit)
      throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(commit, out);
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    TableCommit back = serializer.deserialize(in);
    assertThat(in.available()).isZero();
    return back;
  }

  private static void assertEqual(TableCommit actual, TableCommit expected) {
    assertThat(actual.table()).isEqualTo(expected.table());
    assertThat(actual.checkpointId()).isEqualTo(expected.checkpointId());
    assertThat(actual.snapshotId()).isEqualTo(expected.snapshotId());
    assertThat(actual.rows()).isEqualTo(expected.rows());
    assertThat(actual.deletes()).isEqualTo(expected.deletes());
    assertThat(actual.maxLsn()).isEqualTo(expected.maxLsn());
    assertThat(actual.maxSourceTsMicros()).isEqualTo(expected.maxSourceTsMicros());
    assertThat(actual.committedAtMillis()).isEqualTo(expected.committedAtMillis());
    assertThat(actual.dataFiles()).isEqualTo(expected.dataFiles());
    assertThat(actual.deleteFiles()).isEqualTo(expected.deleteFiles());
    assertThat(actual.blockedReason()).isEqualTo(expected.blockedReason());
    assertThat(actual.notice()).isEqualTo(expected.notice());
  }
}
