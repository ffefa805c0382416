package io.tributary.local;

import java.nio.file.Path;

/** A local run was asked to start a stack that a live process serves already. */
public final class LocalStackInUseException extends IllegalStateException {
  private final long ownerPid;

  LocalStackInUseException(Path workdir, StackOwner.Owner owner) {
    super(
        "The local stack in "
            + workdir
            + " is in use by "
            + owner
            + ", a running './tributary local' or a command attached to it: stop that process"
            + " first (Ctrl-C in its terminal, or kill "
            + owner.pid()
            + "), or use another --workdir");
    this.ownerPid = owner.pid();
  }

  /** The pid of the process that serves the stack. */
  public long ownerPid() {
    return ownerPid;
  }
}
