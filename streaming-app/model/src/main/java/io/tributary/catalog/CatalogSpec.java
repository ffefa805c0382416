package io.tributary.catalog;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.io.FileIO;

/**
 * Everything needed to open the Iceberg catalog of the lake, in a form that can be shipped to Flink
 * operators and Spark jobs. Secret values are not stored here: they are looked up through their
 * suppliers when the catalog is opened, on the machine that opens it.
 */
public final class CatalogSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The Iceberg catalog name used everywhere (Flink SQL, Spark, the jobs). */
  public static final String CATALOG_NAME = "lake";

  private final Map<String, String> properties;
  private final Map<String, SerializableSupplier> secretProperties;

  /** A supplier that can travel with the job graph; it must not capture a secret value. */
  public interface SerializableSupplier extends Supplier<String>, Serializable {}

  public CatalogSpec(
      Map<String, String> properties, Map<String, SerializableSupplier> secretProperties) {
    this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    this.secretProperties = Collections.unmodifiableMap(new LinkedHashMap<>(secretProperties));
  }

  /** Catalog properties without secrets. */
  public Map<String, String> properties() {
    return properties;
  }

  /** The properties with secrets looked up now; do not log the result. */
  public Map<String, String> resolvedProperties() {
    Map<String, String> all = new LinkedHashMap<>(properties);
    secretProperties.forEach((key, supplier) -> all.put(key, supplier.get()));
    return all;
  }

  /**
   * Opens the catalog. The caller closes it when it implements {@link java.io.Closeable}. Opening
   * is retried a few times, since several operators opening a new JDBC catalog at once race to
   * create its tables.
   */
  public Catalog open() {
    Configuration hadoop = new Configuration(false);
    RuntimeException last = null;
    for (int attempt = 1; attempt <= 5; attempt++) {
      try {
        return CatalogUtil.buildIcebergCatalog(CATALOG_NAME, resolvedProperties(), hadoop);
      } catch (RuntimeException e) {
        last = e;
        try {
          Thread.sleep(200L * attempt);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw last;
  }

  /** Opens the catalog's FileIO on its own (for files beside the tables); the caller closes it. */
  public FileIO openFileIo() {
    Map<String, String> props = resolvedProperties();
    return CatalogUtil.loadFileIO(
        props.getOrDefault(
            CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.hadoop.HadoopFileIO"),
        props,
        new Configuration(false));
  }

  /**
   * Checks that the catalog can be opened and holds the namespace, creating it when absent. Run
   * once before the job starts, so that bad catalog settings fail early and the writers do not race
   * to create the same namespace.
   */
  public void prepare(String namespace) {
    Catalog catalog;
    try {
      catalog = open();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "Cannot open the Iceberg catalog ("
              + properties.getOrDefault("catalog-impl", properties.get("type"))
              + (properties.containsKey("uri") ? " at " + properties.get("uri") : "")
              + "): "
              + e.getMessage()
              + ". Check sink.catalog and sink.warehouse in the configuration.",
          e);
    }
    try {
      if (catalog instanceof SupportsNamespaces) {
        SupportsNamespaces namespaces = (SupportsNamespaces) catalog;
        Namespace ns = Namespace.of(namespace);
        if (!namespaces.namespaceExists(ns)) {
          try {
            namespaces.createNamespace(ns);
          } catch (RuntimeException e) {
            if (!namespaces.namespaceExists(ns)) {
              throw e;
            }
          }
        }
      }
    } finally {
      closeQuietly(catalog);
    }
  }

  /** The warehouse location. */
  public String warehouse() {
    return properties.get("warehouse");
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CatalogSpec)) {
      return false;
    }
    CatalogSpec that = (CatalogSpec) o;
    return properties.equals(that.properties)
        && secretProperties.keySet().equals(that.secretProperties.keySet());
  }

  @Override
  public int hashCode() {
    return Objects.hash(properties, secretProperties.keySet());
  }

  /** Lists the properties; secret ones by name only. */
  @Override
  public String toString() {
    return "CatalogSpec" + properties + " secrets=" + secretProperties.keySet();
  }

  /** Closes a catalog if it holds resources. */
  public static void closeQuietly(Catalog catalog) {
    if (catalog instanceof AutoCloseable) {
      try {
        ((AutoCloseable) catalog).close();
      } catch (Exception e) {
        // closing a catalog only releases connections
      }
    }
  }
}
