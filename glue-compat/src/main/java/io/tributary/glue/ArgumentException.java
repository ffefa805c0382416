package io.tributary.glue;

/** A job argument is unknown, missing, repeated or invalid; the message says what to change. */
public final class ArgumentException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ArgumentException(String message) {
    super(message);
  }
}
