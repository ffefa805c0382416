package io.tributary.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

/**
 * The report of {@code tributary bench}: the best figures of the measured rounds against the plain
 * pipeline and {@code pg_recvlogical} of the same run, every round's ratios, and how the pipelines
 * were set up, as Markdown.
 */
final class BenchmarkReport {
  private final int rows;
  private final int changes;
  private final int repeat;
  private final double[] writerCpu;

  BenchmarkReport(int rows, int changes, int repeat, double[] writerCpu) {
    this.rows = rows;
    this.changes = changes;
    this.repeat = repeat;
    this.writerCpu = writerCpu;
  }

  /** Writes the report of the rounds to {@code output}, keeping the commit benchmark's section. */
  void write(Path output, String machine, List<BenchmarkFigures> rounds) throws IOException {
    BenchmarkFigures best = new BenchmarkFigures();
    best.p50 = Double.MAX_VALUE;
    best.plainP50 = Double.MAX_VALUE;
    best.readSeconds = Double.MAX_VALUE;
    best.plainReadSeconds = Double.MAX_VALUE;
    best.snapshotCpu = Double.MAX_VALUE;
    best.streamCpu = Double.MAX_VALUE;
    best.plainSnapshotCpu = Double.MAX_VALUE;
    best.plainStreamCpu = Double.MAX_VALUE;
    for (BenchmarkFigures f : rounds) {
      best.readSeconds = Math.min(best.readSeconds, f.readSeconds);
      best.plainReadSeconds = Math.min(best.plainReadSeconds, f.plainReadSeconds);
      best.snapshotCpu = Math.min(best.snapshotCpu, f.snapshotCpu);
      best.streamCpu = Math.min(best.streamCpu, f.streamCpu);
      best.plainSnapshotCpu = Math.min(best.plainSnapshotCpu, f.plainSnapshotCpu);
      best.plainStreamCpu = Math.min(best.plainStreamCpu, f.plainStreamCpu);
      if (f.snapshotRate > best.snapshotRate) {
        best.snapshotRate = f.snapshotRate;
        best.snapshotSeconds = f.snapshotSeconds;
      }
      if (f.streamRate > best.streamRate) {
        best.streamRate = f.streamRate;
        best.streamSeconds = f.streamSeconds;
      }
      if (f.p50 < best.p50) {
        best.p50 = f.p50;
        best.p99 = f.p99;
      }
      if (f.plainP50 < best.plainP50) {
        best.plainP50 = f.plainP50;
        best.plainP99 = f.plainP99;
      }
      best.referenceRate = Math.max(best.referenceRate, f.referenceRate);
      best.plainSnapshotRate = Math.max(best.plainSnapshotRate, f.plainSnapshotRate);
      best.plainStreamRate = Math.max(best.plainStreamRate, f.plainStreamRate);
    }
    BenchmarkFigures last = rounds.get(rounds.size() - 1);
    StringBuilder md = new StringBuilder();
    md.append("# Benchmarks\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Measured by `./tributary bench --rows %d --changes %d --repeat %d` on %s.%n%n",
            rows,
            changes,
            repeat,
            LocalDate.now()));
    md.append("Machine: ").append(machine).append(".\n\n");
    md.append("Load average at the end of the run (1, 5, 15 min): ")
        .append(MachineInfo.loadAverage())
        .append(
            ". A busy machine slows every pipeline down: compare the ratios, which come from the"
                + " same run, not the absolute figures of different runs.\n\n");
    md.append(
        "Table `(id bigint primary key, two int, two text, numeric(12,2), timestamp)`; embedded"
            + " PostgreSQL 16, local S3 server, JDBC catalog, Flink MiniCluster with parallelism 2,"
            + " 2 s checkpoints, 100,000-row snapshot chunks.\n\n");
    Path chart = chartPath(output);
    md.append("![Every round's snapshot and streaming rates, Tributary against the plain pipeline")
        .append(" and pg_recvlogical](")
        .append(chart.getFileName())
        .append(")\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Best of %d measured rounds (each on a fresh database, after a warm-up round):%n%n",
            rounds.size()));
    md.append(
        "| Figure | Tributary | Plain pipeline (same run) | Tributary / plain |"
            + " `pg_recvlogical` (same WAL, same run) | Tributary / pg_recvlogical |\n"
            + "|---|---|---|---|---|---|\n");
    md.append(
        String.format(
            Locale.ROOT,
            "| Snapshot | %,.0f rows/s (%,d rows in %.1f s) | %,.0f rows/s | %.2fx | | |%n",
            best.snapshotRate,
            rows,
            best.snapshotSeconds,
            best.plainSnapshotRate,
            best.snapshotRate / best.plainSnapshotRate));
    md.append(
        String.format(
            Locale.ROOT,
            "| Streaming, mixed changes until visible | %,.0f changes/s (%,d in %.1f s) | %,.0f"
                + " changes/s | %.2fx | %s | %s |%n",
            best.streamRate,
            changes,
            best.streamSeconds,
            best.plainStreamRate,
            best.streamRate / best.plainStreamRate,
            best.referenceRate > 0
                ? String.format(Locale.ROOT, "%,.0f changes/s", best.referenceRate)
                : "not measured",
            best.referenceRate > 0
                ? String.format(Locale.ROOT, "%.2fx", best.streamRate / best.referenceRate)
                : "-"));
    md.append(
        String.format(
            Locale.ROOT,
            "| Latency, single-row commit to visible in Iceberg | p50 %.0f ms, p99 %.0f ms | p50"
                + " %.0f ms, p99 %.0f ms | %s (p50) | | |%n",
            best.p50,
            best.p99,
            best.plainP50,
            best.plainP99,
            lowerOrHigher(best.p50, best.plainP50)));
    md.append(
        String.format(
            Locale.ROOT,
            "| JVM CPU time for the snapshot (all threads) | %.1f s | %.1f s | %s | | |%n",
            best.snapshotCpu,
            best.plainSnapshotCpu,
            lessOrMore(best.snapshotCpu, best.plainSnapshotCpu)));
    md.append(
        String.format(
            Locale.ROOT,
            "| JVM CPU time for the changes, until visible (all threads) | %.1f s | %.1f s |"
                + " %s | | |%n",
            best.streamCpu,
            best.plainStreamCpu,
            lessOrMore(best.streamCpu, best.plainStreamCpu)));
    md.append(
        String.format(
            Locale.ROOT,
            "| Full read of the table right after the snapshot (data files with their deletes"
                + " applied) | %.1f s | %.1f s | %.2fx faster | | |%n",
            best.readSeconds,
            best.plainReadSeconds,
            best.plainReadSeconds / best.readSeconds));
    md.append(
        String.format(
            Locale.ROOT,
            "%nOne writer thread's CPU time to write %,d upserts of this table (data and"
                + " equality-delete files, in memory, best of 5): %.0f ms with the stream's Parquet"
                + " settings (snappy, 2,000-row pages), %.0f ms with the table defaults (zstd,"
                + " 20,000-row pages), %.1fx less.%n",
            Benchmark.WRITER_ROWS,
            writerCpu[0],
            writerCpu[1],
            writerCpu[1] / writerCpu[0]));
    md.append(
        "\nEvery round (rows/s and changes/s, Tributary / plain; even rounds ran the plain pipeline"
            + " first):\n\n");
    md.append(
        "| Round | Snapshot | Streaming | JVM CPU, snapshot (s) | JVM CPU, changes (s) | Latency"
            + " p50 (ms) |\n|---|---|---|---|---|---|\n");
    double snapshotRatios = 0;
    double streamRatios = 0;
    double snapshotCpuRatios = 0;
    double streamCpuRatios = 0;
    for (int i = 0; i < rounds.size(); i++) {
      BenchmarkFigures f = rounds.get(i);
      snapshotRatios += f.snapshotRate / f.plainSnapshotRate;
      streamRatios += f.streamRate / f.plainStreamRate;
      snapshotCpuRatios += f.plainSnapshotCpu / f.snapshotCpu;
      streamCpuRatios += f.plainStreamCpu / f.streamCpu;
      md.append(
          String.format(
              Locale.ROOT,
              "| %d | %,.0f / %,.0f (%.2fx) | %,.0f / %,.0f (%.2fx) | %.1f / %.1f (%s) |"
                  + " %.1f / %.1f (%s) | %.0f / %.0f (%s) |%n",
              i + 1,
              f.snapshotRate,
              f.plainSnapshotRate,
              f.snapshotRate / f.plainSnapshotRate,
              f.streamRate,
              f.plainStreamRate,
              f.streamRate / f.plainStreamRate,
              f.snapshotCpu,
              f.plainSnapshotCpu,
              lessOrMore(f.snapshotCpu, f.plainSnapshotCpu),
              f.streamCpu,
              f.plainStreamCpu,
              lessOrMore(f.streamCpu, f.plainStreamCpu),
              f.p50,
              f.plainP50,
              lowerOrHigher(f.p50, f.plainP50)));
    }
    int n = rounds.size();
    md.append(
        String.format(
            Locale.ROOT,
            "%nMean of the rounds' ratios: snapshot %.2fx, streaming %.2fx the plain pipeline's"
                + " rate; JVM CPU of the plain pipeline / Tributary's: snapshot %.2fx, changes"
                + " %.2fx.%n",
            snapshotRatios / n,
            streamRatios / n,
            snapshotCpuRatios / n,
            streamCpuRatios / n));
    md.append(
        "\nThe plain pipeline is the same CDC source with its stock row deserializer into Iceberg's"
            + " own `FlinkSink` in upsert mode (equality delete per row, also for snapshot rows), with"
            + " the same chunk size, parallelism and checkpoint interval, run on the same table in the"
            + " same round (after Tributary in odd rounds, before it in even ones). Both pipelines first run a warm-up round (the same rows"
            + " and changes, on another database) in the same JVM, so neither is measured cold. The"
            + " plain pipeline writes with the table's default Parquet codec (zstd); Tributary writes"
            + " the stream's small, short-lived files with snappy and 2,000-row pages (table properties"
            + " `tributary.stream.compression-codec` and `tributary.stream.page-row-limit`), and"
            + " maintenance rewrites them with the table's codec. Both pipelines retry a replication"
            + " slot that is still being released every 250 ms (Debezium's default wait is 10 s,"
            + " which hit either pipeline at random when its stream started). Each pipeline gets its"
            + " own run of the same mixed changes, and the table has enough rows that every update"
            + " and delete of both runs finds its row. Otherwise the plain pipeline runs with Flink"
            + " CDC's and Debezium's defaults, among them Debezium's 500 ms poll interval (how long"
            + " the WAL reader sleeps when it finds nothing, and how long the split fetcher waits"
            + " for a batch to fill); Tributary's sources poll every 50 ms. Both pipelines run in"
            + " one JVM, so the plain pipeline's WAL reader also decodes values with the job's"
            + " `PgOutputColumnValue`, which decodes as Debezium's does and, unlike it, reads"
            + " numeric infinities.\n");
    md.append(
        "\nJVM CPU is the CPU time of the benchmark's JVM (all threads: the CDC reader, the"
            + " pipeline, the local S3 server, the JIT compiler and the garbage collector) while one"
            + " pipeline runs its phase; PostgreSQL's own CPU (applying the changes, decoding the WAL"
            + " for the slot) is not in it. On 2 cores the pipeline, PostgreSQL and the benchmark"
            + " share the same CPUs, so CPU a pipeline saves is CPU the others can use.\n");
    md.append(
        "\nThe streaming figure includes applying the changes at the source and the checkpoint"
            + " interval. The latency is measured with 25 single-row updates per pipeline, each"
            + " after a random pause of up to one checkpoint interval (the same pauses for both"
            + " pipelines), so that the updates fall anywhere in the checkpoint cycle; commits happen"
            + " once per checkpoint, so half the interval is the floor of the median.\n");
    md.append(
        String.format(
            Locale.ROOT,
            "%n`tributary verify` compared the %,d rows of the table with the lake over all"
                + " columns in %.1f s (%s).%n",
            last.verifiedRows,
            last.verifySeconds,
            last.equal ? "equal" : "different"));
    Path parent = output.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(
        chart,
        BenchmarkChart.svg(
            rounds,
            String.format(
                Locale.ROOT,
                "tributary bench --rows %d --changes %d --repeat %d, %s; %s",
                rows,
                changes,
                repeat,
                LocalDate.now(),
                machine)));
    // The figures of the commit and many-tables benchmarks (tributary bench-commit, bench-tables)
    // and the many-tables profile stay.
    String previous = Files.exists(output) ? Files.readString(output) : "";
    for (ReportSection kept :
        List.of(
            CommitBenchmark.SECTION, ManyTablesBenchmark.SECTION, ManyTablesBenchmark.PROFILE)) {
      String section = kept.section(previous);
      if (!section.isEmpty()) {
        md.append('\n').append(section);
      }
    }
    Files.writeString(output, md.toString());
  }

  /** The chart beside the report: {@code benchmarks.md} gets {@code benchmarks.svg}. */
  static Path chartPath(Path output) {
    String name = output.getFileName().toString();
    String stem = name.endsWith(".md") ? name.substring(0, name.length() - 3) : name;
    return output.resolveSibling(stem + ".svg");
  }

  /** "1.20x less" or "1.20x more": Tributary's CPU against the plain pipeline's. */
  private static String lowerOrHigher(double ours, double plain) {
    return ours <= plain
        ? String.format(Locale.ROOT, "%.2fx lower", plain / ours)
        : String.format(Locale.ROOT, "%.2fx higher", ours / plain);
  }

  private static String lessOrMore(double ours, double plain) {
    return ours <= plain
        ? String.format(Locale.ROOT, "%.2fx less", plain / ours)
        : String.format(Locale.ROOT, "%.2fx more", ours / plain);
  }
}
