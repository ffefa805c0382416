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

module.exports = { placeholders, render, templatefileCalls, sampleValues, checkStateMachines, checkGlueTasks, tasks };
