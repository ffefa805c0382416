// Runs one execution of a state machine of infra/stepfunctions with aws-local-stepfunctions:
//   node --import ./polyfill.mjs run-state-machine.mjs REQUEST_FILE
// REQUEST_FILE holds JSON: {definition, input, context, dynamodbEndpoint, retryIntervalOverrides}.
// DynamoDB tasks (the optimized integration and aws-sdk:dynamodb) go to dynamodbEndpoint through
// the AWS SDK. Every other task is handed to the process that started this one: a line
//   {"type":"task","id":N,"state":NAME,"resource":ARN,"input":{...}}
// on standard output, answered by a line {"id":N,"ok":true,"result":{...}} or
// {"id":N,"ok":false,"error":NAME,"cause":TEXT} on standard input. State events are reported as
// {"type":"event",...} lines and the outcome as one {"type":"result",...} line.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { StateMachine } from 'aws-local-stepfunctions';
import * as ddb from '@aws-sdk/client-dynamodb';

const request = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

const dynamodb = new ddb.DynamoDBClient({
  endpoint: request.dynamodbEndpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 3,
});

const COMMANDS = {
  putItem: ddb.PutItemCommand,
  getItem: ddb.GetItemCommand,
  deleteItem: ddb.DeleteItemCommand,
  updateItem: ddb.UpdateItemCommand,
  query: ddb.QueryCommand,
  scan: ddb.ScanCommand,
};

/** A task error as Step Functions names it: Error and Cause. */
function taskError(name, cause) {
  const e = new Error(cause);
  e.name = name;
  return e;
}

async function dynamoDbTask(resource, input) {
  // Optimized integration errors are DynamoDB.<code>, AWS SDK integration errors DynamoDb.<code>.
  const sdk = /:aws-sdk:dynamodb:/.test(resource);
  const action = resource.split(':').pop();
  const Command = COMMANDS[action];
  if (!Command) throw taskError('States.Runtime', `DynamoDB action ${action} is not run locally`);
  try {
    const { $metadata, ...result } = await dynamodb.send(new Command(input));
    return result;
  } catch (e) {
    throw taskError(`${sdk ? 'DynamoDb' : 'DynamoDB'}.${e.name}`, e.message);
  }
}

// Tasks handed to the parent process, by request id.
const waiting = new Map();
let nextId = 1;
const answers = createInterface({ input: process.stdin });
// The parent is gone: nobody will answer, so stop instead of waiting for task timeouts.
answers.on('close', () => {
  console.error('run-state-machine: standard input closed, stopping the execution');
  process.exit(1);
});
answers.on('line', (line) => {
  if (!line.trim()) return;
  const answer = JSON.parse(line);
  const pending = waiting.get(answer.id);
  if (!pending) return;
  waiting.delete(answer.id);
  if (answer.ok) pending.resolve(answer.result);
  else pending.reject(taskError(answer.error, answer.cause));
});

function parentTask(state, resource, input) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    send({ type: 'task', id, state, resource, input });
  });
}

/** Every Task state of a definition, with those inside Map and Parallel states. */
function taskStates(definition, out = {}) {
  for (const [name, state] of Object.entries(definition.States || {})) {
    if (state.Type === 'Task') out[name] = state.Resource;
    if (state.ItemProcessor) taskStates(state.ItemProcessor, out);
    if (state.Iterator) taskStates(state.Iterator, out);
    for (const branch of state.Branches || []) taskStates(branch, out);
  }
  return out;
}

const handlers = {};
for (const [name, resource] of Object.entries(taskStates(request.definition))) {
  handlers[name] = /:dynamodb:/.test(resource)
    ? (input) => dynamoDbTask(resource, input)
    : (input) => parentTask(name, resource, input);
}

const machine = new StateMachine(request.definition, { validationOptions: { checkArn: false } });
const execution = machine.run(request.input, {
  overrides: {
    taskResourceLocalHandlers: handlers,
    retryIntervalOverrides: request.retryIntervalOverrides || {},
  },
  context: request.context,
});

const events = (async () => {
  for await (const event of execution.eventLogs) {
    send({
      type: 'event',
      event: event.type,
      state: event.state ? event.state.name : event.mapStateName || event.parallelStateName,
      index: event.index,
      error: event.Error,
      cause: event.Cause,
      attempt: event.retry ? event.retry.attempt : undefined,
    });
  }
})();

let outcome;
try {
  const output = await execution.result;
  outcome = { type: 'result', status: 'SUCCEEDED', output };
} catch (e) {
  const cause = e.cause || e;
  const name = cause.name === 'States.Timeout' || e.name === 'ExecutionTimeoutError' ? 'States.Timeout' : cause.name;
  outcome = {
    type: 'result',
    status: e.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED',
    error: name,
    cause: cause.message,
  };
}
await events.catch(() => {});
send(outcome);
process.exit(0);
