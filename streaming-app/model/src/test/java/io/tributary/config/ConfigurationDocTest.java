package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docs/configuration.md documents exactly the keys the code knows, so that it cannot drift. */
class ConfigurationDocTest {

  private static final String START = "<!-- options:start -->";
  private static final String END = "<!-- options:end -->";

  private static String doc;
  private static Map<String, String> docRows;

  @BeforeAll
  static void readDoc() throws Exception {
    doc = Files.readString(RepoFiles.find("docs/configuration.md"), StandardCharsets.UTF_8);
    docRows = optionRows(doc);
  }

  @Test
  void everyKeyOfTheCodeIsDocumented() {
    List<String> missing = new ArrayList<>();
    for (OptionDoc option : ConfigOptions.all()) {
      if (!docRows.containsKey(option.key())) {
        missing.add(option.key());
      }
    }
    assertThat(missing)
        .as("keys missing from the options table of docs/configuration.md")
        .isEmpty();
  }

  @Test
  void everyDocumentedKeyIsKnownToTheCode() {
    Set<String> known = new LinkedHashSet<>();
    for (OptionDoc option : ConfigOptions.all()) {
      known.add(option.key());
    }
    assertThat(docRows.keySet())
        .as("keys in docs/configuration.md that the code does not know")
        .isSubsetOf(known);
  }

  @Test
  void documentedRowsMatchTheCode() {
    Map<String, String> expected = optionRows(START + "\n" + ConfigOptions.markdownTable() + END);
    for (Map.Entry<String, String> row : expected.entrySet()) {
      if (docRows.containsKey(row.getKey())) {
        assertThat(normalize(docRows.get(row.getKey())))
            .as(
                "row of %s in docs/configuration.md (regenerate with"
                    + " ConfigOptions.markdownTable())",
                row.getKey())
            .isEqualTo(normalize(row.getValue()));
      }
    }
    assertThat(List.copyOf(docRows.keySet())).isEqualTo(List.copyOf(expected.keySet()));
  }

  @Test
  void yamlExampleOfTheDocIsValid() {
    int start = doc.indexOf("```yaml\n");
    int end = doc.indexOf("```", start + 8);
    assertThat(start).as("a ```yaml block in docs/configuration.md").isPositive();

    TributaryConfig config = ConfigLoader.fromYamlString(doc.substring(start + 8, end));

    assertThat(config)
        .isEqualTo(
            ConfigLoader.fromYaml(RepoFiles.find("streaming-app/config/tributary.example.yaml")));
  }

  /** Rows of the options table between the markers, by key. */
  private static Map<String, String> optionRows(String text) {
    int start = text.indexOf(START);
    int end = text.indexOf(END);
    assertThat(start).as("marker " + START).isNotNegative();
    assertThat(end).as("marker " + END).isGreaterThan(start);
    Map<String, String> rows = new LinkedHashMap<>();
    for (String line : text.substring(start + START.length(), end).split("\n")) {
      String trimmed = line.trim();
      if (!trimmed.startsWith("| `")) {
        continue;
      }
      int close = trimmed.indexOf('`', 3);
      String key = trimmed.substring(3, close);
      assertThat(rows.put(key, trimmed)).as("key listed twice: " + key).isNull();
    }
    return rows;
  }

  private static String normalize(String row) {
    return row.replaceAll("\\s+", " ").trim();
  }
}
