package io.tributary.change;

import java.io.Serializable;
import java.util.Objects;

/** A source table's identity: schema and table name as the source database stores them. */
public final class TableId implements Serializable, Comparable<TableId> {
  private static final long serialVersionUID = 1L;

  private final String schema;
  private final String table;

  public TableId(String schema, String table) {
    this.schema = Objects.requireNonNull(schema, "schema");
    this.table = Objects.requireNonNull(table, "table");
  }

  /** Parses {@code schema.table}; a name without a dot is in schema {@code public}. */
  public static TableId parse(String qualified) {
    int dot = qualified.indexOf('.');
    return dot < 0
        ? new TableId("public", qualified)
        : new TableId(qualified.substring(0, dot), qualified.substring(dot + 1));
  }

  public String schema() {
    return schema;
  }

  public String table() {
    return table;
  }

  /** {@code schema.table}. */
  public String qualified() {
    return schema + "." + table;
  }

  /** {@code "schema"."table"}: both names as SQL quoted identifiers. */
  public String quoted() {
    return quoteIdent(schema) + "." + quoteIdent(table);
  }

  /** A name as an SQL quoted identifier: in double quotes, a double quote in it doubled. */
  public static String quoteIdent(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TableId)) {
      return false;
    }
    TableId that = (TableId) o;
    return schema.equals(that.schema) && table.equals(that.table);
  }

  @Override
  public int hashCode() {
    return 31 * schema.hashCode() + table.hashCode();
  }

  @Override
  public int compareTo(TableId o) {
    int c = schema.compareTo(o.schema);
    return c != 0 ? c : table.compareTo(o.table);
  }

  @Override
  public String toString() {
    return qualified();
  }
}
