package io.tributary.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OrphanCutoffTest {
  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  private static final Duration MIN_AGE = Duration.ofHours(72);

  @Test
  void aRunningJobsTableKeepsFilesYoungerThanTheMinimumAge() {
    Instant lastCommit = NOW.minusSeconds(30);
    assertThat(TableMaintenance.orphanCutoff(NOW, Optional.of(lastCommit.toEpochMilli()), MIN_AGE))
        .isEqualTo(lastCommit.minus(MIN_AGE));
  }

  @Test
  void aJobDownLongerThanTheMinimumAgeKeepsItsPendingFiles() {
    // Down for ten days: the files of the checkpoint after its last commit were written around
    // that commit, more than 72 hours ago, and are committed when the job is restored.
    Instant lastCommit = NOW.minus(Duration.ofDays(10));
    Instant pendingFileWritten = lastCommit.plusSeconds(5);
    Instant cutoff =
        TableMaintenance.orphanCutoff(NOW, Optional.of(lastCommit.toEpochMilli()), MIN_AGE);
    assertThat(pendingFileWritten).isAfter(cutoff);
    assertThat(lastCommit.minus(Duration.ofDays(4))).isBefore(cutoff);
  }

  @Test
  void aTableTheStreamNeverCommittedCountsFromNow() {
    assertThat(TableMaintenance.orphanCutoff(NOW, Optional.empty(), MIN_AGE))
        .isEqualTo(NOW.minus(MIN_AGE));
  }

  @Test
  void aCommitTimestampAheadOfThisClockCountsFromNow() {
    Instant ahead = NOW.plusSeconds(600);
    assertThat(TableMaintenance.orphanCutoff(NOW, Optional.of(ahead.toEpochMilli()), MIN_AGE))
        .isEqualTo(NOW.minus(MIN_AGE));
  }
}
