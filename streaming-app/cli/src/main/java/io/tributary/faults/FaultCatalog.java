package io.tributary.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The faults of the matrix, in the order they run. */
final class FaultCatalog {
  private FaultCatalog() {}

  /** The faults, in the order they run; {@code quick} shortens the network outages. */
  static List<Fault> faults(boolean quick) {
    Duration outage = quick ? Duration.ofSeconds(15) : Duration.ofSeconds(30);
    List<Fault> all = new ArrayList<>();
    FaultInjection kill = new JobKill();
    all.add(new Fault("job-kill", "job process killed (SIGKILL)", FaultPhase.SNAPSHOT, kill));
    all.add(new Fault("job-kill", "job process killed (SIGKILL)", FaultPhase.STREAMING, kill));
    FaultInjection killTaskManager = new TaskManagerKill();
    all.add(
        new Fault(
            "taskmanager-kill",
            "one of two task managers killed",
            FaultPhase.SNAPSHOT,
            killTaskManager));
    all.add(
        new Fault(
            "taskmanager-kill",
            "one of two task managers killed",
            FaultPhase.STREAMING,
            killTaskManager));
    all.add(
        new Fault(
            "job-halt-commit",
            "job process halted between two tables' commits of one checkpoint",
            FaultPhase.STREAMING,
            new CommitHalt()));
    FaultInjection crash = new SourceCrash();
    all.add(
        new Fault(
            "source-crash", "source postmaster killed (SIGKILL)", FaultPhase.SNAPSHOT, crash));
    all.add(
        new Fault(
            "source-crash", "source postmaster killed (SIGKILL)", FaultPhase.STREAMING, crash));
    all.add(
        new Fault(
            "source-restart",
            "source restarted (fast shutdown)",
            FaultPhase.STREAMING,
            new SourceRestart()));
    all.add(
        new Fault(
            "s3-down",
            "S3 unreachable for " + outage.toSeconds() + " s",
            FaultPhase.STREAMING,
            new NetworkOutage(c -> c.s3Proxy, TcpProxy.Mode.REFUSE, outage)));
    all.add(
        new Fault(
            "catalog-down",
            "catalog unreachable for " + outage.toSeconds() + " s",
            FaultPhase.STREAMING,
            new NetworkOutage(c -> c.catalogProxy, TcpProxy.Mode.REFUSE, outage)));
    Duration hang = quick ? Duration.ofSeconds(30) : Duration.ofSeconds(60);
    all.add(
        new Fault(
            "source-hang",
            "network to the source drops everything for " + hang.toSeconds() + " s (no reset)",
            FaultPhase.STREAMING,
            new NetworkOutage(c -> c.sourceProxy, TcpProxy.Mode.HANG, hang)));
    all.add(
        new Fault(
            "slot-lost",
            "replication slot invalidated by max_slot_wal_keep_size while the job is down",
            FaultPhase.STREAMING,
            new SlotLoss(),
            "wal_status = lost"));
    all.add(
        new Fault(
            "disk-full",
            "disk of the checkpoint folder full for " + outage.toSeconds() + " s",
            FaultPhase.STREAMING,
            new DiskFull(outage, false)));
    all.add(
        new Fault(
            "disk-full-crash",
            "disk of the checkpoint folder full, job process killed (SIGKILL) before space is"
                + " freed",
            FaultPhase.STREAMING,
            new DiskFull(outage, true)));
    if (!quick) {
      all.add(
          new Fault(
              "s3-down-long",
              "S3 unreachable for 300 s",
              FaultPhase.STREAMING,
              new NetworkOutage(c -> c.s3Proxy, TcpProxy.Mode.REFUSE, Duration.ofMinutes(5))));
    }
    return all;
  }
}
