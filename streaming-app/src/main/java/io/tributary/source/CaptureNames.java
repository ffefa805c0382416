package io.tributary.source;

import io.tributary.change.TableId;
import java.util.Optional;

/**
 * Which schema and table names the capture can carry.
 *
 * <p>Flink CDC writes a table's name into its checkpoints and split ids as {@code schema.table},
 * without quotes, and reads it back with Debezium's table-id parser. A name with whitespace or a
 * dot does not survive that round trip (the source fails over in a loop, or reads another table's
 * name), and a comma splits Debezium's table filter. Capitals, digits first, {@code $}, quotes and
 * non-ASCII letters survive and are captured.
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
            + " is not captured: its schema or table name contains whitespace, a dot or a comma,"
            + " which Flink CDC cannot carry through its checkpoints. Rename it (ALTER TABLE "
            + quoted
            + " RENAME TO "
            + suggestion(id.table())
            + ") or leave it out of tables.include; the other tables are captured.");
  }

  private static boolean survives(TableId id) {
    if (id.schema().indexOf(',') >= 0 || id.table().indexOf(',') >= 0) {
      return false;
    }
    try {
      io.debezium.relational.TableId parsed =
          io.debezium.relational.TableId.parse(id.schema() + "." + id.table(), false);
      return parsed.catalog() == null
          && id.schema().equals(parsed.schema())
          && id.table().equals(parsed.table());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String suggestion(String table) {
    StringBuilder name = new StringBuilder();
    for (int i = 0; i < table.length(); i++) {
      char c = table.charAt(i);
      name.append(Character.isWhitespace(c) || c == '.' || c == ',' ? '_' : c);
    }
    return SourcePreflight.quoteIdent(name.toString());
  }
}
