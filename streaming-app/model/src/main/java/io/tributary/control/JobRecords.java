package io.tributary.control;

import io.tributary.config.ControlConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * What the maintenance and backfill jobs record in the control table: a {@code MAINT#<start>} item
 * per maintenance run with its report, the reset of the table's file counters after a successful
 * maintenance, and the backfill status on the table's STATE item. A failure to record is logged and
 * does not fail the job, whose work is done.
 */
public final class JobRecords implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobRecords.class);

  private final DynamoDbClient client;
  private final String tableName;
  private final Duration historyRetention;

  private JobRecords(DynamoDbClient client, String tableName, Duration historyRetention) {
    this.client = client;
    this.tableName = tableName;
    this.historyRetention = historyRetention;
  }

  /** Opens a client for the configured control table. */
  public static JobRecords open(ControlConfig config) {
    return new JobRecords(
        ControlClients.open(config), config.tableName(), config.historyRetention());
  }

  /**
   * Opens a client for the configured control table, or logs why it cannot (no region, for example)
   * and returns empty: the job runs without recording.
   */
  public static Optional<JobRecords> tryOpen(ControlConfig config) {
    try {
      return Optional.of(open(config));
    } catch (RuntimeException e) {
      LOG.warn(
          "Cannot reach control table {}; this run is not recorded there: {}",
          config.tableName(),
          e.toString());
      return Optional.empty();
    }
  }

  /** File counters of a table before a maintenance run: data files and delete files. */
  public static final class Counters {
    private final long dataFiles;
    private final long deleteFiles;

    Counters(long dataFiles, long deleteFiles) {
      this.dataFiles = dataFiles;
      this.deleteFiles = deleteFiles;
    }

    public long dataFiles() {
      return dataFiles;
    }

    public long deleteFiles() {
      return deleteFiles;
    }
  }

  /** The table's counters now (zero when it has no STATE item or it cannot be read). */
  public Counters counters(String namespace, String table) {
    try {
      Map<String, AttributeValue> item =
          client
              .getItem(
                  GetItemRequest.builder()
                      .tableName(tableName)
                      .key(ControlTable.key(ControlTable.pk(namespace, table), ControlTable.STATE))
                      .consistentRead(true)
                      .build())
              .item();
      return new Counters(
          number(item, ControlTable.DATA_FILES_SINCE_MAINTENANCE),
          number(item, ControlTable.DELETE_FILES_SINCE_MAINTENANCE));
    } catch (SdkException e) {
      LOG.warn("Could not read the state of {}.{} from {}", namespace, table, tableName, e);
      return new Counters(0, 0);
    }
  }

  /**
   * Records a maintenance run as item {@code MAINT#<started>}, which expires {@code
   * control.history-retention} after {@code started}; after a success, subtracts the counters it
   * started from, so that files the stream added meanwhile still count.
   */
  public void maintenance(
      String namespace,
      String table,
      Instant started,
      boolean succeeded,
      String reportJson,
      String error,
      Counters before) {
    String pk = ControlTable.pk(namespace, table);
    String status = succeeded ? ControlTable.SUCCEEDED : ControlTable.FAILED;
    try {
      Map<String, AttributeValue> item = new HashMap<>();
      item.put(ControlTable.PK, ControlTable.s(pk));
      item.put(
          ControlTable.SK, ControlTable.s(ControlTable.MAINT_PREFIX + ControlTable.time(started)));
      item.put(ControlTable.OUTCOME_STATUS, ControlTable.s(status));
      item.put(ControlTable.TABLE, ControlTable.s(table));
      item.put("startedAt", ControlTable.s(ControlTable.time(started)));
      item.put("endedAt", ControlTable.s(ControlTable.time(Instant.now())));
      item.put(
          ControlTable.EXPIRES_AT,
          ControlTable.n(ControlTable.expiresAt(started, historyRetention)));
      if (reportJson != null) {
        item.put(ControlTable.REPORT, ControlTable.s(reportJson));
      }
      if (error != null) {
        item.put(ControlTable.ERROR, ControlTable.s(error));
      }
      client.putItem(PutItemRequest.builder().tableName(tableName).item(item).build());
      Map<String, String> names = new HashMap<>();
      Map<String, AttributeValue> values = new HashMap<>();
      names.put("#at", ControlTable.LAST_MAINTENANCE_AT);
      names.put("#status", ControlTable.LAST_MAINTENANCE_STATUS);
      values.put(":at", ControlTable.s(ControlTable.time(started)));
      values.put(":status", ControlTable.s(status));
      String expression = "SET #at = :at, #status = :status";
      if (succeeded) {
        names.put("#data", ControlTable.DATA_FILES_SINCE_MAINTENANCE);
        names.put("#deletes", ControlTable.DELETE_FILES_SINCE_MAINTENANCE);
        values.put(":data", ControlTable.n(-before.dataFiles()));
        values.put(":deletes", ControlTable.n(-before.deleteFiles()));
        expression += " ADD #data :data, #deletes :deletes";
      }
      client.updateItem(
          UpdateItemRequest.builder()
              .tableName(tableName)
              .key(ControlTable.key(pk, ControlTable.STATE))
              .updateExpression(expression)
              .conditionExpression("attribute_exists(pk)")
              .expressionAttributeNames(names)
              .expressionAttributeValues(values)
              .build());
      LOG.info(
          "Recorded maintenance of {}.{} ({}) in control table {}",
          namespace,
          table,
          status,
          tableName);
    } catch (ConditionalCheckFailedException e) {
      LOG.info("{}.{} has no state in control table {} yet", namespace, table, tableName);
    } catch (SdkException e) {
      LOG.warn(
          "Could not record maintenance of {}.{} in control table {}",
          namespace,
          table,
          tableName,
          e);
    }
  }

  /**
   * Sets the backfill status of a table on its STATE item: RUNNING while the job runs, then
   * SUCCEEDED or FAILED with the job's report or error.
   */
  public void backfill(String namespace, String table, String status, String reportOrError) {
    Map<String, String> names = new HashMap<>();
    Map<String, AttributeValue> values = new HashMap<>();
    names.put("#table", ControlTable.TABLE);
    names.put("#namespace", ControlTable.NAMESPACE);
    names.put("#status", ControlTable.BACKFILL_STATUS);
    names.put("#at", ControlTable.BACKFILL_AT);
    values.put(":table", ControlTable.s(table));
    values.put(":namespace", ControlTable.s(namespace));
    values.put(":status", ControlTable.s(status));
    values.put(":at", ControlTable.s(ControlTable.time(Instant.now())));
    String expression =
        "SET #table = :table, #namespace = :namespace, #status = :status, #at = :at";
    names.put("#report", "backfillReport");
    if (reportOrError != null) {
      values.put(":report", ControlTable.s(reportOrError));
      expression += ", #report = :report";
    } else {
      expression += " REMOVE #report";
    }
    try {
      client.updateItem(
          UpdateItemRequest.builder()
              .tableName(tableName)
              .key(ControlTable.key(ControlTable.pk(namespace, table), ControlTable.STATE))
              .updateExpression(expression)
              .expressionAttributeNames(names)
              .expressionAttributeValues(values)
              .build());
    } catch (SdkException e) {
      LOG.warn(
          "Could not record backfill status {} of {}.{} in control table {}",
          status,
          namespace,
          table,
          tableName,
          e);
    }
  }

  private static long number(Map<String, AttributeValue> item, String attribute) {
    AttributeValue value = item == null ? null : item.get(attribute);
    return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
  }

  @Override
  public void close() {
    client.close();
  }
}
