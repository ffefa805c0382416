package io.tributary.cli;

import io.tributary.config.ConfigLoader;
import io.tributary.job.FlinkMain;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary run}: the production entry point with a YAML configuration. */
@Command(name = "run", description = "Run the capture job with a configuration file.")
final class RunCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "YAML configuration file")
  Path config;

  @Override
  public Integer call() throws Exception {
    FlinkMain.run(ConfigLoader.fromYaml(config));
    return 0;
  }
}
