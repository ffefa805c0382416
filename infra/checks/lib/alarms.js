'use strict';
// The Flink alarms against what Managed Flink publishes at the configured metrics level: at
// APPLICATION level (the default) each metric has the dimension Application, and a custom metric
// registered under kinesisanalytics -> table=<schema.table> also the dimension table. An alarm on any
// other dimension set (Task, Operator, Subtask added at finer levels) would watch a series that the
// default level never publishes, and stay silent.

const FLINK_NAMESPACE = 'AWS/KinesisAnalytics';
const PUBLISHED = [['Application'], ['Application', 'table']].map((k) => k.join(','));

function resolveLocal(model, s) {
  if (typeof s !== 'string') return s;
  const m = /^\$\{local\.([\w-]+)\}$/.exec(s);
  return m && model.locals[m[1]] ? model.locals[m[1]].value : s;
}

function dimensionKeys(model, dims) {
  const v = resolveLocal(model, dims);
  if (v && typeof v === 'object') return Object.keys(v);
  if (typeof v !== 'string') return [];
  const keys = new Set();
  for (const m of v.matchAll(/local\.([\w-]+)/g)) {
    const l = model.locals[m[1]];
    if (l && l.value && typeof l.value === 'object') Object.keys(l.value).forEach((k) => keys.add(k));
  }
  for (const m of v.matchAll(/\{([^}]*)\}/g)) for (const k of m[1].matchAll(/([A-Za-z_]\w*)\s*=/g)) keys.add(k[1]);
  return [...keys];
}

function expandLocals(model, text) {
  let out = String(text);
  for (let i = 0; i < 3; i++) out = out.replace(/\$\{local\.([\w-]+)\}/g, (all, n) => (model.locals[n] && typeof model.locals[n].value === 'string' ? model.locals[n].value : all));
  return out;
}

function flinkAlarmProblems(model) {
  const problems = [];
  const level = model.variables.flink_metrics_level && model.variables.flink_metrics_level.body.default;
  if (level !== 'APPLICATION') problems.push(`variable flink_metrics_level defaults to ${level}; the alarms read application-level series and docs/metrics.md says APPLICATION: default it to APPLICATION`);
  for (const a of model.resources.filter((r) => r.type === 'aws_cloudwatch_metric_alarm')) {
    const where = `aws_cloudwatch_metric_alarm.${a.name}`;
    const metrics = [];
    if (a.body.metric_name) metrics.push({ namespace: a.body.namespace, name: a.body.metric_name, dims: a.body.dimensions });
    for (const q of a.body.metric_query || []) {
      for (const m of q.metric || []) metrics.push({ namespace: m.namespace, name: m.metric_name, dims: m.dimensions });
      if (q.expression) {
        const expr = expandLocals(model, q.expression);
        for (const s of expr.matchAll(/SCHEMA\(\s*"([^"]+)"\s*((?:,\s*[\w]+\s*)*)\)/g)) {
          if (expandLocals(model, s[1]) !== FLINK_NAMESPACE) continue;
          const keys = s[2].split(',').map((k) => k.trim()).filter(Boolean);
          if (!PUBLISHED.includes(keys.join(','))) problems.push(`${where}: Metrics Insights SCHEMA(${keys.join(', ')}) is not a dimension set Managed Flink publishes at APPLICATION level (Application, or Application and table)`);
        }
      }
    }
    for (const m of metrics) {
      if (expandLocals(model, resolveLocal(model, m.namespace)) !== FLINK_NAMESPACE) continue;
      const keys = dimensionKeys(model, m.dims).sort();
      if (!PUBLISHED.includes(keys.join(','))) problems.push(`${where}: ${m.name} with dimensions (${keys.join(', ')}) is not a series Managed Flink publishes at APPLICATION level (Application, or Application and table)`);
      if (m.name === 'downtime' && !/var\.flink_start_application/.test(String(a.body.actions_enabled || ''))) {
        problems.push(`${where}: the downtime alarm must not notify while the application is intentionally stopped: set actions_enabled = var.flink_start_application`);
      }
    }
  }
  return problems;
}

module.exports = { flinkAlarmProblems };
