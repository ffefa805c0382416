package io.tributary.faults;

import java.time.Instant;

/** The source restarted with a fast shutdown. */
final class SourceRestart implements FaultInjection {
  @Override
  public void inject(FaultContext c) throws Exception {
    c.source.restartFast();
    c.cleared = Instant.now();
  }
}
