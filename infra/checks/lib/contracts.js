'use strict';
// Consistency between the infrastructure and the code it deploys: Flink runtime properties, metric
// names and Glue job arguments. The contracts/ files state the agreed names; where the code itself is
// present in the repository (options classes, metric constants, argument parsers, docs), it is read
// too, so a rename on either side breaks the check.

const fs = require('node:fs');
const path = require('node:path');
const { strings } = require('./terraform');

const REPO = path.resolve(__dirname, '..', '..', '..');

function readJson(p) {
  return JSON.parse(fs.readFileSync(p, 'utf8'));
}

function javaFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...javaFiles(p));
    else if (e.name.endsWith('.java')) out.push(p);
  }
  return out;
}

function setDiff(a, b) {
  return [...a].filter((x) => !b.has(x));
}

// ---------------------------------------------------------------------------------------------------
// Flink runtime properties
// ---------------------------------------------------------------------------------------------------

/** Property groups of the Flink application, read from the literal map in flink.tf. */
function flinkPropertyGroups(model) {
  const all = model.locals.flink_property_groups_all;
  const table = model.locals.flink_table_property_groups;
  if (!all || typeof all.value !== 'object') throw new Error('local.flink_property_groups_all (a literal map) is missing');
  const groups = {};
  for (const [g, props] of Object.entries(all.value)) groups[g] = Object.keys(props).sort();
  let tableKeys = [];
  let tablePrefix = null;
  if (table) {
    const expr = String(table.value);
    tableKeys = [...expr.matchAll(/"([a-z][\w.-]*)"\s*=/g)].map((m) => m[1]).sort();
    const p = /"(table\.)\$\{/.exec(expr);
    tablePrefix = p ? p[1] : null;
  }
  // The property_group blocks of the application must come from local.flink_property_groups.
  const app = model.resources.find((r) => r.type === 'aws_kinesisanalyticsv2_application');
  const appText = app ? JSON.stringify(app.body) : '';
  const wired = /property_group[^]*local\.flink_property_groups\b/.test(appText);
  return { groups, tableKeys, tablePrefix, wired, runtime: app && app.body.runtime_environment };
}

function checkFlinkProperties(model, contract) {
  const problems = [];
  const found = flinkPropertyGroups(model);
  if (!found.wired) problems.push('the Flink application does not take its property groups from local.flink_property_groups');
  if (found.runtime !== 'FLINK-1_20') problems.push(`the Flink application runs ${found.runtime}, expected FLINK-1_20`);
  const expectedGroups = new Set(Object.keys(contract.propertyGroups));
  const actualGroups = new Set(Object.keys(found.groups));
  for (const g of setDiff(expectedGroups, actualGroups)) problems.push(`property group ${g} is missing`);
  for (const g of setDiff(actualGroups, expectedGroups)) problems.push(`property group ${g} is not read by the job`);
  for (const g of Object.keys(contract.propertyGroups).filter((x) => actualGroups.has(x))) {
    const exp = new Set(contract.propertyGroups[g]);
    const act = new Set(found.groups[g]);
    for (const k of setDiff(exp, act)) problems.push(`property ${g}.${k} is missing`);
    for (const k of setDiff(act, exp)) problems.push(`property ${g}.${k} is not a key the job reads`);
  }
  if (found.tablePrefix !== contract.tableGroupPrefix) problems.push(`per-table groups must be named ${contract.tableGroupPrefix}<schema>.<table>`);
  const expT = new Set(contract.tableGroupKeys);
  const actT = new Set(found.tableKeys);
  for (const k of setDiff(expT, actT)) problems.push(`per-table property ${k} is missing`);
  for (const k of setDiff(actT, expT)) problems.push(`per-table property ${k} is not a key the job reads`);
  return problems;
}

/** Keys such as `source.host` mentioned in docs/configuration.md; null when the file is absent. */
function documentedKeys(docPath, groups) {
  if (!fs.existsSync(docPath)) return null;
  const text = fs.readFileSync(docPath, 'utf8');
  const keys = new Set();
  const groupAlt = groups.map((g) => g.replace('.', '\\.')).join('|');
  const re = new RegExp(`\\b((?:${groupAlt})\\.[a-z][a-z0-9.-]*[a-z0-9])`, 'g');
  for (const m of text.matchAll(re)) keys.add(m[1]);
  return keys;
}

/** Every key the Flink application sets must be documented (when the documentation exists). */
function checkDocumentedProperties(model, contract, docPath) {
  const documented = documentedKeys(docPath, Object.keys(contract.propertyGroups));
  if (documented === null) return { skipped: `${docPath} does not exist`, problems: [] };
  const found = flinkPropertyGroups(model);
  const problems = [];
  for (const [g, keys] of Object.entries(found.groups)) {
    for (const k of keys) if (!documented.has(`${g}.${k}`)) problems.push(`${g}.${k} is set on Managed Flink but not documented in ${path.basename(docPath)}`);
  }
  return { skipped: null, problems };
}

/**
 * The option keys of the streaming job: the rows of the options table of docs/configuration.md,
 * which ConfigOptions.markdownTable() generates and ConfigurationDocTest (streaming-app/model) keeps
 * equal to ConfigOptions.all(), the list the job's configuration readers check keys against. The
 * names are built by concatenation in the code (the secret keys, for one), so the generated table is
 * read, never literals of the sources. Null when the file or its table is missing.
 */
function optionTableKeys(docPath) {
  if (!fs.existsSync(docPath)) return null;
  const text = fs.readFileSync(docPath, 'utf8');
  const start = text.indexOf('<!-- options:start -->');
  const end = text.indexOf('<!-- options:end -->');
  if (start < 0 || end < start) return null;
  const keys = new Set();
  for (const m of text.slice(start, end).matchAll(/^\| `([^`]+)` \|/gm)) keys.add(m[1]);
  return keys.size ? keys : null;
}

/**
 * Every key set on Managed Flink is an option of the streaming job. Never skipped: a missing options
 * table is a problem of its own.
 */
function checkJavaProperties(model, docPath) {
  const keys = optionTableKeys(docPath);
  if (keys === null) {
    return [`${docPath} has no options table between <!-- options:start --> and <!-- options:end --> (generated by ConfigOptions.markdownTable()); the Flink property keys cannot be checked against the job's options`];
  }
  const found = flinkPropertyGroups(model);
  const problems = [];
  for (const [g, ks] of Object.entries(found.groups)) {
    for (const k of ks) if (!keys.has(`${g}.${k}`)) problems.push(`${g}.${k} is not an option name of the streaming job (ConfigOptions, docs/configuration.md)`);
  }
  for (const k of found.tableKeys) {
    if (!keys.has(`table.<schema>.<table>.${k}`)) problems.push(`table.<schema>.<table>.${k} is not an option name of the streaming job (ConfigOptions, docs/configuration.md)`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------------

function checkMetricNames(model, contract) {
  const problems = [];
  const local = model.locals.flink_metric_names;
  if (!local || typeof local.value !== 'object') return ['local.flink_metric_names (a literal map) is missing'];
  const names = local.value;
  const values = new Set(Object.values(names));
  const expected = new Set(contract.metricNames);
  for (const n of setDiff(expected, values)) problems.push(`metric ${n} is missing from local.flink_metric_names`);
  for (const n of setDiff(values, expected)) problems.push(`metric ${n} in local.flink_metric_names is not one the job registers`);
  // The names appear only in that map: every other use goes through it.
  for (const n of values) {
    let count = 0;
    for (const text of Object.values(model.raw)) count += text.split(`"${n}"`).length - 1;
    if (count !== 1) problems.push(`metric name ${n} is written ${count} times in the .tf files; use local.flink_metric_names`);
  }
  for (const r of model.resources.filter((x) => x.type === 'aws_cloudwatch_metric_alarm')) {
    const id = `aws_cloudwatch_metric_alarm.${r.name}`;
    for (const s of strings(r.body)) {
      for (const m of s.matchAll(/local\.flink_metric_names\.([A-Za-z_]\w*)/g)) {
        if (!(m[1] in names)) problems.push(`${id} uses local.flink_metric_names.${m[1]}, which does not exist`);
      }
    }
    const ns = r.body.namespace;
    const metric = r.body.metric_name;
    if (ns && String(ns).includes('flink_namespace') || ns === 'AWS/KinesisAnalytics') {
      const ok = contract.flinkBuiltinMetrics.includes(metric) || /^\$\{local\.flink_metric_names\.\w+\}$/.test(String(metric));
      if (!ok) problems.push(`${id} alarms on ${metric}, which is neither a Managed Flink metric nor one of the job's`);
    }
    for (const q of [].concat(r.body.metric_query || [])) {
      for (const mm of [].concat(q.metric || [])) {
        if (String(mm.namespace).includes('flink_namespace') && !contract.flinkBuiltinMetrics.includes(mm.metric_name) && !/^\$\{local\.flink_metric_names\.\w+\}$/.test(String(mm.metric_name))) {
          problems.push(`${id} queries ${mm.metric_name}, which is neither a Managed Flink metric nor one of the job's`);
        }
      }
    }
  }
  return problems;
}

/**
 * The string constants of the job's MetricNames class (`static final String NAME = "value";`), or
 * null when the file does not exist.
 */
function javaStringConstants(file) {
  if (!fs.existsSync(file)) return null;
  const text = fs.readFileSync(file, 'utf8');
  const constants = {};
  for (const m of text.matchAll(/static\s+final\s+String\s+([A-Z][A-Z0-9_]*)\s*=\s*"([^"]*)"\s*;/g)) constants[m[1]] = m[2];
  return constants;
}

/**
 * The metric names, group and dimension the streaming job registers (its MetricNames class) against
 * the alarms: every name in local.flink_metric_names is registered by the job and the other way
 * round, under the group Managed Flink publishes and with the dimension the alarms query.
 */
function checkJavaMetricNames(model, metricNamesFile, contract) {
  const constants = javaStringConstants(metricNamesFile);
  if (constants === null) return [`${metricNamesFile} does not exist: the job's metric names cannot be compared with the alarms`];
  const names = new Set(Object.values(constants).filter((v) => /^tributary[A-Z]\w*$/.test(v)));
  const local = new Set(Object.values(model.locals.flink_metric_names.value));
  const problems = [];
  for (const n of setDiff(local, names)) problems.push(`alarms use ${n}, which the streaming job does not register`);
  for (const n of setDiff(names, local)) problems.push(`the streaming job registers ${n}, which local.flink_metric_names lacks`);
  if (constants.GROUP !== contract.metricGroup) {
    problems.push(`the streaming job registers its metrics under group ${constants.GROUP}; Managed Flink publishes only group ${contract.metricGroup}`);
  }
  const dimension = constants.TABLE;
  if (dimension !== contract.metricDimension) problems.push(`the streaming job's per-table dimension is ${dimension}, expected ${contract.metricDimension}`);
  const schema = model.locals.flink_per_table_schema && String(model.locals.flink_per_table_schema.value);
  if (!schema || !schema.includes(`, ${dimension})`)) problems.push(`local.flink_per_table_schema does not query the dimension ${dimension}`);
  for (const r of model.resources.filter((x) => x.type === 'aws_cloudwatch_metric_alarm')) {
    const dims = String(r.body.dimensions || '');
    const m = /merge\(local\.flink_dimensions,\s*\{\s*([A-Za-z_]\w*)\s*=/.exec(dims);
    if (m && m[1] !== dimension) problems.push(`aws_cloudwatch_metric_alarm.${r.name} uses dimension ${m[1]}, the job reports ${dimension}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// Glue jobs
// ---------------------------------------------------------------------------------------------------

/** Default arguments of each aws_glue_job, resolved through the merge(local.a, local.b) locals. */
function glueJobArguments(model) {
  const jobs = {};
  for (const r of model.resources.filter((x) => x.type === 'aws_glue_job')) {
    const expr = r.body.default_arguments;
    let args = {};
    if (expr && typeof expr === 'object') args = { ...expr };
    else {
      for (const m of String(expr).matchAll(/local\.([A-Za-z_]\w*)/g)) {
        const l = model.locals[m[1]];
        if (l && typeof l.value === 'object') Object.assign(args, l.value);
      }
    }
    jobs[r.name] = { args, body: r.body };
  }
  return jobs;
}

function checkGlueJobs(model, contract) {
  const problems = [];
  const jobs = glueJobArguments(model);
  for (const [job, spec] of Object.entries(contract.jobs)) {
    const found = jobs[job];
    if (!found) {
      problems.push(`aws_glue_job.${job} is missing`);
      continue;
    }
    const accepted = new Set([...contract.common, ...spec.arguments, ...contract.launcher, ...contract.glueReserved]);
    for (const k of Object.keys(found.args)) if (!accepted.has(k)) problems.push(`aws_glue_job.${job} passes ${k}, which the job does not accept`);
    const optional = spec.optional || [];
    const required = [...contract.common, ...spec.arguments.filter((a) => !spec.perRun.includes(a) && !optional.includes(a)), ...contract.launcher];
    for (const k of required) if (!(k in found.args)) problems.push(`aws_glue_job.${job} lacks ${k}`);
    for (const [k, v] of Object.entries(contract.glueRequired)) if (found.args[k] !== v) problems.push(`aws_glue_job.${job} must set ${k} ${v}`);
    if (found.args['--tributary-main-class'] !== spec.mainClass) problems.push(`aws_glue_job.${job} must start ${spec.mainClass}`);
    if (!/^5\./.test(String(found.body.glue_version)) && !String(found.body.glue_version).includes('var.glue_version')) {
      problems.push(`aws_glue_job.${job} is not a Glue 5 job`);
    }
  }
  for (const job of Object.keys(jobs)) if (!contract.jobs[job]) problems.push(`aws_glue_job.${job} is not described in contracts/glue-jobs.json`);
  return problems;
}

/** "--option" literals of the glue-compat argument parsers; null when the module does not exist yet. */
function javaGlueArguments(javaDir) {
  const files = javaFiles(javaDir);
  const args = new Set();
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    for (const m of text.matchAll(/"(--[a-z][a-z0-9-]*)"/g)) args.add(m[1]);
    for (const m of text.matchAll(/"([a-z][a-z0-9]*(?:-[a-z0-9]+)+)"/g)) args.add(`--${m[1]}`);
  }
  return args.size ? args : null;
}

function checkJavaGlueArguments(contract, javaDir) {
  const args = javaGlueArguments(javaDir);
  if (args === null) return { skipped: `no glue-compat sources under ${javaDir}`, problems: [] };
  const problems = [];
  const all = new Set([...contract.common, ...Object.values(contract.jobs).flatMap((j) => j.arguments)]);
  for (const a of all) if (!args.has(a) && !args.has(a.replace(/^--/, ''))) problems.push(`glue-compat does not parse ${a}`);
  return { skipped: null, problems };
}

module.exports = {
  REPO,
  readJson,
  flinkPropertyGroups,
  checkFlinkProperties,
  checkDocumentedProperties,
  checkJavaProperties,
  checkMetricNames,
  checkJavaMetricNames,
  glueJobArguments,
  checkGlueJobs,
  checkJavaGlueArguments,
};
