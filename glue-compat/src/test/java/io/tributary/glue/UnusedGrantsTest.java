package io.tributary.glue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.glue.model.GetTableRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;

class UnusedGrantsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void callsBecomeTheActionsIamAuthorizesThemBy() {
    assertThat(
            RecordedAwsCalls.actions(
                "S3", "HeadObject", HeadObjectRequest.builder().bucket("b").key("k").build()))
        .containsExactly("s3:GetObject");
    assertThat(RecordedAwsCalls.actions("S3", "CopyObject", null))
        .containsExactly("s3:GetObject", "s3:PutObject");
    assertThat(RecordedAwsCalls.actions("S3", "ListObjectsV2", null))
        .containsExactly("s3:ListBucket");
    assertThat(RecordedAwsCalls.actions("Glue", "GetTable", GetTableRequest.builder().build()))
        .containsExactly("glue:GetTable");
    TransactWriteItemsRequest transaction =
        TransactWriteItemsRequest.builder()
            .transactItems(
                TransactWriteItem.builder().put(Put.builder().tableName("t").build()).build(),
                TransactWriteItem.builder()
                    .conditionCheck(ConditionCheck.builder().tableName("t").build())
                    .build())
            .build();
    assertThat(RecordedAwsCalls.actions("DynamoDb", "TransactWriteItems", transaction))
        .containsExactly("dynamodb:PutItem", "dynamodb:ConditionCheckItem");
  }

  @Test
  void aGrantIsUsedOnlyByACallOnItsResourcesAndServiceStatementsStandApart() throws Exception {
    JsonNode policy =
        JSON.readTree(
            "{\"Statement\":["
                + "{\"Sid\":\"Warehouse\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\","
                + "\"s3:PutObject\",\"s3:DeleteObject\"],\"Resource\":\"arn:aws:s3:::lake/wh/*\"},"
                + "{\"Sid\":\"Ca\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::art/certs/ca.pem\"},"
                + "{\"Sid\":\"Catalog\",\"Effect\":\"Allow\",\"Action\":[\"glue:GetTable\","
                + "\"glue:GetPartitions\"],\"Resource\":[\"arn:aws:glue:r:1:table/db/*\"]},"
                + "{\"Sid\":\"UseDataKey\",\"Effect\":\"Allow\",\"Action\":\"kms:Decrypt\","
                + "\"Resource\":\"*\"}]}");
    Set<String> recorded =
        Set.of(
            "s3:GetObject arn:aws:s3:::lake/wh/t/data/1.parquet",
            "s3:PutObject arn:aws:s3:::lake/wh/t/metadata/2.json",
            "glue:gettable *");

    List<UnusedGrants.StatementUse> uses = UnusedGrants.of(policy, recorded);

    assertThat(uses.get(0).used).containsExactly("s3:GetObject", "s3:PutObject");
    assertThat(uses.get(0).unused).containsExactly("s3:DeleteObject");
    assertThat(uses.get(1).unused).as("no read of the CA object").containsExactly("s3:GetObject");
    assertThat(uses.get(2).used).containsExactly("glue:GetTable");
    assertThat(UnusedGrants.lines("flink", uses))
        .containsExactly(
            "flink: Warehouse: never used s3:DeleteObject (used: s3:GetObject, s3:PutObject)",
            "flink: Ca: never used s3:GetObject",
            "flink: Catalog: never used glue:GetPartitions (used: glue:GetTable)",
            "flink: UseDataKey: not exercised here (KMS, called by S3, DynamoDB and Secrets"
                + " Manager for the role's encrypted data (moto does not))");
  }

  @Test
  void wildcardsMatchAsIamMatchesThem() {
    assertThat(UnusedGrants.matches("arn:aws:s3:::b/wh/*", "arn:aws:s3:::b/wh/x/y")).isTrue();
    assertThat(UnusedGrants.matches("arn:aws:s3:::b/wh/*", "arn:aws:s3:::b/other")).isFalse();
    assertThat(UnusedGrants.matches("arn:aws:s3:::b", "arn:aws:s3:::b")).isTrue();
    assertThat(UnusedGrants.matches("glue:get*", "glue:gettable")).isTrue();
    assertThat(UnusedGrants.matches("a?c", "abc")).isTrue();
    assertThat(UnusedGrants.matches("a.c", "abc")).as("a dot is a dot").isFalse();
  }
}
