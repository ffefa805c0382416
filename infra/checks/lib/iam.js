'use strict';
// IAM statements from Terraform policy documents and from CloudFormation templates, in one shape.

const path = require('node:path');

function asList(v) {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** Statements of every data.aws_iam_policy_document in a Terraform model. */
function terraformStatements(model) {
  const out = [];
  for (const d of model.data.filter((d) => d.type === 'aws_iam_policy_document')) {
    for (const st of asList(d.body.statement)) {
      out.push({
        key: `${d.file}#${d.name}#${st.sid || '(no sid)'}`,
        effect: st.effect || 'Allow',
        actions: asList(st.actions),
        notActions: asList(st.not_actions),
        resources: asList(st.resources),
        notResources: asList(st.not_resources),
      });
    }
  }
  return out;
}

/** Statements of every IAM policy document found in a CloudFormation template. */
function cloudFormationStatements(template, file) {
  const out = [];
  const base = path.basename(file);
  for (const [logicalId, res] of Object.entries(template.Resources || {})) {
    const props = res.Properties || {};
    const docs = [];
    if (props.PolicyDocument) docs.push(props.PolicyDocument);
    if (props.KeyPolicy) docs.push(props.KeyPolicy);
    for (const p of asList(props.Policies)) if (p && p.PolicyDocument) docs.push(p.PolicyDocument);
    for (const doc of docs) {
      for (const st of asList(doc.Statement)) {
        out.push({
          key: `${base}#${logicalId}#${st.Sid || '(no sid)'}`,
          effect: st.Effect,
          actions: asList(st.Action),
          notActions: asList(st.NotAction),
          resources: asList(st.Resource),
          notResources: asList(st.NotResource),
        });
      }
    }
  }
  return out;
}

/**
 * Wildcard problems: an Allow with action "*" or "<service>:*", or with resource "*", unless the
 * statement is on the allow-list; NotAction/NotResource in an Allow are refused outright.
 */
function wildcardProblems(statements, allowlist) {
  const problems = [];
  for (const st of statements) {
    if (st.effect !== 'Allow') continue;
    if (st.notActions.length || st.notResources.length) problems.push(`${st.key}: Allow with NotAction/NotResource`);
    const wildAction = st.actions.filter((a) => typeof a === 'string' && (a === '*' || /^[a-z0-9-]+:\*$/.test(a)));
    if (wildAction.length && !allowlist.wildcardAction[st.key]) {
      problems.push(`${st.key}: wildcard action ${wildAction.join(', ')} (not on the allow-list)`);
    }
    const wildResource = st.resources.filter((r) => r === '*');
    if (wildResource.length && !allowlist.wildcardResource[st.key]) {
      problems.push(`${st.key}: resource "*" (not on the allow-list)`);
    }
  }
  return problems;
}

module.exports = { terraformStatements, cloudFormationStatements, wildcardProblems, asList };
