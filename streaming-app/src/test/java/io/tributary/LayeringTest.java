package io.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.change.TableId;
import io.tributary.job.TributaryJob;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No dependency runs from a lower layer up. Reads the compiled main classes of this module (the
 * job) and of the model module (not the sources: a class named inline with its full name, or only
 * in a method signature, is a dependency as much as an import) and checks every class each one
 * refers to against the rules below.
 *
 * <p>A rule names the packages it applies to (with their subpackages) and the package prefixes they
 * must not refer to. A dependency that breaks a rule and cannot be removed yet goes into {@link
 * #KNOWN_EXCEPTIONS} with the reason; the test also fails when a listed exception no longer occurs,
 * so the list only shrinks.
 */
class LayeringTest {

  static final class Rule {
    final String name;
    final List<String> from;
    final List<String> forbidden;

    Rule(String name, List<String> from, List<String> forbidden) {
      this.name = name;
      this.from = from;
      this.forbidden = forbidden;
    }
  }

  /** The packages of the job that run in Flink and are shipped in the deployable jar. */
  private static final List<String> JOB_SIDE =
      List.of(
          "io.tributary.job",
          "io.tributary.sink",
          "io.tributary.source",
          "io.tributary.change",
          "io.tributary.control",
          "io.tributary.metrics",
          "io.tributary.deadletter",
          "io.tributary.config",
          "io.tributary.catalog");

  /** Flink CDC and the Debezium engine it embeds: the source's libraries. */
  private static final List<String> CDC =
      List.of("org.apache.flink.cdc", "com.ververica", "io.debezium", "org.apache.kafka.connect");

  /**
   * Rules for the classes of the model module ({@code streaming-app/model}) only: both jobs use it,
   * the Glue jobs without Flink, so it names no engine. Its packages share names with this module's
   * (a model class is told apart by the root it was read from, not by its package).
   */
  static final List<Rule> MODEL_RULES =
      List.of(
          new Rule(
              "the model module knows no engine (Flink, Spark, Glue) and no CDC library",
              List.of("io.tributary"),
              List.of(
                  "org.apache.flink",
                  "com.ververica",
                  "io.debezium",
                  "org.apache.kafka.connect",
                  "org.apache.spark",
                  "com.amazonaws.services.glue")));

  static final List<Rule> RULES =
      List.of(
          new Rule(
              "the change model knows neither Flink CDC/Debezium nor Iceberg",
              List.of("io.tributary.change"),
              concat(CDC, List.of("org.apache.iceberg"))),
          new Rule(
              "the sink does not know the source",
              List.of("io.tributary.sink"),
              concat(List.of("io.tributary.source"), CDC)),
          new Rule(
              "one source database does not know another",
              List.of("io.tributary.source.mysql"),
              List.of("io.tributary.source.postgres")),
          new Rule(
              "one source database does not know another",
              List.of("io.tributary.source.postgres"),
              List.of("io.tributary.source.mysql")),
          new Rule(
              "the conversion of Debezium's change records knows no source database",
              List.of("io.tributary.source.debezium"),
              List.of("io.tributary.source.postgres", "io.tributary.source.mysql")),
          // Also enforced by the build: those packages are in the module streaming-app/cli, which
          // depends on this one; the rule catches a class of theirs moved back here.
          new Rule(
              "the job does not know the command line, the local stack or the fault matrix",
              JOB_SIDE,
              List.of(
                  "io.tributary.local",
                  "io.tributary.cli",
                  "io.tributary.bench",
                  "io.tributary.faults",
                  "io.tributary.verify")));

  /**
   * Dependencies that break a rule today, as {@code "from.Class -> to.Class"}, each with why it is
   * still there. None: the conversion of Debezium's change records both sources use is {@code
   * source.debezium}, the names the capture can carry are {@code source.CaptureNames}.
   */
  static final Set<String> KNOWN_EXCEPTIONS = Set.of();

  private static Map<String, Set<String>> dependencies;

  /** The classes of the model module alone, with what they refer to. */
  private static Map<String, Set<String>> modelDependencies;

  @BeforeAll
  static void readClasses() throws Exception {
    dependencies = new TreeMap<>();
    modelDependencies = readRoot(rootOf(TableId.class));
    dependencies.putAll(modelDependencies);
    dependencies.putAll(readRoot(rootOf(TributaryJob.class)));
  }

  private static Path rootOf(Class<?> anchor) throws Exception {
    return Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  @Test
  void noDependencyRunsFromALowerLayerUp() {
    List<String> found = new ArrayList<>(violations(dependencies, RULES));
    found.addAll(violations(modelDependencies, MODEL_RULES));
    List<String> unexpected = new ArrayList<>();
    Set<String> seen = new TreeSet<>();
    for (String violation : found) {
      String edge = violation.substring(0, violation.indexOf(" ("));
      if (KNOWN_EXCEPTIONS.contains(edge)) {
        seen.add(edge);
      } else {
        unexpected.add(violation);
      }
    }
    assertEquals(
        List.of(),
        unexpected,
        "Dependencies from a lower layer up; remove them (move the constant or type to the lower"
            + " layer, or pass it in from above), or list one in KNOWN_EXCEPTIONS with the reason");
    Set<String> stale = new TreeSet<>(KNOWN_EXCEPTIONS);
    stale.removeAll(seen);
    assertEquals(
        Set.of(), stale, "These known exceptions no longer occur: remove them from the list");
  }

  @Test
  void readsEveryLayerAndSeesItsDependencies() {
    for (String layer : List.of("io.tributary.change", "io.tributary.sink", "io.tributary.job")) {
      assertTrue(
          dependencies.keySet().stream().anyMatch(c -> inPackage(c, layer)),
          "no class read in " + layer);
    }
    // The model module is read too, not only this one, and on its own for its own rules.
    assertTrue(dependencies.containsKey(TableId.class.getName()));
    assertTrue(modelDependencies.containsKey(TableId.class.getName()));
    assertFalse(
        modelDependencies.containsKey(TributaryJob.class.getName()),
        "the model's classes are read apart from this module's");
    assertTrue(
        dependencies.get(TributaryJob.class.getName()).contains("io.tributary.source.ChangeSource"),
        "the reader misses a dependency the job has");
  }

  @Test
  void aPlantedViolationIsFound() {
    Map<String, Set<String>> planted =
        Map.of(
            "io.tributary.sink.Planted",
            Set.of("io.tributary.source.postgres.SourcePreflight", "io.tributary.change.TableId"),
            "io.tributary.change.Planted",
            Set.of("org.apache.iceberg.Schema"),
            "io.tributary.metrics.deep.Planted",
            Set.of("io.tributary.local.LocalStack"),
            "io.tributary.local.Allowed",
            Set.of("io.tributary.source.postgres.SourcePreflight", "io.tributary.cli.Main"),
            "io.tributary.sinks.NotTheSink",
            Set.of("io.tributary.source.CapturedTable"));
    List<String> found = violations(planted, RULES);
    assertEquals(3, found.size(), found.toString());
    assertTrue(
        found.get(0).startsWith("io.tributary.change.Planted -> org.apache.iceberg.Schema"),
        found.toString());
    assertTrue(
        found.get(1).startsWith("io.tributary.metrics.deep.Planted -> io.tributary.local."),
        found.toString());
    assertTrue(
        found.get(2).startsWith("io.tributary.sink.Planted -> io.tributary.source.postgres."),
        found.toString());
    assertFalse(
        violations(Map.of("io.tributary.sink.Clean", Set.of()), RULES).iterator().hasNext());
  }

  @Test
  void aPlantedEngineInTheModelIsFound() {
    Map<String, Set<String>> planted =
        Map.of(
            "io.tributary.config.Planted",
            Set.of("org.apache.flink.configuration.Configuration", "io.tributary.change.TableId"),
            "io.tributary.sink.PlantedToo",
            Set.of("org.apache.spark.sql.Dataset", "org.apache.iceberg.Schema"));
    List<String> found = violations(planted, MODEL_RULES);
    assertEquals(2, found.size(), found.toString());
    assertTrue(found.get(0).startsWith("io.tributary.config.Planted -> org.apache.flink."));
    assertTrue(found.get(1).startsWith("io.tributary.sink.PlantedToo -> org.apache.spark."));
    // Flink is allowed in this module's config-reading classes; only the model must not name it.
    assertEquals(
        List.of(),
        violations(
            Map.of("io.tributary.job.Fine", Set.of("org.apache.flink.configuration.Configuration")),
            RULES));
    // The sink may not name the source's libraries either, nor a tool.
    assertEquals(
        2,
        violations(
                Map.of(
                    "io.tributary.sink.Planted",
                    Set.of("io.debezium.data.Envelope", "io.tributary.bench.Phase")),
                RULES)
            .size());
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }

  /** Each dependency that breaks a rule, as {@code "from -> to (rule)"}, sorted. */
  static List<String> violations(Map<String, Set<String>> dependencies, List<Rule> rules) {
    Set<String> out = new TreeSet<>();
    for (Map.Entry<String, Set<String>> e : dependencies.entrySet()) {
      for (Rule rule : rules) {
        if (rule.from.stream().noneMatch(p -> inPackage(e.getKey(), p))) {
          continue;
        }
        for (String target : e.getValue()) {
          if (rule.forbidden.stream().anyMatch(p -> inPackage(target, p))) {
            out.add(e.getKey() + " -> " + target + " (" + rule.name + ")");
          }
        }
      }
    }
    return new ArrayList<>(out);
  }

  private static boolean inPackage(String className, String pkg) {
    return className.startsWith(pkg + ".");
  }

  private static Map<String, Set<String>> readRoot(Path root) throws IOException {
    Map<String, Set<String>> out = new TreeMap<>();
    if (Files.isDirectory(root)) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          if (file.toString().endsWith(".class")) {
            String name = root.relativize(file).toString().replace('\\', '/');
            out.put(className(name), referencedClasses(Files.readAllBytes(file)));
          }
        }
      }
    } else {
      try (JarFile jar = new JarFile(root.toFile())) {
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
          JarEntry entry = entries.nextElement();
          if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
            try (InputStream in = jar.getInputStream(entry)) {
              out.put(className(entry.getName()), referencedClasses(in.readAllBytes()));
            }
          }
        }
      }
    }
    out.keySet().removeIf(c -> !c.startsWith("io.tributary."));
    return out;
  }

  private static String className(String path) {
    return path.substring(0, path.length() - ".class".length()).replace('/', '.');
  }

  private static final Pattern DESCRIPTOR_CLASS = Pattern.compile("L([A-Za-z_$][\\w/$]*)[;<]");

  /**
   * The classes a class file refers to: its class constants, and the classes named in the
   * descriptors and signatures of its fields, methods, calls and annotations. String literals are
   * left out. Nested classes count as their outermost class.
   */
  static Set<String> referencedClasses(byte[] classFile) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile))) {
      if (in.readInt() != 0xCAFEBABE) {
        throw new IllegalArgumentException("not a class file");
      }
      in.readUnsignedShort();
      in.readUnsignedShort();
      int count = in.readUnsignedShort();
      String[] utf8 = new String[count];
      List<Integer> classIndexes = new ArrayList<>();
      Set<Integer> literalIndexes = new TreeSet<>();
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        if (tag == 1) {
          utf8[i] = in.readUTF();
        } else if (tag == 7) {
          classIndexes.add(in.readUnsignedShort());
        } else if (tag == 8) {
          literalIndexes.add(in.readUnsignedShort());
        } else if (tag == 16 || tag == 19 || tag == 20) {
          in.readUnsignedShort();
        } else if (tag == 15) {
          in.readUnsignedByte();
          in.readUnsignedShort();
        } else if (tag == 3 || tag == 4 || (tag >= 9 && tag <= 12) || tag == 17 || tag == 18) {
          in.readInt();
        } else if (tag == 5 || tag == 6) {
          in.readLong();
          i++;
        } else {
          throw new IllegalArgumentException("unknown constant tag " + tag);
        }
      }
      Set<String> out = new TreeSet<>();
      for (int index : classIndexes) {
        String name = utf8[index];
        if (name.startsWith("[")) {
          addDescriptorClasses(name, out);
        } else {
          out.add(outermost(name));
        }
      }
      for (int i = 1; i < count; i++) {
        if (utf8[i] != null && !literalIndexes.contains(i)) {
          addDescriptorClasses(utf8[i], out);
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void addDescriptorClasses(String text, Set<String> out) {
    Matcher m = DESCRIPTOR_CLASS.matcher(text);
    while (m.find()) {
      if (m.group(1).contains("/")) {
        out.add(outermost(m.group(1)));
      }
    }
  }

  private static String outermost(String internalName) {
    String dotted = internalName.replace('/', '.');
    int dollar = dotted.indexOf('$', dotted.lastIndexOf('.') + 1);
    return dollar < 0 ? dotted : dotted.substring(0, dollar);
  }
}
