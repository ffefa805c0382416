package io.tributary.job;

import com.amazonaws.services.kinesisanalytics.runtime.KinesisAnalyticsRuntime;
import io.tributary.config.ConfigException;
import io.tributary.config.ConfigLoader;
import io.tributary.config.TributaryConfig;
import java.io.IOException;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The entry point of the deployable jar on Amazon Managed Service for Apache Flink: reads the
 * application's runtime property groups, runs the preflight check, and submits the job.
 */
public final class FlinkMain {
  private FlinkMain() {}

  public static void main(String[] args) throws Exception {
    run(fromManagedFlinkRuntime());
  }

  /**
   * Reads and validates the runtime properties of the Managed Flink application this job runs in.
   *
   * @throws ConfigException when the properties cannot be read or are invalid
   */
  public static TributaryConfig fromManagedFlinkRuntime() {
    Map<String, Properties> groups;
    try {
      groups = KinesisAnalyticsRuntime.getApplicationProperties();
    } catch (IOException e) {
      throw new ConfigException(
          "Cannot read the Managed Flink runtime properties: "
              + e.getMessage()
              + ". Outside Managed Flink, start the job with a YAML configuration file instead",
          e);
    }
    return ConfigLoader.fromPropertyGroups(groups);
  }

  /**
   * Reads and validates property groups from a file in the format the service writes its runtime
   * properties in ({@code [{"PropertyGroupId": ..., "PropertyMap": {...}}]}), with the service's
   * runtime library, as {@link #fromManagedFlinkRuntime()} does with the service's own file.
   *
   * @throws ConfigException when the file cannot be read or the properties are invalid
   */
  public static TributaryConfig fromApplicationProperties(String file) {
    Map<String, Properties> groups;
    try {
      groups = KinesisAnalyticsRuntime.getApplicationProperties(file);
    } catch (IOException e) {
      throw new ConfigException(
          "Cannot read the runtime properties file " + file + ": " + e.getMessage(), e);
    }
    return ConfigLoader.fromPropertyGroups(groups);
  }

  /**
   * Checks the source, builds the job on the current execution environment, and runs it. The
   * parallelism is the service's (the application's parallelism configuration, which autoscaling
   * changes): the job sets none of its own for the source and the writers, because a parallelism
   * set in code overrides the service's; {@code job.parallelism} is not used here.
   */
  public static void run(TributaryConfig config) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    prepare(env, config);
    env.execute(config.job().name());
  }

  /**
   * What {@link #run} does before it executes the job: the preflight check, then the pipeline on
   * {@code env} at the environment's parallelism.
   */
  public static TributaryJob.Start prepare(StreamExecutionEnvironment env, TributaryConfig config) {
    TributaryJob.Start start = TributaryJob.check(config);
    TributaryJob.build(
        env, config, start.tables(), start.refused(), TributaryJob.SERVICE_PARALLELISM);
    return start;
  }
}
