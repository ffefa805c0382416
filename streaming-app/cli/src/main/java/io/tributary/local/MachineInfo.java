package io.tributary.local;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The machine a benchmark runs on, as its report names it. */
final class MachineInfo {
  private MachineInfo() {}

  /** The load average (1, 5, 15 minutes), or "unknown" where /proc has none. */
  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return parts[0] + ", " + parts[1] + ", " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** Cores, CPU model, memory and Java of this machine. */
  @SuppressWarnings("deprecation") // getTotalPhysicalMemorySize: the Java 11 name
  static String machine() {
    String cpu = "unknown CPU";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    long memory =
        ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getTotalPhysicalMemorySize();
    return String.format(
        Locale.ROOT,
        "%d cores (%s), %.0f GiB memory, Java %s (%s)",
        Runtime.getRuntime().availableProcessors(),
        cpu,
        memory / (1024.0 * 1024 * 1024),
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"));
  }
}
