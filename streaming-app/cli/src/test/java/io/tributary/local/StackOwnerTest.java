package io.tributary.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The owner lock of a local stack: one owner at a time, and the clean-up after a dead owner stops
 * nothing but this folder's PostgreSQL (the run that kills a real one is {@link LocalRestartIT}).
 */
class StackOwnerTest {

  @TempDir Path workdir;

  @Test
  void aSecondOwnerSeesTheLiveOneUntilItReleases() throws Exception {
    StackOwner.Acquired first = StackOwner.acquire(workdir);
    assertThat(first.owned()).isNotNull();
    StackOwner.Acquired second = StackOwner.acquire(workdir);
    assertThat(second.owned()).isNull();
    assertThat(second.liveOwner())
        .hasValueSatisfying(o -> assertThat(o.pid()).isEqualTo(ProcessHandle.current().pid()));
    first.owned().close();
    StackOwner.Acquired third = StackOwner.acquire(workdir);
    assertThat(third.owned()).isNotNull();
    third.owned().close();
  }

  @Test
  void aLockFileNamingAnotherProgramIsRemovedAndTheProgramLeftAlone() throws Exception {
    Process other = new ProcessBuilder("sleep", "60").start();
    try {
      Path data = Files.createDirectories(workdir.resolve("postgres"));
      Files.writeString(data.resolve("postmaster.pid"), other.pid() + "\n" + data + "\n");
      Files.writeString(workdir.resolve("endpoints.properties"), "s3.port=1\n");
      StackOwner.Acquired acquired = StackOwner.acquire(workdir);
      try {
        acquired.owned().cleanUpAfterDeadOwner();
      } finally {
        acquired.owned().close();
      }
      assertThat(other.isAlive()).isTrue();
      assertThat(data.resolve("postmaster.pid")).doesNotExist();
      assertThat(workdir.resolve("endpoints.properties")).doesNotExist();
    } finally {
      other.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aLockFileOfAServerThatIsGoneIsRemoved() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path data = Files.createDirectories(workdir.resolve("postgres"));
    Files.writeString(data.resolve("postmaster.pid"), gone.pid() + "\n" + data + "\n");
    StackOwner.Acquired acquired = StackOwner.acquire(workdir);
    try {
      acquired.owned().cleanUpAfterDeadOwner();
    } finally {
      acquired.owned().close();
    }
    assertThat(data.resolve("postmaster.pid")).doesNotExist();
  }
}
