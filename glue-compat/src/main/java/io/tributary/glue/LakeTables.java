package io.tributary.glue;

import io.tributary.catalog.CatalogSpec;
import io.tributary.change.TableId;
import io.tributary.sink.TableNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.parser.ParseException;

/** Finds and loads the lake tables a job works on. */
public final class LakeTables {
  private LakeTables() {}

  /**
   * The lake name of a table given as the lake name ({@code orders}), with its namespace ({@code
   * shop.orders}), or as the source table ({@code public.orders}, {@code sales.orders}).
   */
  public static String lakeName(String namespace, String given) {
    String name = given.trim();
    if (name.startsWith(namespace + ".")) {
      return name.substring(namespace.length() + 1);
    }
    if (name.indexOf('.') > 0) {
      return TableNames.mirrorName(TableId.parse(name));
    }
    return name.toLowerCase(Locale.ROOT);
  }

  /** The names of every table in the namespace, sorted. */
  public static List<String> list(CatalogSpec catalogSpec, String namespace) {
    Catalog catalog = catalogSpec.open();
    try {
      List<String> names = new ArrayList<>();
      List<TableIdentifier> ids;
      try {
        ids = catalog.listTables(Namespace.of(namespace));
      } catch (NoSuchNamespaceException e) {
        throw new IllegalArgumentException(
            "The lake has no namespace " + namespace + " yet: the stream creates it", e);
      }
      for (TableIdentifier id : ids) {
        names.add(id.name());
      }
      names.sort(String::compareTo);
      return names;
    } finally {
      CatalogSpec.closeQuietly(catalog);
    }
  }

  /**
   * Loads a table through the session's {@code lake} catalog.
   *
   * @throws IllegalArgumentException naming the table when it does not exist
   */
  public static Table load(SparkSession spark, String namespace, String name) {
    String sparkName = SparkSessions.tableName(namespace, name);
    try {
      return Spark3Util.loadIcebergTable(spark, sparkName);
    } catch (NoSuchTableException e) {
      throw new IllegalArgumentException(
          "Table " + namespace + "." + name + " does not exist in the lake: check --table", e);
    } catch (ParseException e) {
      throw new IllegalArgumentException("'" + name + "' is not a valid table name", e);
    }
  }
}
