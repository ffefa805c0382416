package io.tributary.source.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.connector.postgresql.connection.Lsn;
import org.junit.jupiter.api.Test;

class SlotPositionCheckTest {
  private static final Lsn AT = Lsn.valueOf("0/3000060");
  private static final Lsn LATER = Lsn.valueOf("0/3A00128");

  @Test
  void aStartAtOrAfterTheSlotsPositionIsAllowed() {
    assertThat(SlotPositionCheck.problem("s", AT, state(AT, "reserved"), true, false)).isEmpty();
    assertThat(SlotPositionCheck.problem("s", LATER, state(AT, "reserved"), true, false)).isEmpty();
  }

  @Test
  void aRestoreOntoASlotThisStartCreatedNamesBothPositionsAndTheWaysOn() {
    String problem =
        SlotPositionCheck.problem("shop_slot", AT, state(LATER, "reserved"), true, false)
            .orElseThrow();
    assertThat(problem)
        .contains("0/3000060")
        .contains("0/3A00128")
        .contains("shop_slot")
        .contains("without this savepoint")
        .contains("source.allow-wal-gap: true");
  }

  @Test
  void theOperatorMayAcceptTheGap() {
    assertThat(SlotPositionCheck.problem("s", AT, state(LATER, "reserved"), true, true)).isEmpty();
  }

  @Test
  void anExistingSlotThatConfirmedPastTheRestoredPositionIsNotRefused() {
    // The driver confirms the server's position on keepalives once all it received is flushed.
    assertThat(SlotPositionCheck.problem("s", AT, state(LATER, "reserved"), false, false))
        .isEmpty();
  }

  @Test
  void aSlotThatLostWalIsRefusedEvenWhenTheGapIsAccepted() {
    assertThat(SlotPositionCheck.problem("s", LATER, state(AT, "lost"), false, true))
        .hasValueSatisfying(p -> assertThat(p).contains("wal_status = lost"));
  }

  @Test
  void aSlotWithoutAConfirmedPositionOrAStartWithoutOneIsNotCompared() {
    assertThat(SlotPositionCheck.problem("s", AT, state(null, "reserved"), true, false)).isEmpty();
    assertThat(SlotPositionCheck.problem("s", null, state(LATER, "reserved"), true, false))
        .isEmpty();
  }

  private static SlotPositionCheck.SlotState state(Lsn confirmed, String walStatus) {
    return new SlotPositionCheck.SlotState(confirmed, walStatus);
  }
}
