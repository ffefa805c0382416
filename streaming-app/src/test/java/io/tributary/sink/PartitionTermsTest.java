package io.tributary.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class PartitionTermsTest {
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "region", Types.StringType.get()),
          Types.NestedField.optional(3, "created_at", Types.TimestampType.withZone()));

  @Test
  void parsesTransformsAndBareColumns() {
    List<PartitionTerms.Parsed> parsed =
        PartitionTerms.parse(
            "shop.orders", List.of("day(created_at)", "bucket(16, id)", "region"), SCHEMA);
    assertThat(parsed)
        .extracting(PartitionTerms.Parsed::column)
        .containsExactly("created_at", "id", "region");
    PartitionSpec spec =
        PartitionSpec.builderFor(SCHEMA)
            .day("created_at")
            .bucket("id", 16)
            .identity("region")
            .build();
    assertThat(spec.fields()).hasSize(3);
  }

  @Test
  void errorsNameTheTableAndTerm() {
    assertThatThrownBy(
            () -> PartitionTerms.parse("shop.orders", List.of("weekly(created_at)"), SCHEMA))
        .hasMessageContaining("shop.orders")
        .hasMessageContaining("unknown transform 'weekly'");
    assertThatThrownBy(() -> PartitionTerms.parse("shop.orders", List.of("bucket(id)"), SCHEMA))
        .hasMessageContaining("needs a number first");
    assertThatThrownBy(() -> PartitionTerms.parse("shop.orders", List.of("day(missing)"), SCHEMA))
        .hasMessageContaining("names column 'missing', which the table does not have");
  }
}
