package io.tributary.source.postgres;

import io.tributary.change.TableId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one run of the preflight found besides its blocking problems: the warnings, and the tables
 * refused with their reasons. Each is logged as it is recorded.
 */
final class PreflightReport {
  // Logs under the preflight's name, as before the check was split by subject.
  private static final Logger LOG = LoggerFactory.getLogger(SourcePreflight.class);

  private final List<String> warnings = new ArrayList<>();
  private final Map<TableId, List<String>> refused = new LinkedHashMap<>();

  /** Whether findings are logged as they are recorded. */
  private final boolean logged;

  PreflightReport() {
    this(true);
  }

  /**
   * @param logged whether findings are logged as they are recorded (not when a command asks only
   *     which tables the preflight refuses)
   */
  PreflightReport(boolean logged) {
    this.logged = logged;
  }

  void clear() {
    warnings.clear();
    refused.clear();
  }

  List<String> warnings() {
    return Collections.unmodifiableList(warnings);
  }

  Map<TableId, List<String>> refused() {
    return Collections.unmodifiableMap(refused);
  }

  void refuse(TableId id, List<String> reasons) {
    for (String reason : reasons) {
      if (logged) {
        LOG.warn("Not capturing {}: {}", id, reason);
      }
    }
    refused.computeIfAbsent(id, k -> new ArrayList<>()).addAll(reasons);
  }

  void warn(List<String> found) {
    for (String warning : found) {
      if (logged) {
        LOG.warn("Preflight: {}", warning);
      }
      warnings.add(warning);
    }
  }
}
