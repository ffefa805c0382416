package io.tributary.glue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The grants of a role's rendered policy that the rehearsal never used, as candidates to remove:
 * each statement's actions against the calls recorded with the role's keys ({@link
 * RecordedAwsCalls}). An S3 call uses a statement's action only when its bucket or object matches
 * one of the statement's resources; calls to other services are recorded without their resource
 * (moto cannot scope them either), so they use the action of every statement that grants it.
 * Statements the AWS service itself uses with the role (its network interfaces, logs, the code it
 * loads, the KMS calls S3 makes for encrypted objects) cannot be exercised here and are listed
 * apart, with the reason.
 */
final class UnusedGrants {
  private UnusedGrants() {}

  /** Statements (by Sid) whose actions the service uses with the role, not the code, and why. */
  static final Map<String, String> SERVICE_SIDE =
      Map.ofEntries(
          Map.entry(
              "UseDataKey",
              "KMS, called by S3, DynamoDB and Secrets Manager for the role's encrypted data (moto"
                  + " does not)"),
          Map.entry("DescribeNetwork", "the service's network interfaces in the VPC"),
          Map.entry("ManageInterfacesInPrivateSubnets", "the service's network interfaces"),
          Map.entry("ReadApplicationJar", "Managed Flink loading the application's jar"),
          Map.entry("WriteApplicationLogs", "Managed Flink's log delivery"),
          Map.entry("FindApplicationLogGroup", "Managed Flink's log delivery"),
          Map.entry("ReadJobCode", "Glue loading the script and the job's jar"),
          Map.entry("ListArtifacts", "Glue loading the job's files"),
          Map.entry("GlueTemporaryFilesAndSparkUi", "Glue's --TempDir and Spark UI logs"),
          Map.entry("GlueConnection", "Glue attaching the job's VPC connection"),
          Map.entry("GlueJobLogs", "Glue's continuous logging"),
          Map.entry("GlueJobMetrics", "Glue's job metrics (--enable-metrics)"));

  /** One statement's outcome: the actions used and those never used. */
  static final class StatementUse {
    final String sid;
    final Set<String> used = new TreeSet<>();
    final Set<String> unused = new TreeSet<>();
    final String serviceSide;

    StatementUse(String sid, String serviceSide) {
      this.sid = sid;
      this.serviceSide = serviceSide;
    }
  }

  /** Each statement of {@code policy} (Terraform's form) against the recorded entries. */
  static List<StatementUse> of(JsonNode policy, Set<String> recorded) {
    List<StatementUse> result = new ArrayList<>();
    for (JsonNode statement : policy.get("Statement")) {
      if (!"Allow".equals(statement.path("Effect").asText())) {
        continue;
      }
      String sid = statement.path("Sid").asText("(no Sid)");
      StatementUse use = new StatementUse(sid, SERVICE_SIDE.get(sid));
      List<String> resources = strings(statement.get("Resource"));
      for (String action : strings(statement.get("Action"))) {
        boolean used = false;
        for (String entry : recorded) {
          int space = entry.indexOf(' ');
          // Actions match without regard to case, resources with it.
          if (matches(
                  action.toLowerCase(Locale.ROOT),
                  entry.substring(0, space).toLowerCase(Locale.ROOT))
              && usesResource(entry.substring(space + 1), resources)) {
            used = true;
            break;
          }
        }
        (used ? use.used : use.unused).add(action);
      }
      result.add(use);
    }
    return result;
  }

  /** The lines of the report for one role: unused grants first, then the service's own. */
  static List<String> lines(String role, List<StatementUse> statements) {
    List<String> lines = new ArrayList<>();
    Map<String, List<String>> serviceSide = new LinkedHashMap<>();
    for (StatementUse s : statements) {
      if (s.serviceSide != null) {
        serviceSide.computeIfAbsent(s.serviceSide, k -> new ArrayList<>()).add(s.sid);
      } else if (!s.unused.isEmpty()) {
        lines.add(
            role
                + ": "
                + s.sid
                + ": never used "
                + String.join(", ", s.unused)
                + (s.used.isEmpty() ? "" : " (used: " + String.join(", ", s.used) + ")"));
      }
    }
    serviceSide.forEach(
        (why, sids) ->
            lines.add(
                role + ": " + String.join(", ", sids) + ": not exercised here (" + why + ")"));
    return lines;
  }

  /** An S3 resource recorded is used by a statement when one of its ARNs matches it. */
  private static boolean usesResource(String recorded, List<String> resources) {
    if (recorded.equals("*")) {
      return true;
    }
    for (String r : resources) {
      if (matches(r, recorded)) {
        return true;
      }
    }
    return false;
  }

  /** IAM's wildcard match: {@code *} any run of characters, {@code ?} one, case as written. */
  static boolean matches(String pattern, String value) {
    StringBuilder regex = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      if (c == '*') {
        regex.append(".*");
      } else if (c == '?') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.matches(regex.toString(), value);
  }

  private static List<String> strings(JsonNode node) {
    List<String> values = new ArrayList<>();
    if (node == null) {
      return values;
    }
    if (node.isArray()) {
      node.forEach(n -> values.add(n.asText()));
    } else {
      values.add(node.asText());
    }
    return values;
  }
}
