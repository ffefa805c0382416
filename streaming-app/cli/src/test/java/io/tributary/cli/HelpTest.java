package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --help} on every subcommand prints its usage and exits 0, required options or not. */
class HelpTest {
  @Test
  void helpWinsOverRequiredOptionsOnEverySubcommand() {
    CommandLine names = Main.commandLine();
    assertThat(names.getSubcommands()).hasSizeGreaterThan(10);
    for (String name : names.getSubcommands().keySet()) {
      for (String help : new String[] {"--help", "-h"}) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(name, help);
        assertThat(code).as("exit code of tributary %s %s (stderr: %s)", name, help, err).isZero();
        assertThat(out.toString())
            .as("tributary %s %s", name, help)
            .contains("Usage: tributary " + name);
        assertThat(err.toString()).as("tributary %s %s", name, help).isEmpty();
      }
    }
  }

  @Test
  void aMissingRequiredOptionStillFailsWithoutHelp() {
    CommandLine cli = Main.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    int code = cli.execute("preflight");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option");
  }
}
