package io.tributary.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlotWatermarkTest {
  private final SlotWatermark slot = new SlotWatermark();

  @Test
  void noWatermarkUntilTheSlotConfirmsSomethingInThisRun() {
    // Initial snapshot: the slot exists, the server is idle, nothing is confirmed.
    slot.poll(1_000, 500, 500);
    slot.poll(2_000, 500, 500);

    assertThat(slot.watermarkMillis()).isEqualTo(-1);
    assertThat(slot.lagBytes()).isZero();
  }

  @Test
  void theWatermarkIsTheLastPollWhosePositionIsConfirmed() {
    slot.poll(1_000, 1_000, 900);
    slot.poll(2_000, 5_000, 900); // a burst of 4000 bytes
    assertThat(slot.lagBytes()).isEqualTo(4_100);
    assertThat(slot.watermarkMillis()).isEqualTo(-1);

    slot.poll(3_000, 6_000, 1_000); // confirmed what was written by the first poll
    assertThat(slot.watermarkMillis()).isEqualTo(1_000);
    assertThat(slot.lagBytes()).isEqualTo(5_000);

    slot.poll(4_000, 6_000, 5_500); // the burst of the second poll is in
    assertThat(slot.watermarkMillis()).isEqualTo(2_000);

    slot.poll(5_000, 6_000, 6_000); // caught up: complete up to this poll
    assertThat(slot.watermarkMillis()).isEqualTo(5_000);
    assertThat(slot.lagBytes()).isZero();

    slot.poll(6_000, 6_000, 6_000); // idle: the watermark follows the clock
    assertThat(slot.watermarkMillis()).isEqualTo(6_000);
  }
}
