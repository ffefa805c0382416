package io.tributary.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's changes all hit a row, for both pipelines of a round. */
class BenchmarkRowsTest {

  /**
   * Replays the benchmark's cursor arithmetic (per 1,000 changes: 600 updates and 200 deletes from
   * the cursor up, 200 inserts above the highest key) for {@code runs} runs of changes; true when
   * every update and delete range lies within the live keys.
   */
  private static boolean everyChangeHitsARow(long rows, int changes, int runs) {
    long cursor = 1;
    long nextId = rows + 1;
    for (int run = 0; run < runs; run++) {
      int done = 0;
      while (done < changes) {
        int batch = Math.min(1000, changes - done);
        int updates = batch * 6 / 10;
        int deletes = batch * 2 / 10;
        int inserts = batch - updates - deletes;
        // Keys from the cursor up to nextId - 1 are all live.
        if (cursor + updates + deletes - 1 > nextId - 1) {
          return false;
        }
        cursor += updates + deletes;
        nextId += inserts;
        done += batch;
      }
    }
    return true;
  }

  @Test
  void minimumRowsIsTheLeastThatKeepsEveryChangeReal() {
    for (int changes : new int[] {1000, 10_000, 200_000, 500_000, 1_000_000}) {
      long needed = Benchmark.minimumRows(changes, 2);
      assertThat(everyChangeHitsARow(needed, changes, 2)).as("%d changes", changes).isTrue();
      assertThat(everyChangeHitsARow(needed - 1, changes, 2)).as("%d changes", changes).isFalse();
    }
    // Not a multiple of 1,000: enough, if not the least.
    for (int changes : new int[] {1, 999, 1_234_567}) {
      long needed = Benchmark.minimumRows(changes, 2);
      assertThat(everyChangeHitsARow(needed, changes, 2)).as("%d changes", changes).isTrue();
    }
  }

  @Test
  void tooFewRowsForTheChangesIsRefusedBeforeAnythingStarts(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    int code =
        Benchmark.run(
            100_000,
            500_000,
            1,
            dir.resolve("benchmarks.md"),
            new PrintStream(text, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(text.toString(StandardCharsets.UTF_8))
        .contains("--changes 500,000 needs --rows of at least 600,200")
        .contains("Raise --rows or lower --changes");
    assertThat(dir.resolve("benchmarks.md")).doesNotExist();
  }
}
