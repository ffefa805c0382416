'use strict';
// Terraform resource types, arguments, nested blocks and attribute references against the AWS
// provider's schema, as carried by the generated bindings @cdktn/provider-aws.
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const P = require('../lib/paths');
const { loadTerraform } = require('../lib/terraform');
const s = require('../lib/tf-schema');

let real;
let broken;

before(async () => {
  real = await loadTerraform(P.TERRAFORM);
  broken = await loadTerraform(path.join(P.FIXTURES, 'tf-schema-broken'));
});

function includes(problems, fragment) {
  assert.ok(problems.some((p) => p.includes(fragment)), `expected a problem containing "${fragment}" in:\n${problems.join('\n')}`);
}

test('every resource and data source type, argument and nested block of infra/terraform is in the AWS provider schema', (t) => {
  t.diagnostic(`AWS provider schema: ${s.providerVersion()}`);
  assert.deepEqual(s.schemaProblems(real), []);
  // The reading of the bindings itself: a resource's arguments, blocks at two levels and attributes.
  const bucket = s.typeSchema('resource', 'aws_s3_bucket');
  assert.ok(bucket.args.has('bucket') && bucket.attributes.has('arn') && bucket.attributes.has('bucket_regional_domain_name'));
  assert.ok(bucket.blocks.get('lifecycle_rule').blocks.get('expiration').args.has('days'));
  assert.ok(!bucket.args.has('arn'), 'a computed-only attribute is not an argument');
  assert.ok(s.typeSchema('data', 'aws_iam_policy_document').blocks.get('statement').blocks.get('condition').args.has('variable'));
});

test('the provider version infra/terraform requires is the major version of the schema checked', () => {
  const constraint = real.raw['versions.tf'].match(/source\s*=\s*"hashicorp\/aws"\s*\n\s*version\s*=\s*"([^"]+)"/)[1];
  const major = s.providerVersion().match(/aws (\d+)\./)[1];
  assert.equal(constraint, `>= ${major}.0.0, < ${Number(major) + 1}.0.0`, `versions.tf allows ${constraint}, the schema checked is ${s.providerVersion()}`);
});

test('every attribute reference of infra/terraform names an attribute its type has', () => {
  assert.deepEqual(s.attributeReferenceProblems(real), []);
});

test('unknown types, arguments, nested blocks (plain and dynamic) and attribute references are reported', () => {
  const p = s.schemaProblems(broken);
  includes(p, 'main.tf: aws_s3_buckett.typo: unknown resource type aws_s3_buckett');
  includes(p, 'main.tf: data.aws_iam_policy_documentt.typo: unknown data source type aws_iam_policy_documentt');
  includes(p, 'main.tf: aws_s3_bucket.b: unknown argument or block "bucket_name"');
  includes(p, 'main.tf: aws_s3_bucket.b: unknown argument or block "versioning_config"');
  includes(p, 'aws_s3_bucket_lifecycle_configuration.l.rule.expiration: unknown argument or block "dayz"');
  includes(p, 'aws_s3_bucket_lifecycle_configuration.l.rule: unknown argument or block "filter_prefix"');
  includes(p, 'aws_s3_bucket_lifecycle_configuration.l: dynamic "rules" is not a block of it');
  includes(p, 'data.aws_iam_policy_document.d.statement.condition: unknown argument or block "value"');
  assert.ok(!p.some((x) => /"(count|lifecycle|depends_on)"/.test(x)), `meta-arguments were reported:\n${p.join('\n')}`);
  const r = s.attributeReferenceProblems(broken);
  includes(r, 'main.tf: aws_s3_bucket.b[0].bucket_arn refers to attribute "bucket_arn", which aws_s3_bucket does not have');
  includes(r, 'main.tf: data.aws_iam_policy_document.d.policy_json refers to attribute "policy_json"');
  assert.equal(r.filter((x) => x.includes('.id ')).length, 0, 'aws_s3_bucket.b[0].id is a real attribute');
});
