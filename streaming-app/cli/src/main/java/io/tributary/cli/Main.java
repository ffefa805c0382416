package io.tributary.cli;

import io.tributary.config.ConfigException;
import io.tributary.job.FlinkMain;
import io.tributary.local.LocalStackInUseException;
import io.tributary.source.SourceNotReadyException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tributary} command line, and the job's entry point on Amazon Managed Service for
 * Apache Flink, where it runs with no arguments and reads the application's runtime properties.
 *
 * <p>Each subcommand is a class of this package named for it ({@code verify}: {@link
 * VerifyCommand}); a new one is added to the list below.
 */
@Command(
    name = "tributary",
    mixinStandardHelpOptions = true,
    version = "tributary 0.1.0",
    description = "Moves every change of a PostgreSQL database into Apache Iceberg tables.",
    subcommands = {
      RunCommand.class,
      LocalCommand.class,
      VerifyCommand.class,
      PreflightCommand.class,
      DeadLettersCommand.class,
      QueryCommand.class,
      BenchCommand.class,
      BenchToastCommand.class,
      BenchCommitCommand.class,
      BenchTablesCommand.class,
      FaultsCommand.class,
      MaintainCommand.class,
      BackfillCommand.class,
      OrchestrateCommand.class,
      StatusCommand.class,
      RehearseCommand.class,
      SoakCommand.class
    })
public final class Main implements Callable<Integer> {
  /** The default working folder of the local stack. */
  static final String DEFAULT_WORKDIR = ".tributary";

  public static void main(String[] args) throws Exception {
    if (args.length == 0 && System.getenv("TRIBUTARY_CLI") == null) {
      // Managed Flink starts the jar's main class without arguments.
      FlinkMain.main(args);
      return;
    }
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line, with {@code --help} (and {@code --version}) on every subcommand: help wins
   * over a subcommand's required options and exits 0.
   */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main()).setExecutionExceptionHandler(Main::handle);
    for (CommandLine sub : cli.getSubcommands().values()) {
      sub.getCommandSpec().mixinStandardHelpOptions(true);
    }
    return cli;
  }

  private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    if (e instanceof ConfigException
        || e instanceof SourceNotReadyException
        || e instanceof IllegalArgumentException
        || e instanceof LocalStackInUseException) {
      cmd.getErr().println("error: " + e.getMessage());
      return 2;
    }
    cmd.getErr().println("error: " + e);
    e.printStackTrace(cmd.getErr());
    return 1;
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }
}
