package io.tributary.glue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The control table arguments every Glue job takes, as Terraform passes them. */
class LakeSettingsControlTest {

  private static LakeSettings lake(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--warehouse",
                "s3://lake/warehouse",
                "--namespace",
                "shop",
                "--control-table",
                "tributary-control"));
    args.addAll(List.of(extra));
    return LakeSettings.from(GlueArguments.parse(args.toArray(new String[0]), LakeSettings.KEYS));
  }

  @Test
  void historyRetentionDefaultsToNinetyDaysAndTakesTheTerraformForm() {
    assertThat(lake().control().orElseThrow().historyRetention()).isEqualTo(Duration.ofDays(90));
    assertThat(
            lake("--control-history-retention", "30d").control().orElseThrow().historyRetention())
        .isEqualTo(Duration.ofDays(30));
  }

  @Test
  void aBadRetentionIsNamedByItsArgument() {
    assertThatThrownBy(() -> lake("--control-history-retention", "soon"))
        .isInstanceOf(ArgumentException.class)
        .hasMessageContaining("--control-history-retention 'soon' is not a duration");
    assertThatThrownBy(
            () ->
                LakeSettings.from(
                    GlueArguments.parse(
                        new String[] {
                          "--warehouse",
                          "s3://lake/w",
                          "--namespace",
                          "shop",
                          "--control-history-retention",
                          "30d"
                        },
                        LakeSettings.KEYS)))
        .isInstanceOf(ArgumentException.class)
        .hasMessageContaining("--control-history-retention needs --control-table NAME");
  }
}
