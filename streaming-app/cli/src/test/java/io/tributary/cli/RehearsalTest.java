package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code tributary rehearse} runs tests that exist, in the modules it builds, and those tests print
 * the stage lines it shows. (The rehearsal itself runs in every build as those integration tests.)
 */
class RehearsalTest {

  @Test
  void theCommandRunsTestsThatExistAndPrintItsStages() throws Exception {
    Path root = SparkJobs.repositoryRoot();
    List<String> command = Rehearsal.command(root, false);
    String modules = command.get(command.indexOf("-pl") + 1);
    String tests =
        command.stream()
            .filter(a -> a.startsWith("-Dit.test="))
            .findFirst()
            .orElseThrow()
            .substring("-Dit.test=".length());
    List<String> stages = new ArrayList<>();
    StringBuilder sources = new StringBuilder();
    for (String test : tests.split(",", -1)) {
      Path source = find(root, modules, test + ".java");
      assertThat(source).as(test + " in the modules " + modules).isNotNull();
      sources.append(Files.readString(source));
      for (String line : Files.readAllLines(source)) {
        int at = line.indexOf("\"" + Rehearsal.STAGE);
        if (at >= 0) {
          stages.add(source.getFileName().toString());
        }
      }
    }
    assertThat(stages)
        .as("stage lines printed by the rehearsal's tests")
        .contains("GlueCatalogIT.java", "GlueJobsOnMotoIT.java");
    // Each of the eight stages is either reported by a test or listed as not rehearsed, not both.
    for (int n = 1; n <= 8; n++) {
      String prefix = n + ". ";
      boolean reported = sources.indexOf("\"" + prefix) >= 0;
      boolean listed = Rehearsal.NOT_REHEARSED.stream().anyMatch(s -> s.startsWith(prefix));
      assertThat(reported ^ listed)
          .as(
              "stage "
                  + n
                  + ": reported by a test ("
                  + reported
                  + ") or not rehearsed ("
                  + listed
                  + ")")
          .isTrue();
    }
    assertThat(command).doesNotContain("-o");
    assertThat(Rehearsal.command(root, true)).contains("-o");
  }

  private static Path find(Path root, String modules, String file) throws IOException {
    for (String module : modules.split(",", -1)) {
      Path tests = root.resolve(module).resolve("src/test/java");
      if (!Files.isDirectory(tests)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(tests)) {
        Path found =
            files.filter(p -> p.getFileName().toString().equals(file)).findFirst().orElse(null);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }
}
