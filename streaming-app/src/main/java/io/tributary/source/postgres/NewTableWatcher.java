package io.tributary.source.postgres;

import io.tributary.change.TableId;
import io.tributary.config.Secret;
import io.tributary.config.SourceConfig;
import io.tributary.config.TableSelection;
import io.tributary.source.CapturedTable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.source.RichSourceFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks, while the job runs, for source tables that {@code tables.include} matches but the job does
 * not capture (created after it started), and warns about each once. Such a table is captured from
 * the job's next start: the preflight check adds it to the publication and the source reads its
 * snapshot, then its changes. Tables the preflight refused at this start are not new: their reason
 * was printed then, and they are not reported again. Emits nothing; the gauge {@code newTables}
 * counts the tables found.
 */
public final class NewTableWatcher extends RichSourceFunction<String> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(NewTableWatcher.class);

  private final String jdbcUrl;
  private final io.tributary.config.SslRootCert sslRootCert;
  private final String user;
  private final Secret password;
  private final List<String> include;
  private final List<String> exclude;
  private final Set<String> captured;
  private final Set<String> refused;
  private final long intervalMillis;

  private transient volatile boolean running;
  private transient Object lock;
  private transient Set<String> reported;

  public NewTableWatcher(
      SourceConfig source, TableSelection selection, Collection<CapturedTable> tables) {
    this(source, selection, tables, Set.of());
  }

  /**
   * @param refused qualified names of the tables the preflight refused at this start
   */
  public NewTableWatcher(
      SourceConfig source,
      TableSelection selection,
      Collection<CapturedTable> tables,
      Collection<String> refused) {
    this.refused = new TreeSet<>(refused);
    this.jdbcUrl = source.jdbcUrl();
    this.sslRootCert = source.sslRootCert();
    this.user = source.user();
    this.password = source.password();
    this.include = new ArrayList<>(selection.include());
    this.exclude = new ArrayList<>(selection.exclude());
    this.captured = new TreeSet<>();
    for (CapturedTable table : tables) {
      captured.add(table.id().qualified());
    }
    this.intervalMillis = source.newTableCheckInterval().toMillis();
  }

  @Override
  public void open(Configuration parameters) throws Exception {
    super.open(parameters);
    running = true;
    lock = new Object();
    reported = new java.util.concurrent.ConcurrentSkipListSet<>();
    getRuntimeContext().getMetricGroup().gauge("newTables", () -> reported.size());
  }

  @Override
  public void run(SourceContext<String> context) throws Exception {
    TableSelection selection = TableSelection.builder().include(include).exclude(exclude).build();
    while (running) {
      try {
        check(selection);
      } catch (SQLException | RuntimeException e) {
        LOG.warn("Could not look for new source tables: {}", e.getMessage());
      }
      synchronized (lock) {
        if (running) {
          lock.wait(intervalMillis);
        }
      }
    }
  }

  /**
   * Looks once: warns about each matching table that is not captured (once per table) and returns
   * them all.
   */
  public List<String> check(TableSelection selection) throws SQLException {
    if (reported == null) {
      reported = new java.util.concurrent.ConcurrentSkipListSet<>();
    }
    List<String> fresh = new ArrayList<>();
    try (Connection connection = connect()) {
      for (TableId id : SourcePreflight.matchingTables(connection, selection).keySet()) {
        String name = id.qualified();
        if (!captured.contains(name) && !refused.contains(name)) {
          fresh.add(name);
          if (reported.add(name)) {
            LOG.warn(
                "New table {} matches tables.include {} but is not captured while the job runs:"
                    + " stop the job with a savepoint and start it from that savepoint to capture"
                    + " it (initial snapshot, then changes); see docs/operations.md",
                name,
                include);
          }
        }
      }
    }
    return fresh;
  }

  private Connection connect() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    if (password != null && password.isPresent()) {
      props.setProperty("password", password.resolve());
    }
    props.setProperty("ApplicationName", "tributary-new-table-watcher");
    if (sslRootCert != null) {
      sslRootCert.addTo(props);
    }
    props.setProperty("connectTimeout", "10");
    return DriverManager.getConnection(jdbcUrl, props);
  }

  @Override
  public void cancel() {
    running = false;
    if (lock != null) {
      synchronized (lock) {
        lock.notifyAll();
      }
    }
  }
}
