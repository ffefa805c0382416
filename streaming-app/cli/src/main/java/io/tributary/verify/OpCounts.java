package io.tributary.verify;

/** Change rows of a changelog by operation, counted while it is read. */
final class OpCounts {
  long inserts;
  long updates;
  long deletes;

  /** Every change row counted. */
  long total() {
    return inserts + updates + deletes;
  }
}
