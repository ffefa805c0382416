package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The runtime property groups the Terraform gives the Managed Flink application hold only options
 * of the job: every key of infra/checks/contracts/streaming-job.json (which infra/checks compares
 * with the property groups of infra/terraform/flink.tf) is a key of {@link ConfigOptions#all()},
 * the list the configuration readers check keys against.
 */
class InfraPropertyGroupsTest {

  @Test
  void everyPropertyOfTheManagedFlinkContractIsAnOptionOfTheJob() throws Exception {
    String contract =
        Files.readString(
            RepoFiles.find("infra/checks/contracts/streaming-job.json"), StandardCharsets.UTF_8);

    assertThat(groups(contract).keySet())
        .as("fixed property groups")
        .isEqualTo(Set.copyOf(ConfigOptions.SECTIONS));
    assertThat(unknownKeys(contract))
        .as("keys of the Managed Flink contract that the job does not know")
        .isEmpty();
    assertThat(contract).contains("\"tableGroupPrefix\": \"table.\"");
  }

  @Test
  void aKeyTheJobDoesNotKnowIsFound() {
    String broken =
        "{ \"propertyGroups\": { \"source\": [\"host\", \"slot_name\", \"password.secret-arn\"],"
            + " \"sink\": [\"warehouse\"] },"
            + " \"tableGroupKeys\": [\"partition-spec\", \"key-column\"] }";

    assertThat(unknownKeys(broken))
        .containsExactly("source.slot_name", "table.<schema>.<table>.key-column");
  }

  private static List<String> unknownKeys(String contract) {
    Set<String> known = new TreeSet<>();
    for (OptionDoc option : ConfigOptions.all()) {
      known.add(option.key());
    }
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, List<String>> group : groups(contract).entrySet()) {
      for (String key : group.getValue()) {
        if (!known.contains(group.getKey() + "." + key)) {
          unknown.add(group.getKey() + "." + key);
        }
      }
    }
    for (String key : strings(contract, "tableGroupKeys")) {
      if (!known.contains(ConfigOptions.TABLE_OPTION_PREFIX + key)) {
        unknown.add(ConfigOptions.TABLE_OPTION_PREFIX + key);
      }
    }
    return unknown;
  }

  private static Map<String, List<String>> groups(String json) {
    Matcher block = Pattern.compile("\"propertyGroups\"\\s*:\\s*\\{([^}]*)\\}").matcher(json);
    assertThat(block.find()).as("propertyGroups in the contract").isTrue();
    Map<String, List<String>> groups = new LinkedHashMap<>();
    Matcher group = Pattern.compile("\"([^\"]+)\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(block.group(1));
    while (group.find()) {
      groups.put(group.group(1), values(group.group(2)));
    }
    return groups;
  }

  private static List<String> strings(String json, String key) {
    Matcher array = Pattern.compile("\"" + key + "\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(json);
    assertThat(array.find()).as(key + " in the contract").isTrue();
    return values(array.group(1));
  }

  private static List<String> values(String list) {
    List<String> values = new ArrayList<>();
    Matcher value = Pattern.compile("\"([^\"]+)\"").matcher(list);
    while (value.find()) {
      values.add(value.group(1));
    }
    return values;
  }
}
