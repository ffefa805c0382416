package io.tributary.faults;

/**
 * What one fault breaks, and for how long. An injection returns once the fault is cleared (the
 * process started again, the network open again), having set {@link FaultContext#cleared}; an
 * exception fails the cell.
 */
interface FaultInjection {
  /** Breaks what the fault breaks, and clears it again. */
  void inject(FaultContext c) throws Exception;
}
