package io.tributary.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a writer knows of checkpoints, as a read of stored rows that waits for a commit sees it. */
class WriterCheckpointsTest {

  @Test
  void theRestoredCheckpointCountsAsCompleted() {
    assertThat(new WriterCheckpoints(7).lastCompleted()).isEqualTo(7);
    assertThat(new WriterCheckpoints(-1).lastCompleted()).isEqualTo(-1);
  }

  @Test
  void aCompletedCheckpointForgetsTheAbortedOnesUpToIt() {
    WriterCheckpoints checkpoints = new WriterCheckpoints(3);
    checkpoints.abort(2);
    checkpoints.abort(4);
    checkpoints.abort(6);
    assertThat(checkpoints.aborted(2)).as("before the last completed one").isFalse();
    assertThat(checkpoints.aborted(4)).isTrue();
    assertThat(checkpoints.aborted(6)).isTrue();

    checkpoints.completed(5);
    assertThat(checkpoints.lastCompleted()).isEqualTo(5);
    assertThat(checkpoints.aborted(4)).isFalse();
    assertThat(checkpoints.aborted(6)).isTrue();
  }

  @Test
  void aLateNotificationOfAnOlderCheckpointChangesNothing() {
    WriterCheckpoints checkpoints = new WriterCheckpoints(-1);
    checkpoints.completed(9);
    checkpoints.abort(10);
    checkpoints.completed(8);
    assertThat(checkpoints.lastCompleted()).isEqualTo(9);
    assertThat(checkpoints.aborted(10)).isTrue();
  }
}
