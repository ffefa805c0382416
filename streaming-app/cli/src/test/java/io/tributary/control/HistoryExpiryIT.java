package io.tributary.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.config.ControlConfig;
import io.tributary.local.Dynalite;
import io.tributary.sink.TableCommit;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * On the local control table (dynalite): the maintenance job's records carry {@code expiresAt}, and
 * the stream gives the records the state machines wrote without one (maintenance failures, backfill
 * outcomes, a lock left behind) theirs, while table states and items that have one keep theirs.
 */
class HistoryExpiryIT {
  private static final Duration RETENTION = Duration.ofDays(30);
  private static final String PK = ControlTable.pk("shop", "orders");
  private static final String OTHER_PK = ControlTable.pk("shop", "customers");

  @Test
  void historyItemsGetTheirExpiryAndTableStatesNever() throws Exception {
    try (Dynalite dynalite = Dynalite.start(null)) {
      ControlConfig control =
          Dynalite.controlConfig(dynalite.port()).toBuilder().historyRetention("30d").build();
      Dynalite.createControlTable(control);
      try (DynamoDbClient dynamo = ControlClients.open(control)) {
        // As the state machines write them (infra/stepfunctions): no expiresAt.
        put(dynamo, control, item(PK, "MAINT#2026-01-02T03:04:05.678Z", "status", "FAILED"));
        put(dynamo, control, item(PK, "BACKFILL#2026-01-03T00:00:00Z", "status", "SUCCEEDED"));
        Map<String, AttributeValue> lock =
            item(PK, ControlTable.LOCK, "owner", "arn:aws:states:eu-west-1:1:execution:b:x");
        lock.put(HistoryExpiry.ACQUIRED_AT, StateUpdate.s("2026-01-04T00:00:00.000Z"));
        lock.put(HistoryExpiry.LEASE_SECONDS, StateUpdate.n(43200));
        put(dynamo, control, lock);
        Map<String, AttributeValue> kept = item(PK, "BACKFILL#2026-01-01T00:00:00Z", "status", "x");
        kept.put(ControlTable.EXPIRES_AT, StateUpdate.n(42));
        put(dynamo, control, kept);
        // A table the stream does not write is not its business.
        put(dynamo, control, item(OTHER_PK, "BACKFILL#2026-01-03T00:00:00Z", "status", "x"));

        // The maintenance job's own record.
        Instant started = Instant.parse("2026-01-05T06:07:08.009Z");
        try (JobRecords records = JobRecords.open(control)) {
          records.maintenance(
              "shop", "orders", started, true, "{}", null, records.counters("shop", "orders"));
        }
        assertThat(expiresAt(dynamo, control, PK, "MAINT#2026-01-05T06:07:08.009Z"))
            .isEqualTo(started.plus(RETENTION).getEpochSecond());

        // The stream: the first state it writes for the table stamps the table's history.
        try (ControlStateWriter writer = ControlStateWriter.start(control, null)) {
          writer.submit(
              StateUpdate.of(
                  new TableCommit(
                      "shop.orders",
                      1,
                      1001,
                      10,
                      0,
                      10,
                      1_700_000_000_000_000L,
                      1_700_000_001_000L,
                      1,
                      0,
                      null)));
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> writer.written() >= 1 && writer.stamped() >= 3);
          assertThat(writer.written()).isEqualTo(1);
          assertThat(writer.stamped()).isEqualTo(3);
        }
        assertThat(expiresAt(dynamo, control, PK, "MAINT#2026-01-02T03:04:05.678Z"))
            .isEqualTo(Instant.parse("2026-01-02T03:04:05.678Z").plus(RETENTION).getEpochSecond());
        assertThat(expiresAt(dynamo, control, PK, "BACKFILL#2026-01-03T00:00:00Z"))
            .isEqualTo(Instant.parse("2026-01-03T00:00:00Z").plus(RETENTION).getEpochSecond());
        assertThat(expiresAt(dynamo, control, PK, ControlTable.LOCK))
            .isEqualTo(Instant.parse("2026-01-04T12:00:00Z").plus(RETENTION).getEpochSecond());
        assertThat(expiresAt(dynamo, control, PK, "BACKFILL#2026-01-01T00:00:00Z")).isEqualTo(42);
        assertThat(expiresAt(dynamo, control, PK, ControlTable.STATE)).isNull();
        assertThat(expiresAt(dynamo, control, OTHER_PK, "BACKFILL#2026-01-03T00:00:00Z")).isNull();

        // A lock taken over after it was read keeps its new lease: the write is conditional.
        Map<String, AttributeValue> staleRead = new HashMap<>(lock);
        Map<String, AttributeValue> newLock =
            item(OTHER_PK, ControlTable.LOCK, "owner", "arn:aws:states:eu-west-1:1:execution:b:y");
        newLock.put(HistoryExpiry.ACQUIRED_AT, StateUpdate.s("2026-02-01T00:00:00.000Z"));
        newLock.put(HistoryExpiry.LEASE_SECONDS, StateUpdate.n(43200));
        put(dynamo, control, newLock);
        staleRead.put(ControlTable.PK, StateUpdate.s(OTHER_PK));
        HistoryExpiry expiry =
            new HistoryExpiry(
                control.tableName(), RETENTION, Duration.ofHours(1), r -> null, dynamo::updateItem);
        assertThat(expiry.setIfUnchanged(staleRead)).isFalse();
        assertThat(expiresAt(dynamo, control, OTHER_PK, ControlTable.LOCK)).isNull();
      }
    }
  }

  private static Map<String, AttributeValue> item(String pk, String sk, String name, String value) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(ControlTable.PK, StateUpdate.s(pk));
    item.put(ControlTable.SK, StateUpdate.s(sk));
    item.put(name, StateUpdate.s(value));
    return item;
  }

  private static void put(
      DynamoDbClient dynamo, ControlConfig control, Map<String, AttributeValue> item) {
    dynamo.putItem(b -> b.tableName(control.tableName()).item(item));
  }

  private static Long expiresAt(
      DynamoDbClient dynamo, ControlConfig control, String pk, String sk) {
    Map<String, AttributeValue> item =
        dynamo
            .getItem(
                b ->
                    b.tableName(control.tableName())
                        .key(StateUpdate.key(pk, sk))
                        .consistentRead(true))
            .item();
    assertThat(item).as("item %s %s", pk, sk).isNotEmpty();
    AttributeValue value = item.get(ControlTable.EXPIRES_AT);
    return value == null ? null : Long.parseLong(value.n());
  }
}
