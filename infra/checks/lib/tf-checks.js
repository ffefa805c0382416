'use strict';
// Structural checks of a Terraform configuration. Each returns a list of problems (empty = fine).

const { references, everything, strings } = require('./terraform');
const { asList } = require('./iam');

// Resource types of the AWS provider that have no `tags` argument. Any other type must be tagged with
// merge(var.tags, ...); a new untaggable type is added here on purpose, after checking the provider docs.
const UNTAGGABLE = new Set([
  // Adopted untagged through the provider alias aws.untagged (main.tf): the deploy role may not tag it.
  'aws_default_security_group',
  'aws_kms_alias',
  'aws_s3_bucket_server_side_encryption_configuration',
  'aws_s3_bucket_public_access_block',
  'aws_s3_bucket_ownership_controls',
  'aws_s3_bucket_versioning',
  'aws_s3_bucket_logging',
  'aws_s3_bucket_policy',
  'aws_s3_bucket_lifecycle_configuration',
  'aws_route_table_association',
  'aws_route',
  'aws_vpn_connection_route',
  'aws_dx_gateway_association',
  'aws_iam_role_policy',
  'aws_secretsmanager_secret_policy',
  'aws_secretsmanager_secret_rotation',
  'aws_cloudwatch_log_stream',
  'aws_glue_security_configuration',
  'aws_sns_topic_policy',
  'aws_sns_topic_subscription',
  'aws_cloudwatch_event_target',
  'aws_cloudwatch_dashboard',
  'aws_scheduler_schedule',
  'aws_athena_named_query',
  'aws_route53_resolver_rule_association',
]);

function checkVariables(model) {
  const problems = [];
  for (const [name, { body, file }] of Object.entries(model.variables)) {
    if (!body.type) problems.push(`${file}: variable ${name} has no type`);
    if (!body.description || !String(body.description).trim()) problems.push(`${file}: variable ${name} has no description`);
  }
  const used = new Set();
  for (const v of everything(model)) references(v).vars.forEach((n) => used.add(n));
  for (const n of used) if (!model.variables[n]) problems.push(`var.${n} is used but not declared`);
  for (const n of Object.keys(model.variables)) if (!used.has(n)) problems.push(`variable ${n} is declared but never used`);
  return problems;
}

function checkOutputs(model) {
  const problems = [];
  for (const [name, { body, file }] of Object.entries(model.outputs)) {
    if (!body.description || !String(body.description).trim()) problems.push(`${file}: output ${name} has no description`);
    const r = references(body.value);
    const total = r.vars.size + r.locals.size + r.data.size + r.resources.size + r.modules.size;
    if (total === 0) problems.push(`${file}: output ${name} refers to nothing`);
  }
  return problems;
}

function checkReferences(model) {
  const problems = [];
  const resources = new Set(model.resources.map((r) => `${r.type}.${r.name}`));
  const data = new Set(model.data.map((d) => `${d.type}.${d.name}`));
  const all = { vars: new Set(), locals: new Set(), data: new Set(), resources: new Set(), modules: new Set() };
  for (const v of everything(model)) {
    const r = references(v);
    for (const k of Object.keys(all)) r[k].forEach((x) => all[k].add(x));
  }
  for (const r of all.resources) if (!resources.has(r)) problems.push(`${r} is referenced but no such resource is declared`);
  for (const d of all.data) if (!data.has(d)) problems.push(`data.${d} is referenced but no such data source is declared`);
  for (const l of all.locals) if (!model.locals[l]) problems.push(`local.${l} is referenced but not defined`);
  for (const l of Object.keys(model.locals)) if (!all.locals.has(l)) problems.push(`local.${l} is defined but never used`);
  for (const m of all.modules) if (!model.modules[m]) problems.push(`module.${m} is referenced but not declared`);
  return problems;
}

function checkTags(model) {
  const problems = [];
  for (const r of model.resources) {
    if (UNTAGGABLE.has(r.type)) continue;
    const tags = r.body.tags;
    if (typeof tags !== 'string' || !/^\$\{merge\(var\.tags,/.test(tags)) {
      problems.push(`${r.file}: ${r.type}.${r.name} is not tagged with merge(var.tags, ...)`);
    }
  }
  return problems;
}

/** Companion resources of type `type` that configure bucket resource `bucketName`. */
function companions(model, type, bucketName) {
  return model.resources.filter((r) => {
    if (r.type !== type) return false;
    const bucket = String(r.body.bucket || '');
    if (bucket.includes(`aws_s3_bucket.${bucketName}.`) || bucket.includes(`aws_s3_bucket.${bucketName}[`)) return true;
    return r.body.for_each === `\${aws_s3_bucket.${bucketName}}` && bucket.includes('each.value');
  });
}

function policyDocumentOf(model, policyExpr) {
  const m = /data\.aws_iam_policy_document\.([A-Za-z_][\w-]*)/.exec(String(policyExpr || ''));
  return m && model.data.find((d) => d.type === 'aws_iam_policy_document' && d.name === m[1]);
}

function deniesInsecureTransport(doc) {
  return asList(doc.body.statement).some(
    (st) =>
      st.effect === 'Deny' &&
      asList(st.condition).some((c) => c.variable === 'aws:SecureTransport' && asList(c.values).includes('false')),
  );
}

function checkBuckets(model) {
  const problems = [];
  for (const b of model.resources.filter((r) => r.type === 'aws_s3_bucket')) {
    const id = `aws_s3_bucket.${b.name}`;
    const enc = companions(model, 'aws_s3_bucket_server_side_encryption_configuration', b.name);
    if (!enc.length) problems.push(`${id} has no server-side encryption configuration`);
    const pab = companions(model, 'aws_s3_bucket_public_access_block', b.name);
    if (!pab.length) problems.push(`${id} has no public access block`);
    for (const p of pab) {
      for (const k of ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets']) {
        if (p.body[k] !== true) problems.push(`${id}: public access block leaves ${k} off`);
      }
    }
    const policies = companions(model, 'aws_s3_bucket_policy', b.name);
    const tls = policies.some((p) => {
      const doc = policyDocumentOf(model, p.body.policy);
      return doc && deniesInsecureTransport(doc);
    });
    if (!tls) problems.push(`${id} has no bucket policy denying requests without TLS (aws:SecureTransport = false)`);
  }
  return problems;
}

const OPEN = ['0.0.0.0/0', '::/0'];

function checkSecurityGroups(model) {
  const problems = [];
  for (const r of model.resources) {
    const id = `${r.file}: ${r.type}.${r.name}`;
    if (r.type === 'aws_vpc_security_group_ingress_rule') {
      if (OPEN.includes(r.body.cidr_ipv4) || OPEN.includes(r.body.cidr_ipv6)) problems.push(`${id} allows ingress from anywhere`);
    }
    if (r.type === 'aws_security_group_rule' && r.body.type === 'ingress') {
      const cidrs = [...asList(r.body.cidr_blocks), ...asList(r.body.ipv6_cidr_blocks)];
      if (cidrs.some((c) => OPEN.includes(c))) problems.push(`${id} allows ingress from anywhere`);
    }
    if (r.type === 'aws_security_group' || r.type === 'aws_default_security_group') {
      for (const ing of asList(r.body.ingress)) {
        const cidrs = [...asList(ing.cidr_blocks), ...asList(ing.ipv6_cidr_blocks)];
        if (cidrs.some((c) => OPEN.includes(c))) problems.push(`${id} allows ingress from anywhere`);
      }
    }
  }
  return problems;
}

/** A statement that uses "*" must say why on the same line (a # comment), as the conventions ask. */
function checkWildcardComments(model) {
  const problems = [];
  for (const [file, text] of Object.entries(model.raw)) {
    text.split('\n').forEach((line, i) => {
      if (/^\s*(resources|actions)\s*=\s*\[[^\]]*"(\*|[a-z0-9-]+:\*)"/.test(line) && !line.includes('#')) {
        problems.push(`${file}:${i + 1}: wildcard without a comment saying why`);
      }
    });
  }
  return problems;
}

/** No hard-coded partition: ARNs are built with the partition (data.aws_partition, ${partition}, ${AWS::Partition}). */
function hardcodedArnProblems(texts) {
  const problems = [];
  for (const [file, text] of Object.entries(texts)) {
    text.split('\n').forEach((line, i) => {
      if (/arn:aws(-cn|-us-gov)?:/.test(line)) problems.push(`${file}:${i + 1}: hard-coded partition in ARN`);
    });
  }
  return problems;
}

/**
 * Managed Flink accepts at most 50 runtime property groups: the application must carry a precondition
 * bounding the number of groups it is given.
 */
function checkPropertyGroupLimit(model) {
  const problems = [];
  for (const app of model.resources.filter((r) => r.type === 'aws_kinesisanalyticsv2_application')) {
    const conditions = (app.body.lifecycle || []).flatMap((l) => l.precondition || []).map((p) => String(p.condition));
    if (!conditions.some((c) => /length\(local\.flink_property_groups\)\s*<=\s*50/.test(c))) {
      problems.push(`aws_kinesisanalyticsv2_application.${app.name} has no precondition length(local.flink_property_groups) <= 50 (Managed Flink accepts at most 50 property groups)`);
    }
  }
  return problems;
}

/**
 * The data buckets' policy refuses uploads not encrypted with the lake key: a Deny of s3:PutObject
 * when the encryption header is present and not aws:kms, one when the key header is present and not
 * aws_kms_key.main's ARN, and one when aws:kms is asked without a key (S3 would use aws/s3).
 */
function checkUploadEncryption(model) {
  const problems = [];
  const policy = model.resources.find((r) => r.type === 'aws_s3_bucket_policy' && r.name === 'data');
  const doc = policy && policyDocumentOf(model, policy.body.policy);
  if (!doc) return ['aws_s3_bucket_policy.data with a data.aws_iam_policy_document is missing'];
  const denies = asList(doc.body.statement).filter((st) => st.effect === 'Deny' && asList(st.actions).some((a) => a === 's3:PutObject' || a === 's3:*'));
  const cond = (st, test, variable, value) => asList(st.condition).some((c) => c.test === test && c.variable === variable && asList(c.values).includes(value));
  const SSE = 's3:x-amz-server-side-encryption';
  const KEY = 's3:x-amz-server-side-encryption-aws-kms-key-id';
  const want = [
    ['another encryption algorithm', (st) => cond(st, 'Null', SSE, 'false') && cond(st, 'StringNotEquals', SSE, 'aws:kms')],
    ['another KMS key', (st) => cond(st, 'Null', KEY, 'false') && cond(st, 'StringNotEquals', KEY, '${aws_kms_key.main.arn}')],
    ['SSE-KMS without naming the key', (st) => cond(st, 'StringEquals', SSE, 'aws:kms') && cond(st, 'Null', KEY, 'true')],
  ];
  for (const [what, ok] of want) {
    if (!denies.some(ok)) problems.push(`data.aws_iam_policy_document.${doc.name}: no Deny of s3:PutObject for uploads asking for ${what}; the buckets must refuse uploads not encrypted with aws_kms_key.main`);
  }
  return problems;
}

/**
 * The maintenance job cannot read the database secret: its role is not the backfill's, no inline
 * policy of its role grants a secretsmanager: action, and the secret's policy does not exempt it.
 */
function checkMaintenanceSecret(model, render) {
  const problems = [];
  const job = (name) => model.resources.find((r) => r.type === 'aws_glue_job' && r.name === name);
  const roleOf = (j) => (/aws_iam_role\.([\w-]+)\.arn/.exec(String(j && j.body.role_arn)) || [])[1];
  const maintenance = roleOf(job('maintenance'));
  if (!maintenance) return ['aws_glue_job.maintenance has no role_arn = aws_iam_role.<name>.arn'];
  if (maintenance === roleOf(job('backfill'))) problems.push(`aws_glue_job.maintenance and aws_glue_job.backfill share aws_iam_role.${maintenance}; give maintenance a role of its own without the database secret`);
  for (const p of model.resources.filter((r) => r.type === 'aws_iam_role_policy' && String(r.body.role).includes(`aws_iam_role.${maintenance}.`))) {
    const name = (/data\.aws_iam_policy_document\.([\w-]+)/.exec(String(p.body.policy)) || [])[1];
    const doc = name && render(model, name);
    for (const st of (doc && doc.Statement) || []) {
      if (st.Effect === 'Allow' && asList(st.Action).some((a) => /^secretsmanager:|^\*$/.test(a))) {
        problems.push(`aws_iam_role_policy.${p.name} (role of aws_glue_job.maintenance): statement ${st.Sid || ''} grants ${asList(st.Action).join(', ')}; maintenance does not connect to the source`);
      }
    }
  }
  const secret = model.data.find((d) => d.type === 'aws_iam_policy_document' && d.name === 'source_secret');
  if (secret && JSON.stringify(secret.body).includes(`aws_iam_role.${maintenance}.`)) problems.push(`data.aws_iam_policy_document.source_secret lets aws_iam_role.${maintenance} (maintenance) read the secret`);
  return problems;
}

/**
 * Server access logging is set only after the target bucket lets the log delivery write: S3 refuses
 * PutBucketLogging (InvalidTargetBucketForLogging) while a target bucket with ACLs disabled has no
 * policy granting s3:PutObject to the logging.s3 service principal, and nothing else orders the two
 * resources (Terraform creates them in parallel). Each aws_s3_bucket_logging names a target bucket of
 * this configuration, some policy of that bucket grants the log delivery, and the logging resource
 * depends on that policy.
 */
function checkLogDeliveryOrder(model) {
  const problems = [];
  for (const l of model.resources.filter((r) => r.type === 'aws_s3_bucket_logging')) {
    const id = `${l.file}: aws_s3_bucket_logging.${l.name}`;
    const target = (/aws_s3_bucket\.([\w-]+)\.(?:id|bucket)\b/.exec(String(l.body.target_bucket || '')) || [])[1];
    if (!target) {
      problems.push(`${id}: target_bucket is not aws_s3_bucket.<name>.id of this configuration`);
      continue;
    }
    const granting = companions(model, 'aws_s3_bucket_policy', target).filter((p) => {
      const doc = policyDocumentOf(model, p.body.policy);
      return (
        doc &&
        asList(doc.body.statement).some(
          (st) =>
            (st.effect || 'Allow') === 'Allow' &&
            asList(st.actions).includes('s3:PutObject') &&
            asList(st.principals).some((pr) => pr.type === 'Service' && asList(pr.identifiers).some((i) => /^logging\.s3\./.test(i))),
        )
      );
    });
    if (!granting.length) {
      problems.push(`${id}: no policy of aws_s3_bucket.${target} grants s3:PutObject to the logging.s3 service principal; S3 cannot deliver the access logs`);
      continue;
    }
    const after = asList(l.body.depends_on).map(String);
    if (!granting.some((p) => after.includes(`\${aws_s3_bucket_policy.${p.name}}`))) {
      problems.push(
        `${id} does not depend on ${granting.map((p) => `aws_s3_bucket_policy.${p.name}`).join(' or ')}: S3 refuses PutBucketLogging (InvalidTargetBucketForLogging) until the target bucket's policy lets the log delivery write, and Terraform may create the logging first`,
      );
    }
  }
  return problems;
}

module.exports = {
  checkLogDeliveryOrder,
  checkUploadEncryption,
  checkMaintenanceSecret,
  checkPropertyGroupLimit,
  UNTAGGABLE,
  checkVariables,
  checkOutputs,
  checkReferences,
  checkTags,
  checkBuckets,
  checkSecurityGroups,
  checkWildcardComments,
  hardcodedArnProblems,
  strings,
};
