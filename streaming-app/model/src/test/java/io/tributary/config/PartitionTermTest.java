package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.config.PartitionTerm.Transform;
import org.junit.jupiter.api.Test;

class PartitionTermTest {

  @Test
  void parsesEveryTransform() {
    assertTerm("region", Transform.IDENTITY, "region", 0);
    assertTerm("identity(region)", Transform.IDENTITY, "region", 0);
    assertTerm("year(ts)", Transform.YEAR, "ts", 0);
    assertTerm("month(ts)", Transform.MONTH, "ts", 0);
    assertTerm("day(created_at)", Transform.DAY, "created_at", 0);
    assertTerm("HOUR( ts )", Transform.HOUR, "ts", 0);
    assertTerm("bucket(16, id)", Transform.BUCKET, "id", 16);
    assertTerm("truncate(4,code)", Transform.TRUNCATE, "code", 4);
  }

  @Test
  void toStringIsCanonical() {
    assertThat(PartitionTerm.parse("truncate(4,code)").toString()).isEqualTo("truncate(4, code)");
    assertThat(PartitionTerm.parse("region").toString()).isEqualTo("identity(region)");
    assertThat(PartitionTerm.parse("region")).isEqualTo(PartitionTerm.parse("identity(region)"));
  }

  @Test
  void rejectsMalformedTerms() {
    assertThatThrownBy(() -> PartitionTerm.parse("weekday(ts)"))
        .hasMessageStartingWith("partition term 'weekday(ts)' uses unknown transform 'weekday'");
    assertThatThrownBy(() -> PartitionTerm.parse("bucket(id, 16)"))
        .hasMessageStartingWith("partition term 'bucket(id, 16)' must be bucket(N, column)");
    assertThatThrownBy(() -> PartitionTerm.parse("bucket(0, id)"))
        .hasMessage("partition term 'bucket(0, id)' needs a bucket count of at least 1, got 0");
    assertThatThrownBy(() -> PartitionTerm.parse("day(a, b)"))
        .hasMessage("partition term 'day(a, b)' must name exactly one column: day(column)");
    assertThatThrownBy(() -> PartitionTerm.parse("day(ts"))
        .hasMessageStartingWith("partition term 'day(ts' is not well-formed");
    assertThatThrownBy(() -> PartitionTerm.parse("two words"))
        .hasMessageStartingWith("partition term 'two words' is not well-formed");
    assertThatThrownBy(() -> PartitionTerm.parse(" "))
        .hasMessageStartingWith("empty partition term");
  }

  @Test
  void tableOptionsRejectRedundantTimeTermsAndDuplicates() {
    assertThatThrownBy(() -> TableOptions.builder().partitionSpec("day(ts)", "hour(ts)").build())
        .hasMessage(
            "partition-spec: terms 'day(ts)' and 'hour(ts)' both partition column ts by time:"
                + " keep only one");
    assertThatThrownBy(() -> TableOptions.builder().partitionSpec("a", "identity(a)").build())
        .hasMessage("partition-spec: term 'identity(a)' is listed twice: remove one");
    assertThatThrownBy(() -> TableOptions.builder().keyColumns("id", "id").build())
        .hasMessage("key-columns: column 'id' is listed twice: remove one");
  }

  @Test
  void tableOptionsExposeParsedTerms() {
    TableOptions options = TableOptions.builder().partitionSpec("day(ts)", "bucket(8, id)").build();

    assertThat(options.partitionTerms())
        .extracting(PartitionTerm::transform)
        .containsExactly(Transform.DAY, Transform.BUCKET);
  }

  private static void assertTerm(String text, Transform transform, String column, int width) {
    PartitionTerm term = PartitionTerm.parse(text);
    assertThat(term.transform()).isEqualTo(transform);
    assertThat(term.column()).isEqualTo(column);
    assertThat(term.width()).isEqualTo(width);
  }
}
