package io.tributary.faults;

import java.time.Instant;

/** One of the job's two task managers killed; the job recovers on its own. */
final class TaskManagerKill implements FaultInjection {
  @Override
  public void inject(FaultContext c) throws Exception {
    c.job.killTaskManager();
    c.cleared = Instant.now();
  }
}
