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
import java.util.stream.Stream;
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

  /**
   * The job parameters of AWS Glue's reference page "Using job parameters in AWS Glue jobs"
   * (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-glue-arguments.html): the
   * parameters it lists, the ones it says Glue uses internally, and those Glue adds to each run.
   */
  private static final List<String> GLUE_DOCUMENTED =
      List.of(
          "--additional-python-modules",
          "--auto-scale-within-microbatch",
          "--class",
          "--continuous-log-conversionPattern",
          "--continuous-log-logGroup",
          "--continuous-log-logStreamPrefix",
          "--customer-driver-env-vars",
          "--customer-executor-env-vars",
          "--datalake-formats",
          "--disable-proxy-v2",
          "--enable-auto-scaling",
          "--enable-continuous-cloudwatch-log",
          "--enable-continuous-log-filter",
          "--enable-glue-datacatalog",
          "--enable-job-insights",
          "--enable-lakeformation-fine-grained-access",
          "--enable-metrics",
          "--enable-observability-metrics",
          "--enable-rename-algorithm-v2",
          "--enable-s3-parquet-optimized-committer",
          "--enable-spark-ui",
          "--executor-cores",
          "--extra-files",
          "--extra-jars",
          "--extra-py-files",
          "--job-bookmark-option",
          "--job-language",
          "--python-modules-installer-option",
          "--scriptLocation",
          "--spark-event-logs-path",
          "--TempDir",
          "--use-postgres-driver",
          "--user-jars-first",
          "--conf",
          "--debug",
          "--mode",
          "--JOB_NAME",
          "--JOB_ID",
          "--JOB_RUN_ID");

  @Test
  void everyDocumentedGlueParameterIsDroppedWithAValueOrAsAFlag() {
    assertThat(GlueArguments.GLUE_RESERVED).containsAll(GLUE_DOCUMENTED);
    for (String glue : GLUE_DOCUMENTED) {
      GlueArguments withValue =
          GlueArguments.parse(new String[] {glue, "some-value", "--table", "orders"}, KEYS);
      assertThat(withValue.asMap()).as(glue).containsOnlyKeys("--table");
      GlueArguments asFlag = GlueArguments.parse(new String[] {glue, "--table", "orders"}, KEYS);
      assertThat(asFlag.get("--table")).as(glue).isEqualTo("orders");
      GlueArguments empty =
          GlueArguments.parse(new String[] {"--table", "orders", glue + "="}, KEYS);
      assertThat(empty.asMap()).as(glue).containsOnlyKeys("--table");
    }
  }

  @Test
  void glueParametersOfTheDocumentedFamiliesAreDroppedEvenWhenNewer() {
    GlueArguments args =
        GlueArguments.parse(
            new String[] {
              "--enable-some-future-feature", "true",
              "--continuous-log-someFutureSetting", "x",
              "--customer-future-env-vars", "CUSTOMER_A=1",
              "--JOB_FUTURE_ID", "j_1",
              "--table", "orders"
            },
            KEYS);
    assertThat(args.asMap()).containsOnlyKeys("--table");
  }

  @Test
  void unknownUserArgumentsStillFailBesideGlueOnes() {
    assertThatThrownBy(
            () ->
                GlueArguments.parse(
                    new String[] {
                      "--JOB_NAME",
                      "m",
                      "--enable-metrics",
                      "--tabel",
                      "orders",
                      "--TempDir",
                      "s3://t/"
                    },
                    KEYS))
        .isInstanceOf(ArgumentException.class)
        .hasMessageContaining("unknown argument --tabel: did you mean --table?");
    assertThatThrownBy(() -> GlueArguments.parse(new String[] {"--job-name", "m"}, KEYS))
        .hasMessageContaining("unknown argument --job-name");
  }

  /** No option of a Tributary job could be mistaken for (and dropped as) one of Glue's. */
  @Test
  void noJobOptionIsAGlueArgument() {
    for (String option :
        Stream.concat(MaintenanceJob.ARGUMENTS.stream(), BackfillJob.ARGUMENTS.stream()).toList()) {
      assertThat(GlueArguments.isGlueReserved(option)).as(option).isFalse();
    }
  }

  /** The launcher forwards every argument; the list of Glue's arguments is only here. */
  @Test
  void theLauncherKeepsNoListOfItsOwn() throws Exception {
    String launcher =
        Files.readString(repoRoot().resolve("infra/glue/TributaryGlueLauncher.scala"));
    assertThat(launcher).doesNotContain("\"--JOB_NAME\"").contains("--tributary-main-class");
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
