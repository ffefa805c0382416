package io.tributary.verify;

import java.util.ArrayList;
import java.util.List;

/**
 * One side's rows in buckets by key: per bucket the row count and the sum of row hashes, so that
 * two sides are compared in bounded memory and only differing buckets are read again.
 */
final class Buckets {
  /** How many buckets rows are spread over. */
  static final int COUNT = 1 << 14;

  final long[] counts = new long[COUNT];
  final long[] sums = new long[COUNT];

  /** The number of rows counted (inserts less deletes, for a changelog). */
  long total() {
    long t = 0;
    for (long c : counts) {
      t += c;
    }
    return t;
  }

  /** The buckets whose row count or hash sum differs from the other side's, in order. */
  List<Integer> differing(Buckets other) {
    List<Integer> differing = new ArrayList<>();
    for (int b = 0; b < COUNT; b++) {
      if (counts[b] != other.counts[b] || sums[b] != other.sums[b]) {
        differing.add(b);
      }
    }
    return differing;
  }
}
