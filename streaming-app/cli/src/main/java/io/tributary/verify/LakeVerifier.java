package io.tributary.verify;

import io.tributary.catalog.CatalogSpec;
import io.tributary.change.TableId;
import io.tributary.config.TableMode;
import io.tributary.config.TableOptions;
import io.tributary.config.TributaryConfig;
import io.tributary.job.TributaryJob;
import io.tributary.sink.IcebergSchemas;
import io.tributary.sink.StreamMarkers;
import io.tributary.sink.TableNames;
import io.tributary.source.postgres.SourcePreflight;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;

/** Verifies every captured table of a configuration (or one of them) against its mirror table. */
public final class LakeVerifier {
  private LakeVerifier() {}

  private static String quoted(TableId id) {
    return "\""
        + id.schema().replace("\"", "\"\"")
        + "\".\""
        + id.table().replace("\"", "\"\"")
        + "\"";
  }

  /** The rows of a table, or -1 when the user may not read it (a refused table). */
  private static long countIfReadable(Connection source, String table) {
    try {
      return count(source, table);
    } catch (SQLException e) {
      return -1;
    }
  }

  private static long count(Connection source, String table) throws SQLException {
    try (Statement st = source.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * An append-only table has no mirror: its changelog table is replayed (inserts add a row, deletes
   * remove one) and compared with the source rows as a multiset, when the changelog can be
   * replayed; otherwise the result says why it was not compared.
   */
  private static VerifyResult appendOnly(
      Connection source,
      Catalog catalog,
      String namespace,
      TableId id,
      String identity,
      List<String> key,
      List<String> keyAdded)
      throws SQLException {
    TableIdentifier changelog = TableNames.changelog(namespace, id);
    if (!catalog.tableExists(changelog)) {
      long sourceRows = count(source, quoted(id));
      return new VerifyResult(
          changelog.toString(),
          sourceRows,
          0,
          sourceRows == 0,
          sourceRows == 0
              ? List.of()
              : List.of("the lake has no changelog table for " + id + " yet"));
    }
    boolean full = "full".equals(identity);
    String uncaptured =
        full || !key.isEmpty()
            ? null
            : !keyAdded.isEmpty()
                ? "its updates and deletes are not captured: it was captured insert-only (REPLICA"
                    + " IDENTITY "
                    + identity.toUpperCase(Locale.ROOT)
                    + " without a key) before its primary key "
                    + keyAdded
                    + " was added; to capture them, mirror it by key (tables.options."
                    + id
                    + ".mode: mirror, see"
                    + " docs/schema-changes-and-dead-letters.md#a-primary-key-added-to-an-insert-only-table)"
                : "updates and deletes of a table without key are not captured under REPLICA IDENTITY "
                    + identity.toUpperCase(Locale.ROOT)
                    + " (ALTER TABLE "
                    + quoted(id)
                    + " REPLICA IDENTITY FULL captures them)";
    Table changes = catalog.loadTable(changelog);
    VerifyResult replayed =
        TableVerifier.forChangelog(source, quoted(id), changes, full, uncaptured).verify();
    return withDuplicates(replayed, changes, key);
  }

  /**
   * The result with the changes its changelog table holds more than once: a change written twice (a
   * commit replayed after a restart) makes the table different, whatever the rows compared.
   */
  private static VerifyResult withDuplicates(VerifyResult result, Table changes, List<String> key) {
    List<String> lakeKey = new ArrayList<>();
    for (String column : key) {
      lakeKey.add(IcebergSchemas.fieldName(column));
    }
    List<String> duplicates = ChangelogDuplicates.find(changes, lakeKey);
    if (duplicates.isEmpty()) {
      return result;
    }
    List<String> differences = new ArrayList<>(duplicates);
    if (result.state() != VerifyResult.State.EQUAL) {
      differences.addAll(result.differences());
    }
    return new VerifyResult(
        result.table(),
        result.sourceRows(),
        result.mirrorRows(),
        VerifyResult.State.DIFFERENT,
        differences);
  }

  /**
   * The exit code of {@code tributary verify} for these results: 0 when every table is equal (and
   * there is at least one), 1 when a table differs, 2 when none differs but a table could not be
   * compared or no table was compared at all.
   */
  public static int exitCode(List<VerifyResult> results) {
    if (results.stream().anyMatch(VerifyResult::different)) {
      return 1;
    }
    return !results.isEmpty() && results.stream().allMatch(VerifyResult::equal) ? 0 : 2;
  }

  /** The last line {@code tributary verify} prints for these results. */
  public static String summary(List<VerifyResult> results) {
    if (results.isEmpty()) {
      return "No table was compared: no source table matches tables.include and tables.exclude"
          + " of the configuration; check the selection and that the tables exist.";
    }
    long different = results.stream().filter(VerifyResult::different).count();
    long notCompared =
        results.stream().filter(r -> r.state() == VerifyResult.State.NOT_COMPARED).count();
    if (different == 0 && notCompared == 0) {
      return "All " + results.size() + " tables are equal.";
    }
    String skipped =
        notCompared == 0
            ? ""
            : notCompared
                + " of "
                + results.size()
                + " tables could not be compared (NOT COMPARED, with the reason above).";
    return different > 0
        ? "Differences found." + (skipped.isEmpty() ? "" : " " + skipped)
        : skipped + " The other tables are equal.";
  }

  /**
   * Compares the captured tables with their mirror tables.
   *
   * @param onlyTable a source ({@code schema.table}) or lake table name to check alone, or null
   */
  public static List<VerifyResult> verify(
      TributaryConfig config, CatalogSpec catalogSpec, String onlyTable) throws SQLException {
    if (config.source().isMySql()) {
      return MySqlLakeVerifier.verify(config, catalogSpec, onlyTable);
    }
    List<VerifyResult> results = new ArrayList<>();
    Catalog catalog = catalogSpec.open();
    try (Connection source = SourcePreflight.connect(config.source())) {
      boolean found = false;
      Map<TableId, String> identities = SourcePreflight.matchingTables(source, config.tables());
      // Every table a start would refuse, for whatever reason, is said so: the preflight decides.
      Map<TableId, List<String>> refused =
          new SourcePreflight(config.source(), config.tables())
              .lakeAppendOnly(TributaryJob.lakeAppendOnly(catalog, config.sink().namespace()))
              .refusedTables(source);
      for (TableId id : identities.keySet()) {
        String lakeName = TableNames.mirrorName(id);
        if (onlyTable != null
            && !onlyTable.equals(id.qualified())
            && !onlyTable.equals(lakeName)
            && !onlyTable.equals(config.sink().namespace() + "." + lakeName)) {
          continue;
        }
        found = true;
        if (refused.containsKey(id)) {
          // Refused by the preflight: said so with its reasons, never EQUAL nor DIFFERENT.
          results.add(
              new VerifyResult(
                  id.qualified(),
                  countIfReadable(source, quoted(id)),
                  0,
                  VerifyResult.State.NOT_COMPARED,
                  List.of(String.join(" ", refused.get(id)) + " (see tributary preflight)")));
          continue;
        }
        TableOptions options = config.tables().optionsFor(id.qualified());
        List<String> key =
            options.keyColumns().isEmpty()
                ? SourcePreflight.primaryKey(source, id)
                : options.keyColumns();
        if (!key.isEmpty()
            && options.mode() == null
            && options.keyColumns().isEmpty()
            && catalog.tableExists(TableNames.changelog(config.sink().namespace(), id))
            && !catalog.tableExists(TableNames.mirror(config.sink().namespace(), id))) {
          // Captured append-only before its primary key was added: it stays so (see the
          // preflight check), keyless.
          results.add(
              appendOnly(
                  source,
                  catalog,
                  config.sink().namespace(),
                  id,
                  identities.get(id),
                  List.of(),
                  key));
          continue;
        }
        if (SourcePreflight.mode(options, key) == TableMode.APPEND_ONLY) {
          results.add(
              appendOnly(
                  source,
                  catalog,
                  config.sink().namespace(),
                  id,
                  identities.get(id),
                  key,
                  List.of()));
          continue;
        }
        Table mirror;
        try {
          mirror = catalog.loadTable(TableNames.mirror(config.sink().namespace(), id));
        } catch (NoSuchTableException e) {
          // A mirror table is created with the first row; an empty source needs none yet.
          long sourceRows = count(source, quoted(id));
          results.add(
              new VerifyResult(
                  config.sink().namespace() + "." + lakeName,
                  sourceRows,
                  0,
                  sourceRows == 0,
                  sourceRows == 0
                      ? List.of()
                      : List.of("the lake has no table for " + id + " yet")));
          continue;
        }
        String quoted = quoted(id);
        String parked = mirror.properties().get(StreamMarkers.BLOCKED);
        if (parked != null) {
          // Its changes go to the dead letters until it is recovered: comparing it would only
          // show what is known. Said so, with the reason it was parked for, never DIFFERENT.
          results.add(
              new VerifyResult(
                  id.qualified(),
                  countIfReadable(source, quoted),
                  0,
                  VerifyResult.State.NOT_COMPARED,
                  List.of(
                      "parked, its changes go to the dead letters: "
                          + parked
                          + " (recover it as in"
                          + " docs/schema-changes-and-dead-letters.md#recovering-a-parked-table)")));
          continue;
        }
        VerifyResult result = new TableVerifier(source, quoted, mirror).verify();
        TableIdentifier changelog = TableNames.changelog(config.sink().namespace(), id);
        if (catalog.tableExists(changelog)) {
          result = withDuplicates(result, catalog.loadTable(changelog), key);
        }
        results.add(result);
      }
      if (onlyTable != null && !found) {
        throw new IllegalArgumentException(
            "No captured table is named '"
                + onlyTable
                + "': give schema.table of the source or the lake table name");
      }
    } finally {
      CatalogSpec.closeQuietly(catalog);
    }
    return results;
  }
}
