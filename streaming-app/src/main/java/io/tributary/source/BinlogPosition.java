package io.tributary.source;

/**
 * A MySQL or MariaDB binlog position as one {@code long}, the form {@code _source_lsn} holds for
 * these sources: the file's sequence number (the digits after the last dot of {@code
 * binlog.000042}) in the upper 32 bits, the byte offset of the change's event in that file in the
 * lower 32 bits. Positions thus compare as numbers in binlog order, across file rotations, as
 * PostgreSQL LSNs do; the rows of one row event share their event's position.
 *
 * <p>Offsets are below 4 GiB ({@code max_binlog_size} is at most 1 GiB; a single transaction larger
 * than 4 GiB is cut to the largest offset, keeping the order). A server whose binlog is reset
 * ({@code RESET MASTER}) starts again at file 1: positions from before are then larger.
 */
public final class BinlogPosition {
  private static final long OFFSET_MASK = 0xFFFF_FFFFL;

  private BinlogPosition() {}

  /**
   * The position of an event at {@code offset} in binlog file {@code file}; -1 when the file is
   * unknown (snapshot rows).
   *
   * @throws IllegalArgumentException when the file name does not end in a sequence number
   */
  public static long encode(String file, long offset) {
    if (file == null || file.isEmpty()) {
      return -1L;
    }
    int dot = file.lastIndexOf('.');
    long sequence;
    try {
      sequence = Long.parseLong(file.substring(dot + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Binlog file name '" + file + "' does not end in a sequence number", e);
    }
    if (sequence < 0 || sequence > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("Binlog file sequence out of range: " + file);
    }
    return (sequence << 32) | Math.min(Math.max(offset, 0L), OFFSET_MASK);
  }

  /** The file's sequence number of an encoded position. */
  public static long sequence(long position) {
    return position >>> 32;
  }

  /** The byte offset in the file of an encoded position. */
  public static long offset(long position) {
    return position & OFFSET_MASK;
  }

  /** A readable form, {@code 42:1234} (file sequence, offset); {@code -} for -1. */
  public static String describe(long position) {
    return position < 0 ? "-" : sequence(position) + ":" + offset(position);
  }
}
