package io.tributary.sink;

import io.tributary.change.TableId;
import java.util.Locale;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * How source tables are named in the lake: {@code public.orders} becomes {@code <namespace>.orders}
 * and {@code sales.orders} becomes {@code <namespace>.sales_orders}. Names are folded to lower case
 * and every character other than {@code a-z}, {@code 0-9} and {@code _} becomes {@code _} (Glue and
 * Athena accept only these in table names): {@code "Sales"."Order$Lines"} becomes {@code
 * sales_order_lines}. Two source tables with one lake name are refused at preflight.
 */
public final class TableNames {
  /** Suffix of a table's append-only changelog table. */
  public static final String CHANGELOG_SUFFIX = "__changes";

  private TableNames() {}

  /** The mirror table's name inside the namespace. */
  public static String mirrorName(TableId source) {
    String name =
        "public".equals(source.schema()) ? source.table() : source.schema() + "_" + source.table();
    String lower = name.toLowerCase(Locale.ROOT);
    StringBuilder lake = new StringBuilder(lower.length());
    for (int i = 0; i < lower.length(); ) {
      int c = lower.codePointAt(i);
      boolean plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      lake.append(plain ? (char) c : '_');
      i += Character.charCount(c);
    }
    return lake.toString();
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
