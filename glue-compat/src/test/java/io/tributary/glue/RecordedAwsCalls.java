package io.tributary.glue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;

/**
 * The AWS calls every SDK client of the test's JVM makes while recording is on, as the IAM actions
 * they need and, for S3, the ARN of the bucket or object (other services: {@code *}), per access
 * key (so per assumed role). Each entry is {@code "action resource"}. Registered for all clients
 * through the SDK's global interceptor file ({@code
 * software/amazon/awssdk/global/handlers/execution.interceptors} in the test resources); it reads
 * the signed request, so it sees the key that signed it.
 */
public final class RecordedAwsCalls implements ExecutionInterceptor {
  private static final Map<String, Set<String>> BY_KEY = new ConcurrentHashMap<>();
  private static final Pattern CREDENTIAL = Pattern.compile("Credential=([A-Z0-9]+)/");
  private static volatile boolean recording;

  /** The IAM prefix of each SDK service name. */
  private static final Map<String, String> PREFIXES =
      Map.ofEntries(
          Map.entry("Glue", "glue"),
          Map.entry("S3", "s3"),
          Map.entry("DynamoDb", "dynamodb"),
          Map.entry("SecretsManager", "secretsmanager"),
          Map.entry("Sts", "sts"),
          Map.entry("Kms", "kms"),
          Map.entry("CloudWatch", "cloudwatch"),
          Map.entry("CloudWatchLogs", "logs"),
          Map.entry("Sfn", "states"),
          Map.entry("Sns", "sns"));

  /** S3 operations whose IAM action has another name. */
  private static final Map<String, String> S3_ACTIONS =
      Map.ofEntries(
          Map.entry("HeadObject", "GetObject"),
          Map.entry("CopyObject", "PutObject"),
          Map.entry("CreateMultipartUpload", "PutObject"),
          Map.entry("UploadPart", "PutObject"),
          Map.entry("CompleteMultipartUpload", "PutObject"),
          Map.entry("ListParts", "ListMultipartUploadParts"),
          Map.entry("ListObjects", "ListBucket"),
          Map.entry("ListObjectsV2", "ListBucket"),
          Map.entry("HeadBucket", "ListBucket"),
          Map.entry("DeleteObjects", "DeleteObject"));

  /** Starts recording, forgetting what was recorded before. */
  static void start() {
    BY_KEY.clear();
    recording = true;
  }

  static void stop() {
    recording = false;
  }

  /** The {@code "action resource"} entries of the calls signed with this access key, sorted. */
  static Set<String> actionsOf(String accessKeyId) {
    return new TreeSet<>(BY_KEY.getOrDefault(accessKeyId, Set.of()));
  }

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes attributes) {
    if (!recording) {
      return;
    }
    String authorization = context.httpRequest().firstMatchingHeader("Authorization").orElse("");
    Matcher m = CREDENTIAL.matcher(authorization);
    if (!m.find()) {
      return;
    }
    SdkRequest request = context.request();
    String resource = "*";
    String bucket = request.getValueForField("Bucket", String.class).orElse(null);
    if (bucket != null) {
      String key = request.getValueForField("Key", String.class).orElse(null);
      if (request instanceof DeleteObjectsRequest) {
        key = "*"; // one entry for the objects of a batch delete
      }
      resource = "arn:aws:s3:::" + bucket + (key == null ? "" : "/" + key);
    }
    Set<String> entries = BY_KEY.computeIfAbsent(m.group(1), k -> ConcurrentHashMap.newKeySet());
    for (String action :
        actions(
            attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME),
            attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME),
            request)) {
      entries.add(action + " " + resource);
    }
  }

  /** The IAM actions a call needs: mostly the operation's name under the service's prefix. */
  static List<String> actions(String service, String operation, SdkRequest request) {
    String prefix = PREFIXES.getOrDefault(service, service.toLowerCase(Locale.ROOT));
    List<String> actions = new ArrayList<>();
    if (prefix.equals("s3")) {
      if (operation.equals("CopyObject")) {
        actions.add("s3:GetObject");
      }
      actions.add("s3:" + S3_ACTIONS.getOrDefault(operation, operation));
    } else if (request instanceof TransactWriteItemsRequest) {
      // IAM authorizes each item of a transaction by its own action.
      for (TransactWriteItem item : ((TransactWriteItemsRequest) request).transactItems()) {
        if (item.put() != null) {
          actions.add("dynamodb:PutItem");
        }
        if (item.update() != null) {
          actions.add("dynamodb:UpdateItem");
        }
        if (item.delete() != null) {
          actions.add("dynamodb:DeleteItem");
        }
        if (item.conditionCheck() != null) {
          actions.add("dynamodb:ConditionCheckItem");
        }
      }
    } else if (request instanceof TransactGetItemsRequest) {
      actions.add("dynamodb:GetItem");
    } else {
      actions.add(prefix + ":" + operation);
    }
    return actions;
  }
}
