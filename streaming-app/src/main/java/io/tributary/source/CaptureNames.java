package io.tributary.source;

import io.tributary.change.TableId;
import java.util.Optional;

/**
 * Which schema and table names the capture can carry.
 *
 * <p>Flink CDC writes a table's name into its checkpoints and split ids as {@code schema.table},
 * without quotes, and reads it back with Debezium's table-id parser: a name with whitespace or a
 * dot does not survive that round trip (the source fails over in a loop, or reads another table's
 * name), a comma splits Debezium's table filter, and a table named with {@code $} is not found by
 * the snapshot's schema lookup. Names of letters (capitals and non-ASCII letters included), digits
 * and {@code _} are captured; any other character is refused.
 */
final class CaptureNames {
  private CaptureNames() {}

  /** Why the table cannot be captured, with what to do; empty when it can. */
  static Optional<String> problem(TableId id) {
    if (survives(id)) {
      return Optional.empty();
    }
    String quoted = SourcePreflight.quoted(id);
    return Optional.of(
        "Table "
            + quoted
            + " is not captured: its schema or table name contains a character other than"
            + " letters, digits and _ (whitespace, a dot, a comma, $, a quote, ...), which Flink"
            + " CDC cannot carry through its checkpoints and schema lookups. Rename it (ALTER TABLE "
            + quoted
            + " RENAME TO "
            + suggestion(id.table())
            + ") or leave it out of tables.include; the other tables are captured.");
  }

  private static boolean survives(TableId id) {
    return plain(id.schema()) && plain(id.table());
  }

  private static boolean plain(String name) {
    for (int i = 0; i < name.length(); ) {
      int c = name.codePointAt(i);
      if (!Character.isLetterOrDigit(c) && c != '_') {
        return false;
      }
      i += Character.charCount(c);
    }
    return true;
  }

  private static String suggestion(String table) {
    StringBuilder name = new StringBuilder();
    for (int i = 0; i < table.length(); i++) {
      char c = table.charAt(i);
      name.append(Character.isLetterOrDigit(c) ? c : '_');
    }
    return SourcePreflight.quoteIdent(name.toString());
  }
}
