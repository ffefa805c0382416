package io.tributary.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The progress table: redrawn in place on a terminal, appended line by line elsewhere. */
class ProgressTest {
  private static final String BLOCK = "slot lag 1 B\ntable  rows\norders 12\n";

  @Test
  void intoAPipeEachPrintAppendsItsLinesAfterAnEmptyLine() {
    String first = Progress.frame(BLOCK, 0, false);
    String second = Progress.frame(BLOCK, 3, false);
    assertThat(first).isEqualTo(System.lineSeparator() + BLOCK).doesNotContain("\u001b");
    assertThat(second).isEqualTo(first);
  }

  @Test
  void onATerminalTheTableIsDrawnOverThePreviousOne() {
    String first = Progress.frame(BLOCK, 0, true);
    assertThat(first)
        .isEqualTo(
            System.lineSeparator()
                + "\u001b[2Kslot lag 1 B\n\u001b[2Ktable  rows\n\u001b[2Korders 12\n");
    String again = Progress.frame(BLOCK, 3, true);
    // Up three lines to the start of the table, then each line cleared and written again.
    assertThat(again)
        .isEqualTo("\u001b[3A\r\u001b[2Kslot lag 1 B\n\u001b[2Ktable  rows\n\u001b[2Korders 12\n");
  }
}
