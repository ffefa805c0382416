package io.tributary.config;

import java.util.Collections;
import java.util.List;
import java.util.Objects;

/** Invalid or unusable configuration; the message names the key and says what to do. */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /** One problem, described by {@code message}. */
  public ConfigException(String message) {
    this(message, (Throwable) null);
  }

  /** One problem caused by {@code cause} (for example an unreadable file). */
  public ConfigException(String message, Throwable cause) {
    super(message, cause);
    this.problems = List.of(message);
  }

  /**
   * Several problems found together. With a single problem the message is that problem (prefixed by
   * {@code context} when given); with several it is a list.
   *
   * @param context what was being read, e.g. "Invalid configuration file /etc/tributary.yaml"; may
   *     be null
   * @param problems at least one problem
   */
  public ConfigException(String context, List<String> problems) {
    super(format(context, problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    this.problems = Collections.unmodifiableList(List.copyOf(problems));
  }

  /** Every problem found, each naming its key; one element when the exception has one cause. */
  public List<String> problems() {
    return problems;
  }

  private static String format(String context, List<String> problems) {
    Objects.requireNonNull(problems, "problems");
    String prefix = context == null || context.isEmpty() ? "" : context + ": ";
    if (problems.size() == 1) {
      return prefix + problems.get(0);
    }
    StringBuilder message = new StringBuilder();
    message.append(context == null || context.isEmpty() ? "Invalid configuration" : context);
    message.append(" (").append(problems.size()).append(" problems):");
    for (String problem : problems) {
      message.append(System.lineSeparator()).append("  - ").append(problem);
    }
    return message.toString();
  }
}
