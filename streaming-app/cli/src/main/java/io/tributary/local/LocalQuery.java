package io.tributary.local;

import io.tributary.catalog.CatalogSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/** Runs SQL over the lake with Flink SQL in batch mode on the lake's own catalog. */
public final class LocalQuery {
  private LocalQuery() {}

  /** Runs one statement, prints its result as a table, and returns its rows. */
  public static List<Row> run(CatalogSpec catalog, String namespace, String sql, PrintStream out)
      throws Exception {
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    // Iceberg's FLIP-27 source serializes each split's delete files with the data file's partition
    // spec and rejects the global equality deletes (unpartitioned spec) of tables partitioned on
    // non-key columns; the input-format source moves splits with Java serialization and reads them.
    env.getConfig().set("table.exec.iceberg.use-flip27-source", "false");
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
    List<String> columns = result.getResolvedSchema().getColumnNames();
    List<Row> rows = new ArrayList<>();
    try (CloseableIterator<Row> it = result.collect()) {
      it.forEachRemaining(rows::add);
    }
    print(columns, rows, out);
    return rows;
  }

  private static void print(List<String> columns, List<Row> rows, PrintStream out) {
    int[] widths = new int[columns.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = columns.get(i).length();
      for (Row row : rows) {
        widths[i] = Math.max(widths[i], String.valueOf(row.getField(i)).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, widths);
    cells(sb, widths, columns.toArray());
    line(sb, widths);
    for (Row row : rows) {
      Object[] values = new Object[widths.length];
      for (int i = 0; i < values.length; i++) {
        values[i] = row.getField(i);
      }
      cells(sb, widths, values);
    }
    line(sb, widths);
    sb.append(rows.size()).append(rows.size() == 1 ? " row" : " rows").append('\n');
    out.print(sb);
    out.flush();
  }

  private static void line(StringBuilder sb, int[] widths) {
    for (int w : widths) {
      sb.append('+').append("-".repeat(w + 2));
    }
    sb.append("+\n");
  }

  private static void cells(StringBuilder sb, int[] widths, Object[] values) {
    for (int i = 0; i < widths.length; i++) {
      String text = String.valueOf(values[i]);
      sb.append("| ").append(text).append(" ".repeat(widths[i] - text.length() + 1));
    }
    sb.append("|\n");
  }

  private static String escape(String s) {
    return s.replace("'", "''");
  }
}
