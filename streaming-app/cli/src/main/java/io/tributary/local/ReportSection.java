package io.tributary.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A section of docs/benchmarks.md that one benchmark program owns, between two HTML comment
 * markers: replaced in place when that program runs again, kept when another one rewrites the file.
 */
final class ReportSection {
  private final String start;
  private final String end;

  ReportSection(String start, String end) {
    this.start = start;
    this.end = end;
  }

  String start() {
    return start;
  }

  String end() {
    return end;
  }

  /** Puts {@code section} in place of this section of the file, or appends it. */
  void replaceIn(Path output, String section) throws IOException {
    Path parent = output.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    String existing = Files.exists(output) ? Files.readString(output) : "# Benchmarks\n";
    Files.writeString(output, withSection(existing, section));
  }

  /** {@code text} with this section (if any) replaced by {@code section}, else with it appended. */
  String withSection(String text, String section) {
    int from = text.indexOf(start);
    int to = text.indexOf(end);
    if (from >= 0 && to > from) {
      int after = to + end.length();
      if (after < text.length() && text.charAt(after) == '\n') {
        after++;
      }
      return text.substring(0, from) + section + text.substring(after);
    }
    return text + (text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n") + section;
  }

  /** This section of {@code text} with its markers and a final line break, or an empty string. */
  String section(String text) {
    int from = text.indexOf(start);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      return "";
    }
    return text.substring(from, to + end.length()) + "\n";
  }
}
