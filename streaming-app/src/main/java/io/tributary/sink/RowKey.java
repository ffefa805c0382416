package io.tributary.sink;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** The key values of one row, usable as a hash-map key. */
final class RowKey {
  private final Object[] values;
  private final int hash;

  RowKey(Object[] values) {
    this.values = values;
    for (int i = 0; i < values.length; i++) {
      if (values[i] instanceof byte[]) {
        values[i] = ByteBuffer.wrap((byte[]) values[i]);
      }
    }
    this.hash = Arrays.hashCode(values);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RowKey && Arrays.equals(values, ((RowKey) o).values);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
