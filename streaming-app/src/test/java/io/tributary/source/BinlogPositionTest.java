package io.tributary.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BinlogPositionTest {

  @Test
  void positionsCompareInBinlogOrderAcrossFiles() {
    long early = BinlogPosition.encode("binlog.000007", 4);
    long late = BinlogPosition.encode("binlog.000007", 1_073_741_824L);
    long nextFile = BinlogPosition.encode("binlog.000008", 4);
    assertThat(early).isLessThan(late);
    assertThat(late).isLessThan(nextFile);
    assertThat(BinlogPosition.encode("mysql-bin.1000000", 4))
        .isGreaterThan(BinlogPosition.encode("mysql-bin.999999", 4_000_000_000L));
  }

  @Test
  void theFileSequenceAndOffsetCanBeReadBack() {
    long position = BinlogPosition.encode("mariadb-bin.000042", 1234);
    assertThat(position).isEqualTo((42L << 32) | 1234);
    assertThat(BinlogPosition.sequence(position)).isEqualTo(42);
    assertThat(BinlogPosition.offset(position)).isEqualTo(1234);
    assertThat(BinlogPosition.describe(position)).isEqualTo("42:1234");
    assertThat(BinlogPosition.describe(-1)).isEqualTo("-");
  }

  @Test
  void unknownFilesAndOversizedOffsets() {
    assertThat(BinlogPosition.encode("", 0)).isEqualTo(-1);
    assertThat(BinlogPosition.encode(null, 0)).isEqualTo(-1);
    // Beyond 4 GiB the offset stays at the largest one: the order is kept.
    assertThat(BinlogPosition.offset(BinlogPosition.encode("b.000001", 5_000_000_000L)))
        .isEqualTo(0xFFFF_FFFFL);
    assertThatThrownBy(() -> BinlogPosition.encode("binlog", 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'binlog' does not end in a sequence number");
  }
}
