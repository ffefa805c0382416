package io.tributary.local;

/** The figures of one round of {@link Benchmark}: Tributary's and the plain pipeline's. */
final class BenchmarkFigures {
  double snapshotRate;
  double snapshotSeconds;
  double streamRate;
  double streamSeconds;
  double p50;
  double p99;
  double plainP50;
  double plainP99;
  double referenceRate = -1;
  double plainSnapshotRate;
  double readSeconds;
  double plainReadSeconds;
  double plainStreamRate;
  double verifySeconds;
  long verifiedRows;
  double snapshotCpu;
  double streamCpu;
  double plainSnapshotCpu;
  double plainStreamCpu;
  boolean equal;
}
