package io.tributary.faults;

import java.time.Instant;

/** The job's process killed with SIGKILL, then started again (from its last checkpoint). */
final class JobKill implements FaultInjection {
  @Override
  public void inject(FaultContext c) throws Exception {
    c.job.kill();
    c.cleared = Instant.now();
    c.job.start();
  }
}
