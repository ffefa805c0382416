package io.tributary.verify;

import java.util.List;

/** The rows of one key (a whole row for a changelog) seen on one side, with their values. */
final class SeenRow {
  /** The canonical values of the first row seen, one per compared column. */
  final List<String> values;

  /** How many times the key was seen (less the deletes, for a changelog). */
  long count;

  SeenRow(List<String> values) {
    this.values = values;
  }
}
