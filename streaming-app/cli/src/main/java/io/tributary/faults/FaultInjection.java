package io.tributary.faults;

import java.nio.file.Path;

/**
 * What one fault breaks, and for how long. An injection returns once the fault is cleared (the
 * process started again, the network open again), having set {@link FaultContext#cleared}; an
 * exception fails the cell.
 */
interface FaultInjection {
  /** Breaks what the fault breaks, and clears it again. */
  void inject(FaultContext c) throws Exception;

  /**
   * Readies the cell's folder before its job first starts (the disk-full fault puts a small disk
   * under the checkpoint folder).
   *
   * @throws CellNotRunnable when this machine cannot run the fault; the cell is reported as not run
   */
  default void prepare(Path cellDir) throws Exception {}

  /** Undoes {@link #prepare} once the cell's job is gone; never throws. */
  default void release(Path cellDir) {}

  /** A fault this machine cannot inject, with the reason. */
  final class CellNotRunnable extends Exception {
    private static final long serialVersionUID = 1L;

    CellNotRunnable(String reason) {
      super(reason);
    }
  }
}
