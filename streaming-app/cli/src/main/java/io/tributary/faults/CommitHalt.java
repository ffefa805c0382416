package io.tributary.faults;

import io.tributary.sink.CrashPoint;
import java.time.Instant;

/**
 * The job's process halted at the worst moment of a commit: after the first table of a checkpoint
 * committed, before the others; then started again.
 */
final class CommitHalt implements FaultInjection {
  @Override
  public void inject(FaultContext c) throws Exception {
    c.job.arm(CrashPoint.BETWEEN_TABLES);
    if (!c.job.awaitEnd(120)) {
      throw new IllegalStateException(
          "the job never reached the crash point between two tables' commits");
    }
    c.cleared = Instant.now();
    c.job.start();
  }
}
