package io.tributary.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.verify.VerifyResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CellResultTest {
  private static final Fault KILL =
      new Fault("job-kill", "job process killed (SIGKILL)", FaultPhase.STREAMING, new JobKill());

  private static VerifyResult different(String table, String... differences) {
    return new VerifyResult(
        table, 3, 3, VerifyResult.State.DIFFERENT, new ArrayList<>(List.of(differences)));
  }

  @Test
  void eachDifferenceCountsAsLostNotDeletedOrDuplicated() {
    CellResult r = new CellResult(KILL);
    r.verified(
        List.of(
            new VerifyResult("lake.a", 3, 3, VerifyResult.State.EQUAL, List.of()),
            different(
                "lake.b",
                "id=1: missing in the lake",
                "id=2: values differ in [qty]",
                "id=3: in the lake but not in the source",
                "id=4: the lake holds the key 2 times",
                "row (x): 1 times in the source, 2 times in the lake",
                "id=5 (op c at LSN 9): lake.b_changes holds this change 2 times (a commit applied"
                    + " twice)",
                "duplicate rows in the lake (row counts differ for equal keys)",
                "column note of the source has no column in the lake")));

    assertThat(r.tables).isEqualTo(2);
    assertThat(r.tablesEqual).isEqualTo(1);
    assertThat(r.lost).isEqualTo(2);
    assertThat(r.notDeleted).isEqualTo(1);
    assertThat(r.duplicated).isEqualTo(4);
    assertThat(r.differences).hasSize(8).first().isEqualTo("lake.b: id=1: missing in the lake");
    assertThat(r.clean()).isFalse();
  }

  @Test
  void aCellIsCleanOnlyWhenEveryTableIsEqualAndNothingWentWrong() {
    CellResult r = new CellResult(KILL);
    r.verified(List.of(new VerifyResult("lake.a", 3, 3, VerifyResult.State.EQUAL, List.of())));
    assertThat(r.clean()).isTrue();

    // A table that differs in a way none of the counters names (a column not in the lake).
    CellResult columns = new CellResult(KILL);
    columns.verified(List.of(different("lake.a", "column note of the source has no column")));
    assertThat(columns.clean()).isFalse();

    r.problem = "the job process ended";
    assertThat(r.clean()).isFalse();
  }

  @Test
  void aFaultTheJobMustNotRecoverFromIsCleanWhenTheJobStoppedAndSaidWhy() {
    Fault lost =
        new Fault(
            "slot-lost", "slot invalidated", FaultPhase.STREAMING, new SlotLoss(), "wal_status");
    CellResult r = new CellResult(lost);
    r.expectedStopCell = true;
    assertThat(r.clean()).isFalse();
    r.stopMessage = "Replication slot tributary_x has wal_status = lost";
    assertThat(r.clean()).isTrue();
  }
}
