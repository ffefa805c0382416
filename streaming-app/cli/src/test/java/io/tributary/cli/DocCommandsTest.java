package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every {@code ./tributary} command shown in the README and in docs/ exists as written: its
 * subcommand and every option it names; a concrete command (no placeholders) also parses. (The
 * arguments of {@code maintain} and {@code backfill} go to the glue-compat jobs, whose own parser
 * is checked against infra's Glue arguments.) The commands a user runs first ({@code local}, {@code
 * verify}, {@code query}) are also run for real by {@code .ci/run}.
 */
class DocCommandsTest {
  private static final Pattern COMMAND = Pattern.compile("\\./tributary((?:[^`\\n#])*)");
  private static final Pattern PLACEHOLDER = Pattern.compile("[A-Z][A-Z_]*|<[^>]+>|\\.\\.\\.");

  /** One command as it appears in a document. */
  private static final class DocCommand {
    final String where;
    final List<String> tokens;
    final String text;

    DocCommand(String where, String text, List<String> tokens) {
      this.where = where;
      this.text = text;
      this.tokens = tokens;
    }

    @Override
    public String toString() {
      return where + ": ./tributary" + text;
    }
  }

  @Test
  void everyDocumentedCommandExists() throws IOException {
    List<DocCommand> commands = commands();
    assertThat(commands).as("commands found in the docs").hasSizeGreaterThan(10);
    List<String> problems = new ArrayList<>();
    for (DocCommand command : commands) {
      String problem = check(command);
      if (problem != null) {
        problems.add(command + " -> " + problem);
      }
    }
    assertThat(problems).as("documented commands that the command line does not accept").isEmpty();
  }

  @Test
  void aWrongOptionIsCaught() {
    DocCommand wrong =
        new DocCommand("test", " verify --tabel x", List.of("verify", "--tabel", "x"));
    assertThat(check(wrong)).contains("--tabel");
    DocCommand unknown = new DocCommand("test", " verfy", List.of("verfy"));
    assertThat(check(unknown)).contains("verfy");
  }

  private static String check(DocCommand command) {
    CommandLine root = new CommandLine(new Main());
    if (command.tokens.isEmpty() || command.tokens.get(0).startsWith("-")) {
      return null; // ./tributary alone or with --help / --version
    }
    CommandLine sub = root.getSubcommands().get(command.tokens.get(0));
    if (sub == null) {
      return "no subcommand '" + command.tokens.get(0) + "'";
    }
    if (command.tokens.size() == 1) {
      return null; // the subcommand named in prose
    }
    if (!sub.getCommandSpec().unmatchedArgsBindings().isEmpty()) {
      // maintain, backfill: the arguments go to the glue-compat job, whose parser checks them.
      return null;
    }
    boolean synopsis = false;
    for (String token : command.tokens.subList(1, command.tokens.size())) {
      String option = token.replaceAll("^[\\[(|]+|[\\])|]+$", "");
      if (option.startsWith("--")) {
        String name = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
        if (sub.getCommandSpec().findOption(name) == null) {
          return "no option " + name + " for '" + command.tokens.get(0) + "'";
        }
      }
      if (token.contains("[") || token.contains("|") || PLACEHOLDER.matcher(token).matches()) {
        synopsis = true;
      }
    }
    if (synopsis) {
      return null;
    }
    try {
      root.parseArgs(command.tokens.toArray(new String[0]));
      return null;
    } catch (CommandLine.ParameterException e) {
      return e.getMessage();
    }
  }

  private static List<DocCommand> commands() throws IOException {
    Path root = repoRoot();
    List<Path> files = new ArrayList<>();
    files.add(root.resolve("README.md"));
    files.add(root.resolve("infra/README.md"));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    List<DocCommand> commands = new ArrayList<>();
    for (Path file : files) {
      if (!Files.exists(file)) {
        continue;
      }
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = COMMAND.matcher(lines.get(i).replace("\\|", "|"));
        while (m.find()) {
          String text = m.group(1);
          if (!text.isEmpty() && !Character.isWhitespace(text.charAt(0))) {
            continue; // ./tributary-something, not the command
          }
          commands.add(
              new DocCommand(root.relativize(file) + ":" + (i + 1), text, tokens(text.trim())));
        }
      }
    }
    return commands;
  }

  /** Splits on spaces, keeping "quoted text" as one token. */
  static List<String> tokens(String text) {
    List<String> tokens = new ArrayList<>();
    Matcher m = Pattern.compile("\"([^\"]*)\"|'([^']*)'|(\\S+)").matcher(text);
    while (m.find()) {
      tokens.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
    }
    return tokens;
  }

  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.exists(dir.resolve("tributary")) && Files.isDirectory(dir.resolve("docs"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("repository root not found above " + Path.of(""));
  }
}
