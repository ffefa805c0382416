package io.tributary.sink;

import io.tributary.change.TableId;
import java.util.Locale;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * How source tables are named in the lake: {@code public.orders} becomes {@code <namespace>.orders}
 * and {@code sales.orders} becomes {@code <namespace>.sales_orders}, all in lower case (Glue and
 * Athena fold names to lower case).
 */
public final class TableNames {
  /** Suffix of a table's append-only changelog table. */
  public static final String CHANGELOG_SUFFIX = "__changes";

  private TableNames() {}

  /** The mirror table's name inside the namespace. */
  public static String mirrorName(TableId source) {
    String name =
        "public".equals(source.schema()) ? source.table() : source.schema() + "_" + source.table();
    return name.toLowerCase(Locale.ROOT);
  }

  /** The append-only changelog table's identifier: the mirror's name with {@code __changes}. */
  public static TableIdentifier changelog(String namespace, TableId source) {
    return TableIdentifier.of(Namespace.of(namespace), mirrorName(source) + CHANGELOG_SUFFIX);
  }

  /** The mirror table's identifier. */
  public static TableIdentifier mirror(String namespace, TableId source) {
    return TableIdentifier.of(Namespace.of(namespace), mirrorName(source));
  }
}
