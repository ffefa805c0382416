package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.config.ConfigOptions;
import io.tributary.config.OptionDoc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the README and the pages of docs/ point at exists: every relative link (and the heading it
 * names after {@code #}), every repository path written in backticks, and every configuration
 * option written in backticks. The commands are {@link DocCommandsTest}'s, the metrics {@code
 * MetricNamesTest}'s, the alarms the infrastructure checks' (runbook).
 */
class DocReferencesTest {
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern CODE = Pattern.compile("`([^`\\s]+)`");
  private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.*)$");
  private static final Pattern FENCE = Pattern.compile("(?s)```.*?```");
  private static final Pattern OPTION =
      Pattern.compile("(?:source|tables|sink|job|control)\\.[a-z0-9][a-z0-9.-]*");
  private static final List<String> REPOSITORY_DIRS =
      List.of("streaming-app/", "glue-compat/", "infra/", "docs/", ".ci/", ".mvn/");

  /**
   * Named in the docs but not in the repository, each for a reason: files the build writes (the
   * docs say so where they name them), and packages a later source would add.
   */
  private static final Map<String, String> ABSENT_ON_PURPOSE =
      Map.of(
          "infra/terraform/.terraform.lock.hcl",
          "written by the plan build; infra/README.md says how to commit it",
          "source.mysql",
          "the package a MySQL source would get (docs/architecture.md, where to change what)");

  @Test
  void everyLinkPathAndOptionOfTheDocsExists() throws IOException {
    Path root = repoRoot();
    List<Path> pages = pages(root);
    assertThat(pages).as("pages read").hasSizeGreaterThan(15);
    List<String> problems = new ArrayList<>();
    for (Path page : pages) {
      problems.addAll(problems(root, page, Files.readString(page)));
    }
    assertThat(problems).as("references of the docs that do not exist").isEmpty();
  }

  @Test
  void aBrokenPageIsCaught() throws IOException {
    Path root = repoRoot();
    String page =
        "See [the runbook](operations.md#no-such-heading), [gone](missing.md),"
            + " `infra/terraform/nothing.tf`, `source.snapshot-chunk-size` and"
            + " [fine](configuration.md), `source.snapshot.chunk-size`, `source.password`,"
            + " `sink.catalog.properties.glue.endpoint`, `streaming-app/target/x.jar`.\n";
    List<String> found = problems(root, root.resolve("docs/planted.md"), page);
    assertThat(found)
        .hasSize(4)
        .anySatisfy(p -> assertThat(p).contains("#no-such-heading"))
        .anySatisfy(p -> assertThat(p).contains("missing.md"))
        .anySatisfy(p -> assertThat(p).contains("infra/terraform/nothing.tf"))
        .anySatisfy(p -> assertThat(p).contains("source.snapshot-chunk-size"));
  }

  private static List<String> problems(Path root, Path page, String text) throws IOException {
    List<String> problems = new ArrayList<>();
    String where = root.relativize(page).toString();
    Matcher links = LINK.matcher(text);
    while (links.find()) {
      String link = links.group(1);
      if (link.matches("^[a-z]+:.*")) {
        continue;
      }
      int hash = link.indexOf('#');
      String file = hash < 0 ? link : link.substring(0, hash);
      Path target = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
      if (!Files.exists(target)) {
        problems.add(where + ": link to " + link + ": no such file");
      } else if (hash >= 0 && target.toString().endsWith(".md")) {
        String anchor = link.substring(hash + 1);
        String targetText = target.equals(page) ? text : Files.readString(target);
        if (!anchors(targetText).contains(anchor)) {
          problems.add(where + ": link to " + link + ": no heading #" + anchor);
        }
      }
    }
    Set<String> options = optionKeys();
    Matcher code = CODE.matcher(text);
    while (code.find()) {
      String token = code.group(1).replaceAll("[.,:;)]+$", "");
      if (ABSENT_ON_PURPOSE.containsKey(token)) {
        continue;
      }
      if (REPOSITORY_DIRS.stream().anyMatch(token::startsWith)
          && !token.matches(".*[<>*{}$].*")
          && !token.contains("/target/")
          && !Files.exists(root.resolve(token))) {
        problems.add(where + ": " + token + ": no such file in the repository");
      }
      if (OPTION.matcher(token).matches() && !isOption(token, options, root)) {
        problems.add(where + ": " + token + ": no such configuration option");
      }
    }
    return problems;
  }

  /** A key, a group of keys ({@code source.password}), or a key below a map option. */
  private static boolean isOption(String token, Set<String> keys, Path root) {
    if (keys.contains(token) || token.startsWith(ConfigOptions.CATALOG_PROPERTIES_PREFIX)) {
      return true;
    }
    if (keys.stream().anyMatch(k -> k.startsWith(token + "."))) {
      return true;
    }
    // A Java package or class of the job written the same way (source.debezium.RowConverters).
    String path = token.replace('.', '/');
    return Files.isDirectory(root.resolve("streaming-app/src/main/java/io/tributary/" + path))
        || Files.exists(root.resolve("streaming-app/src/main/java/io/tributary/" + path + ".java"));
  }

  private static Set<String> optionKeys() {
    return ConfigOptions.all().stream().map(OptionDoc::key).collect(Collectors.toSet());
  }

  /** The anchors GitHub gives the headings of a page (outside code blocks). */
  static Set<String> anchors(String markdown) {
    Set<String> anchors = new HashSet<>();
    Matcher m = HEADING.matcher(FENCE.matcher(markdown).replaceAll(""));
    while (m.find()) {
      String heading = m.group(1).replace("`", "").trim().toLowerCase(Locale.ROOT);
      anchors.add(heading.replaceAll("[^\\p{L}\\p{N}_\\- ]", "").replace(' ', '-'));
    }
    return anchors;
  }

  private static List<Path> pages(Path root) throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(root.resolve("README.md"));
    pages.add(root.resolve("infra/README.md"));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
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
