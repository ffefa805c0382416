package io.tributary.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TableStatusTest {
  private final AtomicLong now = new AtomicLong(100_000);
  private final SlotWatermark slot = new SlotWatermark();
  private final TableStatus status =
      new TableStatus("public.orders", 60_000, slot, now::get, 60_000);

  @Test
  void lagIsNowMinusTheSourceTimeOfTheLastCommittedChange() {
    assertThat(status.lagMillis()).isNull();
    assertThat(status.millisSinceLastCommit()).isNull();

    status.committed(10, 2, 101_000, 99_500);
    now.set(103_000);

    assertThat(status.lagMillis()).isEqualTo(3_500);
    assertThat(status.millisSinceLastCommit()).isEqualTo(2_000);
    assertThat(status.changes().getCount()).isEqualTo(12);
    assertThat(status.changes().getRate()).isEqualTo(12 / 3.0);

    // A later commit of older changes (another writer's) does not move it back.
    status.committed(1, 0, 104_000, 98_000);
    now.set(105_000);
    assertThat(status.lagMillis()).isEqualTo(5_500);
    assertThat(status.millisSinceLastCommit()).isEqualTo(1_000);
  }

  @Test
  void anIdleTableIsAsFreshAsItsSlotUnlessItIsBlocked() {
    status.committed(5, 0, 101_000, 100_500);
    slot.poll(110_000, 100, 50);
    slot.poll(120_000, 100, 100); // the slot confirmed everything written until 120 s
    now.set(125_000);

    assertThat(status.lagMillis()).isEqualTo(5_000);
    assertThat(status.millisSinceLastCommit()).isEqualTo(24_000);

    status.blocked(true);
    assertThat(status.lagMillis()).isEqualTo(24_500);
    assertThat(status.blockedFlag()).isEqualTo(1);
  }

  @Test
  void theFreshnessTargetIsMissedWhenTheLagExceedsIt() {
    status.committed(1, 0, 100_000, 100_000);
    now.set(160_000);
    assertThat(status.freshnessTargetMissed()).isZero();
    now.set(160_001);
    assertThat(status.freshnessTargetMissed()).isEqualTo(1);
  }

  @Test
  void aTableWithoutAnyCommitMissesItsTargetOnceTheTargetHasPassed() {
    now.set(160_000);
    assertThat(status.freshnessTargetMissed()).isZero();
    now.set(160_001);
    assertThat(status.freshnessTargetMissed()).isEqualTo(1);
  }

  @Test
  void snapshotProgressIsRowsOverTheEstimate() {
    assertThat(status.snapshotPercent()).isNull();
    status.estimate(1_000);
    status.restored(90_000, 89_000, 200);
    assertThat(status.snapshotPercent()).isEqualTo(20);
    status.committed(300, 0, 100_000, 99_000);
    assertThat(status.snapshotPercent()).isEqualTo(50);
    status.committed(900, 0, 100_000, 99_000);
    assertThat(status.snapshotPercent()).isEqualTo(100);

    TableStatus empty = new TableStatus("public.empty", 60_000, slot, now::get, 60_000);
    empty.estimate(0);
    assertThat(empty.snapshotPercent()).isNull();
    empty.committed(3, 0, 100_000, 99_000);
    assertThat(empty.snapshotPercent()).isEqualTo(100);
  }
}
