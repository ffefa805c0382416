package io.tributary.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The metric names, group and dimension of the job are the ones the infrastructure's contract
 * (infra/checks/contracts/streaming-job.json) lists; infra/checks compares that contract and {@link
 * MetricNames} with the alarms, and docs/metrics.md describes each name.
 */
class MetricNamesTest {

  @Test
  void theInfrastructureContractListsExactlyTheseNames() throws Exception {
    String contract = read("infra/checks/contracts/streaming-job.json");

    assertThat(strings(contract, "metricNames"))
        .containsExactlyInAnyOrderElementsOf(MetricNames.ALL);
    assertThat(contract).contains("\"metricGroup\": \"" + MetricNames.GROUP + "\"");
    assertThat(contract).contains("\"metricDimension\": \"" + MetricNames.TABLE + "\"");
  }

  @Test
  void everyNameIsDocumented() throws Exception {
    String doc = read("docs/metrics.md");
    for (String name : MetricNames.ALL) {
      assertThat(doc).as("docs/metrics.md").contains("| `" + name + "` |");
    }
  }

  private static List<String> strings(String json, String key) {
    Matcher array = Pattern.compile("\"" + key + "\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(json);
    assertThat(array.find()).as(key + " in the contract").isTrue();
    List<String> values = new ArrayList<>();
    Matcher value = Pattern.compile("\"([^\"]+)\"").matcher(array.group(1));
    while (value.find()) {
      values.add(value.group(1));
    }
    return values;
  }

  private static String read(String pathFromRoot) throws Exception {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve(pathFromRoot))) {
      dir = dir.getParent();
    }
    assertThat(dir).as(pathFromRoot + " above the working directory").isNotNull();
    return Files.readString(dir.resolve(pathFromRoot), StandardCharsets.UTF_8);
  }
}
