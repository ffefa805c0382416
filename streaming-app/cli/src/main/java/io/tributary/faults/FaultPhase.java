package io.tributary.faults;

/** When a fault is injected: while the snapshot is read, or once the job streams. */
enum FaultPhase {
  SNAPSHOT("snapshot"),
  STREAMING("streaming");

  final String label;

  FaultPhase(String label) {
    this.label = label;
  }
}
