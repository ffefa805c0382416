package io.tributary.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.sink.TableCommit;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/** The STATE item update of a commit: key, attributes, status and counters. */
class StateUpdateTest {
  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05.678Z");

  private static TableCommit commit(
      long checkpoint, long rows, long deletes, int dataFiles, int deleteFiles, String blocked) {
    return new TableCommit(
        "shop.orders",
        checkpoint,
        1000 + checkpoint,
        rows,
        deletes,
        checkpoint * 10,
        1_700_000_000_000_000L + checkpoint,
        1_700_000_001_000L + checkpoint,
        dataFiles,
        deleteFiles,
        blocked);
  }

  /** The update's attribute values by attribute name (resolving the #alias and :value). */
  private static AttributeValue value(UpdateItemRequest request, String attribute) {
    for (Map.Entry<String, String> name : request.expressionAttributeNames().entrySet()) {
      if (name.getValue().equals(attribute)) {
        String expression = request.updateExpression();
        int at = expression.indexOf(name.getKey() + " ");
        if (at < 0) {
          return null;
        }
        String rest = expression.substring(at + name.getKey().length()).trim();
        rest = rest.startsWith("=") ? rest.substring(1).trim() : rest;
        if (rest.startsWith("if_not_exists(")) {
          rest = rest.substring(rest.indexOf(',') + 1).trim();
        }
        String placeholder = rest.split("[ ,)]")[0];
        return request.expressionAttributeValues().get(placeholder);
      }
    }
    return null;
  }

  @Test
  void snapshotCommitSetsPositionsAndAddsCountersKeepingAnEarlierStatus() {
    UpdateItemRequest request =
        StateUpdate.of(commit(3, 500, 0, 4, 0, null)).toRequest("control", NOW);

    assertThat(request.tableName()).isEqualTo("control");
    assertThat(request.key())
        .containsEntry("pk", AttributeValue.fromS("TABLE#shop.orders"))
        .containsEntry("sk", AttributeValue.fromS("STATE"));
    assertThat(value(request, "table").s()).isEqualTo("orders");
    assertThat(value(request, "namespace").s()).isEqualTo("shop");
    assertThat(value(request, "lastCheckpointId").n()).isEqualTo("3");
    assertThat(value(request, "lastSnapshotId").n()).isEqualTo("1003");
    assertThat(value(request, "sourceLsn").n()).isEqualTo("30");
    assertThat(value(request, "lastCommitAt").s()).isEqualTo("2023-11-14T22:13:21.003Z");
    assertThat(value(request, "lastSourceCommitAt").s()).isEqualTo("2023-11-14T22:13:20.000Z");
    assertThat(value(request, "updatedAt").s()).isEqualTo("2026-01-02T03:04:05.678Z");
    assertThat(value(request, "rowsSinceStart").n()).isEqualTo("500");
    assertThat(value(request, "changesSinceStart").n()).isEqualTo("0");
    assertThat(value(request, "dataFilesSinceMaintenance").n()).isEqualTo("4");
    assertThat(value(request, "deleteFilesSinceMaintenance").n()).isEqualTo("0");
    assertThat(request.updateExpression())
        .contains("#status = if_not_exists(#status, :status)")
        .contains(" ADD ")
        .endsWith(" REMOVE #reason");
    assertThat(value(request, "status").s()).isEqualTo("SNAPSHOTTING");
  }

  @Test
  void commitWithDeleteFilesIsStreamingAndCountsChanges() {
    UpdateItemRequest request =
        StateUpdate.of(commit(4, 7, 3, 1, 2, null)).toRequest("control", NOW);

    assertThat(request.updateExpression()).contains("#status = :status").doesNotContain("if_not");
    assertThat(value(request, "status").s()).isEqualTo("STREAMING");
    assertThat(value(request, "changesSinceStart").n()).isEqualTo("10");
    assertThat(value(request, "deletesSinceStart").n()).isEqualTo("3");
    assertThat(value(request, "deleteFilesSinceMaintenance").n()).isEqualTo("2");
  }

  @Test
  void blockedTableRecordsTheReason() {
    UpdateItemRequest request =
        StateUpdate.of(commit(5, 1, 1, 1, 1, "blocked: type change")).toRequest("control", NOW);

    assertThat(value(request, "status").s()).isEqualTo("BLOCKED");
    assertThat(value(request, "statusReason").s()).isEqualTo("blocked: type change");
    assertThat(request.updateExpression()).doesNotContain("REMOVE");
  }

  @Test
  void mergedUpdatesAddCountersAndKeepTheNewestPositions() {
    StateUpdate merged =
        StateUpdate.of(commit(6, 10, 0, 2, 0, null))
            .merge(StateUpdate.of(commit(7, 5, 5, 1, 1, null)));
    UpdateItemRequest request = merged.toRequest("control", NOW);

    assertThat(value(request, "lastCheckpointId").n()).isEqualTo("7");
    assertThat(value(request, "lastSnapshotId").n()).isEqualTo("1007");
    assertThat(value(request, "sourceLsn").n()).isEqualTo("70");
    assertThat(value(request, "rowsSinceStart").n()).isEqualTo("15");
    assertThat(value(request, "changesSinceStart").n()).isEqualTo("10");
    assertThat(value(request, "dataFilesSinceMaintenance").n()).isEqualTo("3");
    assertThat(value(request, "deleteFilesSinceMaintenance").n()).isEqualTo("1");
    assertThat(value(request, "status").s()).isEqualTo("STREAMING");
  }

  @Test
  void snapshotRowsWithoutPositionLeaveThePositionAlone() {
    TableCommit commit =
        new TableCommit("shop.orders", 1, 11, 3, 0, -1, -1, 1_700_000_001_000L, 1, 0, null);
    UpdateItemRequest request = StateUpdate.of(commit).toRequest("control", NOW);

    assertThat(request.expressionAttributeNames().values()).doesNotContain("sourceLsn");
    assertThat(request.expressionAttributeNames().values()).doesNotContain("lastSourceCommitAt");
  }

  @Test
  void deadLettersOfAParkedTableMarkItBlocked() {
    UpdateItemRequest parked =
        StateUpdate.deadLetters(
            "control",
            "TABLE#shop.orders",
            new DeadLetterCounts.Count(4, "blocked: column 'v' cannot change type"));
    assertThat(parked.key()).containsEntry("sk", AttributeValue.fromS("STATE"));
    assertThat(parked.updateExpression())
        .isEqualTo("SET #deadLetters = :deadLetters, #status = :status, #reason = :reason");
    assertThat(parked.expressionAttributeValues())
        .containsEntry(":deadLetters", AttributeValue.fromN("4"))
        .containsEntry(":status", AttributeValue.fromS("BLOCKED"))
        .containsEntry(":reason", AttributeValue.fromS("blocked: column 'v' cannot change type"));

    UpdateItemRequest other =
        StateUpdate.deadLetters(
            "control", "TABLE#shop.orders", new DeadLetterCounts.Count(2, "value out of range"));
    assertThat(other.updateExpression()).isEqualTo("SET #deadLetters = :deadLetters");
  }

  @Test
  void updatesOfDifferentTablesDoNotMerge() {
    StateUpdate orders = StateUpdate.of(commit(1, 1, 0, 1, 0, null));
    StateUpdate other =
        StateUpdate.of(new TableCommit("shop.items", 1, 1, 1, 0, 1, 1, 1, 1, 0, null));
    assertThatThrownBy(() -> orders.merge(other))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TABLE#shop.orders")
        .hasMessageContaining("TABLE#shop.items");
  }

  @Test
  void aNoticeIsTheStatusReasonOfATableThatFlows() {
    TableCommit noticed =
        new TableCommit(
            "shop.log__changes",
            4,
            1004,
            10,
            0,
            40,
            1_700_000_000_000_004L,
            1_700_000_001_004L,
            1,
            0,
            null,
            "primary key added at the source: [id] at LSN 40");
    UpdateItemRequest request = StateUpdate.of(noticed).toRequest("control", NOW);
    assertThat(value(request, "statusReason").s())
        .isEqualTo("primary key added at the source: [id] at LSN 40");
    assertThat(request.updateExpression()).doesNotContain("REMOVE");
    assertThat(value(request, "status").s()).isEqualTo("SNAPSHOTTING");
    // A later commit without the notice (the property was removed) clears the reason again.
    UpdateItemRequest merged =
        StateUpdate.of(noticed)
            .merge(
                StateUpdate.of(
                    new TableCommit("shop.log__changes", 5, 1005, 1, 0, 50, 1L, 2L, 1, 0, null)))
            .toRequest("control", NOW);
    assertThat(merged.updateExpression()).endsWith(" REMOVE #reason");
  }
}
