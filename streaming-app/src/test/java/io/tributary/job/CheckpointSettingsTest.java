package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.config.JobConfig;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The job's checkpoints are exactly-once, aligned and retained on cancel even when the cluster's
 * configuration (a flink-conf of a self-managed cluster, or a Managed Flink default) says
 * otherwise.
 */
class CheckpointSettingsTest {

  @Test
  void clusterDefaultsCannotTurnOnUnalignedOrAtLeastOnceCheckpoints() {
    Configuration cluster = new Configuration();
    cluster.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
    cluster.set(
        CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.AT_LEAST_ONCE);
    cluster.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(cluster);
    assertThat(env.getCheckpointConfig().isUnalignedCheckpointsEnabled()).isTrue();

    TributaryJob.configureCheckpoints(
        env, JobConfig.builder().checkpointInterval(Duration.ofSeconds(7)).build());

    CheckpointConfig checkpoints = env.getCheckpointConfig();
    assertThat(checkpoints.isUnalignedCheckpointsEnabled()).isFalse();
    assertThat(checkpoints.getCheckpointingConsistencyMode())
        .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
    assertThat(checkpoints.getExternalizedCheckpointRetention())
        .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    assertThat(checkpoints.getCheckpointInterval()).isEqualTo(7000);
  }
}
