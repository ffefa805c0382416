package io.tributary.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FaultCatalogTest {

  @Test
  void everyCellHasItsOwnNameAndAnInjection() {
    List<Fault> all = FaultCatalog.faults(false);
    assertThat(all).extracting(Fault::name).doesNotHaveDuplicates();
    assertThat(all).allSatisfy(f -> assertThat(f.injection).isNotNull());
    assertThat(all)
        .extracting(Fault::name)
        .contains("job-kill/snapshot", "job-halt-commit/streaming", "slot-lost/streaming");
  }

  @Test
  void onlyTheLostSlotMustStopTheJob() {
    assertThat(FaultCatalog.faults(true))
        .filteredOn(f -> f.expectedStop != null)
        .extracting(f -> f.id)
        .containsExactly("slot-lost");
  }

  @Test
  void theQuickMatrixShortensOutagesAndLeavesOutTheLongOne() {
    assertThat(FaultCatalog.faults(true))
        .extracting(f -> f.description)
        .contains("S3 unreachable for 15 s")
        .noneMatch(d -> d.contains("300 s"));
    assertThat(FaultCatalog.faults(false))
        .extracting(f -> f.description)
        .contains("S3 unreachable for 30 s", "S3 unreachable for 300 s");
  }
}
