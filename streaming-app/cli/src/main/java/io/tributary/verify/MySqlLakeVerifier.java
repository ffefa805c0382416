package io.tributary.verify;

import io.tributary.catalog.CatalogSpec;
import io.tributary.change.TableId;
import io.tributary.config.TributaryConfig;
import io.tributary.sink.TableNames;
import io.tributary.source.CaptureNames;
import io.tributary.source.mysql.MySqlConnections;
import io.tributary.source.mysql.MySqlPreflight;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Verifies the captured tables of a MySQL or MariaDB source against their mirror tables (see {@link
 * LakeVerifier#verify}); a table the preflight refuses is reported as not compared, with the
 * preflight's reason.
 */
final class MySqlLakeVerifier {
  private MySqlLakeVerifier() {}

  static List<VerifyResult> verify(
      TributaryConfig config, CatalogSpec catalogSpec, String onlyTable) throws SQLException {
    List<VerifyResult> results = new ArrayList<>();
    String namespace = config.sink().namespace();
    Catalog catalog = catalogSpec.open();
    try (Connection source = MySqlConnections.connect(config.source())) {
      boolean found = false;
      List<TableId> tables = MySqlPreflight.matchingTables(source, config.tables());
      Map<TableId, String> refused = CaptureNames.refusedForNames(tables);
      for (TableId id : tables) {
        String lakeName = TableNames.mirrorName(id);
        if (onlyTable != null
            && !onlyTable.equals(id.qualified())
            && !onlyTable.equals(lakeName)
            && !onlyTable.equals(namespace + "." + lakeName)) {
          continue;
        }
        found = true;
        String reason = refused.get(id);
        if (reason == null && MySqlPreflight.primaryKey(source, id).isEmpty()) {
          reason = "it has no primary key, and tables without one are not captured from MySQL yet";
        }
        if (reason != null) {
          results.add(
              new VerifyResult(
                  id.qualified(),
                  count(source, id),
                  0,
                  VerifyResult.State.NOT_COMPARED,
                  List.of(reason + " (see tributary preflight)")));
          continue;
        }
        TableIdentifier mirror = TableNames.mirror(namespace, id);
        if (!catalog.tableExists(mirror)) {
          long sourceRows = count(source, id);
          results.add(
              new VerifyResult(
                  mirror.toString(),
                  sourceRows,
                  0,
                  sourceRows == 0,
                  sourceRows == 0
                      ? List.of()
                      : List.of("the lake has no table for " + id + " yet")));
          continue;
        }
        results.add(new MySqlTableVerifier(source, id, catalog.loadTable(mirror)).verify());
      }
      if (onlyTable != null && !found) {
        throw new IllegalArgumentException(
            "No captured table is named '"
                + onlyTable
                + "': give database.table of the source or the lake table name");
      }
    } finally {
      CatalogSpec.closeQuietly(catalog);
    }
    return results;
  }

  private static long count(Connection source, TableId id) throws SQLException {
    try (Statement st = source.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM " + MySqlConnections.quoted(id))) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
