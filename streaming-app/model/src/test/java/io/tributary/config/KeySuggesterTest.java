package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class KeySuggesterTest {

  private static final List<String> KEYS =
      List.of("source.port", "source.host", "source.snapshot.chunk-size", "job.parallelism");

  @Test
  void distanceCountsTranspositionsAsOneEdit() {
    assertThat(KeySuggester.distance("prot", "port")).isEqualTo(1);
    assertThat(KeySuggester.distance("port", "port")).isZero();
    assertThat(KeySuggester.distance("", "abc")).isEqualTo(3);
    assertThat(KeySuggester.distance("kitten", "sitting")).isEqualTo(3);
  }

  @Test
  void suggestsCloseKeysOnly() {
    assertThat(KeySuggester.suggest("source.prot", KEYS)).isEqualTo("source.port");
    assertThat(KeySuggester.suggest("job.paralelism", KEYS)).isEqualTo("job.parallelism");
    assertThat(KeySuggester.suggest("source.chunk-size", KEYS))
        .isEqualTo("source.snapshot.chunk-size");
    assertThat(KeySuggester.suggest("source.timezone", KEYS)).isNull();
  }
}
