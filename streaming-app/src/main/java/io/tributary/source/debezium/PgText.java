package io.tributary.source.debezium;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Struct;

/**
 * PostgreSQL's own text form of values that Debezium delivers in another shape (arrays as lists,
 * points as structs, hstore as JSON, bit strings as bytes), so that the lake holds what {@code
 * SELECT column::text} returns at the source.
 */
final class PgText {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PgText() {}

  /** An array literal: {@code {1,NULL,"a b"}}, nested for multi-dimensional arrays. */
  static String array(List<?> list) {
    StringBuilder out = new StringBuilder("{");
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      Object element = list.get(i);
      if (element == null) {
        out.append("NULL");
      } else if (element instanceof List) {
        out.append(array((List<?>) element));
      } else {
        out.append(arrayElement(scalar(element)));
      }
    }
    return out.append('}').toString();
  }

  private static String scalar(Object value) {
    if (value instanceof Boolean) {
      return ((Boolean) value) ? "t" : "f";
    }
    if (value instanceof BigDecimal) {
      return ((BigDecimal) value).toPlainString();
    }
    if (value instanceof Double || value instanceof Float) {
      return number(((Number) value).doubleValue());
    }
    if (value instanceof byte[]) {
      return new String((byte[]) value, StandardCharsets.UTF_8);
    }
    return value.toString();
  }

  private static String arrayElement(String text) {
    boolean quote = text.isEmpty() || text.equalsIgnoreCase("NULL");
    for (int i = 0; i < text.length() && !quote; i++) {
      char c = text.charAt(i);
      quote =
          c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' || Character.isWhitespace(c);
    }
    if (!quote) {
      return text;
    }
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /** A float as PostgreSQL prints it for the common cases ({@code 2}, not {@code 2.0}). */
  static String number(double d) {
    if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }

  /** A point, {@code (x,y)}, from Debezium's geometry struct. */
  static String point(Struct point) {
    return "(" + number(point.getFloat64("x")) + "," + number(point.getFloat64("y")) + ")";
  }

  /**
   * An hstore literal from Debezium's JSON form: pairs in hstore's own order (shorter keys first,
   * then by bytes), {@code "k"=>"v"} or {@code "k"=>NULL}, separated by a comma and a space.
   */
  static String hstore(String json) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("Not an hstore in JSON form", e);
    }
    List<Map.Entry<String, JsonNode>> pairs = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      pairs.add(it.next());
    }
    pairs.sort(
        (a, b) -> {
          byte[] x = a.getKey().getBytes(StandardCharsets.UTF_8);
          byte[] y = b.getKey().getBytes(StandardCharsets.UTF_8);
          if (x.length != y.length) {
            return Integer.compare(x.length, y.length);
          }
          return Arrays.compareUnsigned(x, y);
        });
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, JsonNode> pair : pairs) {
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(quoted(pair.getKey())).append("=>");
      JsonNode value = pair.getValue();
      out.append(value == null || value.isNull() ? "NULL" : quoted(value.asText()));
    }
    return out.toString();
  }

  private static String quoted(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /**
   * A bit string of {@code length} bits from Debezium's bytes (least significant byte first, as
   * {@link java.util.BitSet#toByteArray()}), the first bit of the string being the highest.
   */
  static String bits(byte[] bytes, int length) {
    BitSet set = BitSet.valueOf(bytes);
    StringBuilder out = new StringBuilder(length);
    for (int i = length - 1; i >= 0; i--) {
      out.append(set.get(i) ? '1' : '0');
    }
    return out.toString();
  }

  /**
   * An interval as PostgreSQL prints it with {@code intervalstyle = iso_8601} ({@code
   * P1Y2M3DT4H5M6.78S}, {@code P-1D}, {@code PT1S}, {@code PT0S}), from Debezium's ISO form, which
   * always lists every part ({@code P0Y0M-1DT0H0M0S}) and takes the seconds from a double ({@code
   * 0.29} can arrive as {@code 0.289999999}): zero parts are left out and the seconds rounded to
   * microseconds, as the source holds them.
   */
  static String interval(String debezium) {
    Matcher m = DEBEZIUM_INTERVAL.matcher(debezium);
    if (!m.matches()) {
      return debezium;
    }
    long years = Long.parseLong(m.group(1));
    long months = Long.parseLong(m.group(2));
    long days = Long.parseLong(m.group(3));
    long hours = Long.parseLong(m.group(4));
    long minutes = Long.parseLong(m.group(5));
    BigDecimal seconds =
        new BigDecimal(m.group(6)).setScale(6, RoundingMode.HALF_UP).stripTrailingZeros();
    boolean time = hours != 0 || minutes != 0 || seconds.signum() != 0;
    if (years == 0 && months == 0 && days == 0 && !time) {
      return "PT0S";
    }
    StringBuilder out = new StringBuilder("P");
    part(out, years, 'Y');
    part(out, months, 'M');
    part(out, days, 'D');
    if (time) {
      out.append('T');
      part(out, hours, 'H');
      part(out, minutes, 'M');
      if (seconds.signum() != 0) {
        out.append((seconds.scale() < 0 ? seconds.setScale(0) : seconds).toPlainString())
            .append('S');
      }
    }
    return out.toString();
  }

  private static final Pattern DEBEZIUM_INTERVAL =
      Pattern.compile("P(-?\\d+)Y(-?\\d+)M(-?\\d+)DT(-?\\d+)H(-?\\d+)M(-?\\d+(?:\\.\\d+)?)S");

  private static void part(StringBuilder out, long value, char unit) {
    if (value != 0) {
      out.append(value).append(unit);
    }
  }
}
