package io.tributary.job;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runtime property groups of the Managed Flink application as {@code infra/terraform/flink.tf}
 * deploys them: the literal map {@code flink_property_groups_all} read from the file, each value
 * evaluated with the given variables (the defaults of {@code variables.tf} where a variable is not
 * given) and the given values of the resources and data sources Terraform would create. Like
 * Terraform, null and empty values are dropped. A reference this class cannot resolve fails, so
 * that a setting added to the Terraform is never silently left out.
 */
final class TerraformPropertyGroups {
  private static final Pattern GROUP_START =
      Pattern.compile("^\\s*([A-Za-z_][\\w-]*)\\s*=\\s*\\{$");
  private static final Pattern ENTRY = Pattern.compile("^\\s*\"([^\"]+)\"\\s*=\\s*(.+?)\\s*$");
  private static final Pattern VARIABLE = Pattern.compile("^variable \"([\\w-]+)\" \\{$");
  private static final Pattern DEFAULT = Pattern.compile("^\\s*default\\s*=\\s*(.+?)\\s*$");
  private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([^}]+)}");
  private static final Pattern CALL = Pattern.compile("^tostring\\((.+)\\)$");

  private TerraformPropertyGroups() {}

  /** The directory of the Terraform configuration, found from the module's working directory. */
  static Path terraformDir() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("infra").resolve("terraform");
      if (Files.isRegularFile(candidate.resolve("flink.tf"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("infra/terraform/flink.tf not found above the working dir");
  }

  /**
   * The unevaluated expressions of {@code flink_property_groups_all}: group -> key -> expression.
   */
  static Map<String, Map<String, String>> expressions(Path terraformDir) throws IOException {
    List<String> lines =
        Files.readAllLines(terraformDir.resolve("flink.tf"), StandardCharsets.UTF_8);
    Map<String, Map<String, String>> groups = new LinkedHashMap<>();
    int i = 0;
    while (i < lines.size() && !lines.get(i).trim().startsWith("flink_property_groups_all = {")) {
      i++;
    }
    if (i == lines.size()) {
      throw new IllegalStateException("flink.tf has no flink_property_groups_all map");
    }
    Map<String, String> group = null;
    for (i++; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher start = GROUP_START.matcher(line);
      Matcher entry = ENTRY.matcher(line);
      if (group == null && start.matches()) {
        group = new LinkedHashMap<>();
        groups.put(start.group(1), group);
      } else if (group != null && entry.matches()) {
        group.put(entry.group(1), entry.group(2));
      } else if (line.equals("}")) {
        if (group == null) {
          return groups;
        }
        group = null;
      } else {
        throw new IllegalStateException("flink.tf: cannot read line '" + line + "'");
      }
    }
    throw new IllegalStateException("flink.tf: flink_property_groups_all is not closed");
  }

  /** The single-line defaults of {@code variables.tf}, as Terraform expressions. */
  static Map<String, String> variableDefaults(Path terraformDir) throws IOException {
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

  /**
   * The property groups Terraform deploys.
   *
   * @param variables the values of {@code var.*} (like a tfvars file), as strings; a variable not
   *     given takes its default
   * @param references the values of the other references ({@code local.*}, resource attributes)
   */
  static Map<String, Properties> evaluate(
      Path terraformDir, Map<String, String> variables, Map<String, String> references)
      throws IOException {
    Map<String, String> defaults = variableDefaults(terraformDir);
    Function<String, String> resolve =
        reference -> {
          if (reference.startsWith("var.")) {
            String name = reference.substring(4);
            if (variables.containsKey(name)) {
              return variables.get(name);
            }
            if (!defaults.containsKey(name)) {
              throw new IllegalStateException(
                  "Terraform variable " + name + " has no default: give it a value");
            }
            return literal(defaults.get(name));
          }
          if (!references.containsKey(reference)) {
            throw new IllegalStateException(
                "flink.tf refers to " + reference + ": give the value Terraform would use");
          }
          return references.get(reference);
        };
    Map<String, Properties> groups = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, String>> group : expressions(terraformDir).entrySet()) {
      Properties properties = new Properties();
      for (Map.Entry<String, String> entry : group.getValue().entrySet()) {
        String value = evaluate(entry.getValue(), resolve);
        if (value != null && !value.isEmpty()) {
          properties.setProperty(entry.getKey(), value);
        }
      }
      groups.put(group.getKey(), properties);
    }
    return groups;
  }

  private static String evaluate(String expression, Function<String, String> resolve) {
    String e = expression.trim();
    Matcher call = CALL.matcher(e);
    if (call.matches()) {
      return evaluate(call.group(1), resolve);
    }
    if (e.startsWith("\"") && e.endsWith("\"")) {
      Matcher m = INTERPOLATION.matcher(e.substring(1, e.length() - 1));
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String value = evaluate(m.group(1), resolve);
        m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value));
      }
      m.appendTail(out);
      return out.toString();
    }
    if (e.matches("[A-Za-z_][\\w-]*(\\.[\\w-]+)+")) {
      return resolve.apply(e);
    }
    throw new IllegalStateException("Cannot evaluate the Terraform expression " + e);
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
