package io.tributary.control;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Gives the history items of one table's partition that have no {@link ControlTable#EXPIRES_AT}
 * one: the {@code MAINT#} and {@code BACKFILL#} records the state machines write (they cannot
 * compute an epoch time in their JSONPath states) expire {@code control.history-retention} after
 * the time in their sort key; a {@code LOCK} expires that long after the end of its lease ({@code
 * acquiredAt} plus {@code leaseSeconds}), when no owner can still hold it. {@code STATE} and items
 * of any other form are never touched. Every write is conditional, so an item that was deleted,
 * replaced (a lock taken over) or given an expiry meanwhile is left as it is.
 */
final class HistoryExpiry {
  private static final Logger LOG = LoggerFactory.getLogger(HistoryExpiry.class);

  static final String OWNER = "owner";
  static final String ACQUIRED_AT = "acquiredAt";
  static final String LEASE_SECONDS = "leaseSeconds";

  private final String tableName;
  private final Duration retention;
  private final Duration interval;
  private final Function<QueryRequest, QueryResponse> query;
  private final Consumer<UpdateItemRequest> update;

  /**
   * @param interval how often the stream goes through every table's partition
   */
  HistoryExpiry(
      String tableName,
      Duration retention,
      Duration interval,
      Function<QueryRequest, QueryResponse> query,
      Consumer<UpdateItemRequest> update) {
    this.tableName = tableName;
    this.retention = retention;
    this.interval = interval;
    this.query = query;
    this.update = update;
  }

  Duration interval() {
    return interval;
  }

  /**
   * The expiry an item should get, or empty for an item that never expires (STATE) or whose form is
   * not known (left alone).
   */
  static OptionalLong expiresAt(Map<String, AttributeValue> item, Duration retention) {
    String sk = text(item, ControlTable.SK);
    if (sk == null || ControlTable.STATE.equals(sk)) {
      return OptionalLong.empty();
    }
    try {
      if (sk.startsWith(ControlTable.MAINT_PREFIX) || sk.startsWith(ControlTable.BACKFILL_PREFIX)) {
        Instant at = Instant.parse(sk.substring(sk.indexOf('#') + 1));
        return OptionalLong.of(ControlTable.expiresAt(at, retention));
      }
      if (ControlTable.LOCK.equals(sk)) {
        String acquired = text(item, ACQUIRED_AT);
        AttributeValue lease = item.get(LEASE_SECONDS);
        if (acquired == null || lease == null || lease.n() == null) {
          return OptionalLong.empty();
        }
        Instant leaseEnd = Instant.parse(acquired).plusSeconds(Long.parseLong(lease.n()));
        return OptionalLong.of(ControlTable.expiresAt(leaseEnd, retention));
      }
    } catch (DateTimeParseException | NumberFormatException e) {
      LOG.debug("Control table item {} has no time this release can read; kept", sk);
    }
    return OptionalLong.empty();
  }

  /**
   * Sets the expiry of every history item of partition {@code pk} without one; returns how many.
   */
  int stamp(String pk) {
    Map<String, String> names = new HashMap<>();
    names.put("#exp", ControlTable.EXPIRES_AT);
    names.put("#sk", ControlTable.SK);
    names.put("#pk", ControlTable.PK);
    names.put("#owner", OWNER);
    names.put("#acquired", ACQUIRED_AT);
    names.put("#lease", LEASE_SECONDS);
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":pk", StateUpdate.s(pk));
    int stamped = 0;
    Map<String, AttributeValue> start = null;
    do {
      QueryResponse page =
          query.apply(
              QueryRequest.builder()
                  .tableName(tableName)
                  .keyConditionExpression("#pk = :pk")
                  // A Query cannot filter on key attributes: STATE is left out below.
                  .filterExpression("attribute_not_exists(#exp)")
                  .projectionExpression("#pk, #sk, #owner, #acquired, #lease")
                  .expressionAttributeNames(names)
                  .expressionAttributeValues(values)
                  .exclusiveStartKey(start)
                  .build());
      for (Map<String, AttributeValue> item : page.items()) {
        OptionalLong expiresAt = expiresAt(item, retention);
        if (expiresAt.isPresent() && set(item, expiresAt.getAsLong())) {
          stamped++;
        }
      }
      start = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
    } while (start != null && !start.isEmpty());
    return stamped;
  }

  /**
   * Sets the expiry of an item as it was read, if it still exists without one (a lock: with the
   * same owner and acquisition time); false when it changed meanwhile.
   */
  boolean setIfUnchanged(Map<String, AttributeValue> item) {
    OptionalLong expiresAt = expiresAt(item, retention);
    return expiresAt.isPresent() && set(item, expiresAt.getAsLong());
  }

  private boolean set(Map<String, AttributeValue> item, long expiresAt) {
    Map<String, String> names = new HashMap<>();
    names.put("#exp", ControlTable.EXPIRES_AT);
    names.put("#pk", ControlTable.PK);
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":exp", StateUpdate.n(expiresAt));
    String condition = "attribute_exists(#pk) AND attribute_not_exists(#exp)";
    if (ControlTable.LOCK.equals(text(item, ControlTable.SK))) {
      // A lock taken over meanwhile is a new lease: only the lock that was read expires.
      names.put("#owner", OWNER);
      names.put("#acquired", ACQUIRED_AT);
      values.put(":owner", item.getOrDefault(OWNER, StateUpdate.s("")));
      values.put(":acquired", item.get(ACQUIRED_AT));
      condition += " AND #owner = :owner AND #acquired = :acquired";
    }
    try {
      update.accept(
          UpdateItemRequest.builder()
              .tableName(tableName)
              .key(StateUpdate.key(text(item, ControlTable.PK), text(item, ControlTable.SK)))
              .updateExpression("SET #exp = :exp")
              .conditionExpression(condition)
              .expressionAttributeNames(names)
              .expressionAttributeValues(values)
              .build());
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  private static String text(Map<String, AttributeValue> item, String attribute) {
    AttributeValue value = item.get(attribute);
    return value == null ? null : value.s();
  }
}
