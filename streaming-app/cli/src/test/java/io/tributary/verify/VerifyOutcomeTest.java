package io.tributary.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerifyOutcomeTest {

  private static OpCounts ops(long inserts, long updates, long deletes) {
    OpCounts ops = new OpCounts();
    ops.inserts = inserts;
    ops.updates = updates;
    ops.deletes = deletes;
    return ops;
  }

  @Test
  void aChangelogWithUpdatesCannotBeReplayed() {
    assertThat(VerifyOutcome.unreplayable("lake.t_changes", ops(3, 2, 1), true))
        .startsWith("append-only: lake.t_changes holds 2 updates,");
  }

  @Test
  void deletesWithoutTheirWholeRowCannotBeReplayedButWholeRowDeletesCan() {
    assertThat(VerifyOutcome.unreplayable("lake.t_changes", ops(3, 0, 1), false))
        .startsWith("append-only: lake.t_changes holds 1 deletes that carry only the key");
    assertThat(VerifyOutcome.unreplayable("lake.t_changes", ops(3, 0, 1), true)).isNull();
    assertThat(VerifyOutcome.unreplayable("lake.t_changes", ops(3, 0, 0), false)).isNull();
  }

  @Test
  void aChangelogNotComparedCountsEveryChangeRow() {
    VerifyResult result = VerifyOutcome.notCompared("lake.t_changes", 4, ops(3, 2, 1), "why");
    assertThat(result.state()).isEqualTo(VerifyResult.State.NOT_COMPARED);
    assertThat(result.mirrorRows()).isEqualTo(6);
    assertThat(result.sourceRows()).isEqualTo(4);
    assertThat(result.differences()).containsExactly("why");
  }

  @Test
  void noDifferenceIsEqualAndAnyIsDifferent() {
    assertThat(VerifyOutcome.of("lake.t", 2, 2, false, null, new ArrayList<>()).state())
        .isEqualTo(VerifyResult.State.EQUAL);
    VerifyResult different =
        VerifyOutcome.of(
            "lake.t",
            2,
            2,
            false,
            "ignored for a mirror",
            new ArrayList<>(List.of("id=1: missing in the lake")));
    assertThat(different.state()).isEqualTo(VerifyResult.State.DIFFERENT);
    assertThat(different.differences()).containsExactly("id=1: missing in the lake");
  }

  @Test
  void aChangelogThatMissesSomeChangesByDesignIsNotComparedWhenItDiffers() {
    VerifyResult result =
        VerifyOutcome.of(
            "lake.t_changes",
            2,
            3,
            true,
            "updates of a table without key are not published",
            new ArrayList<>(List.of("row (1): missing in the lake")));
    assertThat(result.state()).isEqualTo(VerifyResult.State.NOT_COMPARED);
    assertThat(result.differences()).hasSize(2);
    assertThat(result.differences().get(0))
        .contains("updates of a table without key are not published")
        .contains("cannot be told from lost changes");
    assertThat(
            VerifyOutcome.of("lake.t_changes", 2, 2, true, "never published", new ArrayList<>())
                .state())
        .isEqualTo(VerifyResult.State.EQUAL);
  }

  @Test
  void eachSourceColumnMissingFromTheLakeIsADifference() {
    assertThat(VerifyOutcome.columnsNotInLake(List.of("a", "b")))
        .hasSize(2)
        .allSatisfy(line -> assertThat(line).contains("has no column in the lake"));
  }
}
