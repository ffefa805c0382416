package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.config.Secret;
import io.tributary.config.TableSelection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source's password is rotated while the job runs: the login's password changes, the secret
 * (here a file) holds the new one, and every connection of the old login is closed, as a rotation
 * that ends old sessions does. The job's new connections log in with the new password, read when
 * they are opened, and the lake ends equal to the source. With the password fixed when the job was
 * built, every reconnect would be refused.
 */
class PasswordRotationIT {
  private static final String DB = "it_rotation";
  private static final String LOGIN = "cdc_rotating";

  @TempDir static Path workdir;
  private static ItStack it;
  private static Path passwordFile;

  @BeforeAll
  static void start() throws Exception {
    it = new ItStack(workdir, DB);
    Path hba = workdir.resolve("stack").resolve("postgres").resolve("pg_hba.conf");
    String rules =
        "host all "
            + LOGIN
            + " 127.0.0.1/32 scram-sha-256\nhost replication "
            + LOGIN
            + " 127.0.0.1/32 scram-sha-256\n";
    Files.writeString(hba, rules + Files.readString(hba, StandardCharsets.UTF_8));
    it.sql(
        "CREATE ROLE " + LOGIN + " LOGIN REPLICATION PASSWORD 'first-password'",
        "GRANT CREATE ON DATABASE " + DB + " TO " + LOGIN,
        "CREATE TABLE items (id int PRIMARY KEY, v int, note text)",
        "INSERT INTO items SELECT g, g, 'seed' FROM generate_series(1, 2000) g",
        "ALTER TABLE items OWNER TO " + LOGIN,
        "SELECT pg_reload_conf()");
    passwordFile = workdir.resolve("db-password");
    Files.writeString(passwordFile, "first-password\n");
    it.configure(
        TableSelection.builder().include("public.items").build(), Duration.ofSeconds(1), 500);
    it.config =
        it.config.toBuilder()
            .source(
                it.config.source().toBuilder()
                    .user(LOGIN)
                    .password(Secret.ofFile(passwordFile))
                    .build())
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    it.close();
  }

  private static String url() {
    return it.stack.jdbcUrl(DB).replaceAll("\\?.*$", "");
  }

  private static long sessionsOfLogin(String since) throws SQLException {
    try (Connection c = it.stack.connect(DB);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE usename = '"
                    + LOGIN
                    + "' AND backend_start > '"
                    + since
                    + "'::timestamptz")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void aPasswordRotatedWhileTheJobRunsIsUsedByItsNewConnections() throws Exception {
    // The login's password is checked: the job can only log in with the secret's.
    assertThatThrownBy(() -> DriverManager.getConnection(url(), LOGIN, "wrong").close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("password authentication failed");
    it.start(null);
    it.sql("UPDATE items SET v = -v WHERE id % 10 = 0", "DELETE FROM items WHERE id % 17 = 0");
    it.awaitEqual(1, Duration.ofMinutes(3));

    // The rotation: new password at the server and in the secret, old sessions ended.
    String rotatedAt;
    try (Connection c = it.stack.connect(DB);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT now()::text")) {
      rs.next();
      rotatedAt = rs.getString(1);
    }
    it.sql("ALTER ROLE " + LOGIN + " PASSWORD 'second-password'");
    Files.writeString(passwordFile, "second-password\n");
    it.sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + LOGIN + "'");
    assertThatThrownBy(() -> DriverManager.getConnection(url(), LOGIN, "first-password").close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("password authentication failed");

    it.sql(
        "UPDATE items SET note = 'after rotation' WHERE id % 3 = 0",
        "INSERT INTO items SELECT g, g, 'new' FROM generate_series(2001, 2300) g");
    it.awaitEqualAndStayEqual(1, Duration.ofMinutes(4));
    await().atMost(Duration.ofSeconds(30)).until(() -> sessionsOfLogin(rotatedAt) > 0);
  }
}
