package io.tributary.faults;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** The source's postmaster killed with SIGKILL, then started again (crash recovery). */
final class SourceCrash implements FaultInjection {
  @Override
  public void inject(FaultContext c) throws Exception {
    c.source.crash();
    TimeUnit.SECONDS.sleep(3);
    c.source.startAfterCrash();
    c.cleared = Instant.now();
  }
}
