package io.tributary.source.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.change.TableId;
import io.tributary.config.Secret;
import io.tributary.config.SourceConfig;
import io.tributary.config.SslMode;
import io.tributary.config.TableMode;
import io.tributary.config.TableSelection;
import io.tributary.local.LocalStack;
import io.tributary.source.CapturedTable;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The new-table watcher running in a Flink job: a table created while the job runs that the
 * selection matches, and that is neither captured nor refused, is counted by the gauge {@code
 * newTables}; the captured and the refused tables are not.
 */
class NewTableWatcherIT {
  @TempDir static Path dir;

  /** Keeps the {@code newTables} gauges of the jobs of this test. */
  public static final class GaugeReporter implements MetricReporter, MetricReporterFactory {
    static final Map<String, Gauge<?>> GAUGES = new ConcurrentHashMap<>();

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
      return new GaugeReporter();
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
      if (name.equals("newTables") && metric instanceof Gauge) {
        GAUGES.put(group.getMetricIdentifier(name), (Gauge<?>) metric);
      }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
      GAUGES.remove(group.getMetricIdentifier(name));
    }
  }

  @Test
  void aTableCreatedWhileTheJobRunsIsCounted() throws Exception {
    Path data = Files.createDirectories(dir.resolve("pg"));
    Path runtime = Files.createDirectories(dir.resolve("pg-runtime"));
    try (EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .setDataDirectory(data)
            .setOverrideWorkingDirectory(runtime.toFile())
            .setPort(LocalStack.freePort())
            .setServerConfig("listen_addresses", "127.0.0.1")
            .setServerConfig("fsync", "off")
            .setPGStartupWait(Duration.ofSeconds(60))
            .setRegisterShutdownHook(false)
            .start()) {
      sql(pg, "CREATE TABLE captured (id int PRIMARY KEY)", "CREATE TABLE refused (v text)");
      SourceConfig source =
          SourceConfig.builder()
              .type(SourceConfig.TYPE_POSTGRES)
              .host("127.0.0.1")
              .port(pg.getPort())
              .database("postgres")
              .user("postgres")
              .password(Secret.none())
              .sslMode(SslMode.DISABLE)
              .newTableCheckInterval(Duration.ofMillis(300))
              .build();
      TableSelection selection = TableSelection.builder().include(List.of("public.*")).build();
      CapturedTable captured =
          new CapturedTable(
              new TableId("public", "captured"),
              List.of("id"),
              List.of("id"),
              "default",
              TableMode.MIRROR,
              "id");
      NewTableWatcher watcher =
          new NewTableWatcher(source, selection, List.of(captured), Set.of("public.refused"));

      Configuration flink = new Configuration();
      flink.setString("metrics.reporter.newtables.factory.class", GaugeReporter.class.getName());
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
      env.fromSource(
              watcher,
              WatermarkStrategy.noWatermarks(),
              "new-table-watcher",
              TypeInformation.of(String.class))
          .setParallelism(1)
          .sinkTo(new DiscardingSink<>())
          .setParallelism(1);
      JobClient job = env.executeAsync("new-table-watcher");
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> newTables() != null);
        // A few looks find nothing new.
        Thread.sleep(1000);
        assertThat(newTables()).isEqualTo(0);
        sql(pg, "CREATE TABLE added (id int PRIMARY KEY)", "CREATE TABLE added_too (id int)");
        await().atMost(Duration.ofSeconds(30)).until(() -> Integer.valueOf(2).equals(newTables()));
        assertThat(job.getJobStatus().get().isTerminalState()).isFalse();
      } finally {
        job.cancel().get();
      }
    }
  }

  private static Object newTables() {
    return GaugeReporter.GAUGES.values().stream().findFirst().map(Gauge::getValue).orElse(null);
  }

  private static void sql(EmbeddedPostgres pg, String... statements) throws Exception {
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }
}
