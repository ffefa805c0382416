package io.tributary.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The chart of {@code tributary bench}: one panel for the snapshot (rows/s) and one for the stream
 * (changes/s), each with a bar per pipeline and round, drawn as a self-contained SVG (text and
 * rectangles only, no fonts or scripts to fetch) from the same figures as the Markdown report.
 */
final class BenchmarkChart {
  private static final String TRIBUTARY = "#8C4FFF";
  private static final String PLAIN = "#7D8998";
  private static final String RECVLOGICAL = "#01A88D";
  private static final int WIDTH = 760;
  private static final int LABEL_WIDTH = 150;
  private static final int BAR_HEIGHT = 16;
  private static final int BAR_GAP = 3;
  private static final int ROUND_GAP = 10;

  private BenchmarkChart() {}

  /** One bar: its pipeline, colour and value. */
  private static final class Bar {
    private final String pipeline;
    private final String colour;
    private final double value;

    Bar(String pipeline, String colour, double value) {
      this.pipeline = pipeline;
      this.colour = colour;
      this.value = value;
    }

    String pipeline() {
      return pipeline;
    }

    String colour() {
      return colour;
    }

    double value() {
      return value;
    }
  }

  /** The SVG for the rounds of one run; {@code subtitle} names the command and the machine. */
  static String svg(List<BenchmarkFigures> rounds, String subtitle) {
    List<List<Bar>> snapshot = new ArrayList<>();
    List<List<Bar>> stream = new ArrayList<>();
    for (BenchmarkFigures f : rounds) {
      snapshot.add(
          List.of(
              new Bar("Tributary", TRIBUTARY, f.snapshotRate),
              new Bar("Plain pipeline", PLAIN, f.plainSnapshotRate)));
      List<Bar> changes = new ArrayList<>();
      changes.add(new Bar("Tributary", TRIBUTARY, f.streamRate));
      changes.add(new Bar("Plain pipeline", PLAIN, f.plainStreamRate));
      if (f.referenceRate > 0) {
        changes.add(new Bar("pg_recvlogical", RECVLOGICAL, f.referenceRate));
      }
      stream.add(changes);
    }
    // The subtitle's parts (command and date; machine) on lines of their own: as one line it was
    // wider than the chart.
    String[] lines = subtitle.split("; ", 2);
    StringBuilder body = new StringBuilder();
    int y = 58 + 16 * (lines.length - 1);
    y = panel(body, y, "Snapshot, rows/s (higher is better)", snapshot);
    y = panel(body, y + 18, "Streaming, changes/s until visible (higher is better)", stream);
    y = legend(body, y + 8);
    StringBuilder svg = new StringBuilder();
    svg.append(
            String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0"
                    + " %d %d\" font-family=\"Arial, Helvetica, sans-serif\" fill=\"#232F3E\">%n",
                WIDTH,
                y + 12,
                WIDTH,
                y + 12))
        .append(
            String.format(
                Locale.ROOT,
                "<rect width=\"%d\" height=\"%d\" fill=\"#FFFFFF\"/>%n",
                WIDTH,
                y + 12))
        .append(text(12, 24, 17, "bold", "Tributary against the plain pipeline, same run"))
        .append(text(12, 44, 12, "normal", lines[0]));
    if (lines.length > 1) {
      svg.append(text(12, 60, 12, "normal", lines[1]));
    }
    svg.append(body).append("</svg>\n");
    return svg.toString();
  }

  /** Draws a panel of rounds; returns the y below it. */
  private static int panel(StringBuilder out, int top, String title, List<List<Bar>> rounds) {
    double max = 0;
    for (List<Bar> round : rounds) {
      for (Bar bar : round) {
        max = Math.max(max, bar.value());
      }
    }
    // Room after the longest bar for its value and ratio ("145,387 (Tributary 0.62x)").
    double scale = max <= 0 ? 0 : (WIDTH - LABEL_WIDTH - 160) / max;
    out.append(text(12, top + 14, 14, "bold", title));
    int y = top + 26;
    for (int r = 0; r < rounds.size(); r++) {
      List<Bar> round = rounds.get(r);
      int height = round.size() * (BAR_HEIGHT + BAR_GAP) - BAR_GAP;
      out.append(text(12, y + height / 2 + 5, 12, "normal", "Round " + (r + 1)));
      for (Bar bar : round) {
        int length = (int) Math.round(bar.value() * scale);
        out.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s: %s</title>"
                    + "</rect>%n",
                LABEL_WIDTH,
                y,
                Math.max(1, length),
                BAR_HEIGHT,
                bar.colour(),
                escape(bar.pipeline()),
                String.format(Locale.ROOT, "%,.0f", bar.value())));
        String label = String.format(Locale.ROOT, "%,.0f", bar.value());
        if (bar != round.get(0) && round.get(0).value() > 0 && bar.value() > 0) {
          label +=
              String.format(Locale.ROOT, " (Tributary %.2fx)", round.get(0).value() / bar.value());
        }
        out.append(text(LABEL_WIDTH + Math.max(1, length) + 6, y + 12, 11, "normal", label));
        y += BAR_HEIGHT + BAR_GAP;
      }
      y += ROUND_GAP - BAR_GAP;
    }
    return y;
  }

  private static int legend(StringBuilder out, int top) {
    int x = 12;
    String[][] items = {
      {TRIBUTARY, "Tributary"},
      {PLAIN, "Plain pipeline (same libraries)"},
      {RECVLOGICAL, "pg_recvlogical (decoding only)"}
    };
    for (String[] item : items) {
      out.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
              x,
              top,
              item[0]));
      out.append(text(x + 17, top + 11, 12, "normal", item[1]));
      x += 40 + item[1].length() * 6;
    }
    return top + 14;
  }

  private static String text(int x, int y, int size, String weight, String content) {
    return String.format(
        Locale.ROOT,
        "<text x=\"%d\" y=\"%d\" font-size=\"%d\" font-weight=\"%s\">%s</text>%n",
        x,
        y,
        size,
        weight,
        escape(content));
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
