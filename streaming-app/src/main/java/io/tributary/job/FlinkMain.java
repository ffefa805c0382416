package io.tributary.job;

import com.amazonaws.services.kinesisanalytics.runtime.KinesisAnalyticsRuntime;
import io.tributary.config.ConfigException;
import io.tributary.config.ConfigLoader;
import io.tributary.config.TributaryConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of the deployable jar on Amazon Managed Service for Apache Flink: reads the
 * application's runtime property groups, runs the preflight check, and submits the job.
 */
public final class FlinkMain {
  private static final Logger LOG = LoggerFactory.getLogger(FlinkMain.class);

  private FlinkMain() {}

  /**
   * Runs the job with the service's runtime properties; with {@code --application-properties FILE}
   * (a file in the service's format, for a Flink cluster outside the service such as the
   * rehearsal's), with that file's.
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("--application-properties")) {
      run(fromApplicationProperties(args[1]));
    } else if (args.length == 0) {
      run(fromManagedFlinkRuntime());
    } else {
      throw new ConfigException(
          "Unexpected program arguments "
              + Arrays.toString(args)
              + ": on Managed Flink the job takes none (its configuration is the application's"
              + " runtime properties); elsewhere pass --application-properties FILE");
    }
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
    long serviceInterval = env.getCheckpointConfig().getCheckpointInterval();
    long serviceMinPause = env.getCheckpointConfig().getMinPauseBetweenCheckpoints();
    TributaryConfig effective = withServiceCheckpointInterval(config, serviceInterval);
    TributaryJob.Start start = TributaryJob.check(effective);
    TributaryJob.build(
        env, effective, start.tables(), start.refused(), TributaryJob.SERVICE_PARALLELISM);
    if (serviceInterval > 0) {
      env.getCheckpointConfig().setMinPauseBetweenCheckpoints(serviceMinPause);
    }
    return start;
  }

  /**
   * The configuration with the service's checkpoint interval, when the environment has one: the
   * application's checkpoint configuration (Terraform's {@code flink_checkpoint_interval_ms}, or
   * the service's default of 60 s) is what the service documents and what the alarms assume, so the
   * job keeps it instead of overriding it with {@code job.checkpoint-interval}. Every commit to the
   * lake happens once per checkpoint, so this interval is also the commit interval.
   */
  static TributaryConfig withServiceCheckpointInterval(
      TributaryConfig config, long serviceIntervalMillis) {
    if (serviceIntervalMillis <= 0) {
      return config;
    }
    Duration service = Duration.ofMillis(serviceIntervalMillis);
    if (!service.equals(config.job().checkpointInterval())) {
      LOG.info(
          "Checkpoint interval: the application's {} ms (its checkpoint configuration), not"
              + " job.checkpoint-interval {}",
          serviceIntervalMillis,
          config.job().checkpointInterval());
    }
    return config.toBuilder()
        .job(config.job().toBuilder().checkpointInterval(service).build())
        .build();
  }
}
