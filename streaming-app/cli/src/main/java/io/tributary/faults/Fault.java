package io.tributary.faults;

/** A fault of the matrix: its id, what it does, when it is injected and how. */
final class Fault {
  final String id;
  final String description;
  final FaultPhase phase;
  final FaultInjection injection;

  /**
   * For a fault the job must not recover from (the position it needs is gone): what its output must
   * say when it stops; null when the job must recover.
   */
  final String expectedStop;

  Fault(String id, String description, FaultPhase phase, FaultInjection injection) {
    this(id, description, phase, injection, null);
  }

  Fault(
      String id,
      String description,
      FaultPhase phase,
      FaultInjection injection,
      String expectedStop) {
    this.id = id;
    this.description = description;
    this.phase = phase;
    this.injection = injection;
    this.expectedStop = expectedStop;
  }

  /** The cell's name, e.g. {@code job-kill/streaming}. */
  String name() {
    return id + "/" + phase.label;
  }
}
