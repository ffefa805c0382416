package io.tributary.source.postgres;

import io.debezium.connector.postgresql.connection.AbstractColumnValue;
import io.debezium.data.SpecialValueDecimal;
import java.math.BigDecimal;

/**
 * One column value in PostgreSQL's text form, as {@code pgoutput} sends it in the write-ahead log,
 * for Debezium's value resolver: the decoding of both the WAL reader and the snapshot reader.
 *
 * <p>Debezium's WAL reader creates its values as {@code PgOutputColumnValue}s; the job ships its
 * own class of that name (a subclass of this one, in Debezium's package, which the deployable jar
 * holds instead of Debezium's), because Debezium 1.9's fails on {@code numeric} infinities
 * (PostgreSQL 14 and later) and so stops the job at such a change. The snapshot reader hands values
 * it reads as text to the same resolver with this class, so that a row has the same values whether
 * it was read by the snapshot or streamed as a change.
 */
public class WalTextValue extends AbstractColumnValue<String> {
  private final String text;

  /** A value in text form; null for SQL NULL. */
  public WalTextValue(String text) {
    this.text = text;
  }

  @Override
  public String getRawValue() {
    return text;
  }

  @Override
  public boolean isNull() {
    return text == null;
  }

  @Override
  public String asString() {
    return text;
  }

  @Override
  public Boolean asBoolean() {
    return "t".equalsIgnoreCase(text);
  }

  @Override
  public Integer asInteger() {
    return Integer.valueOf(text);
  }

  @Override
  public Long asLong() {
    return Long.valueOf(text);
  }

  @Override
  public Float asFloat() {
    return Float.valueOf(text);
  }

  @Override
  public Double asDouble() {
    return Double.valueOf(text);
  }

  @Override
  public SpecialValueDecimal asDecimal() {
    // On the WAL reader's path for every numeric value: look at the text only where it can be
    // a special value.
    char first = text.charAt(0);
    if (first == 'N' && text.equals("NaN")) {
      return SpecialValueDecimal.NOT_A_NUMBER;
    }
    if (first == 'I' && text.equals("Infinity")) {
      return SpecialValueDecimal.POSITIVE_INF;
    }
    if (first == '-' && text.equals("-Infinity")) {
      return SpecialValueDecimal.NEGATIVE_INF;
    }
    return new SpecialValueDecimal(new BigDecimal(text));
  }

  @Override
  public byte[] asByteArray() {
    // bytea's hex output: \x followed by two hex digits a byte.
    int length = (text.length() - 2) / 2;
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] =
          (byte)
              ((Character.digit(text.charAt(2 + 2 * i), 16) << 4)
                  | Character.digit(text.charAt(3 + 2 * i), 16));
    }
    return bytes;
  }

  @Override
  public String toString() {
    return "WalTextValue[" + (text == null ? "null" : text.length() + " chars") + "]";
  }
}
