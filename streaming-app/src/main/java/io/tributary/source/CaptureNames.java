package io.tributary.source;

import io.tributary.change.TableId;
import io.tributary.sink.TableNames;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which schema and table names the capture can carry.
 *
 * <p>Flink CDC writes a table's name into its checkpoints and split ids as {@code schema.table},
 * without quotes, and reads it back with Debezium's table-id parser: a name with whitespace or a
 * dot does not survive that round trip (the source fails over in a loop, or reads another table's
 * name), a comma splits Debezium's table filter, a table named with {@code $} is not found by the
 * snapshot's schema lookup, and the streamed changes of a table with a non-ASCII letter in its name
 * never reach the job (its snapshot does). Names of ASCII letters (capitals included), digits and
 * {@code _} are captured; any other character is refused.
 */
public final class CaptureNames {
  private CaptureNames() {}

  /** Why the table cannot be captured, with what to do; empty when it can. */
  public static Optional<String> problem(TableId id) {
    if (survives(id)) {
      return Optional.empty();
    }
    String quoted = id.quoted();
    return Optional.of(
        "Table "
            + quoted
            + " is not captured: its schema or table name contains a character other than ASCII"
            + " letters, digits and _ (whitespace, a dot, a comma, $, a quote, a non-ASCII letter,"
            + " ...), which the capture cannot carry through its checkpoints, schema lookups and"
            + " stream. Rename it (ALTER TABLE "
            + quoted
            + " RENAME TO "
            + suggestion(id.table())
            + ") or leave it out of tables.include; the other tables are captured.");
  }

  /**
   * Why each of these tables is not captured for its name alone (a name the capture cannot carry,
   * or a lake name it shares with another of them); tables missing from the map are not refused for
   * their names. The MySQL preflight refuses these tables; the PostgreSQL preflight (TableChecks)
   * decides with its other checks, and verify reports what it refuses as not compared.
   */
  public static Map<TableId, String> refusedForNames(Collection<TableId> tables) {
    Map<String, List<TableId>> lakeNames = new HashMap<>();
    for (TableId id : tables) {
      lakeNames.computeIfAbsent(TableNames.mirrorName(id), k -> new ArrayList<>()).add(id);
    }
    Map<TableId, String> refused = new HashMap<>();
    for (TableId id : tables) {
      Optional<String> name = problem(id);
      if (name.isPresent()) {
        refused.put(id, name.get());
      } else if (lakeNames.get(TableNames.mirrorName(id)).size() > 1) {
        List<String> others = new ArrayList<>();
        for (TableId other : lakeNames.get(TableNames.mirrorName(id))) {
          if (!other.equals(id)) {
            others.add(other.quoted());
          }
        }
        others.sort(null);
        refused.put(
            id,
            "Table "
                + id.quoted()
                + " shares the lake name "
                + TableNames.mirrorName(id)
                + " with "
                + String.join(" and ", others)
                + ", so it is not captured");
      }
    }
    return refused;
  }

  private static boolean survives(TableId id) {
    return plain(id.schema()) && plain(id.table());
  }

  private static boolean plain(String name) {
    for (int i = 0; i < name.length(); ) {
      int c = name.codePointAt(i);
      boolean ascii = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!ascii && c != '_') {
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
      boolean ascii = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      name.append(ascii ? c : '_');
    }
    return TableId.quoteIdent(name.toString());
  }
}
