package io.tributary.source.postgres;

import static io.tributary.source.postgres.PgCatalog.quoted;

import io.tributary.change.TableId;
import io.tributary.config.Secret;
import io.tributary.config.SourceConfig;
import io.tributary.config.SslRootCert;
import io.tributary.source.debezium.ColumnCheck;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, while the job runs, whether a captured table got a column of a type the capture cannot
 * carry (added, or changed to such a type, after the preflight let the table in). The types are the
 * preflight's ({@link ColumnChecks#uncapturableColumns}); the answer is the reason the writer parks
 * the table with, naming the column, its type and what to do.
 *
 * <p>Asked by the deserializer when Debezium hands it a new row schema of a table (after a change
 * of the table's columns, Debezium reads the table again): one catalog query then, none per change.
 * A query that fails is logged and answers "nothing found", so that a catalog that cannot be read
 * for a moment never stops the capture.
 */
final class LiveColumnCheck implements ColumnCheck {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(LiveColumnCheck.class);

  /** The most characters of the columns' list a reason holds. */
  private static final int MAX_LISTED = 4000;

  private final String jdbcUrl;
  private final SslRootCert sslRootCert;
  private final String user;
  private final Secret password;

  private LiveColumnCheck(String jdbcUrl, SslRootCert sslRootCert, String user, Secret password) {
    this.jdbcUrl = jdbcUrl;
    this.sslRootCert = sslRootCert;
    this.user = user;
    this.password = password;
  }

  /** A check against the configured source. */
  static LiveColumnCheck of(SourceConfig source) {
    return new LiveColumnCheck(
        source.jdbcUrl(), source.sslRootCert(), source.user(), source.password());
  }

  /**
   * Why the table cannot be captured as it is now, as the reason it is parked with; null when it
   * can, or when the catalog could not be read.
   */
  @Override
  public String problem(TableId id) {
    try (Connection connection = connect()) {
      return reason(id, ColumnChecks.uncapturableColumns(connection, id));
    } catch (SQLException e) {
      // A table dropped at the source since this change was written has no columns to check.
      LOG.warn("Could not check the column types of {} at the source: {}", id, e.getMessage());
      return null;
    }
  }

  /** The parking reason for the columns found, or null when none was. */
  static String reason(TableId id, List<ColumnChecks.UncapturableColumn> found) {
    if (found.isEmpty()) {
      return null;
    }
    List<String> columns = new ArrayList<>();
    for (ColumnChecks.UncapturableColumn column : found) {
      columns.add(
          "column "
              + column.column()
              + " is of type "
              + column.type()
              + " now (added or changed while the job runs), "
              + column.why()
              + ": drop it (ALTER TABLE "
              + quoted(id)
              + " DROP COLUMN "
              + column.column()
              + ") or change it to text (ALTER TABLE "
              + quoted(id)
              + " ALTER COLUMN "
              + column.column()
              + " TYPE text USING "
              + column.column()
              + "::text)");
    }
    String listed = String.join("; ", columns);
    if (listed.length() > MAX_LISTED) {
      // The reason travels with every change of the table: a bounded one.
      listed = listed.substring(0, MAX_LISTED) + " ... (" + found.size() + " columns in all)";
    }
    return listed
        + "; then recover the table as a parked table (drop its lake table and backfill it, see"
        + " docs/schema-changes-and-dead-letters.md#recovering-a-parked-table); the other tables"
        + " are captured";
  }

  private Connection connect() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    if (password != null && password.isPresent()) {
      props.setProperty("password", password.resolve());
    }
    props.setProperty("ApplicationName", "tributary-column-check");
    if (sslRootCert != null) {
      sslRootCert.addTo(props);
    }
    props.setProperty("connectTimeout", "10");
    return DriverManager.getConnection(jdbcUrl, props);
  }
}
