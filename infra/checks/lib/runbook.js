'use strict';
// The alarms runbook of docs/operations.md against the Terraform: every alarm resource has a row
// naming its address, and every address a row names is an alarm the Terraform defines.
const fs = require('node:fs');

const START = '<!-- alarms:start -->';
const END = '<!-- alarms:end -->';

function checkAlarmRunbook(model, docPath) {
  const text = fs.readFileSync(docPath, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) return [`${docPath} has no alarms table between ${START} and ${END}`];
  const table = text.slice(from, to);
  const named = new Set([...table.matchAll(/aws_cloudwatch_metric_alarm\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]));
  const defined = new Set(model.resources.filter((r) => r.type === 'aws_cloudwatch_metric_alarm').map((r) => r.name));
  const problems = [];
  for (const name of defined) {
    if (!named.has(name)) problems.push(`aws_cloudwatch_metric_alarm.${name} has no row in the alarms table of ${docPath}`);
  }
  for (const name of named) {
    if (!defined.has(name)) problems.push(`the alarms table of ${docPath} names aws_cloudwatch_metric_alarm.${name}, which the Terraform does not define`);
  }
  return problems;
}

module.exports = { checkAlarmRunbook };
