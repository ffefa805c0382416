package io.tributary.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Which expiry each kind of control table item gets. */
class HistoryExpiryTest {
  private static final Duration RETENTION = Duration.ofDays(90);

  @Test
  void historyRecordsExpireRetentionAfterTheTimeInTheirSortKey() {
    Instant at = Instant.parse("2026-01-02T03:04:05.678Z");
    long expected = at.plus(RETENTION).getEpochSecond();
    assertThat(HistoryExpiry.expiresAt(item("MAINT#2026-01-02T03:04:05.678Z"), RETENTION))
        .hasValue(expected);
    assertThat(HistoryExpiry.expiresAt(item("BACKFILL#2026-01-02T03:04:05.678Z"), RETENTION))
        .hasValue(expected);
    // Step Functions writes execution start times with or without decimals.
    assertThat(HistoryExpiry.expiresAt(item("BACKFILL#2026-01-02T03:04:05Z"), RETENTION))
        .hasValue(Instant.parse("2026-01-02T03:04:05Z").plus(RETENTION).getEpochSecond());
    assertThat(ControlTable.expiresAt(at, RETENTION)).isEqualTo(expected);
  }

  @Test
  void aLockExpiresRetentionAfterTheEndOfItsLease() {
    Map<String, AttributeValue> lock = item(ControlTable.LOCK);
    lock.put(HistoryExpiry.ACQUIRED_AT, StateUpdate.s("2026-01-02T00:00:00Z"));
    lock.put(HistoryExpiry.LEASE_SECONDS, StateUpdate.n(43200));
    assertThat(HistoryExpiry.expiresAt(lock, RETENTION))
        .hasValue(Instant.parse("2026-01-02T12:00:00Z").plus(RETENTION).getEpochSecond());
    // A lock without its lease is left alone.
    assertThat(HistoryExpiry.expiresAt(item(ControlTable.LOCK), RETENTION)).isEmpty();
  }

  @Test
  void stateAndUnknownItemsNeverExpire() {
    assertThat(HistoryExpiry.expiresAt(item(ControlTable.STATE), RETENTION)).isEmpty();
    assertThat(HistoryExpiry.expiresAt(item("MAINT#yesterday"), RETENTION)).isEmpty();
    assertThat(HistoryExpiry.expiresAt(item("NOTE#2026-01-02T03:04:05Z"), RETENTION)).isEmpty();
  }

  private static Map<String, AttributeValue> item(String sk) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(ControlTable.PK, StateUpdate.s("TABLE#shop.orders"));
    item.put(ControlTable.SK, StateUpdate.s(sk));
    return item;
  }
}
