package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.config.TableSelection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * As on Managed Flink: the service sets the environment's parallelism (and autoscaling changes it),
 * so the job built with {@link TributaryJob#SERVICE_PARALLELISM} sets none of its own for the
 * source and the writers, which run at the environment's parallelism rather than {@code
 * job.parallelism}; the committer stays at 1. The checkpoint interval and pause are the
 * application's checkpoint configuration, not {@code job.checkpoint-interval}. The lake ends equal
 * to the source.
 */
class ServiceParallelismIT {
  @TempDir Path workdir;

  @Test
  void sourceAndWritersFollowTheEnvironmentAndTheLakeEndsEqual() throws Exception {
    try (ItStack it = new ItStack(workdir, "it_service_parallelism")) {
      it.sql(
          "CREATE TABLE items (id bigint PRIMARY KEY, v integer, note text)",
          "INSERT INTO items SELECT g, g, 'seed' FROM generate_series(1, 3000) g");
      it.configure(
          TableSelection.builder().include("public.items").build(), Duration.ofSeconds(2), 500);
      assertThat(it.config.job().parallelism()).isEqualTo(2);

      Configuration flink = new Configuration();
      flink.set(
          CheckpointingOptions.CHECKPOINTS_DIRECTORY,
          workdir.resolve("checkpoints").toUri().toString());
      // What the service sets: the application's parallelism and checkpoint configuration.
      flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(1500));
      flink.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, Duration.ofMillis(700));
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
      env.setParallelism(3);
      FlinkMain.prepare(env, it.config);

      // The service's checkpoint settings win over job.checkpoint-interval (2 s here).
      assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(1500);
      assertThat(env.getCheckpointConfig().getMinPauseBetweenCheckpoints()).isEqualTo(700);
      assertThat(env.getCheckpointConfig().isUnalignedCheckpointsEnabled()).isFalse();

      Map<String, Integer> parallelism = new HashMap<>();
      for (StreamNode node : env.getStreamGraph(false).getStreamNodes()) {
        parallelism.put(node.getOperatorName(), node.getParallelism());
      }
      assertThat(parallelism).containsEntry(TributaryJob.WRITER_UID, 3);
      assertThat(parallelism).containsEntry(TributaryJob.COMMITTER_UID, 1);
      assertThat(parallelism.entrySet())
          .filteredOn(e -> e.getKey().contains("postgres-source"))
          .isNotEmpty()
          .allSatisfy(e -> assertThat(e.getValue()).as(e.getKey()).isEqualTo(3));

      it.job = env.executeAsync(it.database);
      it.sql(
          "UPDATE items SET v = v + 1, note = 'changed' WHERE id % 3 = 0",
          "DELETE FROM items WHERE id % 5 = 0",
          "INSERT INTO items SELECT g, g, 'new' FROM generate_series(3001, 3500) g");
      it.awaitEqual(1, Duration.ofMinutes(3));
    }
  }
}
