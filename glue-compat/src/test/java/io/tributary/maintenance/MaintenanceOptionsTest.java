package io.tributary.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.glue.GlueArguments;
import io.tributary.glue.LakeSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MaintenanceOptionsTest {
  private static MaintenanceOptions parse(String... args) {
    return MaintenanceOptions.from(GlueArguments.parse(args, MaintenanceJob.ARGUMENTS));
  }

  @Test
  void defaultsAndValues() {
    MaintenanceOptions options =
        parse(
            "--all-tables",
            "true",
            "--snapshot-retention-hours",
            "6",
            "--orphan-min-age-hours",
            "48");
    assertThat(options.allTables()).isTrue();
    assertThat(options.snapshotRetention()).isEqualTo(Duration.ofHours(6));
    assertThat(options.orphanMinAge()).isEqualTo(Duration.ofHours(48));
    assertThat(options.targetFileSizeBytes()).isEqualTo(128L << 20);
    assertThat(options.snapshotRetentionMinCount()).isEqualTo(10);
  }

  @Test
  void exactlyOneTableSelection() {
    assertThatThrownBy(() -> parse())
        .hasMessageContaining("give either --table NAME or --all-tables");
    assertThatThrownBy(() -> parse("--table", "orders", "--all-tables", "true"))
        .hasMessageContaining("not both");
  }

  @Test
  void orphanAgeHasASafeMinimum() {
    assertThatThrownBy(() -> parse("--table", "orders", "--orphan-min-age-hours", "2"))
        .hasMessageContaining("--orphan-min-age-hours is 2 but must be at least 24");
  }

  @Test
  void glueArgumentsDescribeTheGlueCatalog() {
    GlueArguments args =
        GlueArguments.parse(
            new String[] {
              "--catalog-type",
              "glue",
              "--warehouse",
              "s3://lake/warehouse",
              "--namespace",
              "shop",
              "--glue-catalog-id",
              "123456789012",
              "--table",
              "orders"
            },
            MaintenanceJob.ARGUMENTS);
    LakeSettings lake = LakeSettings.from(args);
    assertThat(lake.namespace()).isEqualTo("shop");
    assertThat(lake.catalogSpec().properties())
        .containsEntry("catalog-impl", "org.apache.iceberg.aws.glue.GlueCatalog")
        .containsEntry("glue.id", "123456789012")
        .containsEntry("warehouse", "s3://lake/warehouse");
  }

  @Test
  void otherCatalogsNeedTheConfigurationFile() {
    GlueArguments args =
        GlueArguments.parse(
            new String[] {"--catalog-type", "jdbc", "--warehouse", "s3://l/w", "--namespace", "s"},
            MaintenanceJob.ARGUMENTS);
    assertThatThrownBy(() -> LakeSettings.from(args)).hasMessageContaining("pass --config FILE");
  }
}
