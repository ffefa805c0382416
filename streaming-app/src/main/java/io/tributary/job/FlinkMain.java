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

  /** Checks the source, builds the job on the current execution environment, and runs it. */
  public static void run(TributaryConfig config) throws Exception {
    TributaryJob.Start start = TributaryJob.check(config);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(config.job().parallelism());
    TributaryJob.build(env, config, start.tables(), start.refused());
    env.execute(config.job().name());
  }
}
