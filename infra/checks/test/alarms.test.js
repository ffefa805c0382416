'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const P = require('../lib/paths');
const { loadTerraform } = require('../lib/terraform');
const { flinkAlarmProblems } = require('../lib/alarms');

function includes(problems, fragment) {
  assert.ok(problems.some((p) => p.includes(fragment)), `expected a problem containing "${fragment}" in:\n${problems.join('\n')}`);
}

test('the Flink alarms read exactly the series published at the default metrics level, and the downtime alarm is silent while stopped on purpose', async () => {
  assert.deepEqual(flinkAlarmProblems(await loadTerraform(P.TERRAFORM)), []);
  const metricsDoc = fs.readFileSync(path.join(P.REPO, 'docs', 'metrics.md'), 'utf8');
  assert.match(metricsDoc, /`flink_metrics_level`/);
  assert.match(metricsDoc, /APPLICATION/);
});

test('alarms on operator-level dimensions, a finer default level and an always-armed downtime alarm are reported', async () => {
  const p = flinkAlarmProblems(await loadTerraform(path.join(P.FIXTURES, 'alarms-broken')));
  includes(p, 'variable flink_metrics_level defaults to OPERATOR');
  includes(p, 'aws_cloudwatch_metric_alarm.per_operator: tributaryLagMillis with dimensions (Application, Operator, table)');
  includes(p, 'aws_cloudwatch_metric_alarm.insights_operator: Metrics Insights SCHEMA(Application, Operator, table)');
  includes(p, 'aws_cloudwatch_metric_alarm.downtime_always_on: the downtime alarm must not notify');
});
