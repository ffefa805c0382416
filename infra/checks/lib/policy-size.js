'use strict';
// Size of every IAM policy document the project defines, against the IAM quotas (characters of the
// JSON without whitespace): a managed policy 6,144; all inline policies of one role together 10,240;
// a role trust policy 2,048 (the default quota, raised only on request).
//
// Values only known at deployment are counted at their worst case:
// - CloudFormation: pseudo parameters at their longest (partition aws-iso-b, region ap-southeast-2,
//   ...); a template parameter at its longest AllowedValues entry, else its MaxLength. A parameter
//   used in a policy with neither cannot be bounded and is reported.
// - Terraform: each ${...} interpolation at a fixed worst-case length (an ARN 128 characters, any other
//   value 64); a list built by an expression (for, concat) at LIST_EXPRESSION_LENGTH.

const { asList } = require('./iam');

const LIMITS = { managed: 6144, inlinePerRole: 10240, trust: 2048 };

const PSEUDO = {
  'AWS::Partition': 'aws-iso-b',
  'AWS::Region': 'ap-southeast-2',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com.cn',
  'AWS::StackName': 'x'.repeat(128),
  'AWS::StackId': 'x'.repeat(128),
};

const TF_ARN_LENGTH = 128;
const TF_VALUE_LENGTH = 64;
const LIST_EXPRESSION_LENGTH = 1024;

function minified(doc) {
  return JSON.stringify(doc).length;
}

// ---- CloudFormation -------------------------------------------------------------------------------

function cfnResolver(template, where, problems) {
  const params = template.Parameters || {};
  const worst = (name) => {
    if (PSEUDO[name]) return PSEUDO[name];
    const p = params[name];
    if (!p) return 'x'.repeat(TF_VALUE_LENGTH); // a resource reference: its ARN or name
    if (Array.isArray(p.AllowedValues)) return 'x'.repeat(Math.max(...p.AllowedValues.map((v) => String(v).length)));
    if (p.MaxLength !== undefined) return 'x'.repeat(Number(p.MaxLength));
    problems.push(`${where}: parameter ${name} is used in a policy but has neither AllowedValues nor MaxLength, so the policy size cannot be bounded`);
    return 'x'.repeat(TF_VALUE_LENGTH);
  };
  const resolve = (v) => {
    if (Array.isArray(v)) return v.map(resolve);
    if (!v || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [k] = keys;
      const arg = v[k];
      if (k === 'Ref') return worst(arg);
      if (k === 'Fn::Sub') {
        const text = Array.isArray(arg) ? arg[0] : arg;
        const vars = Array.isArray(arg) ? arg[1] || {} : {};
        return text.replace(/\$\{([^}!]+)\}/g, (_, name) => {
          if (vars[name] !== undefined) return String(resolve(vars[name]));
          if (name.includes('.') && !name.startsWith('AWS::')) return 'x'.repeat(TF_ARN_LENGTH); // ${Res.Arn}
          return worst(name);
        });
      }
      if (k === 'Fn::GetAtt') return 'x'.repeat(TF_ARN_LENGTH);
      if (k === 'Fn::If') {
        const a = resolve(arg[1]);
        const b = resolve(arg[2]);
        return JSON.stringify(a || '').length >= JSON.stringify(b || '').length ? a : b;
      }
      if (k === 'Fn::Join') return resolve(arg[1]).join(arg[0]);
      if (k === 'Fn::ImportValue') return 'x'.repeat(TF_ARN_LENGTH);
    }
    const out = {};
    for (const [k, val] of Object.entries(v)) out[k] = resolve(val);
    return out;
  };
  return resolve;
}

/** Problems of a CloudFormation template; `sizes` lists every document measured (for diagnostics). */
function cloudFormationPolicySizes(template, file) {
  const problems = [];
  const sizes = [];
  const resources = template.Resources || {};
  const inline = {}; // role logical id -> [{name, size}]
  const roleOf = (ref) => (ref && typeof ref === 'object' && ref.Ref ? ref.Ref : null);
  for (const [id, res] of Object.entries(resources)) {
    const p = res.Properties || {};
    const resolve = cfnResolver(template, `${file}#${id}`, problems);
    if (res.Type === 'AWS::IAM::ManagedPolicy') {
      const size = minified(resolve(p.PolicyDocument));
      sizes.push({ what: `${id} (managed policy)`, size, limit: LIMITS.managed });
    } else if (res.Type === 'AWS::IAM::Role') {
      const size = minified(resolve(p.AssumeRolePolicyDocument));
      sizes.push({ what: `${id} (trust policy)`, size, limit: LIMITS.trust });
      for (const pol of asList(p.Policies)) {
        (inline[id] = inline[id] || []).push(minified(resolve(pol.PolicyDocument)));
      }
    } else if (res.Type === 'AWS::IAM::Policy' || res.Type === 'AWS::IAM::RolePolicy') {
      const size = minified(resolve(p.PolicyDocument));
      const roles = res.Type === 'AWS::IAM::RolePolicy' ? [p.RoleName] : asList(p.Roles);
      for (const r of roles) {
        const role = roleOf(r) || JSON.stringify(r);
        (inline[role] = inline[role] || []).push(size);
      }
    }
  }
  for (const [role, list] of Object.entries(inline)) {
    sizes.push({ what: `${role} (inline policies together)`, size: list.reduce((a, b) => a + b, 0), limit: LIMITS.inlinePerRole });
  }
  for (const s of sizes) {
    if (s.size > s.limit) problems.push(`${file}#${s.what}: ${s.size} characters without whitespace, over the IAM limit of ${s.limit}; split it`);
  }
  return { problems: [...new Set(problems)], sizes };
}

// ---- Terraform ------------------------------------------------------------------------------------

function tfValue(s) {
  if (typeof s !== 'string') return s;
  return s.replace(/\$\{([^}]*)\}/g, (_, expr) => 'x'.repeat(/\.arn$|_arn$|arn_/.test(expr.trim()) ? TF_ARN_LENGTH : TF_VALUE_LENGTH));
}

function tfList(v) {
  // A list written as an expression (for, concat, a variable) arrives as one interpolated string.
  if (typeof v === 'string' && /^\$\{[\s\S]*\}$/.test(v) && /\[|concat|for |var\./.test(v)) return ['x'.repeat(LIST_EXPRESSION_LENGTH)];
  return asList(v).map(tfValue);
}

/** The JSON IAM would hold for one data.aws_iam_policy_document, values at their worst case. */
function renderTerraformDocument(model, name, seen = new Set()) {
  if (seen.has(name)) return { Version: '2012-10-17', Statement: [] };
  seen.add(name);
  const d = model.data.find((x) => x.type === 'aws_iam_policy_document' && x.name === name);
  if (!d) return null;
  const statements = [];
  // A list written as one expression (concat(...)) names several documents: each counts.
  for (const src of asList(d.body.source_policy_documents).concat(asList(d.body.override_policy_documents))) {
    for (const m of String(src).matchAll(/data\.aws_iam_policy_document\.([\w-]+)/g)) {
      const sub = renderTerraformDocument(model, m[1], seen);
      if (sub) statements.push(...sub.Statement);
    }
  }
  // dynamic "statement" blocks count with their content, once (their for_each has one item here).
  const written = [...asList(d.body.statement)];
  for (const dyn of asList((d.body.dynamic || {}).statement)) written.push(...asList(dyn.content));
  for (const st of written) {
    const out = {};
    if (st.sid) out.Sid = st.sid;
    out.Effect = st.effect || 'Allow';
    for (const pr of asList(st.principals)) {
      out.Principal = out.Principal || {};
      out.Principal[pr.type] = tfList(pr.identifiers);
    }
    if (st.actions) out.Action = tfList(st.actions);
    if (st.not_actions) out.NotAction = tfList(st.not_actions);
    if (st.resources) out.Resource = tfList(st.resources);
    if (st.not_resources) out.NotResource = tfList(st.not_resources);
    for (const c of asList(st.condition)) {
      out.Condition = out.Condition || {};
      out.Condition[c.test] = out.Condition[c.test] || {};
      out.Condition[c.test][c.variable] = tfList(c.values);
    }
    statements.push(out);
  }
  return { Version: '2012-10-17', Statement: statements };
}

function documentName(expr) {
  const m = /data\.aws_iam_policy_document\.([\w-]+)(?:\[[^\]]*\])?\.json/.exec(String(expr || ''));
  return m ? m[1] : null;
}

/** Problems of a Terraform model; `sizes` lists every document measured. */
function terraformPolicySizes(model) {
  const problems = [];
  const sizes = [];
  const measure = (expr, what) => {
    const name = documentName(expr);
    if (!name) {
      problems.push(`${what}: its policy is not a data.aws_iam_policy_document, so its size cannot be checked`);
      return 0;
    }
    const doc = renderTerraformDocument(model, name);
    if (!doc) {
      problems.push(`${what}: data.aws_iam_policy_document.${name} does not exist`);
      return 0;
    }
    return minified(doc);
  };
  const inline = {};
  for (const r of model.resources) {
    const addr = `${r.type}.${r.name}`;
    if (r.type === 'aws_iam_role') {
      sizes.push({ what: `${addr} (trust policy)`, size: measure(r.body.assume_role_policy, addr), limit: LIMITS.trust });
    } else if (r.type === 'aws_iam_policy') {
      sizes.push({ what: `${addr} (managed policy)`, size: measure(r.body.policy, addr), limit: LIMITS.managed });
    } else if (r.type === 'aws_iam_role_policy') {
      const m = /aws_iam_role\.([\w-]+)/.exec(String(r.body.role));
      const role = m ? `aws_iam_role.${m[1]}` : String(r.body.role);
      (inline[role] = inline[role] || []).push(measure(r.body.policy, addr));
    }
  }
  for (const [role, list] of Object.entries(inline)) {
    sizes.push({ what: `${role} (inline policies together)`, size: list.reduce((a, b) => a + b, 0), limit: LIMITS.inlinePerRole });
  }
  for (const s of sizes) {
    if (s.size > s.limit) problems.push(`${s.what}: ${s.size} characters without whitespace (worst case), over the IAM limit of ${s.limit}; split it`);
  }
  return { problems, sizes };
}

module.exports = { LIMITS, cloudFormationPolicySizes, terraformPolicySizes, renderTerraformDocument };
