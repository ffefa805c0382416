'use strict';
// Step Functions definitions: placeholders against the templatefile() calls, rendering, validation,
// and the Glue jobs and arguments the state machines pass.

const fs = require('node:fs');
const path = require('node:path');
const aslValidator = require('asl-validator');

/** ${name} placeholders of a template (templatefile syntax; $${ is an escaped literal). */
function placeholders(text) {
  return new Set([...text.matchAll(/(?<!\$)\$\{([A-Za-z_]\w*)\}/g)].map((m) => m[1]));
}

/** Renders a template the way templatefile() does for plain ${name} placeholders. */
function render(text, values) {
  return text.replace(/(?<!\$)\$\{([A-Za-z_]\w*)\}/g, (m, k) => {
    if (!(k in values)) throw new Error(`no value for \${${k}}`);
    return String(values[k]);
  });
}

/** templatefile() calls of the Terraform model: template file name -> { vars: {name: expr}, resource }. */
function templatefileCalls(model) {
  const calls = {};
  for (const r of model.resources) {
    for (const [attr, value] of Object.entries(r.body)) {
      if (typeof value !== 'string' || !value.includes('templatefile(')) continue;
      const file = /templatefile\("[^"]*\/([^"/]+)"/.exec(value);
      if (!file) continue;
      const vars = {};
      const body = value.slice(value.indexOf('{', value.indexOf('templatefile(')));
      for (const m of body.matchAll(/^\s*([A-Za-z_]\w*)\s*=\s*(.+)$/gm)) vars[m[1]] = m[2].trim();
      calls[file[1]] = { vars, resource: `${r.type}.${r.name}`, attr };
    }
  }
  return calls;
}

/** Sample values for rendering without AWS: numbers for numeric placeholders, names otherwise. */
function sampleValues(vars) {
  const values = {};
  for (const [k, expr] of Object.entries(vars)) {
    if (k === 'partition') values[k] = 'aws';
    else if (/_arn$/.test(k)) values[k] = `arn:aws:sns:eu-west-1:123456789012:${k}`;
    else if (/^var\.|_seconds$|concurrency|min_/.test(expr) && !/name|table|job/.test(k)) values[k] = 7;
    else values[k] = `sample-${k.replace(/_/g, '-')}`;
  }
  return values;
}

/** Validates every *.asl.json of `dir` against the templatefile calls of `model`. */
function checkStateMachines(model, dir) {
  const problems = [];
  const calls = templatefileCalls(model);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.asl.json')).sort();
  if (!files.length) problems.push(`no *.asl.json in ${dir}`);
  const rendered = {};
  for (const f of files) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    const call = calls[f];
    if (!call) {
      problems.push(`${f} is not loaded by any templatefile() call`);
      continue;
    }
    const used = placeholders(text);
    for (const p of used) if (!(p in call.vars)) problems.push(`${f}: \${${p}} is not supplied by ${call.resource}`);
    for (const v of Object.keys(call.vars)) if (!used.has(v)) problems.push(`${f}: ${call.resource} supplies ${v}, which the template does not use`);
    let json;
    try {
      json = JSON.parse(render(text, sampleValues(call.vars)));
    } catch (e) {
      problems.push(`${f}: does not render to JSON: ${e.message}`);
      continue;
    }
    const result = aslValidator(json);
    if (!result.isValid) {
      for (const e of result.errors) problems.push(`${f}: ${e['Error code'] || ''} ${e.Message || e.message || JSON.stringify(e)}`.trim());
    }
    rendered[f] = { json, call };
  }
  return { problems, rendered };
}

/** Every Task state of a definition, including those inside Map and Parallel states. */
function tasks(definition, out = []) {
  for (const [name, st] of Object.entries(definition.States || {})) {
    if (st.Type === 'Task') out.push({ name, state: st });
    if (st.ItemProcessor) tasks(st.ItemProcessor, out);
    if (st.Iterator) tasks(st.Iterator, out);
    for (const b of st.Branches || []) tasks(b, out);
  }
  return out;
}

/** Each glue:startJobRun task names a job defined in glue_jobs.tf and passes only arguments it accepts. */
function checkGlueTasks(model, rendered, contract) {
  const problems = [];
  const jobResources = new Set(model.resources.filter((r) => r.type === 'aws_glue_job').map((r) => r.name));
  for (const [f, { json, call }] of Object.entries(rendered)) {
    for (const { name, state } of tasks(json)) {
      if (!/:states:::glue:startJobRun/.test(state.Resource)) continue;
      if (!/\.sync$/.test(state.Resource)) problems.push(`${f}: ${name} does not wait for the job (use glue:startJobRun.sync)`);
      const params = state.Parameters || state.Arguments || {};
      const placeholder = Object.entries(call.vars).find(([k]) => `sample-${k.replace(/_/g, '-')}` === params.JobName);
      const m = placeholder && /aws_glue_job\.([A-Za-z_]\w*)\.name/.exec(placeholder[1]);
      if (!m || !jobResources.has(m[1])) {
        problems.push(`${f}: ${name} starts ${params.JobName}, which is not an aws_glue_job of glue_jobs.tf`);
        continue;
      }
      const spec = contract.jobs[m[1]];
      const accepted = new Set([...(spec ? spec.arguments : []), ...contract.common]);
      for (const k of Object.keys(params.Arguments || {})) {
        const arg = k.replace(/\.\$$/, '');
        if (!accepted.has(arg)) problems.push(`${f}: ${name} passes ${arg}, which aws_glue_job.${m[1]} does not accept`);
      }
      const retried = (state.Retry || []).flatMap((r) => r.ErrorEquals);
      for (const e of ['Glue.ConcurrentRunsExceededException', 'Glue.ThrottlingException']) {
        if (!retried.includes(e)) problems.push(`${f}: ${name} does not retry ${e}`);
      }
      if (!(state.Retry || []).every((r) => (r.BackoffRate || 2) > 1)) problems.push(`${f}: ${name} retries without backoff`);
      if (!(state.Catch || []).some((c) => c.ErrorEquals.includes('States.ALL'))) problems.push(`${f}: ${name} has no Catch for States.ALL`);
    }
  }
  return problems;
}

// The API model of each service the state machines call: the AWS SDK for JavaScript v3 clients carry
// every operation's input members (and how many lead as required) at run time.
const SDK_CLIENTS = {
  glue: '@aws-sdk/client-glue',
  dynamodb: '@aws-sdk/client-dynamodb',
  sns: '@aws-sdk/client-sns',
  sfn: '@aws-sdk/client-sfn',
  states: '@aws-sdk/client-sfn',
};

// Step Functions' optimized integrations used or likely here (service -> API -> patterns allowed);
// every other call goes through the AWS SDK integration (arn:...:states:::aws-sdk:<service>:<api>).
const OPTIMIZED = {
  glue: { startJobRun: ['', '.sync'] },
  dynamodb: { getItem: [''], putItem: [''], deleteItem: [''], updateItem: [''] },
  sns: { publish: [''] },
  states: { startExecution: ['', '.sync', '.sync:2'] },
};

const pascal = (x) => x.charAt(0).toUpperCase() + x.slice(1);

/**
 * Every Task's integration exists and its parameters are the API's: the Resource is an optimized
 * integration of OPTIMIZED or an aws-sdk integration, the operation exists in the service's API model
 * (the SDK client of SDK_CLIENTS), every parameter (".$" paths included) is a member of the
 * operation's input, and every required member is given.
 */
function checkIntegrations(rendered) {
  const problems = [];
  for (const [f, { json }] of Object.entries(rendered)) {
    for (const { name, state } of tasks(json)) {
      const where = `${f}: ${name}`;
      const m = /^arn:[a-z-]+:states:::(aws-sdk:)?([a-z0-9-]+):([A-Za-z0-9]+)(\.sync(?::2)?|\.waitForTaskToken)?$/.exec(String(state.Resource));
      if (!m) {
        problems.push(`${where}: ${state.Resource} is not a Step Functions service integration (arn:<partition>:states:::<service>:<api> or ...:aws-sdk:<service>:<api>)`);
        continue;
      }
      const [, sdk, service, api, pattern = ''] = m;
      if (!sdk) {
        const allowed = (OPTIMIZED[service] || {})[api];
        if (!allowed) {
          problems.push(`${where}: ${service}:${api} is not an optimized integration; call it as aws-sdk:${service}:${api}`);
          continue;
        }
        if (!allowed.includes(pattern)) problems.push(`${where}: ${service}:${api} does not support the ${pattern} pattern`);
      } else if (pattern && pattern !== '.waitForTaskToken') {
        problems.push(`${where}: AWS SDK integrations do not support ${pattern}`);
      }
      const pkg = SDK_CLIENTS[service];
      if (!pkg) {
        problems.push(`${where}: no API model for service ${service} in infra/checks; add its @aws-sdk client to SDK_CLIENTS`);
        continue;
      }
      const client = require(pkg);
      const op = client[`${pascal(api)}$`];
      if (!Array.isArray(op) || op[0] !== 9 || typeof op[4] !== 'function') {
        problems.push(`${where}: ${service} has no API operation ${pascal(api)}`);
        continue;
      }
      const input = op[4]();
      const members = Array.isArray(input[4]) ? input[4] : [];
      const required = members.slice(0, typeof input[6] === 'number' ? input[6] : 0);
      const params = Object.keys(state.Parameters || state.Arguments || {}).map((k) => k.replace(/\.\$$/, ''));
      const known = new Set(members.map(pascal));
      for (const p of params) if (!known.has(pascal(p))) problems.push(`${where}: ${pascal(api)} has no parameter ${p} (its input: ${members.join(', ')})`);
      for (const r of required) if (!params.some((p) => pascal(p) === pascal(r))) problems.push(`${where}: ${pascal(api)} needs ${pascal(r)}`);
    }
  }
  return problems;
}

/**
 * The IAM actions each task's integration calls as the state machine's role: the API's own action
 * (aws-sdk:sfn:x is states:X), plus, for glue:startJobRun.sync, what Step Functions calls to follow
 * and stop the run.
 */
function integrationActions(rendered) {
  const out = new Map(); // action -> "file: state"
  for (const [f, { json }] of Object.entries(rendered)) {
    for (const { name, state } of tasks(json)) {
      const m = /^arn:[a-z-]+:states:::(?:aws-sdk:)?([a-z0-9-]+):([A-Za-z0-9]+)(\.sync)?/.exec(String(state.Resource));
      if (!m) continue;
      const prefix = m[1] === 'sfn' ? 'states' : m[1];
      const actions = [`${prefix}:${pascal(m[2])}`];
      if (m[1] === 'glue' && m[2] === 'startJobRun' && m[3]) actions.push('glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun');
      for (const a of actions) if (!out.has(a)) out.set(a, `${f}: ${name}`);
    }
  }
  return out;
}

/** Every action the tasks call is allowed by the Step Functions role's policy document `docName`. */
function checkIntegrationPermissions(model, rendered, docName) {
  const doc = model.data.find((d) => d.type === 'aws_iam_policy_document' && d.name === docName);
  if (!doc) return [`data.aws_iam_policy_document.${docName} does not exist`];
  const granted = new Set((Array.isArray(doc.body.statement) ? doc.body.statement : [doc.body.statement]).filter((st) => (st.effect || 'Allow') === 'Allow').flatMap((st) => st.actions || []));
  const problems = [];
  for (const [action, where] of integrationActions(rendered)) {
    if (!granted.has(action)) problems.push(`${where} calls ${action}, which data.aws_iam_policy_document.${docName} does not allow`);
  }
  return problems;
}

module.exports = { checkIntegrationPermissions, integrationActions, checkIntegrations, placeholders, render, templatefileCalls, sampleValues, checkStateMachines, checkGlueTasks, tasks };
