package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ValuesTest {

  @Test
  void parsesShortAndIsoDurations() {
    assertThat(Values.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Values.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Values.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Values.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Values.parseDuration("2d")).isEqualTo(Duration.ofDays(2));
    assertThat(Values.parseDuration(" 10 s ")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Values.parseDuration("PT30S")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Values.parseDuration("pt1m")).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void rejectsOtherDurations() {
    assertThat(Values.parseDuration("30")).isNull();
    assertThat(Values.parseDuration("30 seconds")).isNull();
    assertThat(Values.parseDuration("-5s")).isNull();
    assertThat(Values.parseDuration("P")).isNull();
    assertThat(Values.parseDuration("99999999999999999999s")).isNull();
    assertThat(Values.parseDuration("9999999999999999d")).isNull();
  }

  @Test
  void booleansAreTrueOrFalseOnly() {
    assertThat(Values.parseBoolean("true")).isTrue();
    assertThat(Values.parseBoolean("FALSE")).isFalse();
    assertThat(Values.parseBoolean("yes")).isNull();
    assertThat(Values.parseBoolean("1")).isNull();
  }

  @Test
  void integersAreWholeNumbers() {
    assertThat(Values.parseInt(" 42 ")).isEqualTo(42);
    assertThat(Values.parseInt("4.2")).isNull();
    assertThat(Values.parseInt("1e3")).isNull();
  }

  @Test
  void listsSplitOnCommas() {
    assertThat(Values.splitList(" a , ,b ")).containsExactly("a", "b");
    assertThat(Values.splitList("")).isEmpty();
  }

  @Test
  void partitionTermsSplitOnCommasOutsideParentheses() {
    assertThat(Values.splitTerms("bucket(16, id),day(ts)"))
        .containsExactly("bucket(16, id)", "day(ts)");
    assertThat(Values.splitTerms(" a , ,b ")).containsExactly("a", "b");
  }
}
