package io.tributary.local;

import io.tributary.config.TableOptions;
import io.tributary.config.TableSelection;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The demo source schema of the local stack: a small shop with related tables (keys, numerics,
 * timestamps, text, jsonb) and one table without a primary key.
 */
public final class DemoDatabase {
  /** The demo database name. */
  public static final String DATABASE = "shop";

  private DemoDatabase() {}

  /** The tables the demo captures, with their options. */
  public static TableSelection selection() {
    return TableSelection.builder()
        .include("public.*")
        .option(
            "public.orders",
            TableOptions.builder().partitionSpec("month(ordered_at)").changelog(true).build())
        .option("public.events", TableOptions.builder().keyColumns("event_id").build())
        .build();
  }

  /** Creates and fills the schema unless it exists. Returns whether it was created. */
  public static boolean create(Connection c, int scale) throws SQLException {
    try (Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT to_regclass('public.customers') IS NOT NULL")) {
        rs.next();
        if (rs.getBoolean(1)) {
          return false;
        }
      }
      st.execute(
          "CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, email varchar(200),"
              + " country char(2), balance numeric(12,2), created_at timestamptz NOT NULL)");
      st.execute(
          "CREATE TABLE products (id integer PRIMARY KEY, sku varchar(32) NOT NULL, title text,"
              + " price numeric(10,2), weight_kg real, attributes jsonb, active boolean)");
      st.execute(
          "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text,"
              + " total numeric(12,2), ordered_at timestamp NOT NULL, updated_at timestamptz,"
              + " note text)");
      st.execute(
          "CREATE TABLE order_items (order_id bigint, line smallint, product_id integer,"
              + " quantity integer, price numeric(10,2), PRIMARY KEY (order_id, line))");
      st.execute(
          "CREATE TABLE events (event_id uuid NOT NULL, kind text, payload jsonb, at timestamptz)");
      st.execute("ALTER TABLE events REPLICA IDENTITY FULL");
      // Not keys (the table is captured by its configured key column): the workload deletes the
      // oldest event by time and then by id, which without them scanned the table twice for every
      // delete, and the workload slowed down as the table grew (548 to 166 transactions/s in ten
      // minutes).
      st.execute("CREATE INDEX events_at ON events (at)");
      st.execute("CREATE INDEX events_event_id ON events (event_id)");
      st.execute(
          "INSERT INTO customers SELECT g, 'Customer ' || g, 'c' || g || '@example.com',"
              + " (ARRAY['DE','FR','US','JP'])[1 + g % 4], (g % 1000) * 1.25,"
              + " timestamptz '2024-01-01 00:00:00+00' + g * interval '17 minutes'"
              + " FROM generate_series(1, "
              + (100 * scale)
              + ") g");
      st.execute(
          "INSERT INTO products SELECT g, 'SKU-' || g, 'Product ' || g, 5 + (g % 50) * 2.5,"
              + " (g % 20) / 3.0, jsonb_build_object('color', (ARRAY['red','blue'])[1 + g % 2],"
              + " 'size', g % 5), g % 7 <> 0 FROM generate_series(1, "
              + (20 * scale)
              + ") g");
      st.execute(
          "INSERT INTO orders SELECT g, 1 + g % "
              + (100 * scale)
              + ", 'new', (g % 300) * 3.10, timestamp '2024-01-01' + g * interval '41 minutes',"
              + " now(), CASE WHEN g % 5 = 0 THEN 'gift' END FROM generate_series(1, "
              + (200 * scale)
              + ") g");
      st.execute(
          "INSERT INTO order_items SELECT o, l, 1 + (o * l) % "
              + (20 * scale)
              + ", 1 + l, 9.99 FROM generate_series(1, "
              + (200 * scale)
              + ") o, generate_series(1, 3) l");
      st.execute(
          "INSERT INTO events SELECT gen_random_uuid(), 'seed', jsonb_build_object('n', g),"
              + " now() FROM generate_series(1, "
              + (50 * scale)
              + ") g");
      st.execute("ANALYZE");
      return true;
    }
  }
}
