#!/usr/bin/env node
// Draws a state machine of infra/stepfunctions as a Graphviz graph: asl-to-dot.js ASL OUT TITLE.
//
// Reads the definition as Terraform deploys it (its ${...} placeholders are Terraform's values;
// only their names matter here), and writes one node per state: its name, its type and, for a task,
// the service action it calls. Edges: Next and End (solid), the branches of a Choice (labelled with
// the variable they test, the Default "otherwise"), Catch (dashed, labelled with the errors), and a
// Retry as a loop on the state (labelled with its attempts). A Map's item states are drawn inside
// a box. docs/render.sh runs this for every state machine before it renders the .dot files, and
// records the definition's hash, so docs/check-diagrams.sh fails when a drawing is older than it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [asl, out, title] = process.argv.slice(2);
if (!asl || !out || !title) {
  console.error('usage: asl-to-dot.js <definition.asl.json> <out.dot> <title>');
  process.exit(2);
}

// Placeholders stand for numbers or strings; a number keeps the JSON valid in both places.
const text = fs.readFileSync(asl, 'utf8').replace(/(?<!\$)\$\{([A-Za-z_]\w*)\}/g, '0');
const definition = JSON.parse(text);

const FILL = {
  Task: '#E7F0FB',
  Choice: '#FFF4D6',
  Pass: '#F2F3F3',
  Map: '#FFFFFF',
  Parallel: '#FFFFFF',
  Wait: '#F2F3F3',
  Succeed: '#DFF2E1',
  Fail: '#FBE3E4',
};

// Labels carry Graphviz's own line breaks (\n), so backslashes are kept as they are.
const quote = (s) => '"' + String(s).replace(/"/g, '\\"') + '"';

/** "glue:startJobRun.sync" from arn:aws:states:::glue:startJobRun.sync (aws-sdk: left out). */
function action(resource) {
  if (!resource) return '';
  const m = /^arn:[^:]*:states:::(?:aws-sdk:)?(.+)$/.exec(resource);
  return m ? m[1] : resource.split(':').slice(-1)[0];
}

const DYNAMO_TYPES = new Set(['S', 'N', 'BOOL', 'M', 'L', 'SS', 'NS', 'Item']);

/** What a Choice rule tests, short: "$.lock.Item.owner.S" with StringEquals "x" -> "owner = x". */
function tested(rule) {
  if (rule.Variable) {
    const name = rule.Variable.split('.').filter((p) => p !== '$' && !DYNAMO_TYPES.has(p)).slice(-1)[0] || rule.Variable;
    const test = Object.keys(rule).find((k) => k !== 'Variable' && k !== 'Next');
    const value = rule[test];
    if (test === 'IsPresent') return value ? `${name} present` : `no ${name}`;
    if (test === 'IsNull') return value ? `${name} null` : `${name} not null`;
    if (test && test.startsWith('Is')) return `${name} is ${test.slice(2).toLowerCase()}`;
    if (test && test.endsWith('Path')) return `${name} vs ${String(value).split('.').slice(-1)[0]}`;
    const op = { StringEquals: '=', NumericEquals: '=', BooleanEquals: '=', NumericGreaterThan: '>', NumericGreaterThanEquals: '>=', NumericLessThan: '<', NumericLessThanEquals: '<=', StringMatches: 'matches' }[test] || test;
    return `${name} ${op} ${value}`;
  }
  for (const combinator of ['And', 'Or']) {
    if (rule[combinator]) return rule[combinator].map(tested).join(` ${combinator.toLowerCase()} `);
  }
  if (rule.Not) return `not (${tested(rule.Not)})`;
  if (rule.Condition) return rule.Condition;
  return '';
}

const lines = [];
const edges = [];
let ends = 0;

function drawStates(states, prefix, indent) {
  for (const [name, state] of Object.entries(states)) {
    const id = quote(prefix + name);
    const doing = state.Type === 'Task' ? `\\n${action(state.Resource)}` : '';
    const shape = state.Type === 'Choice' ? 'diamond' : state.Type === 'Succeed' || state.Type === 'Fail' ? 'oval' : 'box';
    const sub = state.ItemProcessor || state.Iterator;
    if (sub) {
      lines.push(`${indent}subgraph ${quote('cluster_' + prefix + name)} {`);
      lines.push(`${indent}  label=${quote(`${name} (Map: each item, at most MaxConcurrency at once)`)}; style="rounded,dashed"; color="#7D8998"; fontsize=11;`);
      lines.push(`${indent}  ${id} [label=${quote(`${name}\\nMap`)}, shape=box, style="rounded,filled", fillcolor=${quote(FILL.Map)}];`);
      drawStates(sub.States, prefix + name + '/', indent + '  ');
      lines.push(`${indent}}`);
      edges.push(`  ${id} -> ${quote(prefix + name + '/' + sub.StartAt)} [style=dotted, label="each item"];`);
    } else {
      lines.push(`${indent}${id} [label=${quote(`${name}\\n${state.Type}${doing}`)}, shape=${shape}, style="rounded,filled", fillcolor=${quote(FILL[state.Type] || '#FFFFFF')}];`);
    }
    if (state.Next) edges.push(`  ${id} -> ${quote(prefix + state.Next)};`);
    if (state.End) {
      const end = quote(`end${ends++}`);
      lines.push(`${indent}${end} [label="", shape=point, width=0.12];`);
      edges.push(`  ${id} -> ${end};`);
    }
    for (const rule of state.Choices || []) {
      edges.push(`  ${id} -> ${quote(prefix + rule.Next)} [label=${quote(tested(rule))}];`);
    }
    if (state.Default) edges.push(`  ${id} -> ${quote(prefix + state.Default)} [label="otherwise"];`);
    for (const c of state.Catch || []) {
      edges.push(`  ${id} -> ${quote(prefix + c.Next)} [style=dashed, color="#D13212", fontcolor="#D13212", label=${quote('catch ' + c.ErrorEquals.join(', '))}];`);
    }
    // One loop for all of a state's retriers; a retrier of 0 attempts (no retry for those errors)
    // is left out.
    const retries = (state.Retry || []).filter((r) => (r.MaxAttempts ?? 3) > 0);
    if (retries.length > 0) {
      const label = retries.length === 1
        ? `retry x${retries[0].MaxAttempts ?? 3}`
        : retries.map((r) => `retry x${r.MaxAttempts ?? 3} on ${r.ErrorEquals.join(', ')}`).join('\\n');
      edges.push(`  ${id} -> ${id} [color="#7D8998", fontcolor="#7D8998", label=${quote(label)}];`);
    }
  }
}

drawStates(definition.States, '', '  ');
const start = quote('start');
const dot = [
  `// Generated by docs/diagrams/asl-to-dot.js from ${path.relative(path.dirname(out), asl)}; do not edit.`,
  `digraph ${quote(title)} {`,
  `  graph [label=${quote(title)}, labelloc=t, fontsize=16, fontname="Liberation Sans", rankdir=TB, nodesep=0.35, ranksep=0.4, bgcolor=white];`,
  '  node [fontname="Liberation Sans", fontsize=11, penwidth=1];',
  '  edge [fontname="Liberation Sans", fontsize=9, arrowsize=0.7];',
  `  ${start} [label="", shape=circle, style=filled, fillcolor=black, width=0.15];`,
  ...lines,
  `  ${start} -> ${quote(definition.StartAt)};`,
  ...edges,
  '}',
  '',
].join('\n');
fs.writeFileSync(out, dot);
