package io.tributary.local;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a local run resumes: the newest of the last savepoint and the retained checkpoints whose
 * metadata Flink can read. A run killed or starved of disk space while a checkpoint was finalized
 * can leave a checkpoint folder whose {@code _metadata} is cut short; resuming from it would fail
 * at every start, so such a folder is passed over (with a warning naming it) for the next older
 * one.
 */
final class ResumePoints {
  private static final Logger LOG = LoggerFactory.getLogger(ResumePoints.class);

  private ResumePoints() {}

  /** A savepoint or checkpoint folder and the time its metadata was written. */
  private static final class Candidate {
    final Path dir;
    final long written;

    Candidate(Path dir, long written) {
      this.dir = dir;
      this.written = written;
    }
  }

  /**
   * The newest readable resume point of a working folder laid out as {@code tributary local} lays
   * it out ({@code flink/checkpoints/<job>/chk-N}, {@code flink/last-savepoint}), if any.
   *
   * @param classLoader the loader of the job's classes, which the metadata names
   */
  static Optional<Path> newest(Path workdir, ClassLoader classLoader) throws IOException {
    List<Candidate> candidates = new ArrayList<>();
    Path lastSavepoint = workdir.resolve("flink/last-savepoint");
    if (Files.exists(lastSavepoint)) {
      String s = Files.readString(lastSavepoint).trim();
      Path p = Path.of(s.startsWith("file:") ? URI.create(s).getPath() : s);
      Path metadata = p.resolve("_metadata");
      if (Files.exists(metadata)) {
        candidates.add(new Candidate(p, Files.getLastModifiedTime(metadata).toMillis()));
      }
    }
    Path checkpointDir = workdir.resolve("flink/checkpoints");
    if (Files.isDirectory(checkpointDir)) {
      try (Stream<Path> files = Files.walk(checkpointDir, 3)) {
        for (Path metadata :
            (Iterable<Path>)
                files
                        .filter(f -> f.getFileName().toString().equals("_metadata"))
                        .filter(f -> f.getParent().getFileName().toString().startsWith("chk-"))
                    ::iterator) {
          candidates.add(
              new Candidate(metadata.getParent(), Files.getLastModifiedTime(metadata).toMillis()));
        }
      }
    }
    candidates.sort(Comparator.comparingLong((Candidate c) -> c.written).reversed());
    for (Candidate c : candidates) {
      String unreadable = unreadable(c.dir.resolve("_metadata"), classLoader);
      if (unreadable == null) {
        return Optional.of(c.dir);
      }
      LOG.warn(
          "Not resuming from {}: its metadata cannot be read ({}); trying the next older one",
          c.dir,
          unreadable);
    }
    return Optional.empty();
  }

  /** Why Flink cannot read a checkpoint's metadata file, or null when it can. */
  static String unreadable(Path metadata, ClassLoader classLoader) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(metadata));
        DataInputStream data = new DataInputStream(in)) {
      Checkpoints.loadCheckpointMetadata(data, classLoader, metadata.getParent().toString());
      return null;
    } catch (IOException | RuntimeException e) {
      return e.toString();
    }
  }
}
