'use strict';
// CloudFormation: parsing with the short-form intrinsic tags, cfn-lint (npm) with its known false
// alarms filtered against the newer resource specification of @aws-cdk/cfnspec, and a direct check
// of resource types, property names, required properties and GetAtt attributes against that spec.

const fs = require('node:fs');
const yaml = require('js-yaml');
const cfnLint = require('cfn-lint');
const spec = require('@aws-cdk/cfnspec/spec/specification.json');

const INTRINSICS = [
  ['Ref', 'scalar'], ['Sub', 'scalar'], ['Sub', 'sequence'], ['GetAtt', 'scalar'], ['GetAtt', 'sequence'],
  ['Join', 'sequence'], ['Select', 'sequence'], ['Split', 'sequence'], ['If', 'sequence'], ['Equals', 'sequence'],
  ['Not', 'sequence'], ['And', 'sequence'], ['Or', 'sequence'], ['FindInMap', 'sequence'], ['Base64', 'scalar'],
  ['GetAZs', 'scalar'], ['ImportValue', 'scalar'], ['Cidr', 'sequence'], ['Condition', 'scalar'],
];

const SCHEMA = yaml.DEFAULT_SCHEMA.extend(
  INTRINSICS.map(
    ([name, kind]) =>
      new yaml.Type(`!${name}`, {
        kind,
        construct: (data) => {
          if (name === 'Ref' || name === 'Condition') return { [name]: data };
          if (name === 'GetAtt' && typeof data === 'string') return { 'Fn::GetAtt': data.split('.') };
          return { [`Fn::${name}`]: data };
        },
      }),
  ),
);

function loadTemplate(file) {
  return yaml.load(fs.readFileSync(file, 'utf8'), { schema: SCHEMA });
}

function isIntrinsic(v) {
  return v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && /^(Ref|Condition|Fn::.+)$/.test(Object.keys(v)[0]);
}

/** Checks property names (recursively) of a value against a spec property map. */
function checkProperties(props, specProps, typeName, where, problems) {
  if (!props || typeof props !== 'object' || isIntrinsic(props)) return;
  for (const [name, value] of Object.entries(props)) {
    const p = specProps[name];
    if (!p) {
      problems.push(`${where}: ${name} is not a property of ${typeName}`);
      continue;
    }
    const itemType = p.Type === 'List' || p.Type === 'Map' ? p.ItemType : p.Type;
    if (!itemType) continue;
    const resourceType = typeName.split('.')[0];
    const sub = spec.PropertyTypes[`${resourceType}.${itemType}`] || spec.PropertyTypes[itemType];
    if (!sub || !sub.Properties) continue;
    const values = p.Type === 'List' ? (Array.isArray(value) ? value : []) : p.Type === 'Map' ? Object.values(value || {}) : [value];
    values.forEach((v, i) => checkProperties(v, sub.Properties, `${resourceType}.${itemType}`, `${where}.${name}${p.Type === 'List' ? `[${i}]` : ''}`, problems));
  }
  for (const [name, p] of Object.entries(specProps)) {
    if (p.Required && !(name in props)) problems.push(`${where}: required property ${name} of ${typeName} is missing`);
  }
}

function checkAgainstSpec(template) {
  const problems = [];
  const resources = template.Resources || {};
  for (const [id, res] of Object.entries(resources)) {
    const type = spec.ResourceTypes[res.Type];
    if (!type) {
      problems.push(`${id}: unknown resource type ${res.Type}`);
      continue;
    }
    checkProperties(res.Properties || {}, type.Properties || {}, res.Type, id, problems);
  }
  const walk = (v) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    if (v['Fn::GetAtt']) {
      const [target, attr] = v['Fn::GetAtt'];
      const res = resources[target];
      if (!res) problems.push(`GetAtt ${target}.${attr}: no resource ${target}`);
      else {
        const attrs = (spec.ResourceTypes[res.Type] || {}).Attributes || {};
        if (!attrs[attr]) problems.push(`GetAtt ${target}.${attr}: ${res.Type} has no attribute ${attr}`);
      }
    }
    if (v.Ref && typeof v.Ref === 'string' && !v.Ref.startsWith('AWS::')) {
      if (!resources[v.Ref] && !(template.Parameters || {})[v.Ref]) problems.push(`Ref ${v.Ref}: no such resource or parameter`);
    }
    Object.values(v).forEach(walk);
  };
  walk(resources);
  walk(template.Outputs || {});
  for (const [name, p] of Object.entries(template.Parameters || {})) {
    if (!p.Description) problems.push(`parameter ${name} has no Description`);
  }
  for (const [name, o] of Object.entries(template.Outputs || {})) {
    if (!o.Description) problems.push(`output ${name} has no Description`);
  }
  return problems;
}

/**
 * cfn-lint 1.9.x bundles an old resource specification: it calls newer properties (OwnershipControls,
 * BucketKeyEnabled, KmsKeyId of log groups, Tags of roles, ...) invalid. Such a message is a known
 * false alarm when the current specification does know the property; every other message counts.
 */
function lintProblems(file) {
  const result = cfnLint.validateFile(file, {});
  const problems = [];
  const falseAlarms = [];
  for (const e of result.errors.crit) {
    const m = /^(\w+) is not a valid property of ([\w:]+(?:\.\w+)?)$/.exec(e.message);
    if (m) {
      const [, prop, typeName] = m;
      const known = typeName.includes('.')
        ? spec.PropertyTypes[typeName] && spec.PropertyTypes[typeName].Properties[prop]
        : spec.ResourceTypes[typeName] && spec.ResourceTypes[typeName].Properties[prop];
      if (known) {
        falseAlarms.push(e.message);
        continue;
      }
    }
    problems.push(`${e.resource}: ${e.message}`);
  }
  return { problems, falseAlarms, warnings: result.errors.warn.map((w) => w.message) };
}

/** Every bucket: KMS or S3 encryption, all four public-access blocks, and a TLS-only bucket policy. */
function checkBuckets(template) {
  const problems = [];
  const resources = template.Resources || {};
  for (const [id, res] of Object.entries(resources)) {
    if (res.Type !== 'AWS::S3::Bucket') continue;
    const p = res.Properties || {};
    if (!p.BucketEncryption) problems.push(`${id} has no BucketEncryption`);
    const pab = p.PublicAccessBlockConfiguration || {};
    for (const k of ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets']) {
      if (pab[k] !== true) problems.push(`${id}: PublicAccessBlockConfiguration.${k} is not true`);
    }
    const policy = Object.values(resources).find(
      (r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties && r.Properties.Bucket && r.Properties.Bucket.Ref === id,
    );
    const tls =
      policy &&
      [].concat(policy.Properties.PolicyDocument.Statement).some(
        (s) => s.Effect === 'Deny' && s.Condition && s.Condition.Bool && String(s.Condition.Bool['aws:SecureTransport']) === 'false',
      );
    if (!tls) problems.push(`${id} has no bucket policy denying requests without TLS`);
  }
  return problems;
}

module.exports = { loadTemplate, checkAgainstSpec, lintProblems, checkBuckets, spec };
