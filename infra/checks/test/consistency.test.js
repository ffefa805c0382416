'use strict';
// The infrastructure against the code it deploys: Flink property keys, metric names, Glue arguments.
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const P = require('../lib/paths');
const { loadTerraform } = require('../lib/terraform');
const c = require('../lib/contracts');

const streaming = c.readJson(P.STREAMING_CONTRACT);
const glue = c.readJson(P.GLUE_CONTRACT);
let real;

before(async () => {
  real = await loadTerraform(P.TERRAFORM);
});

function includes(problems, fragment) {
  assert.ok(problems.some((p) => p.includes(fragment)), `expected a problem containing "${fragment}" in:\n${problems.join('\n')}`);
}

test('Flink property groups hold exactly the keys the streaming job reads', () => {
  assert.deepEqual(c.checkFlinkProperties(real, streaming), []);
});

test('a misspelled, missing or unknown Flink property is reported', async () => {
  const broken = await loadTerraform(path.join(P.FIXTURES, 'flink-broken'));
  const p = c.checkFlinkProperties(broken, streaming);
  includes(p, 'property source.slot-name is missing');
  includes(p, 'property source.slot_name is not a key the job reads');
  includes(p, 'property sink.s3.region is missing');
  includes(p, 'property group checkpoints is not read by the job');
  includes(p, 'per-table property changelog is missing');
  includes(p, 'runs FLINK-1_18, expected FLINK-1_20');
  includes(p, 'does not take its property groups from local.flink_property_groups');
});

test('Flink properties match docs/configuration.md, never skipped', () => {
  const r = c.checkDocumentedProperties(real, streaming, P.CONFIG_DOC);
  assert.equal(r.skipped, null, 'docs/configuration.md must exist: the Flink properties are checked against it');
  assert.deepEqual(r.problems, []);
});

test('an undocumented Flink property is reported', () => {
  const r = c.checkDocumentedProperties(real, streaming, path.join(P.FIXTURES, 'docs', 'configuration.md'));
  assert.equal(r.skipped, null);
  includes(r.problems, 'source.slot-name is set on Managed Flink but not documented');
  assert.ok(!r.problems.some((p) => p.startsWith('source.host ')));
});

test('every Flink property is an option of the streaming job (the options table generated from ConfigOptions), never skipped', () => {
  assert.deepEqual(c.checkJavaProperties(real, P.CONFIG_DOC), []);
});

test('a property the job does not know, or a missing options table, is reported', () => {
  const p = c.checkJavaProperties(real, path.join(P.FIXTURES, 'options-table', 'configuration.md'));
  includes(p, 'source.slot-name is not an option name of the streaming job');
  includes(p, 'source.publication-name is not an option name of the streaming job');
  includes(p, 'table.<schema>.<table>.key-columns is not an option name of the streaming job');
  assert.ok(!p.some((x) => x.startsWith('source.host ')), p.join('\n'));
  includes(c.checkJavaProperties(real, path.join(P.FIXTURES, 'docs', 'configuration.md')), 'has no options table');
});

test('alarm metric names are the job metric names, kept in one local', () => {
  assert.deepEqual(c.checkMetricNames(real, streaming), []);
  const names = real.locals.flink_metric_names.value;
  assert.deepEqual(Object.values(names).sort(), [...streaming.metricNames].sort());
  const alarmText = JSON.stringify(real.resources.filter((r) => r.type === 'aws_cloudwatch_metric_alarm').map((r) => r.body));
  for (const key of ['lag_millis', 'slot_lag_bytes', 'table_blocked', 'dead_letters', 'millis_since_last_commit', 'freshness_target_missed']) {
    assert.ok(alarmText.includes(`local.flink_metric_names.${key}`), `no alarm uses ${key}`);
  }
});

test('a wrong, missing or duplicated metric name is reported', async () => {
  const broken = await loadTerraform(path.join(P.FIXTURES, 'metrics-broken'));
  const p = c.checkMetricNames(broken, streaming);
  includes(p, 'metric tributarySlotLagBytes is missing');
  includes(p, 'alarms on tributaryLagMilis');
  includes(p, 'uses local.flink_metric_names.slot_lag, which does not exist');
  includes(p, 'metric name tributaryDeadLetters is written 2 times');
});

test('alarm metric names, group and dimension are the ones the streaming job registers', () => {
  assert.deepEqual(c.checkJavaMetricNames(real, P.METRIC_NAMES_JAVA, streaming), []);
  const fx = c.checkJavaMetricNames(real, path.join(P.FIXTURES, 'java-metrics', 'MetricNames.java'), streaming);
  includes(fx, 'alarms use tributaryLagMillis, which the streaming job does not register');
  includes(fx, 'the streaming job registers tributarySnapshotProgress');
  includes(fx, 'Managed Flink publishes only group kinesisanalytics');
  includes(fx, "the streaming job's per-table dimension is tableName, expected table");
  const missing = c.checkJavaMetricNames(real, path.join(P.FIXTURES, 'java-metrics', 'Absent.java'), streaming);
  includes(missing, 'does not exist');
});

test('Glue jobs pass exactly the arguments glue-compat accepts, with Glue 5 settings', () => {
  assert.deepEqual(c.checkGlueJobs(real, glue), []);
});

test('a wrong Glue argument or setting is reported', async () => {
  const broken = await loadTerraform(path.join(P.FIXTURES, 'glue-broken'));
  const p = c.checkGlueJobs(broken, glue);
  includes(p, 'aws_glue_job.maintenance passes --compaction-strategy');
  includes(p, 'aws_glue_job.maintenance must set --datalake-formats iceberg');
  includes(p, 'aws_glue_job.maintenance must set --job-bookmark-option job-bookmark-disable');
  includes(p, 'aws_glue_job.maintenance is not a Glue 5 job');
  includes(p, 'aws_glue_job.backfill is missing');
});

test('Glue arguments match the glue-compat argument parsers, never skipped', () => {
  const r = c.checkJavaGlueArguments(glue, P.GLUE_COMPAT_JAVA);
  assert.equal(r.skipped, null, 'the glue-compat sources must be found: the Glue arguments are checked against them');
  assert.deepEqual(r.problems, []);
  const fx = c.checkJavaGlueArguments(glue, path.join(P.FIXTURES, 'java-glue'));
  includes(fx.problems, 'glue-compat does not parse --orphan-min-age-hours');
  includes(fx.problems, 'glue-compat does not parse --jdbc-url');
});

test('the Glue launcher knows the main-class argument and the jobs start it', () => {
  const launcher = require('node:fs').readFileSync(P.GLUE_LAUNCHER, 'utf8');
  assert.match(launcher, /object TributaryGlueLauncher/);
  assert.ok(launcher.includes(`"${glue.launcher[0]}"`));
  const args = c.glueJobArguments(real);
  for (const job of Object.values(args)) assert.equal(job.args['--class'], 'TributaryGlueLauncher');
});

test('the Glue version Terraform deploys provides exactly the Spark and Iceberg the Glue jobs are built with', () => {
  const { checkGlueVersions } = require('../lib/glue-versions');
  assert.deepEqual(checkGlueVersions(real, { doc: P.MAINTENANCE_DOC, gluePom: P.GLUE_POM, rootPom: P.ROOT_POM }), []);
});

test('a Glue version, build or stream Iceberg that disagrees with the Glue versions table is reported', async () => {
  const { checkGlueVersions } = require('../lib/glue-versions');
  const dir = path.join(P.FIXTURES, 'glue-versions-broken');
  const broken = await loadTerraform(path.join(dir, 'terraform'));
  const p = checkGlueVersions(broken, {
    doc: P.MAINTENANCE_DOC,
    gluePom: path.join(dir, 'glue-pom.xml'),
    rootPom: path.join(dir, 'root-pom.xml'),
  });
  includes(p, 'glue_version defaults to 5.0, which the Glue versions table marks as not supported');
  includes(p, 'glue_version must be validated with contains([...], var.glue_version)');
  includes(p, 'aws_glue_job.backfill sets glue_version 4.0');
  includes(p, 'spark.version is 3.5.7');
  includes(p, 'glue.iceberg.version is 1.10.1');
  includes(p, 'must take iceberg-spark-runtime at ${glue.iceberg.version} in the provided scope');
  includes(p, "the streaming job's iceberg.version 1.9.2");
  assert.ok(!p.some((x) => x.includes('spark-sql at')), p.join('\n'));
});

test('every security control in infra/README.md points at Terraform that exists and does what the row says', () => {
  const { checkSecurityControls } = require('../lib/security-controls');
  assert.deepEqual(checkSecurityControls(real, P.INFRA_README), []);
});

test('a security control naming missing Terraform, a store not encrypted as claimed, or a role without a row is reported', async () => {
  const { checkSecurityControls } = require('../lib/security-controls');
  const dir = path.join(P.FIXTURES, 'security-controls-broken');
  const broken = await loadTerraform(path.join(dir, 'terraform'));
  const p = checkSecurityControls(broken, path.join(dir, 'README.md'));
  includes(p, 'says aws_dynamodb_table.control is encrypted with aws_kms_key.main, but it does not reference the key');
  includes(p, 'names aws_s3_bucket_server_side_encryption_configuration.data, which the Terraform does not define');
  includes(p, 'names aws_vpc_endpoint.s3, which the Terraform does not define');
  includes(p, '"A claim without an address" names no Terraform address');
  includes(p, 'aws_iam_role.extra (main.tf) has no row in the security controls table');
});

test('a control the table says is not built but the Terraform builds is reported', () => {
  const sc = require('../lib/security-controls');
  const built = structuredClone(real);
  built.resources.push({ type: 'aws_cloudtrail', name: 'audit', body: {}, file: 'audit.tf' });
  const p = sc.checkSecurityControls(built, P.INFRA_README);
  includes(p, 'says it is not built, but the Terraform builds aws_cloudtrail.audit (audit.tf)');
  includes(p, 'aws_cloudtrail.audit (audit.tf) has no row in the security controls table');
});


test('every alarm has a runbook row in docs/operations.md, and every row an alarm', () => {
  const { checkAlarmRunbook } = require('../lib/runbook');
  assert.deepEqual(checkAlarmRunbook(real, P.OPERATIONS_DOC), []);
});

test('an alarm without a runbook row, or a row for no alarm, is reported', () => {
  const fs = require('node:fs');
  const os = require('node:os');
  const { checkAlarmRunbook } = require('../lib/runbook');
  const text = fs.readFileSync(P.OPERATIONS_DOC, 'utf8')
    .replace('aws_cloudwatch_metric_alarm.commit_stalled', 'aws_cloudwatch_metric_alarm.commit_stalling');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-')), 'operations.md');
  fs.writeFileSync(file, text);
  const p = checkAlarmRunbook(real, file);
  includes(p, 'aws_cloudwatch_metric_alarm.commit_stalled has no row');
  includes(p, 'names aws_cloudwatch_metric_alarm.commit_stalling, which the Terraform does not define');
  fs.writeFileSync(file, '# no table\n');
  includes(checkAlarmRunbook(real, file), 'has no alarms table');
});
