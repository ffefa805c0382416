'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const P = require('../lib/paths');
const cfn = require('../lib/cfn');
const { loadTerraform } = require('../lib/terraform');
const { cloudFormationPolicySizes, terraformPolicySizes } = require('../lib/policy-size');

const BROKEN = path.join(P.FIXTURES, 'policy-size-broken');

function includes(problems, fragment) {
  assert.ok(problems.some((p) => p.includes(fragment)), `expected a problem containing "${fragment}" in:\n${problems.join('\n')}`);
}

test('every IAM policy of the seed template fits the IAM size limits at its worst case', (t) => {
  const r = cloudFormationPolicySizes(cfn.loadTemplate(P.CFN_TEMPLATE), 'seed.yaml');
  for (const s of r.sizes) t.diagnostic(`${s.what}: ${s.size} of ${s.limit}`);
  assert.deepEqual(r.problems, []);
  assert.ok(r.sizes.filter((s) => s.what.includes('managed policy')).length >= 4);
});

test('every IAM policy of the Terraform configuration fits the IAM size limits at its worst case', async (t) => {
  const r = terraformPolicySizes(await loadTerraform(P.TERRAFORM));
  for (const s of r.sizes) t.diagnostic(`${s.what}: ${s.size} of ${s.limit}`);
  assert.deepEqual(r.problems, []);
  assert.ok(r.sizes.some((s) => s.what.includes('trust policy')));
  assert.ok(r.sizes.some((s) => s.what.includes('inline policies together')));
});

test('oversized managed, inline and trust policies and unbounded parameters are reported', async () => {
  const c = cloudFormationPolicySizes(cfn.loadTemplate(path.join(BROKEN, 'template.yaml')), 'template.yaml');
  includes(c.problems, 'template.yaml#TooLargeManaged (managed policy)');
  includes(c.problems, 'over the IAM limit of 6144');
  includes(c.problems, 'template.yaml#Role (trust policy)');
  includes(c.problems, 'template.yaml#Role (inline policies together)');
  includes(c.problems, 'parameter Unbounded is used in a policy but has neither AllowedValues nor MaxLength');
  const tf = terraformPolicySizes(await loadTerraform(BROKEN));
  includes(tf.problems, 'aws_iam_policy.big (managed policy)');
  includes(tf.problems, 'aws_iam_role.big (trust policy)');
  includes(tf.problems, 'aws_iam_role.big (inline policies together)');
  includes(tf.problems, 'aws_iam_role_policy.literal: its policy is not a data.aws_iam_policy_document');
});
