package io.tributary.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.connector.postgresql.connection.Lsn;
import org.junit.jupiter.api.Test;

class SlotPositionCheckTest {
  private static final Lsn AT = Lsn.valueOf("0/3000060");
  private static final Lsn LATER = Lsn.valueOf("0/3A00128");

  @Test
  void aStartAtOrAfterTheSlotsPositionIsAllowed() {
    assertThat(SlotPositionCheck.problem("s", AT, state(AT, "reserved"), false)).isEmpty();
    assertThat(SlotPositionCheck.problem("s", LATER, state(AT, "reserved"), false)).isEmpty();
  }

  @Test
  void aStartBehindTheSlotsPositionNamesBothPositionsAndTheWaysOn() {
    String problem =
        SlotPositionCheck.problem("shop_slot", AT, state(LATER, "reserved"), false).orElseThrow();
    assertThat(problem)
        .contains("0/3000060")
        .contains("0/3A00128")
        .contains("shop_slot")
        .contains("without this savepoint")
        .contains("source.allow-wal-gap: true");
  }

  @Test
  void theOperatorMayAcceptTheGap() {
    assertThat(SlotPositionCheck.problem("s", AT, state(LATER, "reserved"), true)).isEmpty();
  }

  @Test
  void aSlotThatLostWalIsRefusedEvenWhenTheGapIsAccepted() {
    assertThat(SlotPositionCheck.problem("s", LATER, state(AT, "lost"), true))
        .hasValueSatisfying(p -> assertThat(p).contains("wal_status = lost"));
  }

  @Test
  void aSlotWithoutAConfirmedPositionOrAStartWithoutOneIsNotCompared() {
    assertThat(SlotPositionCheck.problem("s", AT, state(null, "reserved"), false)).isEmpty();
    assertThat(SlotPositionCheck.problem("s", null, state(LATER, "reserved"), false)).isEmpty();
  }

  private static SlotPositionCheck.SlotState state(Lsn confirmed, String walStatus) {
    return new SlotPositionCheck.SlotState(confirmed, walStatus);
  }
}
