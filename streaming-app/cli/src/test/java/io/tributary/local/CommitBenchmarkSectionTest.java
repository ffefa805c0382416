package io.tributary.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The commit benchmark's section of docs/benchmarks.md: replaced in place, appended, kept. */
class CommitBenchmarkSectionTest {
  private static final String SECTION =
      CommitBenchmark.START + "\n## Commits\n\nnew figures\n" + CommitBenchmark.END + "\n";

  @Test
  void appendedToAFileWithoutOne() {
    assertThat(CommitBenchmark.withSection("# Benchmarks\n\ntext\n", SECTION))
        .isEqualTo("# Benchmarks\n\ntext\n\n" + SECTION);
  }

  @Test
  void replacesTheOldSectionInPlace() {
    String old =
        "# Benchmarks\n\nbefore\n\n"
            + CommitBenchmark.START
            + "\nold figures\n"
            + CommitBenchmark.END
            + "\n\nafter\n";
    assertThat(CommitBenchmark.withSection(old, SECTION))
        .isEqualTo("# Benchmarks\n\nbefore\n\n" + SECTION + "\nafter\n");
  }

  @Test
  void theSectionIsFoundForTheMainBenchmarkToKeep() {
    assertThat(CommitBenchmark.section("# Benchmarks\n\n" + SECTION)).isEqualTo(SECTION);
    assertThat(CommitBenchmark.section("# Benchmarks\n")).isEmpty();
  }
}
