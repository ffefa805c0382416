package io.tributary.cli;

import io.tributary.catalog.CatalogSpec;
import io.tributary.catalog.CatalogSpecs;
import io.tributary.config.ConfigLoader;
import io.tributary.config.TributaryConfig;
import io.tributary.local.LocalRunner;
import io.tributary.local.LocalStack;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The lake a command works on: a deployed capture's configuration file, or the local stack of a
 * working folder (running or stopped).
 */
final class LakeTarget {
  @Option(
      names = "--workdir",
      description = "local stack working folder (default: ${DEFAULT-VALUE})",
      defaultValue = Main.DEFAULT_WORKDIR)
  Path workdir;

  @Option(names = "--config", description = "configuration file of a deployed capture")
  Path config;

  /** What a command does with the configuration and the lake's catalog. */
  interface Action<T> {
    T apply(TributaryConfig config, CatalogSpec catalog) throws Exception;
  }

  <T> T apply(Action<T> action) throws Exception {
    if (config != null) {
      TributaryConfig c = ConfigLoader.fromYaml(config);
      return action.apply(c, CatalogSpecs.from(c.sink()));
    }
    try (LocalStack stack = LocalStack.attachOrStart(workdir)) {
      TributaryConfig c = LocalRunner.localConfigFor(stack, workdir);
      return action.apply(c, CatalogSpecs.from(c.sink()));
    }
  }
}
