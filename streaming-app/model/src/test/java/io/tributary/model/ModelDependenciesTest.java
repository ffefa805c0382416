package io.tributary.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The lake model is what the Flink job and the Glue jobs share, so it holds neither Flink nor
 * Spark: not in its own classes, and not on its compile class path (the build writes it to the file
 * named by the system property {@code model.compile.classpath}).
 */
class ModelDependenciesTest {
  private static final List<String> FORBIDDEN = List.of("org/apache/flink/", "org/apache/spark/");

  private static List<Path> compileClasspath() throws IOException {
    String file = System.getProperty("model.compile.classpath");
    assertThat(file)
        .as("system property model.compile.classpath (set by the build: run with mvn test)")
        .isNotBlank();
    String classpath = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
    return Arrays.stream(classpath.split(File.pathSeparator))
        .filter(s -> !s.isBlank())
        .map(Path::of)
        .collect(Collectors.toList());
  }

  @Test
  void ownClassesReferToNoFlinkAndNoSparkClass() throws IOException {
    List<String> offenders = new ArrayList<>();
    List<Path> classes;
    try (Stream<Path> files = Files.walk(Path.of("target/classes"))) {
      classes = files.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList());
    }
    assertThat(classes).as("compiled classes in target/classes").isNotEmpty();
    for (Path c : classes) {
      String found = forbiddenReference(Files.readAllBytes(c));
      if (found != null) {
        offenders.add(c + " refers to " + found);
      }
    }
    assertThat(offenders).as("model classes that refer to Flink or Spark").isEmpty();
  }

  @Test
  void compileClasspathHoldsNoFlinkAndNoSpark() throws IOException {
    List<Path> entries = compileClasspath();
    assertThat(entries).as("the compile class path").isNotEmpty();
    List<String> offenders = new ArrayList<>();
    for (Path entry : entries) {
      String name = entry.toString().replace('\\', '/');
      if (name.contains("/org/apache/flink/") || name.contains("/org/apache/spark/")) {
        offenders.add(entry + " is a Flink or Spark artifact");
        continue;
      }
      if (!name.endsWith(".jar") || !Files.isRegularFile(entry)) {
        continue;
      }
      try (ZipFile jar = new ZipFile(entry.toFile())) {
        Enumeration<? extends ZipEntry> all = jar.entries();
        while (all.hasMoreElements()) {
          ZipEntry e = all.nextElement();
          if (FORBIDDEN.stream().anyMatch(e.getName()::startsWith)) {
            offenders.add(entry + " holds " + e.getName());
            break;
          }
          if (e.getName().endsWith(".class")) {
            String found;
            try (InputStream in = jar.getInputStream(e)) {
              found = forbiddenReference(in.readAllBytes());
            }
            if (found != null) {
              offenders.add(entry + ": " + e.getName() + " refers to " + found);
              break;
            }
          }
        }
      }
    }
    assertThat(offenders).as("compile class path entries with Flink or Spark classes").isEmpty();
  }

  /** The first Flink or Spark class name in a class file's constant pool, or null. */
  private static String forbiddenReference(byte[] classFile) {
    String text = new String(classFile, StandardCharsets.ISO_8859_1);
    for (String prefix : FORBIDDEN) {
      int at = text.indexOf(prefix);
      if (at >= 0) {
        int end = at;
        while (end < text.length() && text.charAt(end) > ' ' && text.charAt(end) != ';') {
          end++;
        }
        return text.substring(at, Math.min(end, at + 120));
      }
    }
    return null;
  }
}
