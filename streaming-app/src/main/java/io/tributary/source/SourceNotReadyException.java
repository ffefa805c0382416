package io.tributary.source;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The source database cannot be captured as configured; lists every problem and its remedy. */
public final class SourceNotReadyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public SourceNotReadyException(List<String> problems) {
    super(format(problems));
    this.problems = Collections.unmodifiableList(new ArrayList<>(problems));
  }

  public List<String> problems() {
    return problems;
  }

  private static String format(List<String> problems) {
    StringBuilder sb = new StringBuilder("The source database is not ready for capture:");
    for (String problem : problems) {
      sb.append("\n  - ").append(problem);
    }
    return sb.toString();
  }
}
