package io.tributary.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Reads the configuration once at start-up: from a YAML file when run locally, or from the runtime
 * property groups of Amazon Managed Service for Apache Flink in AWS. Both give the same {@link
 * TributaryConfig} for the same values.
 */
public final class ConfigLoader {

  private ConfigLoader() {}

  /**
   * Reads and validates a YAML file.
   *
   * @throws ConfigException naming the file when it is missing, unreadable or not valid YAML, and
   *     listing every invalid key or value otherwise
   */
  public static TributaryConfig fromYaml(Path file) {
    Path absolute = file.toAbsolutePath();
    String yaml;
    try {
      yaml = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(
          "Configuration file "
              + absolute
              + " does not exist: pass the path of a YAML configuration file (see"
              + " config/tributary.example.yaml)",
          e);
    } catch (AccessDeniedException e) {
      throw new ConfigException(
          "Configuration file "
              + absolute
              + " cannot be read (permission denied): make it readable by the user running the"
              + " job",
          e);
    } catch (IOException e) {
      throw new ConfigException(
          "Configuration file " + absolute + " cannot be read: " + e.getMessage(), e);
    }
    return fromYaml(
        yaml, "Configuration file " + absolute, "Invalid configuration file " + absolute);
  }

  /**
   * Reads and validates YAML text.
   *
   * @throws ConfigException on a syntax error (with line and column) or invalid configuration
   */
  public static TributaryConfig fromYamlString(String yaml) {
    return fromYaml(yaml, "The configuration", "Invalid configuration");
  }

  /**
   * Reads and validates Managed Flink runtime property groups: group ids are the YAML sections
   * ({@code source}, {@code tables}, {@code sink}, {@code job}) and {@code table.<schema>.<table>}
   * for table options; keys are the YAML paths below the section joined with dots.
   *
   * @throws ConfigException listing every unknown group or key and every invalid value
   */
  public static TributaryConfig fromPropertyGroups(Map<String, Properties> groups) {
    if (groups == null || groups.isEmpty()) {
      throw new ConfigException(
          "No runtime properties are configured: add the property groups source, tables and sink"
              + " (and optionally job) as described in docs/configuration.md");
    }
    return ConfigBinder.bind(
        PropertyGroupReader.read(groups), "Invalid Managed Flink runtime properties");
  }

  private static TributaryConfig fromYaml(String yaml, String source, String context) {
    return ConfigBinder.bind(YamlConfigReader.read(yaml, source), context);
  }
}
