package io.tributary.local;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps changing the demo database: new orders with items, status updates, price changes, deletes
 * and re-inserts, a moving order date (which moves rows between partitions), and key-less events,
 * in small transactions at a steady rate until stopped, on one connection or several at once (each
 * on a thread of its own; new orders take ids from one counter, and a transaction the server ends
 * for a deadlock or a serialization failure, which concurrent connections can cause, is rolled back
 * and counted, and the connection goes on).
 */
public final class DemoWorkload implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DemoWorkload.class);

  private final Supplier<Connection> connections;
  private final int transactionsPerSecond;
  private final int threads;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicLong transactions = new AtomicLong();
  private final AtomicLong rolledBack = new AtomicLong();
  private final AtomicLong stoppedEarly = new AtomicLong();
  private final List<Thread> workers = new ArrayList<>();
  private long lastOrder = -1;

  /** The workload on one connection, at {@code transactionsPerSecond}. */
  public DemoWorkload(Supplier<Connection> connections, int transactionsPerSecond) {
    this(connections, transactionsPerSecond, 1);
  }

  /**
   * The workload on {@code threads} connections at once, at {@code transactionsPerSecond} in all.
   */
  public DemoWorkload(Supplier<Connection> connections, int transactionsPerSecond, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("connections must be at least 1, not " + threads);
    }
    this.connections = connections;
    this.transactionsPerSecond = transactionsPerSecond;
    this.threads = threads;
  }

  /** Starts the workload's threads. */
  public void start() {
    running.set(true);
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(this::run, threads == 1 ? "demo-workload" : "demo-workload-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
  }

  /** Transactions committed so far. */
  public long transactions() {
    return transactions.get();
  }

  /** Transactions the server ended for a deadlock or a serialization failure, rolled back. */
  public long rolledBack() {
    return rolledBack.get();
  }

  /** The next new order's id: one counter for every connection, from the table's highest. */
  private synchronized long nextOrder(Connection c) throws SQLException {
    if (lastOrder < 0) {
      lastOrder = max(c, "SELECT coalesce(max(id), 0) FROM orders");
    }
    return ++lastOrder;
  }

  private void run() {
    long intervalNanos = 1_000_000_000L * threads / Math.max(1, transactionsPerSecond);
    try (Connection c = connections.get()) {
      c.setAutoCommit(false);
      long customers = max(c, "SELECT count(*) FROM customers");
      long products = max(c, "SELECT count(*) FROM products");
      long next = System.nanoTime();
      while (running.get()) {
        try {
          step(c, nextOrder(c), customers, products);
          c.commit();
          transactions.incrementAndGet();
        } catch (SQLException e) {
          if (!retryable(e)) {
            throw e;
          }
          c.rollback();
          rolledBack.incrementAndGet();
        }
        next += intervalNanos;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
    } catch (SQLException e) {
      if (running.get()) {
        stoppedEarly.incrementAndGet();
        LOG.error("The demo workload stopped: {}", e.getMessage());
      }
    }
  }

  /** Connections that stopped on an error while the workload ran. */
  public long stoppedEarly() {
    return stoppedEarly.get();
  }

  /** A deadlock or a serialization failure: the transaction can run again. */
  static boolean retryable(SQLException e) {
    return "40P01".equals(e.getSQLState()) || "40001".equals(e.getSQLState());
  }

  private static long max(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      long value = rs.getLong(1);
      c.commit();
      return value;
    }
  }

  private static void step(Connection c, long orderId, long customers, long products)
      throws SQLException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    try (PreparedStatement order =
            c.prepareStatement(
                "INSERT INTO orders VALUES (?, ?, 'new', ?, localtimestamp - (random() * interval"
                    + " '400 days'), now(), NULL)");
        PreparedStatement item =
            c.prepareStatement("INSERT INTO order_items VALUES (?, ?, ?, ?, ?)")) {
      order.setLong(1, orderId);
      order.setLong(2, 1 + random.nextLong(customers));
      order.setBigDecimal(3, BigDecimal.valueOf(random.nextInt(100_000), 2));
      order.executeUpdate();
      for (int line = 1; line <= 1 + random.nextInt(3); line++) {
        item.setLong(1, orderId);
        item.setShort(2, (short) line);
        item.setInt(3, 1 + random.nextInt((int) products));
        item.setInt(4, 1 + random.nextInt(5));
        item.setBigDecimal(5, BigDecimal.valueOf(100 + random.nextInt(10_000), 2));
        item.executeUpdate();
      }
    }
    try (Statement st = c.createStatement()) {
      long someOrder = 1 + random.nextLong(orderId);
      st.executeUpdate(
          "UPDATE orders SET status = (ARRAY['paid','shipped','delivered'])[1 + "
              + random.nextInt(3)
              + "], updated_at = now() WHERE id = "
              + someOrder);
      if (random.nextInt(4) == 0) {
        st.executeUpdate(
            "UPDATE orders SET ordered_at = ordered_at - interval '45 days' WHERE id = "
                + (1 + random.nextLong(orderId)));
      }
      if (random.nextInt(3) == 0) {
        st.executeUpdate(
            "UPDATE customers SET balance = balance + 1.50 WHERE id = "
                + (1 + random.nextLong(customers)));
      }
      if (random.nextInt(5) == 0) {
        st.executeUpdate(
            "DELETE FROM order_items WHERE order_id = "
                + (1 + random.nextLong(orderId))
                + " AND line = 1");
      }
      if (random.nextInt(10) == 0) {
        st.executeUpdate(
            "UPDATE products SET price = price + 0.10, attributes = attributes || '{\"promo\": true}'"
                + " WHERE id = "
                + (1 + random.nextLong(products)));
      }
      st.executeUpdate(
          "INSERT INTO events VALUES (gen_random_uuid(), 'order', jsonb_build_object('order', "
              + orderId
              + "), now())");
      if (random.nextInt(4) == 0) {
        st.executeUpdate(
            "DELETE FROM events WHERE event_id = (SELECT event_id FROM events ORDER BY at LIMIT 1)");
      }
    }
  }

  /** Stops the workload and waits for its last transaction. */
  @Override
  public void close() {
    running.set(false);
    for (Thread t : workers) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
