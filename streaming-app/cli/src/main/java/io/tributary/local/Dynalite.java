package io.tributary.local;

import io.tributary.config.ControlConfig;
import io.tributary.control.ControlClients;
import io.tributary.control.ControlTable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The local DynamoDB: {@code dynalite} (npm) in a Node.js process of its own on 127.0.0.1, its data
 * in LevelDB below a folder (or in memory), tables active at once. The process ends when this one
 * closes its standard input, so it never outlives the process that started it.
 */
public final class Dynalite implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Dynalite.class);

  /** Name of the control table on the local stack. */
  public static final String CONTROL_TABLE = "tributary-control";

  private final Process process;
  private final int port;

  private Dynalite(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts dynalite.
   *
   * @param dataDir where to keep the tables, or null for memory only
   */
  public static Dynalite start(Path dataDir) throws IOException, InterruptedException {
    Path packages = ControlPlaneFiles.requireLocalPackages();
    int port = LocalStack.freePort();
    ProcessBuilder builder =
        new ProcessBuilder(ControlPlaneFiles.node(), "dynalite.cjs", Integer.toString(port));
    if (dataDir != null) {
      Files.createDirectories(dataDir);
      builder.command().add(dataDir.toAbsolutePath().toString());
    }
    builder.directory(packages.toFile()).redirectErrorStream(true);
    Process process = builder.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> ready =
        CompletableFuture.supplyAsync(
            () -> {
              StringBuilder seen = new StringBuilder();
              try {
                String line;
                while ((line = out.readLine()) != null) {
                  if (line.startsWith("dynalite listening")) {
                    return null;
                  }
                  seen.append(line).append('\n');
                }
              } catch (IOException e) {
                seen.append(e);
              }
              return seen.toString();
            });
    String failure;
    try {
      failure = ready.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IOException("dynalite did not start within 30 s on port " + port, e);
    }
    if (failure != null) {
      process.destroyForcibly();
      throw new IOException(
          "dynalite did not start (is Node.js 20 or later installed?): " + failure.trim());
    }
    // Keep reading its output so that it never blocks on a full pipe.
    Thread drain =
        new Thread(
            () -> {
              try {
                String line;
                while ((line = out.readLine()) != null) {
                  LOG.debug("dynalite: {}", line);
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "dynalite-output");
    drain.setDaemon(true);
    drain.start();
    LOG.info("Local DynamoDB (dynalite) on 127.0.0.1:{}", port);
    return new Dynalite(process, port);
  }

  public int port() {
    return port;
  }

  public String endpoint() {
    return endpoint(port);
  }

  static String endpoint(int port) {
    return "http://127.0.0.1:" + port;
  }

  /** The control configuration of the local control table on the dynalite at {@code port}. */
  public static ControlConfig controlConfig(int port) {
    return ControlConfig.builder()
        .tableName(CONTROL_TABLE)
        .region("us-east-1")
        .endpoint(endpoint(port))
        .build();
  }

  /** Creates the control table with the key design of infra/terraform/dynamodb.tf, if absent. */
  public static void createControlTable(ControlConfig config) {
    try (DynamoDbClient client = ControlClients.open(config)) {
      client.createTable(
          CreateTableRequest.builder()
              .tableName(config.tableName())
              .billingMode(BillingMode.PAY_PER_REQUEST)
              .attributeDefinitions(
                  AttributeDefinition.builder()
                      .attributeName(ControlTable.PK)
                      .attributeType(ScalarAttributeType.S)
                      .build(),
                  AttributeDefinition.builder()
                      .attributeName(ControlTable.SK)
                      .attributeType(ScalarAttributeType.S)
                      .build())
              .keySchema(
                  KeySchemaElement.builder()
                      .attributeName(ControlTable.PK)
                      .keyType(KeyType.HASH)
                      .build(),
                  KeySchemaElement.builder()
                      .attributeName(ControlTable.SK)
                      .keyType(KeyType.RANGE)
                      .build())
              .build());
    } catch (ResourceInUseException e) {
      // exists already
    }
  }

  /** Stops dynalite; its data stays in the folder. */
  @Override
  public void close() {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      process.destroy();
    } catch (InterruptedException e) {
      process.destroy();
      Thread.currentThread().interrupt();
    }
  }
}
