package io.tributary.glue;

import io.tributary.catalog.CatalogSpec;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a job, with the lake's Iceberg catalog registered as {@value
 * CatalogSpec#CATALOG_NAME} from the shared {@link CatalogSpec}. On Glue the master and resources
 * come from Glue; elsewhere, without {@code spark.master}, Spark runs in this process ({@code
 * local[*]}).
 */
public final class SparkSessions {
  private static final String CATALOG_PREFIX = "spark.sql.catalog." + CatalogSpec.CATALOG_NAME;

  private SparkSessions() {}

  /** Creates (or, on Glue, joins) the session; secret catalog properties are redacted by Spark. */
  public static SparkSession create(String appName, CatalogSpec catalog) {
    SparkConf defaults = new SparkConf();
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName(appName)
            .config(
                "spark.sql.extensions",
                "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
            .config(CATALOG_PREFIX, "org.apache.iceberg.spark.SparkCatalog");
    if (!defaults.contains("spark.master")) {
      builder
          .master("local[*]")
          .config("spark.ui.enabled", defaults.get("spark.ui.enabled", "false"))
          .config(
              "spark.sql.shuffle.partitions", defaults.get("spark.sql.shuffle.partitions", "8"));
    }
    for (Map.Entry<String, String> property : catalog.resolvedProperties().entrySet()) {
      builder.config(CATALOG_PREFIX + "." + property.getKey(), property.getValue());
    }
    return builder.getOrCreate();
  }

  /** The Spark name of a lake table, {@code lake.<namespace>.<table>}. */
  public static String tableName(String namespace, String table) {
    return CatalogSpec.CATALOG_NAME + "." + namespace + "." + table;
  }
}
