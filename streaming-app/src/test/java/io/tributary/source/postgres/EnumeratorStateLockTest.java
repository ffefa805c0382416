package io.tributary.source.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.cdc.connectors.base.config.JdbcSourceConfig;
import org.apache.flink.cdc.connectors.base.source.assigner.SnapshotSplitAssigner;
import org.apache.flink.cdc.connectors.base.source.assigner.state.PendingSplitsState;
import org.apache.flink.cdc.connectors.base.source.enumerator.IncrementalSourceEnumerator;
import org.apache.flink.cdc.connectors.postgres.source.PostgresDialect;
import org.apache.flink.cdc.connectors.postgres.source.config.PostgresSourceConfig;
import org.apache.flink.cdc.connectors.postgres.source.config.PostgresSourceConfigFactory;
import org.apache.flink.cdc.connectors.postgres.source.offset.PostgresOffsetFactory;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.junit.jupiter.api.Test;

/** The enumerator's checkpoint state is written under the lock its splitting thread holds. */
class EnumeratorStateLockTest {
  @Test
  void stateIsWrittenUnderTheSplittingLockOnceTheEnumeratorIsTracked() throws Exception {
    PostgresSourceConfigFactory factory = new PostgresSourceConfigFactory();
    factory.hostname("127.0.0.1").port(5432).username("postgres").password("");
    factory.tableList("public\\.t");
    factory.database("bench");
    factory.schemaList(new String[] {"public"});
    factory.slotName("tributary");
    factory.decodingPluginName("pgoutput");
    PostgresSourceConfig config = factory.create(0);
    SnapshotSplitAssigner<JdbcSourceConfig> assigner =
        new SnapshotSplitAssigner<>(
            config,
            1,
            new ArrayList<>(),
            false,
            new PostgresDialect(config),
            new PostgresOffsetFactory());
    IncrementalSourceEnumerator enumerator =
        new IncrementalSourceEnumerator(null, config, assigner, Boundedness.CONTINUOUS_UNBOUNDED);
    Field lockField = SnapshotSplitAssigner.class.getDeclaredField("lock");
    lockField.setAccessible(true);
    Object splitting = lockField.get(assigner);

    List<Boolean> held = new ArrayList<>();
    SimpleVersionedSerializer<PendingSplitsState> recording =
        new SimpleVersionedSerializer<>() {
          @Override
          public int getVersion() {
            return 7;
          }

          @Override
          public byte[] serialize(PendingSplitsState state) {
            held.add(Thread.holdsLock(splitting));
            return new byte[] {1};
          }

          @Override
          public PendingSplitsState deserialize(int version, byte[] serialized) {
            return null;
          }
        };
    EnumeratorStateLock lock = new EnumeratorStateLock();
    SimpleVersionedSerializer<PendingSplitsState> serializer = lock.serializer(recording);

    serializer.serialize(null);
    assertThat(lock.track(enumerator)).isSameAs(enumerator);
    assertThat(serializer.serialize(null)).containsExactly(1);

    assertThat(held).containsExactly(false, true);
    assertThat(serializer.getVersion()).isEqualTo(7);
  }
}
