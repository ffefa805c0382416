package io.tributary.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.config.ControlConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The state machines render from the files Terraform deploys, with every placeholder filled. */
class LocalStepFunctionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void rendersLikeTemplatefile() {
    assertThat(LocalStepFunctions.render("a ${x} $${y} ${x}", Map.of("x", 7)))
        .isEqualTo("a 7 ${y} 7");
    assertThatThrownBy(() -> LocalStepFunctions.render("${missing}", Map.of()))
        .hasMessageContaining("${missing}");
  }

  @Test
  void bothStateMachinesRenderToJsonWithTheLocalValues() throws Exception {
    LocalStepFunctions sfn =
        new LocalStepFunctions(
            Path.of("target"),
            ControlConfig.builder().tableName("tributary-control").endpoint("http://x:1").build(),
            "shop",
            (job, args) -> {},
            LocalStepFunctions.Settings.defaults().minDataFiles(3).minDeleteFiles(2));
    for (String machine : new String[] {"maintenance", "backfill"}) {
      String template =
          Files.readString(ControlPlaneFiles.stateMachine(machine), StandardCharsets.UTF_8);
      JsonNode definition = JSON.readTree(LocalStepFunctions.render(template, sfn.values(machine)));
      assertThat(definition.path("States").size()).isGreaterThan(5);
      assertThat(definition.toString()).contains("tributary-control").doesNotContain("${");
    }
    JsonNode maintenance =
        JSON.readTree(
            LocalStepFunctions.render(
                Files.readString(ControlPlaneFiles.stateMachine("maintenance")),
                sfn.values("maintenance")));
    assertThat(
            maintenance
                .at("/States/ListTablesNeedingMaintenance/Parameters/ExpressionAttributeValues")
                .toString())
        .contains("\"N\":\"3\"")
        .contains("\"N\":\"2\"");
  }
}
