package io.tributary.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.change.TableId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The writer's operator state of parked tables: a table not opened since a restore stays parked.
 */
class TableParkingTest {

  @Test
  void parkedTablesNotOpenedSinceTheRestoreAreKeptAsTheyWere() {
    List<String> saved =
        List.of(
            "public.orders\t0f0e0d0c-0000-4000-8000-000000000001\t120\t180\tblocked: column"
                + " 'total' changed\tfrom numeric to text",
            "Sales.Order Lines\t0f0e0d0c-0000-4000-8000-000000000002\t-1\t7\t"
                + TableParking.REBUILT_PREFIX
                + "key changed");
    Map<TableId, String> restored = TableParking.restore(saved);
    assertThat(restored.get(TableId.parse("public.orders")))
        .isEqualTo(
            "0f0e0d0c-0000-4000-8000-000000000001\t120\t180\tblocked: column 'total' changed\tfrom"
                + " numeric to text");

    TableParking parking = new TableParking(null, null, null, null, 0, restored);
    assertThat(parking.snapshot(Map.of())).containsExactlyInAnyOrderElementsOf(saved);
  }
}
