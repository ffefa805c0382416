package io.tributary.source.postgres;

import io.tributary.change.TableId;
import io.tributary.config.Secret;
import io.tributary.config.SourceConfig;
import io.tributary.config.SslRootCert;
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
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Supplier;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
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
public final class NewTableWatcher implements Source<String, NewTableWatcher.NoSplit, Void> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(NewTableWatcher.class);

  private final String jdbcUrl;
  private final SslRootCert sslRootCert;
  private final String user;
  private final Secret password;
  private final List<String> include;
  private final List<String> exclude;
  private final Set<String> captured;
  private final Set<String> refused;
  private final long intervalMillis;

  private transient Set<String> reported;
  private transient TableSelection lookSelection;

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
  public Boundedness getBoundedness() {
    return Boundedness.CONTINUOUS_UNBOUNDED;
  }

  /**
   * The reader looks every {@code source.new-table-check-interval} on a thread of its own (a look
   * can wait for the database, which the task's thread must not), and emits nothing.
   */
  @Override
  public SourceReader<String, NoSplit> createReader(SourceReaderContext context) {
    reported = new ConcurrentSkipListSet<>();
    context.metricGroup().gauge("newTables", () -> reported.size());
    return new NewTableWatcherReader(this::lookOnce, intervalMillis, context.getIndexOfSubtask());
  }

  /** One look of the running watcher; a failure is logged and the next look comes as planned. */
  private void lookOnce() {
    if (lookSelection == null) {
      lookSelection = TableSelection.builder().include(include).exclude(exclude).build();
    }
    try {
      check(lookSelection);
    } catch (SQLException | RuntimeException e) {
      LOG.warn("Could not look for new source tables: {}", e.getMessage());
    }
  }

  @Override
  public SplitEnumerator<NoSplit, Void> createEnumerator(SplitEnumeratorContext<NoSplit> context) {
    return new NoSplitEnumerator();
  }

  @Override
  public SplitEnumerator<NoSplit, Void> restoreEnumerator(
      SplitEnumeratorContext<NoSplit> context, Void checkpoint) {
    return new NoSplitEnumerator();
  }

  @Override
  public SimpleVersionedSerializer<NoSplit> getSplitSerializer() {
    return new EmptySerializer<>(NoSplit::new);
  }

  @Override
  public SimpleVersionedSerializer<Void> getEnumeratorCheckpointSerializer() {
    return new EmptySerializer<>(() -> null);
  }

  /**
   * Looks once: warns about each matching table that is not captured (once per table) and returns
   * them all.
   */
  public List<String> check(TableSelection selection) throws SQLException {
    if (reported == null) {
      reported = new ConcurrentSkipListSet<>();
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

  /** The watcher reads no splits: it has nothing to divide, and holds no state. */
  static final class NoSplit implements SourceSplit {
    @Override
    public String splitId() {
      return "new-table-watcher";
    }
  }

  /** Assigns nothing: the reader looks on its own. */
  private static final class NoSplitEnumerator implements SplitEnumerator<NoSplit, Void> {
    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {}

    @Override
    public void addSplitsBack(List<NoSplit> splits, int subtaskId) {}

    @Override
    public void addReader(int subtaskId) {}

    @Override
    public Void snapshotState(long checkpointId) {
      return null;
    }

    @Override
    public void close() {}
  }

  /** Writes nothing and reads back the one value there is. */
  private static final class EmptySerializer<T> implements SimpleVersionedSerializer<T> {
    private final Supplier<T> value;

    EmptySerializer(Supplier<T> value) {
      this.value = value;
    }

    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(T object) {
      return new byte[0];
    }

    @Override
    public T deserialize(int version, byte[] serialized) {
      return value.get();
    }
  }
}
