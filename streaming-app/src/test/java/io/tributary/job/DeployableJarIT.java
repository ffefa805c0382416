package io.tributary.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The jar deployed to Managed Flink holds the job and its connectors, and no local-stack parts. */
class DeployableJarIT {

  private static Path flinkJar() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files
          .filter(p -> p.getFileName().toString().endsWith("-flink.jar"))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no *-flink.jar in target/: run mvn package"));
    }
  }

  @Test
  void holdsTheJobAndNothingOfTheLocalStack() throws Exception {
    List<String> entries = new ArrayList<>();
    String mainClass;
    try (JarFile jar = new JarFile(flinkJar().toFile())) {
      jar.stream().forEach(e -> entries.add(e.getName()));
      mainClass = jar.getManifest().getMainAttributes().getValue("Main-Class");
    }
    assertThat(mainClass).isEqualTo("io.tributary.job.FlinkMain");
    assertThat(entries)
        .contains(
            "io/tributary/job/FlinkMain.class",
            "io/tributary/sink/IcebergCommitterOperator.class",
            "org/apache/flink/cdc/connectors/postgres/source/PostgresSourceBuilder.class",
            "org/apache/iceberg/aws/glue/GlueCatalog.class",
            "org/apache/iceberg/aws/s3/S3FileIO.class",
            "com/amazonaws/services/kinesisanalytics/runtime/KinesisAnalyticsRuntime.class");
    assertThat(entries)
        .noneMatch(e -> e.startsWith("io/tributary/local/"))
        .noneMatch(e -> e.startsWith("io/tributary/faults/"))
        .noneMatch(e -> e.startsWith("io/tributary/cli/"))
        .noneMatch(e -> e.startsWith("io/tributary/verify/"))
        .noneMatch(e -> e.startsWith("picocli/"))
        .noneMatch(e -> e.startsWith("org/apache/iceberg/flink/"))
        .noneMatch(e -> e.startsWith("io/zonky/"))
        .noneMatch(e -> e.startsWith("org/gaul/"))
        .noneMatch(e -> e.startsWith("org/sqlite/"))
        .noneMatch(e -> e.endsWith(".txz"))
        .noneMatch(e -> e.startsWith("org/apache/flink/streaming/api/environment/"))
        .noneMatch(e -> e.startsWith("org/apache/flink/runtime/"));
  }

  @Test
  void holdsTheJobsPgOutputColumnValueInsteadOfDebeziums() throws Exception {
    String entry = "io/debezium/connector/postgresql/connection/pgoutput/PgOutputColumnValue.class";
    try (JarFile jar = new JarFile(flinkJar().toFile())) {
      byte[] shipped = jar.getInputStream(jar.getJarEntry(entry)).readAllBytes();
      assertThat(shipped).isEqualTo(Files.readAllBytes(Path.of("target/classes", entry)));
    }
  }
}
