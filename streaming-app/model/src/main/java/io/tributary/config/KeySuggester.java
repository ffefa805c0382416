package io.tributary.config;

import java.util.Collection;

/** Finds the valid key nearest to a misspelled one, for "Did you mean" hints. */
final class KeySuggester {

  private KeySuggester() {}

  /**
   * The candidate nearest to {@code key}, or null when none is close enough. Keys are compared as a
   * whole and by their last segment, so that a key in the wrong place ({@code source.chunk-size}
   * for {@code source.snapshot.chunk-size}) is found too.
   */
  static String suggest(String key, Collection<String> candidates) {
    String last = lastSegment(key);
    int threshold = last.length() <= 3 ? 1 : last.length() <= 6 ? 2 : 3;
    String best = null;
    int bestScore = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      if (candidate.equals(key)) {
        continue;
      }
      int score = distance(key, candidate);
      if (!parent(key).equals(parent(candidate))) {
        score = Math.min(score, distance(last, lastSegment(candidate)) + 1);
      }
      if (score < bestScore) {
        bestScore = score;
        best = candidate;
      }
    }
    return bestScore <= threshold ? best : null;
  }

  /**
   * Optimal string alignment distance: insertions, deletions, substitutions and transpositions of
   * adjacent characters each cost one.
   */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int best = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          best = Math.min(best, d[i - 2][j - 2] + 1);
        }
        d[i][j] = best;
      }
    }
    return d[a.length()][b.length()];
  }

  static String lastSegment(String key) {
    return key.substring(key.lastIndexOf('.') + 1);
  }

  static String parent(String key) {
    int dot = key.lastIndexOf('.');
    return dot < 0 ? "" : key.substring(0, dot);
  }
}
