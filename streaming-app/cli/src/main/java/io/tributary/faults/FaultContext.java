package io.tributary.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** What a fault can reach: the source server, the forwarders in front of each service, the job. */
final class FaultContext {
  final SourceServer source;
  final TcpProxy sourceProxy;
  final TcpProxy s3Proxy;
  final TcpProxy catalogProxy;
  final JobProcess job;
  final Duration outage;
  String database;

  /** The cell's folder (its job's settings, checkpoints and output). */
  Path cellDir;

  /** What the job said about the fault, when the cell looks for it; shown in the report. */
  String said;

  /** When the fault was cleared; recovery is measured from here. */
  Instant cleared;

  FaultContext(
      SourceServer source,
      TcpProxy sourceProxy,
      TcpProxy s3Proxy,
      TcpProxy catalogProxy,
      JobProcess job,
      Duration outage) {
    this.source = source;
    this.sourceProxy = sourceProxy;
    this.s3Proxy = s3Proxy;
    this.catalogProxy = catalogProxy;
    this.job = job;
    this.outage = outage;
  }

  /** Puts a forwarder in a mode for a while, then opens it again. */
  void outage(TcpProxy proxy, TcpProxy.Mode mode, Duration length) throws InterruptedException {
    proxy.mode(mode);
    TimeUnit.MILLISECONDS.sleep(length.toMillis());
    proxy.mode(TcpProxy.Mode.OPEN);
    cleared = Instant.now();
  }
}
