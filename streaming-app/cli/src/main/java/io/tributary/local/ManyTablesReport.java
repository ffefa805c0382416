package io.tributary.local;

import io.tributary.local.ManyTablesBenchmark.Run;
import io.tributary.sink.WriterCpuBenchmark;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

/** The many-tables benchmark's section of docs/benchmarks.md, from one run's figures. */
final class ManyTablesReport {
  private final int tables;
  private final int rowsPerTable;
  private final long rows;
  private final int changes;
  private final int repeat;
  private final Duration checkpoint;
  private final double[] smallFiles;
  private final double[] barrier;

  /**
   * @param smallFiles writer CPU ms of one small file pair: {the stream's writers, Iceberg's}
   * @param barrier seconds of one barrier over every table: {one after the other, at once}
   */
  ManyTablesReport(
      int tables,
      int rowsPerTable,
      int changes,
      int repeat,
      Duration checkpoint,
      double[] smallFiles,
      double[] barrier) {
    this.tables = tables;
    this.rowsPerTable = rowsPerTable;
    this.rows = (long) tables * rowsPerTable;
    this.changes = changes;
    this.repeat = repeat;
    this.checkpoint = checkpoint;
    this.smallFiles = smallFiles;
    this.barrier = barrier;
  }

  String markdown(String machine, List<Run[]> rounds, List<String> loads) {
    StringBuilder md = new StringBuilder();
    md.append(ManyTablesBenchmark.SECTION.start())
        .append("\n## Many small tables against one table\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Measured by `./tributary bench-tables --tables %d --rows-per-table %d --changes %d"
                + " --checkpoint-seconds %d --repeat %d` on %s.%n%n",
            tables,
            rowsPerTable,
            changes,
            checkpoint.toSeconds(),
            repeat,
            LocalDate.now()));
    md.append("Machine: ").append(machine).append(".\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "The same job (parallelism 2, %d s checkpoints, %,d-row snapshot chunks) captures %d"
                + " tables of %,d rows, and, on another database, one table of the same %,d rows"
                + " (the shape of `tributary bench`'s table); one job after the other in each"
                + " round (every other round starts with the one table), after a warm-up round of"
                + " both. The snapshot runs from the job's start until every table holds all its"
                + " rows in the lake. Then %,d mixed changes (60%% updates, 20%% deletes, 20%%"
                + " inserts) are applied in transactions of %d changes on one table each, going"
                + " round the tables, and timed until every table has committed its last change."
                + " After each job `verify` compared every table with the source over all"
                + " columns: equal in every round.%n%n",
            checkpoint.toSeconds(),
            ManyTablesBenchmark.CHUNK_ROWS,
            tables,
            rowsPerTable,
            rows,
            changes,
            ManyTablesBenchmark.TRANSACTION));
    md.append(
        "| Round | Snapshot, many tables | Snapshot, one table | Many / one (time) |"
            + " Changes, many tables | Changes, one table | Many / one (time) |"
            + " Load average after the round (1, 5, 15 min) |\n");
    md.append("|---|---|---|---|---|---|---|---|\n");
    double snapshotRatios = 0;
    double streamRatios = 0;
    for (int i = 0; i < rounds.size(); i++) {
      Run many = rounds.get(i)[0];
      Run one = rounds.get(i)[1];
      snapshotRatios += many.snapshotSeconds / one.snapshotSeconds;
      streamRatios += many.streamSeconds / one.streamSeconds;
      md.append(
          String.format(
              Locale.ROOT,
              "| %d | %,.0f rows/s (%.1f s) | %,.0f rows/s (%.1f s) | %.2fx | %,.0f changes/s"
                  + " (%.1f s) | %,.0f changes/s (%.1f s) | %.2fx | %s |%n",
              i + 1,
              rows / many.snapshotSeconds,
              many.snapshotSeconds,
              rows / one.snapshotSeconds,
              one.snapshotSeconds,
              many.snapshotSeconds / one.snapshotSeconds,
              changes / many.streamSeconds,
              many.streamSeconds,
              changes / one.streamSeconds,
              one.streamSeconds,
              many.streamSeconds / one.streamSeconds,
              loads.get(i)));
    }
    md.append(
        String.format(
            Locale.ROOT,
            "%nMean of the rounds' ratios (time for %d tables / time for one table): snapshot"
                + " %.2fx, changes %.2fx.%n",
            tables,
            snapshotRatios / rounds.size(),
            streamRatios / rounds.size()));
    md.append(
        String.format(
            Locale.ROOT,
            "%nAfter its changes each job stayed idle for %d s: the checkpoints it completed"
                + " meanwhile (Flink's durations), the heap right after a full collection (the"
                + " lowest of three; the JVM also holds the local stack's S3 server) and the JVM's"
                + " live threads.%n%n",
            ManyTablesBenchmark.IDLE.toSeconds()));
    md.append(
        "| Round | Idle checkpoints, many tables (p50 / max ms) | One table |"
            + " Heap after full GC, many tables | One table | Threads, many tables |"
            + " One table |\n|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < rounds.size(); i++) {
      Run many = rounds.get(i)[0];
      Run one = rounds.get(i)[1];
      md.append(
          String.format(
              Locale.ROOT,
              "| %d | %s (%d) | %s (%d) | %.0f MB | %.0f MB | %d | %d |%n",
              i + 1,
              ManyTablesBenchmark.idleCheckpoints(many),
              many.idleCheckpointMillis.size(),
              ManyTablesBenchmark.idleCheckpoints(one),
              one.idleCheckpointMillis.size(),
              many.idleHeapMb,
              one.idleHeapMb,
              many.idleThreads,
              one.idleThreads));
    }
    md.append(
        String.format(
            Locale.ROOT,
            "%nThe writer's cost per table a checkpoint touches, measured in the same run (best of"
                + " 5 repeats of %d file pairs, in memory): writing one small file pair (a data"
                + " file of %d rows and the equality-delete file of their keys, each opened,"
                + " written and closed) takes %.2f ms of the writer thread's CPU with the stream's"
                + " writers and %.2f ms with Iceberg's appender factory and the same settings"
                + " (%.2fx); the difference is Iceberg parsing Hadoop's XML defaults for every"
                + " file it opens, which the stream's writers skip (`HadoopDefaults`).%n",
            ManyTablesBenchmark.SMALL_FILES,
            ManyTablesBenchmark.TRANSACTION,
            smallFiles[0],
            smallFiles[1],
            smallFiles[1] / smallFiles[0]));
    md.append(
        String.format(
            Locale.ROOT,
            "%nAnd the writer's wait at a barrier, measured in the same run (best of 3, files in"
                + " memory, each upload made %d ms longer as a stand-in for S3's latency): closing"
                + " the open files of %d tables with %d upserts each (a data file and an"
                + " equality-delete file per table) took %.2f s one table after the other and"
                + " %.2f s with %d tables at once, as the writer now closes them (%.1fx;"
                + " `SegmentCloser`). The local S3 server of the rounds above answers in about a"
                + " millisecond, so the rounds show little of this.%n",
            ManyTablesBenchmark.UPLOAD_MILLIS,
            Math.min(tables, ManyTablesBenchmark.BARRIER_TABLES),
            ManyTablesBenchmark.TRANSACTION,
            barrier[0],
            barrier[1],
            WriterCpuBenchmark.CLOSE_THREADS,
            barrier[0] / barrier[1]));
    md.append(ManyTablesBenchmark.SECTION.end()).append("\n");
    return md.toString();
  }
}
