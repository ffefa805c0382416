package io.tributary.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The benchmark's chart: drawn beside its report, from the same rounds, bars to scale. */
class BenchmarkChartTest {
  @TempDir Path dir;

  private static BenchmarkFigures round(
      double snapshot, double plainSnapshot, double stream, double plainStream, double reference) {
    BenchmarkFigures f = new BenchmarkFigures();
    f.snapshotRate = snapshot;
    f.plainSnapshotRate = plainSnapshot;
    f.streamRate = stream;
    f.plainStreamRate = plainStream;
    f.referenceRate = reference;
    f.snapshotSeconds = 1;
    f.streamSeconds = 1;
    f.p50 = 1000;
    f.p99 = 2000;
    f.plainP50 = 1200;
    f.plainP99 = 2400;
    f.readSeconds = 1;
    f.plainReadSeconds = 1;
    f.snapshotCpu = 1;
    f.streamCpu = 1;
    f.plainSnapshotCpu = 1;
    f.plainStreamCpu = 1;
    f.equal = true;
    return f;
  }

  @Test
  void theReportWritesItsChartBesideItAndLinksIt() throws Exception {
    Path report = dir.resolve("docs").resolve("benchmarks.md");
    List<BenchmarkFigures> rounds =
        List.of(
            round(150_000, 100_000, 90_000, 60_000, 120_000),
            round(120_000, 120_000, 80_000, 40_000, -1));
    new BenchmarkReport(1000, 500, 2, new double[] {0.1, 0.4})
        .write(report, "test machine", rounds);

    Path chart = dir.resolve("docs").resolve("benchmarks.svg");
    assertThat(chart).exists();
    assertThat(Files.readString(report)).contains("](benchmarks.svg)");

    Map<String, List<Integer>> widths = barWidths(Files.readString(chart));
    // Round 1 and 2 of each panel: the snapshot's bars come first, then the stream's.
    assertThat(widths.get("Tributary")).hasSize(4);
    assertThat(widths.get("Plain pipeline")).hasSize(4);
    assertThat(widths.get("pg_recvlogical")).as("round 2 measured no reference").hasSize(1);
    List<Integer> ours = widths.get("Tributary");
    List<Integer> plain = widths.get("Plain pipeline");
    // To scale within a panel: 150,000 against 100,000 rows/s, and equal in round 2.
    assertThat((double) ours.get(0) / plain.get(0)).isCloseTo(1.5, Offset.offset(0.02));
    assertThat(ours.get(1)).isEqualTo(plain.get(1));
    // The stream panel's longest bar is pg_recvlogical's 120,000, as long as the snapshot's
    // longest.
    assertThat(widths.get("pg_recvlogical").get(0)).isEqualTo(ours.get(0));
    assertThat((double) ours.get(2) / plain.get(2)).isCloseTo(1.5, Offset.offset(0.02));
    assertThat((double) ours.get(3) / plain.get(3)).isCloseTo(2.0, Offset.offset(0.02));
    assertThat(Files.readString(chart))
        .contains("60,000 (Tributary 1.50x)")
        .contains("test machine");
  }

  @Test
  void theChartIsNamedAfterTheReport() {
    assertThat(BenchmarkReport.chartPath(Path.of("out", "bench.md")))
        .isEqualTo(Path.of("out", "bench.svg"));
  }

  /** The bars' widths by pipeline, in document order, read from the SVG as XML. */
  private static Map<String, List<Integer>> barWidths(String svg) throws Exception {
    Document doc =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    NodeList rects = doc.getElementsByTagName("rect");
    Map<String, List<Integer>> widths = new TreeMap<>();
    for (int i = 0; i < rects.getLength(); i++) {
      Element rect = (Element) rects.item(i);
      NodeList titles = rect.getElementsByTagName("title");
      if (titles.getLength() == 0) {
        continue;
      }
      String pipeline = titles.item(0).getTextContent().split(":")[0];
      widths
          .computeIfAbsent(pipeline, k -> new ArrayList<>())
          .add(Integer.parseInt(rect.getAttribute("width")));
    }
    return widths;
  }
}
