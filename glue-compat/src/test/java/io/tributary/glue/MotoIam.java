package io.tributary.glue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * IAM in moto, for the rehearsal's IAM stage: the service roles with the inline policies Terraform
 * renders for them ({@code iam/role-policies.json}, written by {@code infra/rehearse-on-moto.sh}
 * from a real {@code terraform apply}), their temporary credentials, and moto's IAM enforcement
 * switched on and off.
 *
 * <p>What moto 5.2.1 enforces, once on: every request must be signed with an access key it issued
 * (an IAM user's, or an STS session's); S3 authorizes each action on the bucket's or the object's
 * ARN; every other service (Glue, DynamoDB, Secrets Manager, KMS, ...) authorizes the action on the
 * resource {@code *}, so a statement scoped to an ARN never matches there and its action would be
 * refused. {@link #asMotoEnforcesIt} therefore widens the resources of the statements of other
 * services to {@code *}: moto then checks that each action is granted, and S3 checks action and
 * resource. Conditions of a permission policy are not evaluated by moto (no request context): a
 * conditional statement applies without its condition.
 */
final class MotoIam {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The policies, rendered from these files of {@code infra/terraform}. */
  private static final List<String> RENDERED_FROM = List.of("iam.tf", "main.tf");

  private final MotoServer moto;
  private final String region;

  MotoIam(MotoServer moto, String region) {
    this.moto = moto;
    this.region = region;
  }

  /**
   * The inline policies of the service roles by the name of their {@code aws_iam_role_policy}
   * resource ({@code flink}, {@code glue_maintenance}, ...), each with its {@code role}, {@code
   * name} and {@code policy} as {@code terraform apply} rendered them; fails when {@code iam.tf} or
   * {@code main.tf} changed since.
   */
  static Map<String, JsonNode> renderedPolicies(Path terraformDir) throws IOException {
    JsonNode rendered;
    try (InputStream in = MotoIam.class.getResourceAsStream("/iam/role-policies.json")) {
      if (in == null) {
        throw new IllegalStateException("No iam/role-policies.json on the test class path");
      }
      rendered = JSON.readTree(in);
    }
    for (String file : RENDERED_FROM) {
      String now = sha256(terraformDir.resolve(file));
      String then = rendered.path("rendered_from").path(file).asText();
      if (!now.equals(then)) {
        throw new IllegalStateException(
            "infra/terraform/"
                + file
                + " changed since glue-compat/src/test/resources/iam/role-policies.json was"
                + " rendered from it: render the policies again with TFVARS_FILE="
                + "glue-compat/src/test/resources/iam/rehearsal.tfvars.json POLICIES_OUT="
                + "glue-compat/src/test/resources/iam/role-policies.json infra/rehearse-on-moto.sh");
      }
    }
    Map<String, JsonNode> policies = new LinkedHashMap<>();
    rendered
        .path("policies")
        .fields()
        .forEachRemaining(e -> policies.put(e.getKey(), e.getValue()));
    return policies;
  }

  /**
   * The policy as moto can enforce it: statements of services other than S3 with the resource
   * {@code *} (see the class comment); S3's statements, and every action, as rendered.
   */
  static ObjectNode asMotoEnforcesIt(JsonNode policy) {
    ObjectNode copy = policy.deepCopy();
    for (JsonNode statement : copy.path("Statement")) {
      boolean s3Only = true;
      for (String action : values(statement.get("Action"))) {
        s3Only &= action.startsWith("s3:");
      }
      if (!s3Only) {
        ((ObjectNode) statement).put("Resource", "*");
      }
    }
    return copy;
  }

  private static List<String> values(JsonNode node) {
    List<String> values = new ArrayList<>();
    if (node == null) {
      return values;
    }
    if (node.isArray()) {
      for (Iterator<JsonNode> it = ((ArrayNode) node).elements(); it.hasNext(); ) {
        values.add(it.next().asText());
      }
    } else {
      values.add(node.asText());
    }
    return values;
  }

  /**
   * Creates a role with the given inline policy, trusted by the account (moto cannot act as the
   * service principal Terraform trusts; the role is assumed before enforcement starts), and returns
   * its ARN.
   */
  String createRole(String roleName, String policyName, JsonNode policy) throws IOException {
    String trust =
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\":"
            + " {\"AWS\": \"arn:aws:iam::"
            + MotoServer.ACCOUNT_ID
            + ":root\"}, \"Action\": \"sts:AssumeRole\"}]}";
    try (IamClient iam = iam()) {
      String arn =
          iam.createRole(b -> b.roleName(roleName).assumeRolePolicyDocument(trust)).role().arn();
      String document = JSON.writeValueAsString(policy);
      iam.putRolePolicy(b -> b.roleName(roleName).policyName(policyName).policyDocument(document));
      return arn;
    }
  }

  /** Temporary credentials of the role (STS AssumeRole). */
  Credentials assume(String roleArn) {
    try (StsClient sts =
        StsClient.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .endpointOverride(URI.create(moto.endpoint()))
            .region(Region.of(region))
            .credentialsProvider(setupCredentials())
            .build()) {
      return sts.assumeRole(b -> b.roleArn(roleArn).roleSessionName("rehearsal")).credentials();
    }
  }

  /**
   * Switches moto's IAM enforcement on (every later request is authenticated and authorized) or off
   * (moto's {@code /moto-api/reset-auth}: the number of requests to let through unchecked).
   */
  void enforce(boolean on) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(moto.endpoint() + "/moto-api/reset-auth"))
                    .POST(HttpRequest.BodyPublishers.ofString(on ? "0" : "inf"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "moto refused to switch IAM enforcement " + (on ? "on" : "off") + ": " + response.body());
    }
  }

  private IamClient iam() {
    return IamClient.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .endpointOverride(URI.create(moto.endpoint()))
        .region(Region.AWS_GLOBAL)
        .credentialsProvider(setupCredentials())
        .build();
  }

  private static StaticCredentialsProvider setupCredentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create("setup", "setup-secret"));
  }

  private static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
