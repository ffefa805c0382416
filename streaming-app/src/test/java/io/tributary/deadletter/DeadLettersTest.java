package io.tributary.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.change.ChangeEvent;
import io.tributary.change.Column;
import io.tributary.change.ColumnType;
import io.tributary.change.SourceTable;
import io.tributary.change.TableId;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeadLettersTest {
  private static final SourceTable TABLE =
      new SourceTable(
          new TableId("public", "bad"),
          List.of(
              new Column("id", ColumnType.of(ColumnType.Kind.INT), false, "int4"),
              new Column("amount", ColumnType.decimal(10, 2), true, "numeric"),
              new Column("blob", ColumnType.of(ColumnType.Kind.BINARY), true, "bytea"),
              new Column("body", ColumnType.of(ColumnType.Kind.STRING), true, "text")),
          new int[] {0});

  @TempDir Path dir;

  @Test
  void aLineHoldsTablePositionReasonAndValues() {
    ChangeEvent event =
        new ChangeEvent(
            TABLE,
            ChangeEvent.Op.UPDATE,
            new Object[] {7, new BigDecimal("1.50"), new byte[] {1, 2}, null},
            42,
            1_000,
            new boolean[] {false, false, false, true});
    assertThat(DeadLetters.line(event, "blocked: why"))
        .isEqualTo(
            "{\"table\":\"public.bad\",\"op\":\"u\",\"lsn\":42,\"source_ts_us\":1000,"
                + "\"reason\":\"blocked: why\",\"values\":{\"id\":7,\"amount\":\"1.50\","
                + "\"blob\":\"AQI=\",\"body\":\"(unchanged TOASTed value: not sent by the"
                + " source)\"}}");
  }

  @Test
  void onlyPublishedFilesAreListedAndPublishingTwiceIsHarmless() {
    String warehouse = dir.toUri().toString();
    try (HadoopFileIO io = new HadoopFileIO(new Configuration(false))) {
      TableId id = new TableId("public", "bad");
      String first = DeadLetters.pendingPath(warehouse, id, "run", 1000, 5, 0);
      String second = DeadLetters.pendingPath(warehouse, id, "run", 1000, 6, 1);
      DeadLetters.write(io, first, List.of("{\"a\":1}", "{\"a\":2}"));
      DeadLetters.write(io, second, List.of("{\"a\":3}"));
      assertThat(DeadLetters.list(io, warehouse, null)).isEmpty();
      DeadLetters.publish(io, first);
      DeadLetters.publish(io, first);
      List<DeadLetters.DeadLetterFile> files = DeadLetters.list(io, warehouse, "public.bad");
      assertThat(files).hasSize(1);
      assertThat(files.get(0).table()).isEqualTo("public.bad");
      assertThat(DeadLetters.read(io, files.get(0).path()))
          .containsExactly("{\"a\":1}", "{\"a\":2}");
      assertThat(DeadLetters.list(io, warehouse, "public.other")).isEmpty();
    }
  }

  @Test
  void aRestoreFromAnOlderSavepointKeepsTheFilesItsCheckpointIdsRepeat() {
    String warehouse = dir.toUri().toString();
    try (HadoopFileIO io = new HadoopFileIO(new Configuration(false))) {
      TableId id = new TableId("public", "bad");
      // First start: checkpoints 5 and 6 published. Restored from checkpoint 4: 5 again.
      String firstStart5 = DeadLetters.pendingPath(warehouse, id, "run", 1_000, 5, 0);
      String firstStart6 = DeadLetters.pendingPath(warehouse, id, "run", 1_000, 6, 0);
      String secondStart5 = DeadLetters.pendingPath(warehouse, id, "run", 2_000, 5, 0);
      DeadLetters.write(io, firstStart5, List.of("{\"a\":1}"));
      DeadLetters.publish(io, firstStart5);
      DeadLetters.write(io, firstStart6, List.of("{\"a\":2}"));
      DeadLetters.publish(io, firstStart6);
      DeadLetters.write(io, secondStart5, List.of("{\"a\":3}"));
      DeadLetters.publish(io, secondStart5);
      List<DeadLetters.DeadLetterFile> files = DeadLetters.list(io, warehouse, "public.bad");
      assertThat(files).hasSize(3);
      assertThat(files.stream().map(f -> DeadLetters.read(io, f.path()).get(0)))
          .as("every file kept, listed in the order written")
          .containsExactly("{\"a\":1}", "{\"a\":2}", "{\"a\":3}");
    }
  }
}
