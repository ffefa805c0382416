package io.tributary.config;

import java.io.Serializable;

/**
 * The server ids a MySQL source's binlog readers present to the server ({@code source.server-id}):
 * {@code 5400} or {@code 5400-5403}. Every parallel reader needs one id of its own, and no other
 * replica of the server may use one of them (the server drops the older connection of a reused id).
 */
public final class ServerIdRange implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The largest server id: ids are unsigned 32-bit numbers. */
  public static final long MAX_ID = 4_294_967_295L;

  private final long start;
  private final long end;

  /**
   * @param start the first id, at least 1
   * @param end the last id, at least {@code start}
   * @throws ConfigException when the bounds are not a valid range
   */
  public ServerIdRange(long start, long end) {
    if (start < 1 || end > MAX_ID || start > end) {
      throw new ConfigException(
          "source.server-id '"
              + start
              + "-"
              + end
              + "' is not a valid range: use ids from 1 to "
              + MAX_ID
              + ", the first not above the last, e.g. 5400-5403");
    }
    this.start = start;
    this.end = end;
  }

  /** The first id. */
  public long start() {
    return start;
  }

  /** The last id. */
  public long end() {
    return end;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServerIdRange
        && ((ServerIdRange) o).start == start
        && ((ServerIdRange) o).end == end;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(start) * 31 + Long.hashCode(end);
  }

  /**
   * Parses {@code 5400} or {@code 5400-5403}.
   *
   * @throws ConfigException naming the value and the expected form
   */
  public static ServerIdRange parse(String text) {
    String value = text == null ? "" : text.trim();
    int dash = value.indexOf('-');
    try {
      if (dash < 0) {
        long id = Long.parseLong(value);
        return new ServerIdRange(id, id);
      }
      return new ServerIdRange(
          Long.parseLong(value.substring(0, dash).trim()),
          Long.parseLong(value.substring(dash + 1).trim()));
    } catch (NumberFormatException e) {
      throw new ConfigException(
          "source.server-id '"
              + value
              + "' is not a server id or a range of them: write e.g. 5400 or 5400-5403");
    }
  }

  /** How many ids the range holds, that is how many readers can run in parallel. */
  public long size() {
    return end - start + 1;
  }

  /** The form Flink CDC's MySQL source takes, {@code 5400-5403}. */
  @Override
  public String toString() {
    return start == end ? Long.toString(start) : start + "-" + end;
  }
}
