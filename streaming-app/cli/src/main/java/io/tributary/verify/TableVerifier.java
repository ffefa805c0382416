package io.tributary.verify;

import io.tributary.sink.IcebergSchemas;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;

/**
 * Compares a source table with its lake table without holding either in memory: every row of both
 * sides is hashed over all columns into one of many buckets by its key; buckets are compared by row
 * count and the sum of row hashes; only the rows of differing buckets are read again to name the
 * differing keys.
 *
 * <p>A mirror table is compared key by key. A changelog table (of an append-only table) is replayed
 * as a multiset of whole rows: snapshot rows and inserts add a row, deletes (their before-images)
 * remove one; a changelog that holds updates, or deletes without their whole row, cannot be
 * replayed and is reported as not compared.
 *
 * <p>Columns are matched by name: each source column with the live lake column of its lake name
 * ({@link IcebergSchemas#fieldName}, or a former name the lake table recorded for a renamed
 * column). A source column without a lake column makes the table different; lake columns the source
 * no longer has (listed in {@code tributary.dropped-columns}, or not yet marked) are not compared.
 *
 * <p>This class runs the comparison; its parts are the column match ({@link ColumnMatch}), the
 * readers of each side ({@link SourceTableReader}, {@link LakeTableReader}), the bucketed tally of
 * rows ({@link RowTally}), the naming of differences ({@link RowDifferences}) and the outcome
 * ({@link VerifyOutcome}).
 */
public final class TableVerifier {
  private final Connection source;
  private final String sourceTable;
  private final Table mirror;
  private final boolean changelog;
  private final boolean wholeRowDeletes;
  private final String uncapturedChanges;

  /**
   * @param source a connection to the source database
   * @param sourceTable the quoted source table name, e.g. {@code "public"."orders"}
   * @param mirror the Iceberg mirror table
   */
  public TableVerifier(Connection source, String sourceTable, Table mirror) {
    this(source, sourceTable, mirror, false, false, null);
  }

  private TableVerifier(
      Connection source,
      String sourceTable,
      Table mirror,
      boolean changelog,
      boolean wholeRowDeletes,
      String uncapturedChanges) {
    this.source = source;
    this.sourceTable = sourceTable;
    this.mirror = mirror;
    this.changelog = changelog;
    this.wholeRowDeletes = wholeRowDeletes;
    this.uncapturedChanges = uncapturedChanges;
  }

  /**
   * A verifier of an append-only table against its changelog table.
   *
   * @param wholeRowDeletes whether a delete's change row holds the whole row (REPLICA IDENTITY
   *     FULL), so that it can be replayed
   * @param uncapturedChanges why some changes of the source table never reach the changelog (e.g.
   *     updates and deletes of a table without key are not published), or null when all do: a
   *     difference is then reported as not compared, with this reason
   */
  public static TableVerifier forChangelog(
      Connection source,
      String sourceTable,
      Table changelog,
      boolean wholeRowDeletes,
      String uncapturedChanges) {
    return new TableVerifier(
        source, sourceTable, changelog, true, wholeRowDeletes, uncapturedChanges);
  }

  /** Compares both sides. */
  public VerifyResult verify() throws SQLException {
    mirror.refresh();
    Schema schema = mirror.schema();
    SourceTableReader sourceReader = new SourceTableReader(source, sourceTable);
    LakeTableReader lakeReader = new LakeTableReader(mirror, changelog);
    ColumnMatch match = ColumnMatch.of(sourceReader.columns(), schema, mirror.properties());
    List<ComparedColumn> columns = match.columns;
    Set<Integer> keys = match.keys(schema, changelog);
    Buckets sourceBuckets = new Buckets();
    Buckets mirrorBuckets = new Buckets();
    OpCounts ops = new OpCounts();
    sourceReader.scan(columns, RowTally.counting(columns, keys, sourceBuckets));
    lakeReader.scan(columns, RowTally.counting(columns, keys, mirrorBuckets), ops);
    if (changelog) {
      String reason = VerifyOutcome.unreplayable(mirror.name(), ops, wholeRowDeletes);
      if (reason != null) {
        return VerifyOutcome.notCompared(mirror.name(), sourceBuckets.total(), ops, reason);
      }
    }
    List<Integer> differing = sourceBuckets.differing(mirrorBuckets);
    List<String> differences = VerifyOutcome.columnsNotInLake(match.notInLake);
    if (!differing.isEmpty()) {
      Set<Integer> wanted = new HashSet<>(differing);
      Map<String, SeenRow> sourceRows = new TreeMap<>();
      Map<String, SeenRow> mirrorRows = new TreeMap<>();
      sourceReader.scan(columns, RowTally.collecting(columns, keys, wanted, sourceRows));
      lakeReader.scan(
          columns, RowTally.collecting(columns, keys, wanted, mirrorRows), new OpCounts());
      if (changelog) {
        RowDifferences.describeMultisets(sourceRows, mirrorRows, differences);
      } else {
        RowDifferences.describeKeys(columns, sourceRows, mirrorRows, differences);
      }
      if (differences.size() == match.notInLake.size()) {
        differences.add("duplicate rows in the lake (row counts differ for equal keys)");
      }
    }
    return VerifyOutcome.of(
        mirror.name(),
        sourceBuckets.total(),
        mirrorBuckets.total(),
        changelog,
        uncapturedChanges,
        differences);
  }
}
