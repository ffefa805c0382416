package io.tributary.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo workload on several connections at once (as {@code soak --connections} runs it): every
 * committed transaction inserted exactly one new order, no connection stopped on a clash of order
 * ids, and transactions the server ended for a deadlock were rolled back, not counted.
 */
class DemoWorkloadIT {
  @TempDir Path dir;

  @Test
  void fourConnectionsCommitOneNewOrderPerTransactionAndNoneStops() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    try (EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .setDataDirectory(data)
            .setOverrideWorkingDirectory(Files.createDirectories(dir.resolve("run")).toFile())
            .setPort(LocalStack.freePort())
            .setServerConfig("listen_addresses", "127.0.0.1")
            .setServerConfig("fsync", "off")
            .setPGStartupWait(Duration.ofSeconds(60))
            .setRegisterShutdownHook(false)
            .start()) {
      try (Connection c = pg.getPostgresDatabase().getConnection();
          Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE " + DemoDatabase.DATABASE);
      }
      DataSource shop = pg.getDatabase("postgres", DemoDatabase.DATABASE);
      long before;
      try (Connection c = shop.getConnection()) {
        DemoDatabase.create(c, 2);
        before = count(c);
      }
      DemoWorkload workload =
          new DemoWorkload(
              () -> {
                try {
                  return shop.getConnection();
                } catch (SQLException e) {
                  throw new IllegalStateException(e);
                }
              },
              1_000_000,
              4);
      workload.start();
      TimeUnit.SECONDS.sleep(5);
      workload.close();

      assertThat(workload.stoppedEarly()).as("connections stopped on an error").isZero();
      assertThat(workload.transactions()).as("transactions in 5 s").isGreaterThan(100);
      try (Connection c = shop.getConnection()) {
        assertThat(count(c) - before)
            .as("new orders, one per committed transaction (%d rolled back)", workload.rolledBack())
            .isEqualTo(workload.transactions());
      }
    }
  }

  private static long count(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
