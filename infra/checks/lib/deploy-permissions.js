'use strict';
// Does the seed stack's build role grant every action Terraform's apply calls? The actions per
// resource type are listed in contracts/deploy-actions.json; a grant counts only when its statement
// has no aws:ResourceTag condition (a resource being created carries no tags yet) and is not a Deny.

const { asList } = require('./iam');

function globToRegExp(glob) {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
}

/** Allow statements of every managed or inline policy attached to `roleId` in a template. */
function roleStatements(template, roleId) {
  const resources = template.Resources || {};
  const role = resources[roleId];
  const docs = [];
  for (const p of asList(role.Properties.Policies)) docs.push(p.PolicyDocument);
  for (const ref of asList(role.Properties.ManagedPolicyArns)) {
    const id = ref && ref.Ref;
    if (id && resources[id] && resources[id].Type === 'AWS::IAM::ManagedPolicy') docs.push(resources[id].Properties.PolicyDocument);
  }
  const out = [];
  for (const doc of docs) {
    for (let st of asList(doc.Statement)) {
      if (st && st['Fn::If']) st = st['Fn::If'][1]; // the statement as it is when its condition holds
      if (st && st.Effect === 'Allow') out.push(st);
    }
  }
  return out;
}

function grants(statement, action) {
  // A condition that needs a resource tag (any operator but Null "true") cannot hold at creation.
  const hasResourceTag = Object.entries(statement.Condition || {}).some(([op, c]) =>
    Object.entries(c || {}).some(([k, v]) => k.startsWith('aws:ResourceTag/') && !(op === 'Null' && String(v) === 'true')),
  );
  if (hasResourceTag) return false;
  return asList(statement.Action).some((a) => typeof a === 'string' && globToRegExp(a).test(action));
}

/** Problems: resource types without a contract entry, and actions the role does not grant. */
function deployPermissionProblems(model, template, roleId, contract) {
  const problems = [];
  const statements = roleStatements(template, roleId);
  const types = [...new Set(model.resources.map((r) => r.type))].sort();
  for (const type of types) {
    const actions = contract.create[type];
    if (!actions) {
      problems.push(`${type} is used in Terraform but contracts/deploy-actions.json does not list the actions creating it needs; add them and grant them in infra/cfn/seed.yaml`);
      continue;
    }
    for (const action of actions) {
      if (!statements.some((st) => grants(st, action))) {
        problems.push(`${type}: the seed role ${roleId} does not grant ${action} (without an aws:ResourceTag condition, which a resource being created cannot meet); add it to a deploy policy of infra/cfn/seed.yaml`);
      }
    }
  }
  return problems;
}

/**
 * Does the plan role read what refreshing each resource type (and each data source calling AWS)
 * needs? The actions are listed in contracts/deploy-actions.json under "read".
 */
function planReadProblems(model, template, roleId, contract) {
  const problems = [];
  const statements = roleStatements(template, roleId);
  const types = [
    ...new Set(model.resources.map((r) => r.type)),
    ...new Set(model.data.map((d) => `data.${d.type}`).filter((t) => contract.read[t] !== undefined || !LOCAL_DATA.has(t))),
  ].sort();
  for (const type of types) {
    const actions = contract.read[type];
    if (!actions) {
      problems.push(`${type} is used in Terraform but contracts/deploy-actions.json "read" does not list the actions refreshing it needs; add them and grant them to ${roleId} in infra/cfn/seed.yaml`);
      continue;
    }
    for (const action of actions) {
      if (!statements.some((st) => grants(st, action))) {
        problems.push(`${type}: the plan role ${roleId} does not grant ${action}, which refreshing it calls; add it to DeployReadPolicy of infra/cfn/seed.yaml`);
      }
    }
  }
  return problems;
}

// Data sources computed by Terraform itself, without an AWS call.
const LOCAL_DATA = new Set(['data.aws_iam_policy_document', 'data.aws_partition', 'data.aws_region']);

/** Statements that allow kms:CreateKey must restrict it by aws:RequestTag conditions. */
function keyCreationProblems(template, roleId) {
  const problems = [];
  for (const st of roleStatements(template, roleId)) {
    if (!grants(st, 'kms:CreateKey')) continue;
    const keys = Object.values(st.Condition || {}).flatMap((c) => Object.keys(c || {}));
    if (!keys.some((k) => k.startsWith('aws:RequestTag/'))) problems.push(`${st.Sid || '(no sid)'}: kms:CreateKey without an aws:RequestTag condition`);
  }
  return problems;
}

const ESCALATING = ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:AttachRolePolicy'];

/**
 * The role cannot make itself or another role more powerful than the boundary: every statement that
 * creates roles or gives them rights requires iam:PermissionsBoundary, removing a boundary is
 * denied, and the build passes the boundary to Terraform.
 */
function boundaryProblems(template, roleId, projectId) {
  const problems = [];
  const resources = template.Resources || {};
  const docs = [];
  for (const ref of asList(resources[roleId].Properties.ManagedPolicyArns)) {
    const id = ref && ref.Ref;
    if (id && resources[id]) docs.push(resources[id].Properties.PolicyDocument);
  }
  const all = docs.flatMap((d) => asList(d.Statement)).map((st) => (st && st['Fn::If'] ? st['Fn::If'][1] : st));
  for (const st of all.filter((x) => x && x.Effect === 'Allow')) {
    const escalating = ESCALATING.filter((a) => grants({ Action: st.Action }, a));
    if (escalating.length && !JSON.stringify(st.Condition || {}).includes('iam:PermissionsBoundary')) {
      problems.push(`${st.Sid || '(no sid)'}: ${escalating.join(', ')} without an iam:PermissionsBoundary condition`);
    }
  }
  const denied = all.some((st) => st && st.Effect === 'Deny' && asList(st.Action).includes('iam:DeleteRolePermissionsBoundary'));
  if (!denied) problems.push(`${roleId}: iam:DeleteRolePermissionsBoundary is not denied`);
  const env = JSON.stringify((((resources[projectId] || {}).Properties || {}).Environment || {}).EnvironmentVariables || []);
  if (!env.includes('TF_VAR_permissions_boundary_arn')) problems.push(`${projectId}: the build does not pass TF_VAR_permissions_boundary_arn to Terraform`);
  return problems;
}

module.exports = { deployPermissionProblems, planReadProblems, keyCreationProblems, boundaryProblems, roleStatements };
