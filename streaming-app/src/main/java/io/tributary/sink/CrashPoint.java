package io.tributary.sink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places in the commit path where the fault matrix ({@code tributary faults}) stops the job's
 * process at the worst moment. Off unless the JVM runs with {@value #PROPERTY} naming a file; the
 * matrix arms a point by writing its name into that file, and the process halts (as on SIGKILL: no
 * shutdown hook, no state written) the next time it passes there. A deployed job never sets the
 * property.
 */
public final class CrashPoint {
  private static final Logger LOG = LoggerFactory.getLogger(CrashPoint.class);

  /** The system property that names the arming file. */
  public static final String PROPERTY = "tributary.crash-point.file";

  /**
   * After the first table of a checkpoint that touches several tables is committed, while the other
   * tables' commits run or wait (see {@link CheckpointCommitter}).
   */
  public static final String BETWEEN_TABLES = "between-tables";

  private static final String FILE = System.getProperty(PROPERTY);

  private CrashPoint() {}

  /** Halts the process when {@code point} is armed. */
  static void reached(String point) {
    if (FILE == null) {
      return;
    }
    Path file = Path.of(FILE);
    try {
      if (Files.exists(file)
          && point.equals(Files.readString(file, StandardCharsets.UTF_8).trim())) {
        Files.delete(file);
        LOG.error("Crash point {} reached: halting the process", point);
        Runtime.getRuntime().halt(137);
      }
    } catch (IOException e) {
      LOG.warn("Cannot read the crash point file {}", file, e);
    }
  }
}
