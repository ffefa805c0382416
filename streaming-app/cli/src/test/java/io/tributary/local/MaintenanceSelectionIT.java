package io.tributary.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.config.ControlConfig;
import io.tributary.control.ControlClients;
import io.tributary.control.ControlTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The maintenance state machine of infra/stepfunctions selects its tables from every page of the
 * control table: with more than 1 MB of items (table states among maintenance history), a Scan
 * returns several pages, and every table that needs maintenance is maintained exactly once.
 */
class MaintenanceSelectionIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NAMESPACE = "shop";
  private static final int TABLES = 120;
  private static final int HISTORY_PER_TABLE = 12;

  @TempDir Path workdir;

  @Test
  void everyTableNeedingMaintenanceIsMaintainedAcrossScanPages() throws Exception {
    try (Dynalite dynalite = Dynalite.start(null)) {
      ControlConfig control = Dynalite.controlConfig(dynalite.port());
      Dynalite.createControlTable(control);
      Set<String> expected = new TreeSet<>();
      try (DynamoDbClient dynamo = ControlClients.open(control)) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        byte[] report = new byte[1024];
        for (int t = 0; t < TABLES; t++) {
          String table = String.format("t%03d", t);
          // Every third table is below both thresholds and must not be selected.
          boolean needs = t % 3 != 0;
          if (needs) {
            expected.add(table);
          }
          Map<String, AttributeValue> state = new HashMap<>();
          state.put(ControlTable.PK, s(ControlTable.pk(NAMESPACE, table)));
          state.put(ControlTable.SK, s(ControlTable.STATE));
          state.put(ControlTable.TABLE, s(table));
          state.put(ControlTable.DATA_FILES_SINCE_MAINTENANCE, n(needs ? 50 : 1));
          state.put(ControlTable.DELETE_FILES_SINCE_MAINTENANCE, n(0));
          items.add(state);
          for (int h = 0; h < HISTORY_PER_TABLE; h++) {
            Map<String, AttributeValue> history = new HashMap<>();
            history.put(ControlTable.PK, s(ControlTable.pk(NAMESPACE, table)));
            history.put(ControlTable.SK, s(String.format("MAINT#2026-01-%02dT00:00:00Z", h + 1)));
            history.put("status", s("SUCCEEDED"));
            history.put(
                "report", AttributeValue.builder().b(SdkBytes.fromByteArray(report)).build());
            items.add(history);
          }
        }
        Collections.shuffle(items, new Random(7));
        for (int i = 0; i < items.size(); i += 25) {
          List<WriteRequest> batch = new ArrayList<>();
          for (Map<String, AttributeValue> item :
              items.subList(i, Math.min(i + 25, items.size()))) {
            batch.add(
                WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
          }
          dynamo.batchWriteItem(b -> b.requestItems(Map.of(control.tableName(), batch)));
        }
        // The premise: one Scan page does not hold the whole table.
        assertThat(
                dynamo
                    .scan(ScanRequest.builder().tableName(control.tableName()).build())
                    .hasLastEvaluatedKey())
            .as("more than one Scan page")
            .isTrue();
      }

      List<String> maintained = Collections.synchronizedList(new ArrayList<>());
      LocalStepFunctions sfn =
          new LocalStepFunctions(
              workdir,
              control,
              NAMESPACE,
              (job, arguments) -> maintained.add(arguments.get("--table")),
              LocalStepFunctions.Settings.defaults()
                  .minDataFiles(10)
                  .minDeleteFiles(10)
                  .maxConcurrency(4));
      LocalStepFunctions.Execution run = sfn.run("maintenance", JSON.createObjectNode());

      assertThat(run.status()).as(run.toString()).isEqualTo("SUCCEEDED");
      assertThat(maintained).doesNotHaveDuplicates();
      assertThat(new TreeSet<>(maintained)).isEqualTo(expected);
      assertThat(run.output().at("/summary/tables").asInt()).isEqualTo(expected.size());
      assertThat(run.entered("ListMoreTables")).as("the selection read a second page").isTrue();
    }
  }

  private static AttributeValue s(String value) {
    return AttributeValue.builder().s(value).build();
  }

  private static AttributeValue n(long value) {
    return AttributeValue.builder().n(Long.toString(value)).build();
  }
}
