package io.tributary.source.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.change.TableId;
import java.util.List;
import org.junit.jupiter.api.Test;

class MySqlPreflightTest {

  @Test
  void theFlavourAndVersionAreReadFromVersion() {
    assertThat(MySqlPreflight.describe("10.11.19-MariaDB-0+deb12u1-log"))
        .isEqualTo("MariaDB 10.11.19");
    assertThat(MySqlPreflight.describe("8.4.3")).isEqualTo("MySQL 8.4.3");
    assertThat(MySqlPreflight.describe("8.0.39-log")).isEqualTo("MySQL 8.0.39");
  }

  @Test
  void replicationPrivilegesAreReadFromTheGlobalGrants() {
    assertThat(
            MySqlPreflight.missingReplicationPrivileges(
                List.of("GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION")))
        .isEmpty();
    // MariaDB 10.5 and later show REPLICATION CLIENT as BINLOG MONITOR.
    assertThat(
            MySqlPreflight.missingReplicationPrivileges(
                List.of(
                    "GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `tributary`@`%`")))
        .isEmpty();
    assertThat(
            MySqlPreflight.missingReplicationPrivileges(
                List.of("GRANT SELECT, REPLICATION CLIENT ON *.* TO 'tributary'@'%'")))
        .containsExactly("REPLICATION SLAVE");
    assertThat(MySqlPreflight.missingReplicationPrivileges(List.of()))
        .containsExactly("REPLICATION SLAVE", "REPLICATION CLIENT");
  }

  @Test
  void tablePatternsMatchTheirTableOnly() {
    assertThat(MySqlChangeSource.tablePattern(new TableId("shop", "order_lines")))
        .isEqualTo("shop\\.order_lines");
    assertThat(MySqlChangeSource.tablePattern(new TableId("shop-eu", "a.b$")))
        .isEqualTo("shop\\-eu\\.a\\.b\\$");
    assertThat("shop.order_lines")
        .matches(MySqlChangeSource.tablePattern(new TableId("shop", "order_lines")));
    assertThat("shopXorder_lines")
        .doesNotMatch(MySqlChangeSource.tablePattern(new TableId("shop", "order_lines")));
  }
}
