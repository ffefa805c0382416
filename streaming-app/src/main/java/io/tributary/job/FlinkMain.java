package io.tributary.job;

import io.tributary.config.ConfigLoader;
import io.tributary.config.TributaryConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The entry point of the deployable jar on Amazon Managed Service for Apache Flink: reads the
 * application's runtime property groups, runs the preflight check, and submits the job.
 */
public final class FlinkMain {
  private FlinkMain() {}

  public static void main(String[] args) throws Exception {
    run(ConfigLoader.fromManagedFlinkRuntime());
  }

  /**
   * Checks the source, builds the job on the current execution environment, and runs it. The
   * parallelism is the service's (the application's parallelism configuration, which autoscaling
   * changes): the job sets none of its own for the source and the writers, because a parallelism
   * set in code overrides the service's; {@code job.parallelism} is not used here.
   */
  public static void run(TributaryConfig config) throws Exception {
    TributaryJob.Start start = TributaryJob.check(config);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    TributaryJob.build(
        env, config, start.tables(), start.refused(), TributaryJob.SERVICE_PARALLELISM);
    env.execute(config.job().name());
  }
}
