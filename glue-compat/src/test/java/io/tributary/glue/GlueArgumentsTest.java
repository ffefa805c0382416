package io.tributary.glue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.backfill.BackfillJob;
import io.tributary.maintenance.MaintenanceJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GlueArgumentsTest {
  private static final List<String> KEYS = List.of("--table", "--all-tables", "--namespace");

  @Test
  void readsPairsFlagsAndEqualsForm() {
    GlueArguments args =
        GlueArguments.parse(
            new String[] {"--table", "orders", "--all-tables", "--namespace=shop"}, KEYS);
    assertThat(args.get("--table")).isEqualTo("orders");
    assertThat(args.getBoolean("--all-tables")).isTrue();
    assertThat(args.get("--namespace")).isEqualTo("shop");
  }

  @Test
  void dropsGlueOwnArguments() {
    GlueArguments args =
        GlueArguments.parse(
            new String[] {
              "--JOB_NAME",
              "maintenance",
              "--JOB_RUN_ID",
              "jr_1",
              "--TempDir",
              "s3://t/",
              "--job-bookmark-option",
              "job-bookmark-disable",
              "--enable-metrics",
              "true",
              "--table",
              "orders"
            },
            KEYS);
    assertThat(args.asMap()).containsOnlyKeys("--table");
  }

  @Test
  void unknownArgumentNamesTheNearestValidOne() {
    assertThatThrownBy(() -> GlueArguments.parse(new String[] {"--tabel", "orders"}, KEYS))
        .isInstanceOf(ArgumentException.class)
        .hasMessageContaining("unknown argument --tabel: did you mean --table?");
  }

  @Test
  void repeatedAndBareValuesAreErrors() {
    assertThatThrownBy(
            () -> GlueArguments.parse(new String[] {"--table", "a", "--table", "b"}, KEYS))
        .hasMessageContaining("--table is given twice");
    assertThatThrownBy(() -> GlueArguments.parse(new String[] {"orders"}, KEYS))
        .hasMessageContaining("'orders' is not an argument name");
  }

  @Test
  void numbersAndBooleansAreChecked() {
    GlueArguments args =
        GlueArguments.parse(new String[] {"--table", "x1", "--all-tables", "maybe"}, KEYS);
    assertThatThrownBy(() -> args.getLong("--table", 5, 0))
        .hasMessageContaining("argument --table 'x1' is not a whole number");
    assertThatThrownBy(() -> args.getBoolean("--all-tables"))
        .hasMessageContaining("give true or false");
  }

  /** The jobs accept every argument that infra's contract (and so the Glue job) passes. */
  @Test
  void jobsAcceptTheInfraContract() throws Exception {
    JsonNode contract =
        new ObjectMapper()
            .readTree(
                Files.readString(repoRoot().resolve("infra/checks/contracts/glue-jobs.json")));
    List<String> common = strings(contract.get("common"));
    List<String> maintenance = strings(contract.at("/jobs/maintenance/arguments"));
    List<String> backfill = strings(contract.at("/jobs/backfill/arguments"));
    assertThat(MaintenanceJob.ARGUMENTS).containsAll(common).containsAll(maintenance);
    assertThat(BackfillJob.ARGUMENTS).containsAll(common).containsAll(backfill);
    assertThat(GlueArguments.GLUE_RESERVED)
        .containsAll(strings(contract.get("glueReserved")))
        .containsAll(strings(contract.get("launcher")));
    assertThat(contract.at("/jobs/maintenance/mainClass").asText())
        .isEqualTo(MaintenanceJob.class.getName());
    assertThat(contract.at("/jobs/backfill/mainClass").asText())
        .isEqualTo(BackfillJob.class.getName());
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (!Files.exists(dir.resolve("infra/checks/contracts/glue-jobs.json"))) {
      dir = dir.getParent();
    }
    return dir;
  }
}
