'use strict';
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const P = require('../lib/paths');
const { loadTerraform } = require('../lib/terraform');
const a = require('../lib/asl');
const c = require('../lib/contracts');

const glue = c.readJson(P.GLUE_CONTRACT);
let real;
let result;

before(async () => {
  real = await loadTerraform(P.TERRAFORM);
  result = a.checkStateMachines(real, P.STEPFUNCTIONS);
});

function includes(problems, fragment) {
  assert.ok(problems.some((p) => p.includes(fragment)), `expected a problem containing "${fragment}" in:\n${problems.join('\n')}`);
}

test('both state machines exist, render with every placeholder supplied, and validate', () => {
  assert.deepEqual(Object.keys(result.rendered).sort(), ['backfill.asl.json', 'maintenance.asl.json']);
  assert.deepEqual(result.problems, []);
});

test('Glue tasks start jobs of glue_jobs.tf with accepted arguments, wait, retry with backoff and catch', () => {
  assert.deepEqual(a.checkGlueTasks(real, result.rendered, glue), []);
});

test('maintenance: a Map with bounded concurrency, failures recorded and notified', () => {
  const def = result.rendered['maintenance.asl.json'].json;
  const map = Object.values(def.States).find((s) => s.Type === 'Map');
  assert.ok(map, 'no Map state');
  assert.ok(Number.isInteger(map.MaxConcurrency) && map.MaxConcurrency > 0, 'Map concurrency is not bounded');
  const inner = a.tasks(map.ItemProcessor).map((t) => t.state.Resource);
  assert.ok(inner.some((r) => r.endsWith(':dynamodb:putItem')), 'failures are not recorded');
  assert.ok(inner.some((r) => r.endsWith(':sns:publish')), 'failures are not notified');
});

test('backfill: conditional lock with owner and lease, taken over only from an owner that stopped, verify, release by owner only', () => {
  const def = result.rendered['backfill.asl.json'].json;
  const acquire = def.States.AcquireLock;
  assert.match(acquire.Resource, /:dynamodb:putItem$/);
  assert.equal(acquire.Parameters.ConditionExpression, 'attribute_not_exists(pk)');
  assert.ok(acquire.Parameters.Item.owner && acquire.Parameters.Item.leaseSeconds);
  assert.ok(acquire.Catch.some((c) => c.ErrorEquals.includes('DynamoDB.ConditionalCheckFailedException')));
  // The lease is the execution's own timeout: a lock whose owner no longer runs is stale.
  assert.equal(def.TimeoutSeconds, Number(acquire.Parameters.Item.leaseSeconds.N));
  assert.match(def.States.DescribeLockOwner.Resource, /:aws-sdk:sfn:describeExecution$/);
  assert.equal(def.States.LockOwnerRunning.Choices[0].StringEquals, 'RUNNING');
  assert.equal(def.States.LockOwnerRunning.Choices[0].Next, 'TableLocked');
  assert.equal(def.States.TakeOverLock.Parameters.ConditionExpression, '#owner = :staleOwner');
  for (const name of ['ReleaseLock', 'ReleaseLockAfterFailure']) {
    assert.match(def.States[name].Resource, /:dynamodb:deleteItem$/);
    assert.equal(def.States[name].Parameters.ConditionExpression, '#owner = :owner');
  }
  assert.equal(def.States.VerifyJobRun.Type, 'Choice');
  const all = JSON.stringify(def);
  assert.ok(!/transactWriteItems|transactGetItems/i.test(all), 'DynamoDB transactions are not available locally');
});

test('both state machines use only JSONPath, which the local engine (aws-local-stepfunctions) runs', () => {
  for (const [f, { json }] of Object.entries(result.rendered)) {
    const text = JSON.stringify(json);
    assert.ok(!text.includes('"JSONata"') && !text.includes('{%'), `${f} uses JSONata`);
    assert.ok(!text.includes('$$.State.'), `${f} reads $$.State, which the local engine does not provide`);
    for (const { name, state } of a.tasks(json)) {
      if (/glue:startJobRun/.test(state.Resource)) assert.ok(Number.isInteger(state.TimeoutSeconds), `${f}: ${name} has no TimeoutSeconds`);
    }
  }
});

test('broken definitions are reported: unsupplied and unused placeholders, invalid ASL, unloaded file', async () => {
  const model = await loadTerraform(path.join(P.FIXTURES, 'asl-broken', 'terraform'));
  const r = a.checkStateMachines(model, path.join(P.FIXTURES, 'asl-broken', 'stepfunctions'));
  includes(r.problems, 'broken.asl.json: ${sns_topic_arn} is not supplied');
  includes(r.problems, 'supplies unused, which the template does not use');
  includes(r.problems, 'orphan.asl.json is not loaded by any templatefile() call');
  assert.equal(Object.keys(r.rendered).length, 0, 'a definition with a missing placeholder must not render');
});

test('invalid ASL and bad Glue tasks are reported', async () => {
  const model = await loadTerraform(path.join(P.FIXTURES, 'asl-broken', 'terraform'));
  const text = fs.readFileSync(path.join(P.FIXTURES, 'asl-broken', 'stepfunctions', 'broken.asl.json'), 'utf8');
  const json = JSON.parse(a.render(text, { partition: 'aws', glue_maintenance_job: 'sample-glue-maintenance-job', sns_topic_arn: 'x' }));
  const valid = require('asl-validator')(json);
  assert.equal(valid.isValid, false, 'a Next to a missing state must not validate');
  const calls = a.templatefileCalls(model);
  const p = a.checkGlueTasks(model, { 'broken.asl.json': { json, call: calls['broken.asl.json'] } }, glue);
  includes(p, 'Run does not wait for the job');
  includes(p, 'Run passes --tabel');
  includes(p, 'Run does not retry Glue.ConcurrentRunsExceededException');
  includes(p, 'Run has no Catch for States.ALL');
});

test('every task integration exists and passes only parameters of its API (the AWS SDK clients\' models)', async () => {
  const result = a.checkStateMachines(real, P.STEPFUNCTIONS);
  assert.deepEqual(a.checkIntegrations(result.rendered), []);
  const task = (Resource, Parameters) => ({ Type: 'Task', Resource, Parameters, End: true });
  const json = {
    StartAt: 'PutTypo',
    States: {
      PutTypo: task('arn:aws:states:::dynamodb:putItem', { TableName: 't', Itme: {} }),
      UnknownApi: task('arn:aws:states:::aws-sdk:dynamodb:scann', { TableName: 't' }),
      NotOptimized: task('arn:aws:states:::dynamodb:scan', { TableName: 't' }),
      NoSync: task('arn:aws:states:::sns:publish.sync', { TopicArn: 't', Message: 'm' }),
      NoModel: task('arn:aws:states:::aws-sdk:sqs:sendMessage', { QueueUrl: 'q' }),
      MissingRequired: task('arn:aws:states:::aws-sdk:sfn:describeExecution', { IncludedData: 'METADATA_ONLY' }),
      NotAnIntegration: task('arn:aws:lambda:eu-west-1:123456789012:function:f', {}),
    },
  };
  const p = a.checkIntegrations({ 'broken.asl.json': { json } });
  const has = (fragment) => assert.ok(p.some((x) => x.includes(fragment)), `expected "${fragment}" in:\n${p.join('\n')}`);
  has('broken.asl.json: PutTypo: PutItem has no parameter Itme');
  has('broken.asl.json: PutTypo: PutItem needs Item');
  has('broken.asl.json: UnknownApi: dynamodb has no API operation Scann');
  has('broken.asl.json: NotOptimized: dynamodb:scan is not an optimized integration');
  has('broken.asl.json: NoSync: sns:publish does not support the .sync pattern');
  has('broken.asl.json: NoModel: no API model for service sqs');
  has('broken.asl.json: MissingRequired: DescribeExecution needs ExecutionArn');
  has('broken.asl.json: NotAnIntegration: arn:aws:lambda:eu-west-1:123456789012:function:f is not a Step Functions service integration');
});

test('the state machines\' role allows every action their tasks call, and a missing one is reported', () => {
  const result = a.checkStateMachines(real, P.STEPFUNCTIONS);
  const actions = a.integrationActions(result.rendered);
  for (const x of ['glue:StartJobRun', 'glue:GetJobRun', 'dynamodb:PutItem', 'dynamodb:Scan', 'sns:Publish', 'states:DescribeExecution']) assert.ok(actions.has(x), x);
  assert.deepEqual(a.checkIntegrationPermissions(real, result.rendered, 'sfn'), []);
  const narrowed = structuredClone(real);
  const doc = narrowed.data.find((d) => d.type === 'aws_iam_policy_document' && d.name === 'sfn');
  doc.body.statement = doc.body.statement.filter((st) => st.sid !== 'CheckBackfillLockOwner');
  includes(a.checkIntegrationPermissions(narrowed, result.rendered, 'sfn'), 'calls states:DescribeExecution, which data.aws_iam_policy_document.sfn does not allow');
});
