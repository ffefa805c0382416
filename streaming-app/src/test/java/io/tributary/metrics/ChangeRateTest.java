package io.tributary.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ChangeRateTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final ChangeRate rate = new ChangeRate(now::get, 60_000);

  @Test
  void countsEveryChangeAndAveragesOverTheWindow() {
    now.addAndGet(30_000);
    rate.markEvent(300); // one commit of 300 changes
    now.addAndGet(30_000);
    rate.markEvent(900);

    assertThat(rate.getCount()).isEqualTo(1200);
    assertThat(rate.getRate()).isCloseTo(1200 / 60.0, within(1e-9));

    now.addAndGet(30_000); // the first commit leaves the window
    assertThat(rate.getRate()).isCloseTo(900 / 60.0, within(1e-9));
    now.addAndGet(30_000);
    assertThat(rate.getRate()).isZero();
    assertThat(rate.getCount()).isEqualTo(1200);
  }

  @Test
  void divideByTheTimeSinceTheStartWhileItIsShorterThanTheWindow() {
    now.addAndGet(10_000);
    rate.markEvent(50);

    assertThat(rate.getRate()).isCloseTo(5.0, within(1e-9));
  }

  @Test
  void aCommitRightAtTheStartIsNotDividedByZero() {
    rate.markEvent(7);
    rate.markEvent(0);
    rate.markEvent(-3);

    assertThat(rate.getRate()).isCloseTo(7.0, within(1e-9));
    assertThat(rate.getCount()).isEqualTo(7);
  }
}
