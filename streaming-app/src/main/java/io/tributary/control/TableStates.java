package io.tributary.control;

import io.tributary.config.ControlConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/** Reads the STATE items of the control table and prints them, one line per table. */
public final class TableStates {
  private TableStates() {}

  /** Every item of the table (all pages), sorted by key. */
  public static List<Map<String, AttributeValue>> scan(ControlConfig config) {
    List<Map<String, AttributeValue>> items = new ArrayList<>();
    try (DynamoDbClient client = ControlClients.open(config)) {
      Map<String, AttributeValue> start = null;
      do {
        ScanResponse page =
            client.scan(
                ScanRequest.builder()
                    .tableName(config.tableName())
                    .consistentRead(true)
                    .exclusiveStartKey(start)
                    .build());
        items.addAll(page.items());
        start = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
      } while (start != null && !start.isEmpty());
    }
    items.sort(
        Comparator.comparing((Map<String, AttributeValue> i) -> text(i, ControlTable.PK))
            .thenComparing(i -> text(i, ControlTable.SK)));
    return items;
  }

  /** The STATE items among {@code items}. */
  public static List<Map<String, AttributeValue>> states(List<Map<String, AttributeValue>> items) {
    List<Map<String, AttributeValue>> states = new ArrayList<>();
    for (Map<String, AttributeValue> item : items) {
      if (ControlTable.STATE.equals(text(item, ControlTable.SK))) {
        states.add(item);
      }
    }
    return states;
  }

  /**
   * The status to show: BACKFILLING while a backfill job runs, else the stream's (SNAPSHOTTING,
   * STREAMING, BLOCKED).
   */
  public static String status(Map<String, AttributeValue> state) {
    if (ControlTable.RUNNING.equals(text(state, ControlTable.BACKFILL_STATUS))) {
      return ControlTable.BACKFILLING;
    }
    String status = text(state, ControlTable.STATUS);
    return status.isEmpty() ? "-" : status;
  }

  /** Prints one line per table: status, positions, counters, last maintenance, locks. */
  public static void print(List<Map<String, AttributeValue>> items, Instant now, PrintStream out) {
    out.printf(
        "%-32s %-12s %12s %10s %10s %8s %8s %10s %-22s %s%n",
        "table",
        "status",
        "rows",
        "changes",
        "last commit",
        "files",
        "deletes",
        "dead lett.",
        "last maintenance",
        "lock");
    List<Map<String, AttributeValue>> states = states(items);
    if (states.isEmpty()) {
      out.println("(no table has a state yet: the stream writes it after its first commit)");
    }
    for (Map<String, AttributeValue> state : states) {
      String pk = text(state, ControlTable.PK);
      String lock = "";
      for (Map<String, AttributeValue> item : items) {
        if (pk.equals(text(item, ControlTable.PK))
            && ControlTable.LOCK.equals(text(item, ControlTable.SK))) {
          lock = "held by " + shortOwner(text(item, "owner"));
        }
      }
      String maintenance = text(state, ControlTable.LAST_MAINTENANCE_AT);
      if (!maintenance.isEmpty()) {
        maintenance =
            age(maintenance, now) + " " + text(state, ControlTable.LAST_MAINTENANCE_STATUS);
      }
      String reason = text(state, ControlTable.STATUS_REASON);
      out.printf(
          "%-32s %-12s %12s %10s %10s %8s %8s %10s %-22s %s%s%n",
          pk.startsWith("TABLE#") ? pk.substring("TABLE#".length()) : pk,
          status(state),
          orDash(state, ControlTable.ROWS_SINCE_START),
          orDash(state, ControlTable.CHANGES_SINCE_START),
          age(text(state, ControlTable.LAST_COMMIT_AT), now),
          orDash(state, ControlTable.DATA_FILES_SINCE_MAINTENANCE),
          orDash(state, ControlTable.DELETE_FILES_SINCE_MAINTENANCE),
          orDash(state, ControlTable.DEAD_LETTERS),
          maintenance.isEmpty() ? "never" : maintenance,
          lock,
          reason.isEmpty() ? "" : "  (" + reason + ")");
    }
  }

  private static String shortOwner(String owner) {
    int colon = owner.lastIndexOf(':');
    return colon < 0 ? owner : owner.substring(colon + 1);
  }

  private static String age(String iso, Instant now) {
    if (iso.isEmpty()) {
      return "-";
    }
    long seconds = Duration.between(Instant.parse(iso), now).getSeconds();
    if (seconds < 120) {
      return Math.max(0, seconds) + "s ago";
    }
    if (seconds < 7200) {
      return seconds / 60 + "m ago";
    }
    return seconds / 3600 + "h ago";
  }

  private static String orDash(Map<String, AttributeValue> item, String attribute) {
    AttributeValue value = item.get(attribute);
    return value == null || value.n() == null ? "-" : value.n();
  }

  /** A string attribute, or "" when absent. */
  public static String text(Map<String, AttributeValue> item, String attribute) {
    AttributeValue value = item.get(attribute);
    return value == null || value.s() == null ? "" : value.s();
  }

  /** A number attribute, or 0 when absent. */
  public static long number(Map<String, AttributeValue> item, String attribute) {
    AttributeValue value = item.get(attribute);
    return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
  }
}
