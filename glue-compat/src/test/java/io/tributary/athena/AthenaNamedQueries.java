package io.tributary.athena;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The named queries analysts start from, as {@code infra/terraform/athena.tf} deploys them: each
 * entry of its {@code named_queries} local with its heredoc SQL, the heredoc's indentation removed
 * as Terraform's {@code <<-} does, and every {@code ${local.*}} reference replaced by the given
 * value. A reference without a value fails, so a query that changes what it refers to is never run
 * half-evaluated.
 */
public final class AthenaNamedQueries {
  private static final Pattern ENTRY = Pattern.compile("^\\s{4}([a-z_]+) = \\{$");
  private static final Pattern HEREDOC = Pattern.compile("^\\s*query\\s*=\\s*<<-(\\w+)$");
  private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([^}]+)}");

  private AthenaNamedQueries() {}

  /**
   * The queries of {@code athena.tf} by their key in {@code named_queries}, in the file's order.
   *
   * @param references the values of the references the queries make ({@code local.example_table},
   *     {@code local.glue_database_name})
   */
  public static Map<String, String> read(Path terraformDir, Map<String, String> references)
      throws IOException {
    Path file = terraformDir.resolve("athena.tf");
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Map<String, String> queries = new LinkedHashMap<>();
    boolean inLocal = false;
    String entry = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.trim().startsWith("named_queries = {")) {
        inLocal = true;
        continue;
      }
      if (!inLocal) {
        continue;
      }
      if (line.equals("  }")) {
        break;
      }
      Matcher e = ENTRY.matcher(line);
      if (e.matches()) {
        entry = e.group(1);
        continue;
      }
      Matcher h = HEREDOC.matcher(line);
      if (h.matches() && entry != null) {
        String marker = h.group(1);
        StringBuilder body = new StringBuilder();
        int j = i + 1;
        while (!lines.get(j).trim().equals(marker)) {
          body.append(lines.get(j)).append('\n');
          j++;
        }
        queries.put(entry, evaluate(entry, body.toString().stripIndent(), references));
        i = j;
      }
    }
    if (queries.isEmpty()) {
      throw new IllegalStateException("No named_queries with a heredoc query in " + file);
    }
    return queries;
  }

  private static String evaluate(String entry, String sql, Map<String, String> references) {
    Matcher m = INTERPOLATION.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = references.get(m.group(1).trim());
      if (value == null) {
        throw new IllegalStateException(
            "The named query "
                + entry
                + " of athena.tf refers to ${"
                + m.group(1)
                + "}, which has no value here: add it to the references");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
