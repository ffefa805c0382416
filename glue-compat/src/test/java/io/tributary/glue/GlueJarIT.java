package io.tributary.glue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Glue jar holds the jobs, the lake model and the PostgreSQL driver, and nothing of the Flink
 * job: no Flink class, no class of the streaming app, and no class of its own that refers to Flink.
 */
class GlueJarIT {

  private static Path glueJar() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files
          .filter(
              p -> {
                String name = p.getFileName().toString();
                return name.startsWith("tributary-glue-compat-") && name.endsWith(".jar");
              })
          .findFirst()
          .orElseThrow(
              () ->
                  new AssertionError("no tributary-glue-compat-*.jar in target/: run mvn package"));
    }
  }

  @Test
  void holdsTheJobsAndTheLakeModelAndNoFlinkJob() throws Exception {
    List<String> entries;
    List<String> flinkReferences = new ArrayList<>();
    try (JarFile jar = new JarFile(glueJar().toFile())) {
      entries = jar.stream().map(JarEntry::getName).collect(Collectors.toList());
      Enumeration<JarEntry> all = jar.entries();
      while (all.hasMoreElements()) {
        JarEntry e = all.nextElement();
        if (e.getName().startsWith("io/tributary/") && e.getName().endsWith(".class")) {
          try (InputStream in = jar.getInputStream(e)) {
            String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            if (text.contains("org/apache/flink/")) {
              flinkReferences.add(e.getName());
            }
          }
        }
      }
    }
    assertThat(entries)
        .contains(
            "io/tributary/maintenance/MaintenanceJob.class",
            "io/tributary/backfill/BackfillJob.class",
            "io/tributary/glue/GlueArguments.class",
            "io/tributary/config/TributaryConfig.class",
            "io/tributary/catalog/CatalogSpecs.class",
            "io/tributary/change/TableId.class",
            "io/tributary/sink/TableNames.class",
            "io/tributary/sink/StreamMarkers.class",
            "io/tributary/control/JobRecords.class",
            "org/postgresql/Driver.class");
    assertThat(entries)
        .noneMatch(e -> e.startsWith("org/apache/flink/"))
        .noneMatch(e -> e.startsWith("org/apache/spark/"))
        .noneMatch(e -> e.startsWith("META-INF/services/org.apache.flink"))
        .noneMatch(e -> e.startsWith("io/tributary/job/"))
        .noneMatch(e -> e.startsWith("io/tributary/cli/"))
        .noneMatch(e -> e.startsWith("io/tributary/local/"))
        .noneMatch(e -> e.startsWith("io/tributary/source/"))
        .noneMatch(e -> e.startsWith("io/tributary/metrics/"))
        .noneMatch(e -> e.startsWith("io/tributary/sink/IcebergWriterOperator"))
        .noneMatch(e -> e.startsWith("io/tributary/sink/IcebergCommitterOperator"))
        .noneMatch(e -> e.startsWith("io/tributary/sink/TableManager"))
        .noneMatch(e -> e.startsWith("io/tributary/change/ChangeEvent"))
        .noneMatch(e -> e.startsWith("io/tributary/glue/LocalJobs"));
    assertThat(flinkReferences)
        .as("Tributary classes in the Glue jar that refer to Flink")
        .isEmpty();
  }
}
