package io.tributary.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.Term;

/**
 * Parses partition terms such as {@code day(created_at)}, {@code bucket(16, id)}, {@code
 * truncate(4, code)} or a bare column name (identity) into Iceberg terms.
 */
public final class PartitionTerms {
  private static final Pattern CALL =
      Pattern.compile("^\\s*([a-zA-Z_]+)\\s*\\(\\s*(?:(\\d+)\\s*,\\s*)?([^,()\\s]+)\\s*\\)\\s*$");
  private static final Pattern BARE = Pattern.compile("^\\s*([^,()\\s]+)\\s*$");

  private PartitionTerms() {}

  /** One parsed term: its Iceberg form and the source column it reads. */
  public static final class Parsed {
    private final Term term;
    private final String column;

    Parsed(Term term, String column) {
      this.term = term;
      this.column = column;
    }

    public Term term() {
      return term;
    }

    public String column() {
      return column;
    }
  }

  /** Parses and checks the terms against the table's columns; errors name the table and term. */
  public static List<Parsed> parse(String table, List<String> terms, Schema schema) {
    List<Parsed> parsed = new ArrayList<>();
    for (String text : terms) {
      Parsed p = parseOne(table, text);
      if (schema != null && schema.findField(p.column()) == null) {
        throw new IllegalArgumentException(
            "Partition term '"
                + text
                + "' of table "
                + table
                + " names column '"
                + p.column()
                + "', which the table does not have");
      }
      parsed.add(p);
    }
    return parsed;
  }

  static Parsed parseOne(String table, String text) {
    Matcher call = CALL.matcher(text);
    if (call.matches()) {
      String transform = call.group(1).toLowerCase(Locale.ROOT);
      String number = call.group(2);
      String column = IcebergSchemas.fieldName(call.group(3));
      switch (transform) {
        case "identity":
          return noArg(table, text, number, Expressions.ref(column), column);
        case "year":
        case "years":
          return noArg(table, text, number, Expressions.year(column), column);
        case "month":
        case "months":
          return noArg(table, text, number, Expressions.month(column), column);
        case "day":
        case "days":
          return noArg(table, text, number, Expressions.day(column), column);
        case "hour":
        case "hours":
          return noArg(table, text, number, Expressions.hour(column), column);
        case "bucket":
          return new Parsed(Expressions.bucket(column, width(table, text, number)), column);
        case "truncate":
          return new Parsed(Expressions.truncate(column, width(table, text, number)), column);
        default:
          throw new IllegalArgumentException(
              "Partition term '"
                  + text
                  + "' of table "
                  + table
                  + " uses unknown transform '"
                  + transform
                  + "'; use identity, year, month, day, hour, bucket(N, col) or truncate(W, col)");
      }
    }
    Matcher bare = BARE.matcher(text);
    if (bare.matches()) {
      String column = IcebergSchemas.fieldName(bare.group(1));
      return new Parsed(Expressions.ref(column), column);
    }
    throw new IllegalArgumentException(
        "Partition term '"
            + text
            + "' of table "
            + table
            + " is not of the form column, transform(column) or transform(N, column)");
  }

  private static Parsed noArg(String table, String text, String number, Term term, String column) {
    if (number != null) {
      throw new IllegalArgumentException(
          "Partition term '" + text + "' of table " + table + " takes no number");
    }
    return new Parsed(term, column);
  }

  private static int width(String table, String text, String number) {
    if (number == null) {
      throw new IllegalArgumentException(
          "Partition term '"
              + text
              + "' of table "
              + table
              + " needs a number first, for example bucket(16, id)");
    }
    int n = Integer.parseInt(number);
    if (n < 1) {
      throw new IllegalArgumentException(
          "Partition term '" + text + "' of table " + table + " needs a number of at least 1");
    }
    return n;
  }
}
