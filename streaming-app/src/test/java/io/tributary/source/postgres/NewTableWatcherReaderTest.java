package io.tributary.source.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.core.io.InputStatus;
import org.junit.jupiter.api.Test;

class NewTableWatcherReaderTest {

  @Test
  void looksAtOnceThenEveryIntervalUntilClosedAndEmitsNothing() throws Exception {
    AtomicInteger looks = new AtomicInteger();
    NewTableWatcherReader reader = new NewTableWatcherReader(looks::incrementAndGet, 20, 0);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (looks.get() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertTrue(looks.get() >= 3, "looked " + looks.get() + " times");
    assertEquals(InputStatus.NOTHING_AVAILABLE, reader.pollNext(null));
    assertFalse(reader.isAvailable().isDone());
    assertTrue(reader.snapshotState(1).isEmpty());
    reader.close();
    int afterClose = looks.get();
    Thread.sleep(100);
    assertEquals(afterClose, looks.get());
  }

  @Test
  void onlyTheFirstSubtaskLooks() throws Exception {
    AtomicInteger looks = new AtomicInteger();
    NewTableWatcherReader reader = new NewTableWatcherReader(looks::incrementAndGet, 10, 1);
    reader.start();
    Thread.sleep(100);
    reader.close();
    assertEquals(0, looks.get());
  }
}
