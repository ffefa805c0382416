package io.tributary.verify;

import io.tributary.catalog.CatalogSpec;
import io.tributary.change.TableId;
import io.tributary.config.TableMode;
import io.tributary.config.TableOptions;
import io.tributary.config.TributaryConfig;
import io.tributary.sink.TableNames;
import io.tributary.source.SourcePreflight;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
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

  private static long count(Connection source, String table) throws SQLException {
    try (java.sql.Statement st = source.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * An append-only table has no mirror to compare: reports its source rows and the change rows of
   * its changelog table, as equal.
   */
  private static VerifyResult appendOnly(
      Connection source, Catalog catalog, String namespace, TableId id) throws SQLException {
    long sourceRows = count(source, quoted(id));
    org.apache.iceberg.catalog.TableIdentifier changelog = TableNames.changelog(namespace, id);
    long changes = 0;
    if (catalog.tableExists(changelog)) {
      Table table = catalog.loadTable(changelog);
      if (table.currentSnapshot() != null) {
        changes =
            Long.parseLong(table.currentSnapshot().summary().getOrDefault("total-records", "0"));
      }
    }
    return new VerifyResult(
        changelog.toString(),
        sourceRows,
        changes,
        true,
        List.of(
            "append-only: no mirror table to compare; the lake rows are the changes in "
                + changelog));
  }

  /**
   * Compares the captured tables with their mirror tables.
   *
   * @param onlyTable a source ({@code schema.table}) or lake table name to check alone, or null
   */
  public static List<VerifyResult> verify(
      TributaryConfig config, CatalogSpec catalogSpec, String onlyTable) throws SQLException {
    List<VerifyResult> results = new ArrayList<>();
    Catalog catalog = catalogSpec.open();
    try (Connection source = SourcePreflight.connect(config.source())) {
      boolean found = false;
      for (TableId id : SourcePreflight.matchingTables(source, config.tables()).keySet()) {
        String lakeName = TableNames.mirrorName(id);
        if (onlyTable != null
            && !onlyTable.equals(id.qualified())
            && !onlyTable.equals(lakeName)
            && !onlyTable.equals(config.sink().namespace() + "." + lakeName)) {
          continue;
        }
        found = true;
        TableOptions options = config.tables().optionsFor(id.qualified());
        List<String> key =
            options.keyColumns().isEmpty()
                ? SourcePreflight.primaryKey(source, id)
                : options.keyColumns();
        if (SourcePreflight.mode(options, key) == TableMode.APPEND_ONLY) {
          results.add(appendOnly(source, catalog, config.sink().namespace(), id));
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
        results.add(new TableVerifier(source, quoted, mirror).verify());
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
