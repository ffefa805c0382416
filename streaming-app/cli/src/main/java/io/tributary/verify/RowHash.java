package io.tributary.verify;

import java.nio.charset.StandardCharsets;

/** The 64-bit hash of values' canonical text that both sides of a comparison use. */
final class RowHash {
  private RowHash() {}

  /** The hash of a text (FNV-1a over its UTF-8 bytes, then mixed). */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      h ^= b;
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  /** Spreads the bits of a hash (the finalizer of SplitMix64). */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
