package io.tributary.glue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses Glue-style job arguments ({@code --KEY value}, also {@code --KEY=value}; a key followed by
 * another key or by nothing is a flag with value {@code true}). Arguments that Glue itself adds or
 * consumes are accepted and dropped; any other key that the job does not declare is an error that
 * names it and the nearest valid key.
 */
public final class GlueArguments {

  /**
   * Arguments of AWS Glue and of the launcher script, none of them an option of a Tributary job:
   * every job parameter of AWS Glue's reference ("Using job parameters in AWS Glue jobs"), the
   * arguments that page says Glue uses internally, the arguments Glue adds to every run, and the
   * launcher's main class. A run must never fail on one of them.
   */
  public static final Set<String> GLUE_RESERVED =
      Collections.unmodifiableSet(
          new TreeSet<>(
              List.of(
                  // The job parameter reference.
                  "--additional-python-modules",
                  "--auto-scale-within-microbatch",
                  "--class",
                  "--continuous-log-conversionPattern",
                  "--continuous-log-logGroup",
                  "--continuous-log-logStreamPrefix",
                  "--customer-driver-env-vars",
                  "--customer-executor-env-vars",
                  "--datalake-formats",
                  "--disable-proxy-v2",
                  "--enable-auto-scaling",
                  "--enable-continuous-cloudwatch-log",
                  "--enable-continuous-log-filter",
                  "--enable-glue-datacatalog",
                  "--enable-job-insights",
                  "--enable-lakeformation-fine-grained-access",
                  "--enable-metrics",
                  "--enable-observability-metrics",
                  "--enable-rename-algorithm-v2",
                  "--enable-s3-parquet-optimized-committer",
                  "--enable-spark-ui",
                  "--executor-cores",
                  "--extra-files",
                  "--extra-jars",
                  "--extra-py-files",
                  "--job-bookmark-option",
                  "--job-language",
                  "--python-modules-installer-option",
                  "--scriptLocation",
                  "--spark-event-logs-path",
                  "--TempDir",
                  "--use-postgres-driver",
                  "--user-jars-first",
                  // Used by Glue internally (the same page: never set them).
                  "--conf",
                  "--debug",
                  "--mode",
                  "--JOB_NAME",
                  // Added by Glue to every run.
                  "--JOB_ID",
                  "--JOB_RUN_ID",
                  "--SECURITY_CONFIGURATION",
                  // Documented on other pages of the Glue guide, or by earlier Glue versions.
                  "--disable-proxy",
                  "--encryption-type",
                  "--redshift-tmp-dir",
                  "--write-shuffle-files-to-s3",
                  "--write-shuffle-spills-to-s3",
                  // The launcher script's own (infra/glue/TributaryGlueLauncher.scala).
                  "--tributary-main-class")));

  /**
   * Prefixes of Glue's parameter families: a parameter Glue adds to one of them later is Glue's
   * too. No option of a Tributary job starts with one of them (GlueArgumentsTest checks it).
   */
  public static final List<String> GLUE_RESERVED_PREFIXES =
      List.of("--enable-", "--continuous-log-", "--customer-", "--JOB_");

  /** Whether {@code key} is an argument of AWS Glue or of the launcher, never a job option. */
  public static boolean isGlueReserved(String key) {
    return GLUE_RESERVED.contains(key) || GLUE_RESERVED_PREFIXES.stream().anyMatch(key::startsWith);
  }

  private final Map<String, String> values;

  private GlueArguments(Map<String, String> values) {
    this.values = Collections.unmodifiableMap(values);
  }

  /**
   * Parses {@code args}, accepting the keys in {@code accepted} and Glue's reserved ones.
   *
   * @throws ArgumentException for an unknown or repeated key, or a value without a key
   */
  public static GlueArguments parse(String[] args, Collection<String> accepted) {
    Map<String, String> values = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    int i = 0;
    while (i < args.length) {
      String token = args[i];
      if (!token.startsWith("--") || token.length() == 2) {
        problems.add(
            "'"
                + token
                + "' is not an argument name: arguments are --KEY value pairs, e.g. --table"
                + " orders");
        i++;
        continue;
      }
      String key = token;
      String value = null;
      int eq = token.indexOf('=');
      if (eq > 0) {
        key = token.substring(0, eq);
        value = token.substring(eq + 1);
        i++;
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        value = args[i + 1];
        i += 2;
      } else {
        value = "true";
        i++;
      }
      if (isGlueReserved(key)) {
        continue;
      }
      if (!accepted.contains(key)) {
        String nearest = nearest(key, accepted);
        problems.add(
            "unknown argument "
                + key
                + (nearest == null ? "" : ": did you mean " + nearest + "?")
                + " Valid arguments: "
                + String.join(", ", new TreeSet<>(accepted)));
        continue;
      }
      if (values.containsKey(key)) {
        problems.add("argument " + key + " is given twice: give it once");
        continue;
      }
      values.put(key, value);
    }
    if (!problems.isEmpty()) {
      throw new ArgumentException(String.join("; ", problems));
    }
    return new GlueArguments(values);
  }

  /** Whether the key was given. */
  public boolean has(String key) {
    return values.containsKey(key);
  }

  /** The value, or null when not given. */
  public String get(String key) {
    return values.get(key);
  }

  /** The value, or {@code fallback} when not given. */
  public String get(String key, String fallback) {
    return values.getOrDefault(key, fallback);
  }

  /**
   * The value as a number.
   *
   * @throws ArgumentException when it is not a whole number or below {@code min}
   */
  public long getLong(String key, long fallback, long min) {
    String value = values.get(key);
    if (value == null) {
      return fallback;
    }
    long parsed;
    try {
      parsed = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new ArgumentException(
          "argument " + key + " '" + value + "' is not a whole number: give e.g. " + fallback);
    }
    if (parsed < min) {
      throw new ArgumentException(
          "argument " + key + " is " + parsed + " but must be at least " + min);
    }
    return parsed;
  }

  /**
   * The value as a boolean; a flag without value is true.
   *
   * @throws ArgumentException when it is neither true nor false
   */
  public boolean getBoolean(String key) {
    String value = values.get(key);
    if (value == null) {
      return false;
    }
    switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new ArgumentException(
            "argument " + key + " '" + value + "' is not a boolean: give true or false");
    }
  }

  /** All given job arguments (Glue's reserved ones removed), in the order given. */
  public Map<String, String> asMap() {
    return values;
  }

  /** The accepted key nearest to {@code key} by edit distance, or null when none is close. */
  static String nearest(String key, Collection<String> accepted) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : accepted) {
      int d = distance(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    int threshold = Math.max(2, key.length() / 3);
    return bestDistance <= threshold ? best : null;
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
