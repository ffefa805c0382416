package io.tributary.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The soak's figures: percentiles, whether the heap grew, and its section of the page. */
class SoakTest {
  @TempDir Path dir;

  private static List<Soak.Window> heaps(double... mb) {
    List<Soak.Window> windows = new ArrayList<>();
    for (double m : mb) {
      Soak.Window w = new Soak.Window();
      w.index = windows.size() + 1;
      w.heapAfterGcMb = m;
      w.seconds = 60;
      w.transactions = 6000;
      windows.add(w);
    }
    return windows;
  }

  @Test
  void nearestRankPercentiles() {
    List<Double> values = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      values.add((double) i);
    }
    assertThat(Soak.percentile(values, 50)).isEqualTo(50.0);
    assertThat(Soak.percentile(values, 99)).isEqualTo(99.0);
    assertThat(Soak.percentile(List.of(7.0), 99)).isEqualTo(7.0);
    assertThat(Soak.pair(List.of(1000.0, 3000.0), 1000, "%.1f")).isEqualTo("1.0 / 3.0");
    assertThat(Soak.pair(List.of(), 1, "%.0f")).isEqualTo("-");
  }

  @Test
  void aHeapThatOnlyMovesWithNoiseIsFlatAndTheFirstWindowIsLeftOut() {
    // The first window holds the warm-up; after it the heap wanders around 200 MB.
    Soak.Growth growth = Soak.Growth.of(heaps(90, 200, 204, 198, 203, 199, 201));
    assertThat(growth.flat()).isTrue();
    assertThat(growth.firstMb).isEqualTo(200);
    assertThat(growth.describe()).contains("flat");
  }

  @Test
  void aHeapThatKeepsGrowingIsReported() {
    Soak.Growth growth = Soak.Growth.of(heaps(90, 200, 215, 230, 245, 260, 275));
    assertThat(growth.slopeMbPerWindow).isCloseTo(15.0, Offset.offset(0.01));
    assertThat(growth.flat()).isFalse();
    assertThat(growth.describe()).contains("GROWING");
  }

  @Test
  void theSectionIsReplacedInPlaceAndTheRestOfThePageKept() throws Exception {
    Path page = dir.resolve("reliability.md");
    Files.writeString(page, "# Reliability\n\nthe matrix\n");
    Soak.SoakReport.write(
        page, "m", 1, 1, heaps(100, 101), Soak.Growth.of(heaps(100, 101)), 12, true);
    assertThat(Files.readString(page))
        .contains("`./tributary soak --minutes 1` on")
        .contains("unthrottled on one connection against");
    Soak.SoakReport.write(
        page, "m", 2, 1, heaps(100, 101, 102), Soak.Growth.of(heaps(100, 101, 102)), 34, false);
    String text = Files.readString(page);
    assertThat(text).startsWith("# Reliability\n\nthe matrix\n");
    assertThat(text.split(Soak.SoakReport.START, -1)).hasSize(2);
    assertThat(text).contains("--minutes 2").doesNotContain("--minutes 1`");
    assertThat(text).contains("| 3 | 100 | 102.0 | - | - |").contains("did NOT equal");
  }

  @Test
  void aSoakOnSeveralConnectionsHasASectionOfItsOwn() throws Exception {
    Path page = dir.resolve("reliability.md");
    Soak.SoakReport.write(
        page, "m", 10, 1, heaps(100, 101), Soak.Growth.of(heaps(100, 101)), 12, true);
    Soak.SoakReport.write(
        page, "m", 5, 4, heaps(100, 101, 102), Soak.Growth.of(heaps(100, 101, 102)), 34, true);
    Soak.SoakReport.write(
        page, "m", 6, 4, heaps(100, 101, 102), Soak.Growth.of(heaps(100, 101, 102)), 56, true);
    String text = Files.readString(page);
    assertThat(text.split("## Soak\n", -1)).hasSize(2);
    assertThat(text.split("## Soak on 4 connections\n", -1)).hasSize(2);
    assertThat(text)
        .contains("`./tributary soak --minutes 10` on")
        .contains("`./tributary soak --minutes 6 --connections 4` on")
        .contains("unthrottled on 4 connections at once against")
        .doesNotContain("--minutes 5");
    assertThat(text.indexOf(Soak.SoakReport.END))
        .isLessThan(text.indexOf(Soak.SoakReport.start(4)));
  }
}
