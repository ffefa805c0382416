package io.tributary.config;

import java.util.ArrayList;
import java.util.List;

/** Collects validation problems so that all of them are reported at once. */
final class Problems {

  private final List<String> list = new ArrayList<>();

  void add(String problem) {
    list.add(problem);
  }

  void addAll(List<String> problems) {
    list.addAll(problems);
  }

  /** Records {@code problem} when {@code condition} is false. */
  void check(boolean condition, String problem) {
    if (!condition) {
      list.add(problem);
    }
  }

  /** Runs {@code action}, recording the problems of a {@link ConfigException} it throws. */
  void collect(Runnable action) {
    try {
      action.run();
    } catch (ConfigException e) {
      list.addAll(e.problems());
    }
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  List<String> list() {
    return List.copyOf(list);
  }

  /** Throws a {@link ConfigException} listing every problem, if there is any. */
  void throwIfAny(String context) {
    if (!list.isEmpty()) {
      throw new ConfigException(context, list);
    }
  }

  void throwIfAny() {
    throwIfAny(null);
  }
}
