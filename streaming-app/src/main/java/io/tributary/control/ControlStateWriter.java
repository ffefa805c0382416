package io.tributary.control;

import io.tributary.config.ControlConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Writes STATE items of the control table from a thread of its own, so that the job never waits for
 * DynamoDB: {@link #submit} only merges the update into the pending one of its table. The thread
 * writes every pending table, one UpdateItem each; a failed write stays pending (merged with what
 * comes later) and is retried with a growing pause, logged, and never fails the job.
 */
public final class ControlStateWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlStateWriter.class);
  private static final Duration FIRST_RETRY = Duration.ofMillis(500);
  private static final Duration MAX_RETRY = Duration.ofSeconds(30);

  private final String tableName;
  private final Function<UpdateItemRequest, ?> writer;
  private final AutoCloseable client;
  private final Map<String, StateUpdate> pending = new LinkedHashMap<>();
  private final Thread thread;
  private boolean closed;
  private long written;
  private long failures;

  /** A writer for the configured table; starts its thread. */
  public static ControlStateWriter start(ControlConfig config) {
    DynamoDbClient client = ControlClients.open(config);
    return new ControlStateWriter(config.tableName(), client::updateItem, client);
  }

  ControlStateWriter(
      String tableName, Function<UpdateItemRequest, ?> writer, AutoCloseable client) {
    this.tableName = tableName;
    this.writer = writer;
    this.client = client;
    this.thread = new Thread(this::loop, "tributary-control-state-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues an update; returns at once. */
  public synchronized void submit(StateUpdate update) {
    pending.merge(update.pk(), update, StateUpdate::merge);
    notifyAll();
  }

  /** Updates written so far, for tests and logs. */
  public synchronized long written() {
    return written;
  }

  private void loop() {
    Duration pause = FIRST_RETRY;
    while (true) {
      Map<String, StateUpdate> batch;
      synchronized (this) {
        while (pending.isEmpty() && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        if (pending.isEmpty()) {
          return;
        }
        batch = new LinkedHashMap<>(pending);
        pending.clear();
      }
      boolean failed = false;
      for (StateUpdate update : batch.values()) {
        try {
          writer.apply(update.toRequest(tableName, Instant.now()));
          synchronized (this) {
            written++;
          }
        } catch (RuntimeException e) {
          failed = true;
          synchronized (this) {
            failures++;
            // Keep it, in front of anything newer of the same table.
            StateUpdate newer = pending.remove(update.pk());
            pending.put(update.pk(), newer == null ? update : update.merge(newer));
          }
          LOG.warn(
              "Could not write the state of {} to control table {} ({} failures so far); retrying"
                  + " in {} ms: {}",
              update.pk(),
              tableName,
              failures,
              pause.toMillis(),
              e.toString());
        }
      }
      if (failed) {
        synchronized (this) {
          if (closed) {
            LOG.warn(
                "Stopping with {} table states not written to control table {}",
                pending.size(),
                tableName);
            return;
          }
          try {
            wait(pause.toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        pause = pause.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : pause.multipliedBy(2);
      } else {
        pause = FIRST_RETRY;
      }
    }
  }

  /** Writes what is pending (waiting up to a few seconds), then stops the thread and the client. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    try {
      thread.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      client.close();
    } catch (Exception e) {
      LOG.debug("Closing the control table client failed", e);
    }
  }
}
