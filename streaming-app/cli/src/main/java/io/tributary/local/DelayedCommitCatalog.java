package io.tributary.local;

import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.encryption.EncryptionManager;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.LocationProvider;
import org.apache.iceberg.jdbc.JdbcCatalog;

/**
 * The Iceberg JDBC catalog with a fixed delay in front of every table commit, for the commit
 * benchmark ({@code tributary bench-commit}): it stands in for a catalog whose commit takes longer
 * (Glue writes the metadata to S3 and then updates the Glue table, hundreds of milliseconds). Set
 * with the catalog property {@code catalog-impl} and {@value #DELAY_PROPERTY}.
 */
public class DelayedCommitCatalog extends JdbcCatalog {
  /** Catalog property: milliseconds slept before each table commit. */
  public static final String DELAY_PROPERTY = "tributary.commit-delay-ms";

  private long delayMillis;

  @Override
  public void initialize(String name, Map<String, String> properties) {
    Map<String, String> rest = new HashMap<>(properties);
    String delay = rest.remove(DELAY_PROPERTY);
    delayMillis = delay == null ? 0 : Long.parseLong(delay.trim());
    super.initialize(name, rest);
  }

  @Override
  protected TableOperations newTableOps(TableIdentifier identifier) {
    return new Delayed(super.newTableOps(identifier), delayMillis);
  }

  /** Table operations that sleep before each commit. */
  private static final class Delayed implements TableOperations {
    private final TableOperations ops;
    private final long delayMillis;

    Delayed(TableOperations ops, long delayMillis) {
      this.ops = ops;
      this.delayMillis = delayMillis;
    }

    @Override
    public TableMetadata current() {
      return ops.current();
    }

    @Override
    public TableMetadata refresh() {
      return ops.refresh();
    }

    @Override
    public void commit(TableMetadata base, TableMetadata metadata) {
      try {
        Thread.sleep(delayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted before committing " + metadata.location(), e);
      }
      ops.commit(base, metadata);
    }

    @Override
    public FileIO io() {
      return ops.io();
    }

    @Override
    public EncryptionManager encryption() {
      return ops.encryption();
    }

    @Override
    public String metadataFileLocation(String fileName) {
      return ops.metadataFileLocation(fileName);
    }

    @Override
    public LocationProvider locationProvider() {
      return ops.locationProvider();
    }

    @Override
    public TableOperations temp(TableMetadata uncommittedMetadata) {
      return ops.temp(uncommittedMetadata);
    }

    @Override
    public long newSnapshotId() {
      return ops.newSnapshotId();
    }

    @Override
    public boolean requireStrictCleanup() {
      return ops.requireStrictCleanup();
    }
  }
}
