package io.tributary.source.postgres;

import static io.tributary.source.postgres.PgCatalog.columns;
import static io.tributary.source.postgres.PgCatalog.hasSelect;
import static io.tributary.source.postgres.PgCatalog.isPartitioned;
import static io.tributary.source.postgres.PgCatalog.matchingTables;
import static io.tributary.source.postgres.PgCatalog.nullableColumns;
import static io.tributary.source.postgres.PgCatalog.primaryKey;
import static io.tributary.source.postgres.PgCatalog.quoteIdent;
import static io.tributary.source.postgres.PgCatalog.quoted;
import static io.tributary.source.postgres.PgCatalog.serverVersion;

import io.tributary.change.TableId;
import io.tributary.config.SourceConfig;
import io.tributary.config.TableMode;
import io.tributary.config.TableOptions;
import io.tributary.config.TableSelection;
import io.tributary.sink.TableNames;
import io.tributary.source.CaptureNames;
import io.tributary.source.CapturedTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The preflight's checks of the selected tables: which exist, their names, keys, replica identity
 * and privileges, and so whether each is mirrored, append-only or refused (and why).
 */
final class TableChecks {
  private final SourceConfig source;
  private final TableSelection selection;
  private final Predicate<TableId> lakeAppendOnly;
  private final PreflightReport report;

  TableChecks(
      SourceConfig source,
      TableSelection selection,
      Predicate<TableId> lakeAppendOnly,
      PreflightReport report) {
    this.source = source;
    this.selection = selection;
    this.lakeAppendOnly = lakeAppendOnly;
    this.report = report;
  }

  List<CapturedTable> resolveTables(Connection connection, List<String> problems)
      throws SQLException {
    Map<TableId, String> identities = matchingTables(connection, selection);
    if (identities.isEmpty()) {
      problems.add(
          "No table of database "
              + source.database()
              + " matches tables.include "
              + selection.include()
              + (selection.exclude().isEmpty()
                  ? ""
                  : " minus tables.exclude " + selection.exclude())
              + ": check the patterns (schema.table, with * and ?) and that user "
              + source.user()
              + " can see the tables.");
      return List.of();
    }
    for (String configured : selection.options().keySet()) {
      if (!identities.containsKey(TableId.parse(configured))) {
        problems.add(
            "tables.options names "
                + configured
                + ", which is not a captured table of database "
                + source.database()
                + ": fix the name or remove its options.");
      }
    }
    List<CapturedTable> tables = new ArrayList<>();
    List<String> found = new ArrayList<>();
    boolean publishesViaRoot = serverVersion(connection) >= 130000;
    for (Map.Entry<TableId, String> entry : identities.entrySet()) {
      TableId id = entry.getKey();
      String identity = entry.getValue();
      List<String> refusals = new ArrayList<>();
      Optional<String> nameProblem = CaptureNames.problem(id);
      if (nameProblem.isPresent()) {
        report.refuse(id, List.of(nameProblem.get()));
        continue;
      }
      if (!publishesViaRoot && isPartitioned(connection, id)) {
        report.refuse(
            id,
            List.of(
                "Table "
                    + id
                    + " is not captured: it is a partitioned table, and PostgreSQL before 13"
                    + " cannot publish a partitioned table's changes under its own name"
                    + " (publish_via_partition_root). Upgrade PostgreSQL to 13 or later, or"
                    + " exclude it with tables.exclude."));
        continue;
      }
      String identityName = identity.toUpperCase(Locale.ROOT);
      List<String> primaryKey = primaryKey(connection, id);
      Set<String> columns = columns(connection, id);
      TableOptions options = selection.optionsFor(id.qualified());
      // Captured append-only before its primary key was added, and kept so (said below).
      boolean kept = false;
      if (!primaryKey.isEmpty() && options.keyColumns().isEmpty() && lakeAppendOnly.test(id)) {
        String lake = TableNames.mirrorName(id) + TableNames.CHANGELOG_SUFFIX;
        if (options.mode() == null && ("default".equals(identity) || "nothing".equals(identity))) {
          // Captured insert-only (no key, no replica identity): the key does not change that.
          found.add(
              "Table "
                  + id
                  + " has the primary key "
                  + primaryKey
                  + " now, but it was captured append-only and insert-only without one (REPLICA"
                  + " IDENTITY "
                  + identityName
                  + ", the lake holds "
                  + lake
                  + " and no mirror table): it stays so, captured as before (same source, slot and"
                  + " insert-only publication), only its inserts going to "
                  + lake
                  + "; its updates and deletes are not captured. To capture them, mirror it by"
                  + " key: set tables.options."
                  + id
                  + ".mode: mirror and start from the savepoint (see"
                  + " docs/schema-changes-and-dead-letters.md#a-primary-key-added-to-an-insert-only-table).");
          primaryKey = List.of();
          kept = true;
        } else if (options.mode() == null) {
          found.add(
              "Table "
                  + id
                  + " has the primary key "
                  + primaryKey
                  + " now, but it was captured append-only without one (the lake holds "
                  + lake
                  + " and no mirror table): it stays append-only, captured as before (same source,"
                  + " slot and publication), every change going to "
                  + lake
                  + ", so that no mirror table is started that lacks the rows not changed since."
                  + " To mirror it by key, set tables.options."
                  + id
                  + ".mode: mirror and start from the savepoint (see"
                  + " docs/schema-changes-and-dead-letters.md#a-primary-key-added-at-the-source).");
          primaryKey = List.of();
          kept = true;
        } else if (options.mode() == TableMode.MIRROR) {
          found.add(
              "Table "
                  + id
                  + " was captured append-only (the lake holds "
                  + lake
                  + " and no mirror table) and is configured with mode mirror, on its primary key "
                  + primaryKey
                  + ": from this start it is captured like a new table, an initial snapshot into"
                  + " the new mirror table "
                  + TableNames.mirrorName(id)
                  + ", then its changes; "
                  + lake
                  + " keeps the changes captured until now. If it was the only table of its former"
                  + " source, start from the savepoint allowing non-restored state, and drop that"
                  + " source's replication slot afterwards (see"
                  + " docs/schema-changes-and-dead-letters.md#a-primary-key-added-at-the-source).");
        }
      }
      List<String> key = options.keyColumns().isEmpty() ? primaryKey : options.keyColumns();
      refusals.addAll(ColumnChecks.columnNameProblems(id, columns));
      refusals.addAll(ColumnChecks.columnTypeProblems(connection, id));
      Set<String> nullable = nullableColumns(connection, id);
      for (String column : options.keyColumns()) {
        if (columns.contains(column) && nullable.contains(column)) {
          refusals.add(
              "Table "
                  + id
                  + " is configured with key-columns "
                  + options.keyColumns()
                  + ", but column "
                  + column
                  + " may be NULL, and a NULL key cannot identify a row (the writer would fail on"
                  + " it, the initial snapshot would skip it): run ALTER TABLE "
                  + id
                  + " ALTER COLUMN "
                  + quoteIdent(column)
                  + " SET NOT NULL; or configure key-columns that are NOT NULL.");
        }
        if (!columns.contains(column)) {
          refusals.add(
              "tables.options."
                  + id
                  + ".key-columns names column '"
                  + column
                  + "', which "
                  + id
                  + " does not have; its columns are "
                  + columns
                  + ".");
        }
      }
      TableMode mode = mode(options, key);
      String chunk;
      if (!primaryKey.isEmpty()) {
        chunk = primaryKey.get(0);
      } else if (!key.isEmpty() && mode == TableMode.MIRROR) {
        chunk = key.get(0);
      } else {
        chunk = ColumnChecks.chunkColumn(connection, id, found);
      }
      boolean noIdentity =
          primaryKey.isEmpty() && ("default".equals(identity) || "nothing".equals(identity));
      if (mode == TableMode.APPEND_ONLY) {
        String lake = TableNames.mirrorName(id) + TableNames.CHANGELOG_SUFFIX;
        if (options.mode() == null && !kept) {
          found.add(
              "Table "
                  + id
                  + " has no primary key and no key-columns: it is written append-only, every"
                  + " change with its _op to "
                  + lake
                  + ", and no mirror table is created. To mirror it, add a primary key (or set"
                  + " REPLICA IDENTITY FULL and configure tables.options."
                  + id
                  + ".key-columns); to keep it append-only without this warning, set"
                  + " tables.options."
                  + id
                  + ".mode: append-only.");
        }
        if (!primaryKey.isEmpty() && !"full".equals(identity)) {
          found.add(
              "Table "
                  + id
                  + " is append-only under REPLICA IDENTITY "
                  + identityName
                  + ": an update that leaves a large (TOASTed) value unchanged does not carry it,"
                  + " and goes to dead letters instead of "
                  + lake
                  + ". To capture every update whole, run ALTER TABLE "
                  + id
                  + " REPLICA IDENTITY FULL;");
        }
        if (noIdentity && !kept) {
          found.add(
              "Table "
                  + id
                  + " has no primary key and REPLICA IDENTITY "
                  + identityName
                  + ": PostgreSQL rejects UPDATE and DELETE of a table in a publication that"
                  + " publishes them, so only its inserts (and truncates) are captured, through"
                  + " publication "
                  + PostgresSources.publicationName(
                      source, chunk + PostgresSources.INSERT_ONLY_SUFFIX)
                  + "; its updates and deletes are not. To capture them, run ALTER TABLE "
                  + id
                  + " REPLICA IDENTITY FULL;");
        }
      } else if (key.isEmpty()) {
        refusals.add(
            "Table "
                + id
                + " is configured with mode mirror but has no primary key (REPLICA IDENTITY "
                + identityName
                + "): add a primary key, or set REPLICA IDENTITY FULL and configure"
                + " tables.options."
                + id
                + ".key-columns with columns that identify a row, or set its mode to"
                + " append-only.");
      } else if (primaryKey.isEmpty() && !"full".equals(identity)) {
        refusals.add(
            "Table "
                + id
                + " has no primary key, so its updates and deletes carry no row image under"
                + " REPLICA IDENTITY "
                + identityName
                + ": run ALTER TABLE "
                + id
                + " REPLICA IDENTITY FULL;");
      } else if ("nothing".equals(identity)) {
        refusals.add(
            "Table "
                + id
                + " has REPLICA IDENTITY NOTHING, so its deletes carry no key: run ALTER TABLE "
                + id
                + " REPLICA IDENTITY DEFAULT; (or FULL).");
      } else if (!primaryKey.isEmpty() && !key.equals(primaryKey) && !"full".equals(identity)) {
        refusals.add(
            "Table "
                + id
                + " is configured with key-columns "
                + key
                + " other than its primary key "
                + primaryKey
                + ": deletes then need the whole row, run ALTER TABLE "
                + id
                + " REPLICA IDENTITY FULL;");
      }
      if (!hasSelect(connection, id)) {
        refusals.add(
            "User "
                + source.user()
                + " may not read "
                + id
                + ": run GRANT SELECT ON "
                + id
                + " TO "
                + source.user()
                + ";");
      }
      if (chunk != null && (!primaryKey.isEmpty() || mode == TableMode.MIRROR)) {
        SourcePreflight.splitProblem(
                connection, id, primaryKey.isEmpty() ? key : primaryKey, !primaryKey.isEmpty())
            .ifPresent(refusals::add);
      }
      if (mode == TableMode.MIRROR && !key.isEmpty()) {
        String keyType = ColumnChecks.keyTypeProblem(connection, id, key);
        if (keyType != null) {
          refusals.add(keyType);
        }
      }
      if (chunk == null && !(mode == TableMode.MIRROR && key.isEmpty())) {
        refusals.add(
            "Table "
                + id
                + " has no column the initial snapshot can be read by: add a column or exclude"
                + " the table.");
      }
      if (!refusals.isEmpty()) {
        report.refuse(id, refusals);
        continue;
      }
      tables.add(
          new CapturedTable(
              id,
              primaryKey,
              mode == TableMode.APPEND_ONLY ? List.of() : key,
              identity,
              mode,
              chunk));
    }
    refuseLakeNameCollisions(tables);
    if (tables.isEmpty() && !report.refused().isEmpty()) {
      // Nothing is left to capture: the refusals are what stops the start.
      for (List<String> reasons : report.refused().values()) {
        problems.addAll(reasons);
      }
    }
    report.warn(found);
    return tables;
  }

  /** The configured mode, else mirror when the table has a key and append-only when not. */
  static TableMode mode(TableOptions options, List<String> key) {
    if (options.mode() != null) {
      return options.mode();
    }
    return key.isEmpty() ? TableMode.APPEND_ONLY : TableMode.MIRROR;
  }

  /** Two selected tables whose lake tables would have one name: both are refused. */
  private void refuseLakeNameCollisions(List<CapturedTable> tables) {
    Map<String, List<CapturedTable>> byLakeName = new LinkedHashMap<>();
    for (CapturedTable table : tables) {
      byLakeName
          .computeIfAbsent(TableNames.mirrorName(table.id()), k -> new ArrayList<>())
          .add(table);
    }
    for (Map.Entry<String, List<CapturedTable>> entry : byLakeName.entrySet()) {
      if (entry.getValue().size() < 2) {
        continue;
      }
      List<String> names = new ArrayList<>();
      for (CapturedTable table : entry.getValue()) {
        names.add(quoted(table.id()));
      }
      for (CapturedTable table : entry.getValue()) {
        tables.remove(table);
        report.refuse(
            table.id(),
            List.of(
                "Tables "
                    + String.join(" and ", names)
                    + " would both be the lake table "
                    + entry.getKey()
                    + " (lake names are the table's name, prefixed with its schema outside public,"
                    + " in lower case, other characters than a-z, 0-9 and _ replaced by _), so"
                    + " neither is captured: leave all but one out with tables.exclude, or rename"
                    + " one at the source."));
      }
    }
  }
}
