package io.tributary.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Sections of docs/benchmarks.md owned by different benchmark programs. */
class ReportSectionTest {
  @Test
  void replacingOneSectionKeepsTheOthers() {
    String commits = CommitBenchmark.START + "\ncommit figures\n" + CommitBenchmark.END + "\n";
    String tables =
        ManyTablesBenchmark.SECTION.start()
            + "\nold table figures\n"
            + ManyTablesBenchmark.SECTION.end()
            + "\n";
    String profile =
        ManyTablesBenchmark.PROFILE.start()
            + "\nwhere the time goes\n"
            + ManyTablesBenchmark.PROFILE.end()
            + "\n";
    String text = "# Benchmarks\n\n" + commits + "\n" + tables + "\n" + profile;
    String fresh =
        ManyTablesBenchmark.SECTION.start()
            + "\nnew table figures\n"
            + ManyTablesBenchmark.SECTION.end()
            + "\n";

    String replaced = ManyTablesBenchmark.SECTION.withSection(text, fresh);

    assertThat(replaced)
        .isEqualTo("# Benchmarks\n\n" + commits + "\n" + fresh + "\n" + profile)
        .doesNotContain("old table figures");
    assertThat(CommitBenchmark.SECTION.section(replaced)).isEqualTo(commits);
    assertThat(ManyTablesBenchmark.PROFILE.section(replaced)).isEqualTo(profile);
  }

  @Test
  void aMissingSectionIsEmptyAndAppendedWhenWritten() {
    assertThat(ManyTablesBenchmark.SECTION.section("# Benchmarks\n")).isEmpty();
    String fresh =
        ManyTablesBenchmark.SECTION.start() + "\nfigures\n" + ManyTablesBenchmark.SECTION.end();
    assertThat(ManyTablesBenchmark.SECTION.withSection("# Benchmarks\n", fresh + "\n"))
        .isEqualTo("# Benchmarks\n\n" + fresh + "\n");
  }
}
