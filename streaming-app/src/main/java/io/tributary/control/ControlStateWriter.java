package io.tributary.control;

import io.tributary.config.ControlConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Writes STATE items of the control table from a thread of its own, so that the job never waits for
 * DynamoDB: {@link #submit} only merges the update into the pending one of its table. The thread
 * writes every pending table, one UpdateItem each; a failed write stays pending (merged with what
 * comes later) and is retried with a growing pause, logged, and never fails the job. With a source
 * of dead-letter counts, it also refreshes each table's {@code deadLetters} every {@value
 * #DEAD_LETTER_POLL_SECONDS} seconds when the count changed. With a {@link HistoryExpiry}, it gives
 * the history items of every table it wrote an expiry, once when it first writes and then at the
 * expiry's interval (one Query per table; a failure is logged and tried again next time).
 */
public final class ControlStateWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlStateWriter.class);
  private static final Duration FIRST_RETRY = Duration.ofMillis(500);
  private static final Duration MAX_RETRY = Duration.ofSeconds(30);
  static final long DEAD_LETTER_POLL_SECONDS = 30;
  static final Duration HISTORY_SWEEP_INTERVAL = Duration.ofHours(1);

  private final String tableName;
  private final Consumer<UpdateItemRequest> writer;
  private final AutoCloseable client;
  private final Map<String, StateUpdate> pending = new LinkedHashMap<>();
  private Supplier<Map<String, DeadLetterCounts.Count>> deadLetters;
  private final Map<String, DeadLetterCounts.Count> writtenDeadLetters = new HashMap<>();
  private long nextDeadLetterPoll;
  private final HistoryExpiry history;
  private final Set<String> tables = new LinkedHashSet<>();
  private long nextHistorySweep;
  private long stamped;
  private final Thread thread;
  private boolean closed;
  private long written;
  private long failures;

  /**
   * A writer for the configured table; starts its thread.
   *
   * @param deadLetters dead letters per table partition key, or null for none
   */
  static ControlStateWriter start(
      ControlConfig config, Supplier<Map<String, DeadLetterCounts.Count>> deadLetters) {
    DynamoDbClient client = ControlClients.open(config);
    HistoryExpiry history =
        new HistoryExpiry(
            config.tableName(),
            config.historyRetention(),
            HISTORY_SWEEP_INTERVAL,
            client::query,
            client::updateItem);
    return new ControlStateWriter(
        config.tableName(), client::updateItem, client, deadLetters, history);
  }

  ControlStateWriter(
      String tableName,
      Consumer<UpdateItemRequest> writer,
      AutoCloseable client,
      Supplier<Map<String, DeadLetterCounts.Count>> deadLetters) {
    this(tableName, writer, client, deadLetters, null);
  }

  /**
   * @param history gives history items their expiry, or null for none
   */
  ControlStateWriter(
      String tableName,
      Consumer<UpdateItemRequest> writer,
      AutoCloseable client,
      Supplier<Map<String, DeadLetterCounts.Count>> deadLetters,
      HistoryExpiry history) {
    this.tableName = tableName;
    this.writer = writer;
    this.client = client;
    this.deadLetters = deadLetters;
    this.history = history;
    this.thread = new Thread(this::loop, "tributary-control-state-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues an update; returns at once. */
  public synchronized void submit(StateUpdate update) {
    pending.merge(update.pk(), update, StateUpdate::merge);
    if (history != null && tables.add(update.pk())) {
      nextHistorySweep = 0; // a table seen for the first time: its history now
    }
    notifyAll();
  }

  /** Updates written so far, for tests and logs. */
  public synchronized long written() {
    return written;
  }

  /** History items given an expiry so far, for tests and logs. */
  public synchronized long stamped() {
    return stamped;
  }

  private void loop() {
    Duration pause = FIRST_RETRY;
    while (true) {
      Map<String, StateUpdate> batch;
      synchronized (this) {
        while (pending.isEmpty() && !closed && !deadLettersDue() && !historyDue()) {
          try {
            wait(waitMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        if (pending.isEmpty() && closed) {
          return;
        }
        batch = new LinkedHashMap<>(pending);
        pending.clear();
      }
      boolean failed = false;
      if (deadLettersDue()) {
        failed = !writeDeadLetters();
      }
      if (historyDue()) {
        sweepHistory();
      }
      for (StateUpdate update : batch.values()) {
        try {
          writer.accept(update.toRequest(tableName, Instant.now()));
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

  private boolean deadLettersDue() {
    return deadLetters != null && System.currentTimeMillis() >= nextDeadLetterPoll;
  }

  private synchronized boolean historyDue() {
    return history != null && !tables.isEmpty() && System.currentTimeMillis() >= nextHistorySweep;
  }

  /** How long the idle thread may wait (0: until notified). */
  private long waitMillis() {
    long now = System.currentTimeMillis();
    long next = Long.MAX_VALUE;
    if (deadLetters != null) {
      next = Math.min(next, nextDeadLetterPoll);
    }
    if (history != null && !tables.isEmpty()) {
      next = Math.min(next, nextHistorySweep);
    }
    return next == Long.MAX_VALUE ? 0 : Math.max(1, next - now);
  }

  /** Gives the history items of every known table their expiry; failures wait for the next time. */
  private void sweepHistory() {
    List<String> known;
    synchronized (this) {
      nextHistorySweep = System.currentTimeMillis() + history.interval().toMillis();
      known = new ArrayList<>(tables);
    }
    for (String pk : known) {
      try {
        int count = history.stamp(pk);
        synchronized (this) {
          stamped += count;
        }
        if (count > 0) {
          LOG.info(
              "Set the expiry of {} history items of {} in control table {}", count, pk, tableName);
        }
      } catch (RuntimeException e) {
        LOG.warn(
            "Could not set the expiry of the history of {} in control table {}; trying again in {}:"
                + " {}",
            pk,
            tableName,
            history.interval(),
            e.toString());
      }
    }
  }

  /**
   * Sets {@code deadLetters} of the tables whose count changed, and marks a table BLOCKED when its
   * newest dead letter says it is parked; false when that failed.
   */
  private boolean writeDeadLetters() {
    nextDeadLetterPoll = System.currentTimeMillis() + DEAD_LETTER_POLL_SECONDS * 1000;
    try {
      for (Map.Entry<String, DeadLetterCounts.Count> count : deadLetters.get().entrySet()) {
        if (count.getValue().equals(writtenDeadLetters.get(count.getKey()))) {
          continue;
        }
        writer.accept(StateUpdate.deadLetters(tableName, count.getKey(), count.getValue()));
        writtenDeadLetters.put(count.getKey(), count.getValue());
      }
      return true;
    } catch (IllegalArgumentException e) {
      LOG.warn("Dead letters are not counted in control table {}: {}", tableName, e.getMessage());
      deadLetters = null; // the warehouse cannot be listed: no point in trying again
      return true;
    } catch (RuntimeException e) {
      LOG.warn(
          "Could not count or record dead letters in control table {}; retrying: {}",
          tableName,
          e.toString());
      nextDeadLetterPoll = 0;
      return false;
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
