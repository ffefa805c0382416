'use strict';
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const P = require('../lib/paths');
const { loadTerraform } = require('../lib/terraform');
const c = require('../lib/tf-checks');
const { terraformStatements, wildcardProblems } = require('../lib/iam');
const cfn = require('../lib/cfn');
const { cloudFormationPolicySizes, terraformPolicySizes } = require('../lib/policy-size');
const { flinkAlarmProblems } = require('../lib/alarms');
const d = require('../lib/deploy-permissions');

const allowlist = JSON.parse(fs.readFileSync(P.ALLOWLIST, 'utf8'));
let real;
let broken;

before(async () => {
  real = await loadTerraform(P.TERRAFORM);
  broken = await loadTerraform(path.join(P.FIXTURES, 'terraform-broken'));
});

function includes(problems, fragment) {
  assert.ok(problems.some((p) => p.includes(fragment)), `expected a problem containing "${fragment}" in:\n${problems.join('\n')}`);
}

test('every .tf file parses, and the required files exist', () => {
  for (const f of ['versions.tf', 'variables.tf', 'main.tf', 'glue_jobs.tf', 'output.tf', 's3.tf', 'kms.tf', 'network.tf', 'iam.tf', 'flink.tf', 'dynamodb.tf', 'stepfunctions.tf', 'monitoring.tf', 'athena.tf', 'secrets.tf']) {
    assert.ok(real.files[f], `${f} is missing or empty`);
  }
});

test('a file that does not parse is reported with its name', async () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'tf-'));
  fs.writeFileSync(path.join(dir, 'bad.tf'), 'resource "aws_s3_bucket" "x" {\n  bucket = \n}\n');
  await assert.rejects(loadTerraform(dir), /bad\.tf does not parse/);
  fs.rmSync(dir, { recursive: true });
});

test('variables: typed, described, declared when used, used when declared', () => {
  assert.deepEqual(c.checkVariables(real), []);
  const p = c.checkVariables(broken);
  includes(p, 'variable no_type has no type');
  includes(p, 'variable no_description has no description');
  includes(p, 'var.tags_undeclared is used but not declared');
  includes(p, 'variable no_description is declared but never used');
});

test('outputs: described and referring to something', () => {
  assert.deepEqual(c.checkOutputs(real), []);
  const p = c.checkOutputs(broken);
  includes(p, 'output undescribed has no description');
  includes(p, 'output constant refers to nothing');
});

test('every referenced resource, data source and local exists; every local is used', () => {
  assert.deepEqual(c.checkReferences(real), []);
  const p = c.checkReferences(broken);
  includes(p, 'aws_s3_bucket.missing is referenced but no such resource');
  includes(p, 'local.nope is referenced but not defined');
  includes(p, 'local.forgotten is defined but never used');
});

test('every taggable resource is tagged with merge(var.tags, ...)', () => {
  assert.deepEqual(c.checkTags(real), []);
  includes(c.checkTags(broken), 'aws_security_group.open is not tagged');
});

test('every bucket has encryption, a full public access block and a TLS-only policy', () => {
  assert.deepEqual(c.checkBuckets(real), []);
  const p = c.checkBuckets(broken);
  includes(p, 'aws_s3_bucket.naked has no server-side encryption');
  includes(p, 'aws_s3_bucket.naked has no public access block');
  includes(p, 'aws_s3_bucket.naked has no bucket policy denying requests without TLS');
});

test('access logging is set only after the log bucket lets the log delivery write', () => {
  assert.deepEqual(c.checkLogDeliveryOrder(real), []);
  // Broken: the logging no longer waits for the log bucket's policy (tried against moto's S3: the
  // first apply failed with InvalidTargetBucketForLogging on every data bucket).
  const unordered = structuredClone(real);
  const logging = unordered.resources.find((r) => r.type === 'aws_s3_bucket_logging' && r.name === 'data');
  delete logging.body.depends_on;
  includes(c.checkLogDeliveryOrder(unordered), 'aws_s3_bucket_logging.data does not depend on aws_s3_bucket_policy.access_logs');
  // Broken: the log bucket's policy no longer grants the log delivery.
  const ungranted = structuredClone(real);
  const doc = ungranted.data.find((d) => d.type === 'aws_iam_policy_document' && d.name === 'access_logs');
  doc.body.statement = doc.body.statement.filter((st) => st.effect === 'Deny');
  includes(c.checkLogDeliveryOrder(ungranted), 'no policy of aws_s3_bucket.access_logs grants s3:PutObject to the logging.s3 service principal');
});

test('buckets holding data use the customer managed key; versioning and lifecycle protect the warehouse', () => {
  const enc = real.resources.find((r) => r.type === 'aws_s3_bucket_server_side_encryption_configuration' && r.name === 'data');
  const rule = enc.body.rule[0].apply_server_side_encryption_by_default[0];
  assert.equal(rule.sse_algorithm, 'aws:kms');
  assert.match(rule.kms_master_key_id, /aws_kms_key\.main\.arn/);
  const lc = real.resources.find((r) => r.type === 'aws_s3_bucket_lifecycle_configuration' && r.name === 'warehouse');
  for (const rl of lc.body.rule) {
    for (const e of rl.expiration || []) assert.equal(e.days, undefined, 'the warehouse must never expire current objects');
  }
});

test('no security group allows ingress from 0.0.0.0/0', () => {
  assert.deepEqual(c.checkSecurityGroups(real), []);
  includes(c.checkSecurityGroups(broken), 'aws_security_group.open allows ingress from anywhere');
});

test('no IAM statement allows a wildcard action or resource unless allow-listed with a reason', () => {
  assert.deepEqual(wildcardProblems(terraformStatements(real), allowlist), []);
  const p = wildcardProblems(terraformStatements(broken), allowlist);
  includes(p, 'bad#Everything: wildcard action s3:*');
  includes(p, 'bad#Everything: resource "*"');
});

test('every allow-listed wildcard exists and is commented in the source', () => {
  const keys = new Set(terraformStatements(real).map((s) => s.key));
  for (const k of Object.keys(allowlist.wildcardResource).filter((k) => k.includes('.tf#'))) {
    assert.ok(keys.has(k), `allow-list entry ${k} matches no statement; remove it`);
  }
  assert.deepEqual(c.checkWildcardComments(real), []);
  includes(c.checkWildcardComments(broken), 'main.tf:31: wildcard without a comment');
});

test('no hard-coded arn:aws: partition in Terraform, state machines, template or build spec', () => {
  const texts = {};
  for (const [f, t] of Object.entries(real.raw)) texts[`terraform/${f}`] = t;
  for (const f of fs.readdirSync(P.STEPFUNCTIONS)) texts[`stepfunctions/${f}`] = fs.readFileSync(path.join(P.STEPFUNCTIONS, f), 'utf8');
  texts['cfn/seed.yaml'] = fs.readFileSync(P.CFN_TEMPLATE, 'utf8');
  texts['buildspec.yml'] = fs.readFileSync(P.BUILDSPEC, 'utf8');
  assert.deepEqual(c.hardcodedArnProblems(texts), []);
  includes(c.hardcodedArnProblems(broken.raw), 'main.tf:38: hard-coded partition');
});

test('every IAM role carries the permissions boundary variable', () => {
  for (const r of real.resources.filter((x) => x.type === 'aws_iam_role')) {
    assert.equal(r.body.permissions_boundary, '${var.permissions_boundary_arn}', `aws_iam_role.${r.name}`);
  }
});

test('the database password never passes through Terraform', () => {
  assert.equal(real.resources.filter((r) => r.type === 'aws_secretsmanager_secret_version').length, 0);
  for (const name of Object.keys(real.variables)) assert.doesNotMatch(name, /password$|secret_value|credentials/);
});

test('the control table is on-demand with point-in-time recovery and the customer managed key', () => {
  const t = real.resources.find((r) => r.type === 'aws_dynamodb_table' && r.name === 'control');
  assert.equal(t.body.billing_mode, 'PAY_PER_REQUEST');
  assert.equal(t.body.hash_key, 'pk');
  assert.equal(t.body.range_key, 'sk');
  assert.equal(t.body.point_in_time_recovery[0].enabled, true);
  assert.match(t.body.server_side_encryption[0].kms_key_arn, /aws_kms_key\.main/);
});

test('the Flink application refuses more than 50 runtime property groups with a precondition', async () => {
  assert.deepEqual(c.checkPropertyGroupLimit(real), []);
  const app = real.resources.find((r) => r.type === 'aws_kinesisanalyticsv2_application');
  const pre = app.body.lifecycle[0].precondition.find((p) => p.condition.includes('flink_property_groups'));
  assert.match(pre.error_message, /at most 50 runtime property groups/);
  assert.equal(Object.keys(real.locals.flink_property_groups_all.value).length, 5, 'the error message and the docs count 5 fixed groups');
  const flinkBroken = await loadTerraform(path.join(P.FIXTURES, 'flink-broken'));
  includes(c.checkPropertyGroupLimit(flinkBroken), 'aws_kinesisanalyticsv2_application.cdc has no precondition length(local.flink_property_groups) <= 50');
});

test('on-premises names resolve: an optional Resolver outbound endpoint forwards the on-premises domains', () => {
  for (const v of ['onprem_dns_domains', 'onprem_dns_servers']) {
    assert.ok(real.variables[v], `variable ${v} is missing`);
    assert.deepEqual(real.variables[v].body.default, [], `${v} must default to empty (no endpoint)`);
  }
  const find = (type) => real.resources.find((r) => r.type === type);
  const endpoint = find('aws_route53_resolver_endpoint');
  assert.ok(endpoint, 'no aws_route53_resolver_endpoint');
  assert.equal(endpoint.body.direction, 'OUTBOUND');
  assert.match(endpoint.body.count, /local\.onprem_dns_enabled/);
  assert.match(real.locals.onprem_dns_enabled.value, /length\(var\.onprem_dns_domains\) > 0/);
  const rule = find('aws_route53_resolver_rule');
  assert.equal(rule.body.rule_type, 'FORWARD');
  assert.match(rule.body.for_each, /var\.onprem_dns_domains/);
  assert.match(JSON.stringify(rule.body.dynamic), /var\.onprem_dns_servers/);
  assert.match(find('aws_route53_resolver_rule_association').body.vpc_id, /aws_vpc\.main\.id/);
  const egress = real.resources.find((r) => r.type === 'aws_vpc_security_group_egress_rule' && r.name === 'resolver_to_onprem_dns');
  assert.equal(egress.body.from_port, 53);
  assert.match(egress.body.cidr_ipv4, /\/32$/);
});

test('the control table expires items by TTL on expiresAt, and the maintenance selection reads every Scan page', () => {
  const t = real.resources.find((r) => r.type === 'aws_dynamodb_table' && r.name === 'control');
  assert.ok(t.body.ttl, 'the control table has no ttl block');
  assert.equal(t.body.ttl[0].attribute_name, 'expiresAt');
  assert.equal(t.body.ttl[0].enabled, true);
  const def = JSON.parse(
    fs.readFileSync(path.join(P.STEPFUNCTIONS, 'maintenance.asl.json'), 'utf8').replace(/\$\{(max_concurrency|task_timeout_seconds)\}/g, '1'),
  );
  const scans = Object.entries(def.States).filter(([, s]) => s.Type === 'Task' && /:dynamodb:scan$/.test(s.Resource));
  assert.ok(scans.some(([, s]) => s.Parameters['ExclusiveStartKey.$']), 'no Scan continues from a LastEvaluatedKey');
  const loop = Object.values(def.States).find((s) => s.Type === 'Choice' && s.Choices.some((c) => /LastEvaluatedKey$/.test(c.Variable) && c.IsPresent === true));
  assert.ok(loop, 'no Choice loops while the page has a LastEvaluatedKey');
  assert.ok(scans.some(([name]) => name === loop.Choices[0].Next), 'the loop does not lead to the next-page Scan');
});

test('the seed role grants every action the Terraform apply calls, and creates keys only with request tags', async () => {
  const contract = require('../contracts/deploy-actions.json');
  const model = real;
  const t = cfn.loadTemplate(P.CFN_TEMPLATE);
  const existingOnly = await d.existingResourceActions(Object.values(contract.create).flat());
  assert.ok(existingOnly.has('ec2:CreateRoute') && !existingOnly.has('ec2:CreateSubnet'), [...existingOnly].join(', '));
  assert.deepEqual(d.deployPermissionProblems(model, t, 'BuildRole', contract, existingOnly), []);
  assert.deepEqual(d.keyCreationProblems(t, 'BuildRole'), []);
  const broken = cfn.loadTemplate(path.join(P.FIXTURES, 'cfn-deploy-broken.yaml'));
  const p = d.deployPermissionProblems(model, broken, 'BuildRole', contract);
  includes(p, 'aws_kms_key: the seed role BuildRole does not grant kms:TagResource');
  includes(p, 'aws_sfn_state_machine: the seed role BuildRole does not grant logs:CreateLogDelivery');
  includes(p, 'aws_vpc_endpoint: the seed role BuildRole does not grant route53:AssociateVPCWithHostedZone');
  includes(d.keyCreationProblems(broken, 'BuildRole'), 'CreateKeys: kms:CreateKey without an aws:RequestTag condition');
  const unlisted = d.deployPermissionProblems({ resources: [{ type: 'aws_lambda_function' }] }, t, 'BuildRole', contract);
  includes(unlisted, 'aws_lambda_function is used in Terraform but contracts/deploy-actions.json does not list');
});

test('the plan role reads what refreshing every resource type and data source needs', () => {
  const contract = require('../contracts/deploy-actions.json');
  assert.deepEqual(d.planReadProblems(real, cfn.loadTemplate(P.CFN_TEMPLATE), 'PlanRole', contract), []);
  const broken = cfn.loadTemplate(path.join(P.FIXTURES, 'pipeline-broken.yaml'));
  const p = d.planReadProblems(real, broken, 'PlanRole', contract);
  includes(p, 'aws_kms_key: the plan role PlanRole does not grant kms:DescribeKey');
  includes(p, 'data.aws_caller_identity: the plan role PlanRole does not grant sts:GetCallerIdentity');
  assert.ok(!p.some((x) => x.includes('s3:GetBucketPolicy')), 's3:GetBucket* grants s3:GetBucketPolicy');
  const unlisted = d.planReadProblems({ resources: [{ type: 'aws_lambda_function' }], data: [] }, broken, 'PlanRole', contract);
  includes(unlisted, 'aws_lambda_function is used in Terraform but contracts/deploy-actions.json "read" does not list');
});

test('every IAM policy of the seed template fits the IAM size limits at its worst case', (t) => {
  const r = cloudFormationPolicySizes(cfn.loadTemplate(P.CFN_TEMPLATE), 'seed.yaml');
  for (const s of r.sizes) t.diagnostic(`${s.what}: ${s.size} of ${s.limit}`);
  assert.deepEqual(r.problems, []);
  assert.ok(r.sizes.filter((s) => s.what.includes('managed policy')).length >= 4);
});

test('every IAM policy of the Terraform configuration fits the IAM size limits at its worst case', (t) => {
  const r = terraformPolicySizes(real);
  for (const s of r.sizes) t.diagnostic(`${s.what}: ${s.size} of ${s.limit}`);
  assert.deepEqual(r.problems, []);
  assert.ok(r.sizes.some((s) => s.what.includes('trust policy')));
  assert.ok(r.sizes.some((s) => s.what.includes('inline policies together')));
});

test('oversized managed, inline and trust policies and unbounded parameters are reported', async () => {
  const c = cloudFormationPolicySizes(cfn.loadTemplate(path.join(P.FIXTURES, 'policy-size-broken', 'template.yaml')), 'template.yaml');
  includes(c.problems, 'template.yaml#TooLargeManaged (managed policy)');
  includes(c.problems, 'over the IAM limit of 6144');
  includes(c.problems, 'template.yaml#Role (trust policy)');
  includes(c.problems, 'template.yaml#Role (inline policies together)');
  includes(c.problems, 'parameter Unbounded is used in a policy but has neither AllowedValues nor MaxLength');
  const tf = terraformPolicySizes(await loadTerraform(path.join(P.FIXTURES, 'policy-size-broken')));
  includes(tf.problems, 'aws_iam_policy.big (managed policy)');
  includes(tf.problems, 'aws_iam_policy.concatenated (managed policy)');
  includes(tf.problems, 'aws_iam_policy.dynamic (managed policy)');
  includes(tf.problems, 'aws_iam_role.big (trust policy)');
  includes(tf.problems, 'aws_iam_role.big (inline policies together)');
  includes(tf.problems, 'aws_iam_role_policy.literal: its policy is not a data.aws_iam_policy_document');
});

test('the Flink alarms read exactly the series published at the default metrics level, and the downtime alarm is silent while stopped on purpose', () => {
  assert.deepEqual(flinkAlarmProblems(real), []);
  const metricsDoc = fs.readFileSync(path.join(P.REPO, 'docs', 'metrics.md'), 'utf8');
  assert.match(metricsDoc, /`flink_metrics_level`/);
  assert.match(metricsDoc, /APPLICATION/);
});

test('alarms on operator-level dimensions, a finer default level and an always-armed downtime alarm are reported', async () => {
  const p = flinkAlarmProblems(await loadTerraform(path.join(P.FIXTURES, 'alarms-broken')));
  includes(p, 'variable flink_metrics_level defaults to OPERATOR');
  includes(p, 'aws_cloudwatch_metric_alarm.per_operator: tributaryLagMillis with dimensions (Application, Operator, table)');
  includes(p, 'aws_cloudwatch_metric_alarm.insights_operator: Metrics Insights SCHEMA(Application, Operator, table)');
  includes(p, 'aws_cloudwatch_metric_alarm.downtime_always_on: the downtime alarm must not notify');
});

test('the data buckets refuse uploads not encrypted with the lake key', async () => {
  assert.deepEqual(c.checkUploadEncryption(real), []);
  includes(c.checkUploadEncryption(await loadTerraform(path.join(P.FIXTURES, 'terraform-broken'))), 'aws_s3_bucket_policy.data with a data.aws_iam_policy_document is missing');
  // Broken: the policy keeps only its TLS statements.
  const tlsOnly = structuredClone(real);
  const doc = tlsOnly.data.find((d) => d.type === 'aws_iam_policy_document' && d.name === 'data_bucket');
  doc.body.statement = doc.body.statement.filter((st) => !/Encryption|Key/.test(st.sid));
  const p = c.checkUploadEncryption(tlsOnly);
  includes(p, 'uploads asking for another encryption algorithm');
  includes(p, 'uploads asking for another KMS key');
  includes(p, 'uploads asking for SSE-KMS without naming the key');
});

test('the maintenance job has a Glue role of its own that cannot read the database secret', () => {
  const { renderTerraformDocument } = require('../lib/policy-size');
  assert.deepEqual(c.checkMaintenanceSecret(real, renderTerraformDocument), []);
  // Broken: maintenance runs with the backfill's role.
  const shared = structuredClone(real);
  shared.resources.find((r) => r.type === 'aws_glue_job' && r.name === 'maintenance').body.role_arn = '${aws_iam_role.glue_backfill.arn}';
  const p = c.checkMaintenanceSecret(shared, renderTerraformDocument);
  includes(p, 'aws_glue_job.maintenance and aws_glue_job.backfill share aws_iam_role.glue_backfill');
  includes(p, 'aws_iam_role_policy.glue_backfill (role of aws_glue_job.maintenance): statement ReadSourceSecret grants secretsmanager:GetSecretValue');
  includes(p, 'data.aws_iam_policy_document.source_secret lets aws_iam_role.glue_backfill (maintenance) read the secret');
});

test("the seed role's EC2 rights are scoped by the project's tags, and a request-tag grant never covers an existing parent", async () => {
  const allow = { 'seed.yaml#DeployConnectivityPolicy#ResolverEndpointInterfaces': 'Route 53 Resolver creates its network interfaces as the caller' };
  assert.deepEqual(await d.networkTagScopeProblems(cfn.loadTemplate(P.CFN_TEMPLATE), 'BuildRole', allow), []);
  const broken = {
    Resources: {
      BuildRole: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: [{ Ref: 'Net' }] } },
      Net: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          PolicyDocument: {
            Statement: [
              { Sid: 'Network', Effect: 'Allow', Action: ['ec2:Describe*', 'ec2:CreateVpc', 'ec2:DeleteVpc'], Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } },
              { Sid: 'Subnets', Effect: 'Allow', Action: 'ec2:CreateSubnet', Resource: ['arn:aws:ec2:eu-west-1:1:subnet/*', 'arn:aws:ec2:eu-west-1:1:vpc/*'], Condition: { StringEquals: { 'aws:RequestTag/Project': 'tributary' } } },
            ],
          },
        },
      },
    },
  };
  const p = await d.networkTagScopeProblems(broken, 'BuildRole');
  includes(p, 'seed.yaml#Net#Network: ec2:CreateVpc, ec2:DeleteVpc without an aws:RequestTag or aws:ResourceTag condition');
  includes(p, "seed.yaml#Net#Subnets: ec2:CreateSubnet on vpc, a resource that exists before the call, is granted by the request's tags");
  assert.ok(!p.some((x) => x.includes('on subnet,')), p.join('\n'));
});
