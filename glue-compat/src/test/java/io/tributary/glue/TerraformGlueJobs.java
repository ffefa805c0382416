package io.tributary.glue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The default arguments of the Glue jobs as {@code infra/terraform/glue_jobs.tf} deploys them: the
 * argument maps of its {@code locals} block read from the file, merged per job as the job's {@code
 * default_arguments = merge(...)} says, each value evaluated with the given variables (the defaults
 * of {@code variables.tf} where a variable is not given) and the given values of the resources
 * Terraform would create. A conditional map ({@code var.X == null ? {} : {...}}) is empty when the
 * variable is null, as in Terraform. A reference this class cannot resolve fails, so that an
 * argument added to the Terraform is never silently left out.
 */
final class TerraformGlueJobs {
  private static final Pattern MAP_START =
      Pattern.compile("^([a-z_][\\w]*)\\s*=\\s*(?:var\\.([\\w]+) == null \\? \\{\\} : )?\\{$");
  private static final Pattern ENTRY = Pattern.compile("^\"([^\"]+)\"\\s*=\\s*(.+?)$");
  private static final Pattern LOCAL = Pattern.compile("^([a-z_][\\w]*)\\s*=\\s*(\".*\")$");
  private static final Pattern JOIN_START =
      Pattern.compile("^([a-z_][\\w]*)\\s*=\\s*join\\(\"([^\"]*)\", \\[$");
  private static final Pattern JOB =
      Pattern.compile("^resource \"aws_glue_job\" \"([\\w]+)\" \\{$");
  private static final Pattern DEFAULTS =
      Pattern.compile("^default_arguments\\s*=\\s*merge\\((.+)\\)$");
  private static final Pattern VARIABLE = Pattern.compile("^variable \"([\\w-]+)\" \\{$");
  private static final Pattern DEFAULT = Pattern.compile("^\\s*default\\s*=\\s*(.+?)\\s*$");
  private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([^}]+)}");
  private static final Pattern CALL = Pattern.compile("^tostring\\((.+)\\)$");

  private final Map<String, String> variables;
  private final Map<String, String> references;
  private final Map<String, String> defaults;
  private final Map<String, Map<String, String>> maps = new LinkedHashMap<>();
  private final Map<String, String> mapConditions = new LinkedHashMap<>();
  private final Map<String, String> locals = new LinkedHashMap<>();
  private final Map<String, List<String>> jobMaps = new LinkedHashMap<>();

  private TerraformGlueJobs(
      Path terraformDir, Map<String, String> variables, Map<String, String> references)
      throws IOException {
    this.variables = variables;
    this.references = references;
    this.defaults = variableDefaults(terraformDir);
    read(Files.readAllLines(terraformDir.resolve("glue_jobs.tf"), StandardCharsets.UTF_8));
  }

  /**
   * Reads {@code glue_jobs.tf}.
   *
   * @param variables the values of {@code var.*} (like a tfvars file), as strings
   * @param references the values of the other references (resource attributes, {@code local.*} of
   *     other files)
   */
  static TerraformGlueJobs read(
      Path terraformDir, Map<String, String> variables, Map<String, String> references)
      throws IOException {
    return new TerraformGlueJobs(terraformDir, variables, references);
  }

  /** The directory of the Terraform configuration, found from the module's working directory. */
  static Path terraformDir() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("infra").resolve("terraform");
      if (Files.isRegularFile(candidate.resolve("glue_jobs.tf"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("infra/terraform/glue_jobs.tf not found above the working dir");
  }

  private void read(List<String> lines) {
    Map<String, String> map = null;
    List<String> join = null;
    String joinName = null;
    String joinSeparator = null;
    String job = null;
    for (String raw : lines) {
      String line = raw.trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (map != null) {
        Matcher entry = ENTRY.matcher(line);
        if (entry.matches()) {
          map.put(entry.group(1), entry.group(2));
        } else if (line.equals("}")) {
          map = null;
        } else {
          throw new IllegalStateException("glue_jobs.tf: cannot read map entry '" + line + "'");
        }
        continue;
      }
      if (join != null) {
        if (line.equals("])")) {
          locals.put(joinName, join(joinSeparator, join));
          join = null;
        } else {
          join.add(line.replaceAll(",$", ""));
        }
        continue;
      }
      Matcher start = MAP_START.matcher(line);
      Matcher local = LOCAL.matcher(line);
      Matcher joinStart = JOIN_START.matcher(line);
      Matcher jobStart = JOB.matcher(line);
      Matcher defaultArguments = DEFAULTS.matcher(line);
      if (start.matches() && start.group(1).endsWith("_arguments")) {
        map = new LinkedHashMap<>();
        maps.put(start.group(1), map);
        if (start.group(2) != null) {
          mapConditions.put(start.group(1), start.group(2));
        }
      } else if (joinStart.matches()) {
        join = new ArrayList<>();
        joinName = joinStart.group(1);
        joinSeparator = joinStart.group(2);
      } else if (local.matches() && raw.startsWith("  ") && !raw.startsWith("   ")) {
        locals.put(local.group(1), local.group(2));
      } else if (jobStart.matches()) {
        job = jobStart.group(1);
      } else if (job != null && defaultArguments.matches()) {
        List<String> merged = new ArrayList<>();
        for (String part : defaultArguments.group(1).split(",")) {
          String name = part.trim();
          if (!name.startsWith("local.")) {
            throw new IllegalStateException("glue_jobs.tf: cannot merge " + name + " of " + job);
          }
          merged.add(name.substring("local.".length()));
        }
        jobMaps.put(job, merged);
        job = null;
      }
    }
  }

  /** The evaluated elements of a {@code join(sep, [...])}, joined. */
  private String join(String separator, List<String> elements) {
    List<String> values = new ArrayList<>();
    for (String element : elements) {
      values.add(evaluate(element));
    }
    return "\"" + String.join(separator, values).replace("\"", "\\\"") + "\"";
  }

  /**
   * The default arguments of {@code resource "aws_glue_job" "<job>"}, evaluated; like Terraform,
   * null and empty values are dropped.
   */
  Map<String, String> defaultArguments(String job) {
    List<String> merged = jobMaps.get(job);
    if (merged == null) {
      throw new IllegalStateException("glue_jobs.tf has no aws_glue_job " + job);
    }
    Map<String, String> arguments = new LinkedHashMap<>();
    for (String name : merged) {
      Map<String, String> map = maps.get(name);
      if (map == null) {
        throw new IllegalStateException("glue_jobs.tf: the map local." + name + " is not defined");
      }
      String condition = mapConditions.get(name);
      if (condition != null && variable(condition) == null) {
        continue;
      }
      for (Map.Entry<String, String> entry : map.entrySet()) {
        String value = evaluate(entry.getValue());
        if (value != null && !value.isEmpty()) {
          arguments.put(entry.getKey(), value);
        } else {
          arguments.remove(entry.getKey());
        }
      }
    }
    return arguments;
  }

  private String variable(String name) {
    if (variables.containsKey(name)) {
      return variables.get(name);
    }
    if (!defaults.containsKey(name)) {
      throw new IllegalStateException("Terraform variable " + name + " has no default: give it");
    }
    return literal(defaults.get(name));
  }

  private String resolve(String reference) {
    if (reference.startsWith("var.")) {
      return variable(reference.substring(4));
    }
    if (reference.startsWith("local.") && locals.containsKey(reference.substring(6))) {
      return evaluate(locals.get(reference.substring(6)));
    }
    if (!references.containsKey(reference)) {
      throw new IllegalStateException(
          "glue_jobs.tf refers to " + reference + ": give the value Terraform would use");
    }
    return references.get(reference);
  }

  private String evaluate(String expression) {
    String e = expression.trim();
    Matcher call = CALL.matcher(e);
    if (call.matches()) {
      return evaluate(call.group(1));
    }
    if (e.startsWith("\"") && e.endsWith("\"")) {
      String body = e.substring(1, e.length() - 1).replace("\\\"", "\"");
      Matcher m = INTERPOLATION.matcher(body);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String value = evaluate(m.group(1));
        m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value));
      }
      m.appendTail(out);
      return out.toString();
    }
    if (e.matches("[A-Za-z_][\\w-]*(\\.[\\w-]+|\\[\"[\\w-]+\"])+")) {
      return resolve(e);
    }
    throw new IllegalStateException("Cannot evaluate the Terraform expression " + e);
  }

  /** The single-line defaults of {@code variables.tf}, as Terraform expressions. */
  private static Map<String, String> variableDefaults(Path terraformDir) throws IOException {
    Map<String, String> defaults = new LinkedHashMap<>();
    String variable = null;
    for (String line :
        Files.readAllLines(terraformDir.resolve("variables.tf"), StandardCharsets.UTF_8)) {
      Matcher start = VARIABLE.matcher(line);
      Matcher value = DEFAULT.matcher(line);
      if (start.matches()) {
        variable = start.group(1);
      } else if (line.equals("}")) {
        variable = null;
      } else if (variable != null && value.matches() && !defaults.containsKey(variable)) {
        defaults.put(variable, value.group(1));
      }
    }
    return defaults;
  }

  /** The value of a literal default: a quoted string, a number, a boolean, or null. */
  private static String literal(String expression) {
    if (expression.equals("null")) {
      return null;
    }
    if (expression.startsWith("\"") && expression.endsWith("\"")) {
      return expression.substring(1, expression.length() - 1);
    }
    if (expression.matches("-?\\d+(\\.\\d+)?|true|false")) {
      return expression;
    }
    throw new IllegalStateException("Cannot read the Terraform default " + expression);
  }
}
