package io.tributary.local;

import io.tributary.catalog.CatalogSpec;
import java.io.PrintStream;
import java.util.Map;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/** Runs SQL over the lake with Flink SQL in batch mode on the lake's own catalog. */
public final class LocalQuery {
  private LocalQuery() {}

  /** Runs one statement and prints its result as a table. */
  public static void run(CatalogSpec catalog, String namespace, String sql, PrintStream out) {
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    StringBuilder ddl =
        new StringBuilder("CREATE CATALOG ")
            .append(CatalogSpec.CATALOG_NAME)
            .append(" WITH ('type'='iceberg'");
    for (Map.Entry<String, String> e : catalog.resolvedProperties().entrySet()) {
      ddl.append(", '")
          .append(escape(e.getKey()))
          .append("'='")
          .append(escape(e.getValue()))
          .append("'");
    }
    ddl.append(")");
    env.executeSql(ddl.toString());
    env.useCatalog(CatalogSpec.CATALOG_NAME);
    env.useDatabase(namespace);
    TableResult result = env.executeSql(sql);
    result.print();
    out.flush();
  }

  private static String escape(String s) {
    return s.replace("'", "''");
  }
}
