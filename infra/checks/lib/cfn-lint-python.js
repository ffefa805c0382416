'use strict';
// The official CloudFormation linter, cfn-lint 1.x (a Python package), run as a command. It is
// required: a machine without it fails these checks with the way to install it, never skips them.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const INSTALL = "install the official CloudFormation linter: pip install 'cfn-lint>=1.51,<2' (a Python package; .ci/run stops early without it)";

/**
 * The cfn-lint command: $CFN_LINT, else the first cfn-lint on PATH outside node_modules (npm puts
 * node_modules/.bin first, where the npm package of the same name, another linter, lives).
 */
function command() {
  if (process.env.CFN_LINT) return process.env.CFN_LINT;
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir || dir.split(path.sep).includes('node_modules')) continue;
    const file = path.join(dir, 'cfn-lint');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return 'cfn-lint';
}

function version() {
  const r = spawnSync(command(), ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`cfn-lint is not available (${r.error ? r.error.code : `exit ${r.status}`}): ${INSTALL}`);
  const m = /cfn-lint (\d+)\.(\d+)\.(\d+)/.exec(r.stdout + r.stderr);
  if (!m || Number(m[1]) !== 1) throw new Error(`cfn-lint 1.x is required, found "${(r.stdout + r.stderr).trim()}": ${INSTALL}`);
  return m[0];
}

/**
 * Every finding of cfn-lint (errors, warnings and informational) on each of `files`, in one run, as
 * { file: ["RULE LEVEL line N: message", ...] }.
 */
function lint(files) {
  version();
  const r = spawnSync(command(), ['--format', 'json', '--', ...files], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.error) throw r.error;
  let findings;
  try {
    findings = JSON.parse(r.stdout || '[]');
  } catch (e) {
    throw new Error(`cfn-lint gave no JSON (exit ${r.status}): ${r.stderr || r.stdout}`);
  }
  const out = Object.fromEntries(files.map((f) => [f, []]));
  for (const f of findings) {
    const file = files.find((x) => path.resolve(x) === path.resolve(f.Filename)) || f.Filename;
    (out[file] = out[file] || []).push(`${f.Rule.Id} ${f.Level} line ${f.Location.Start.LineNumber}: ${f.Message}`);
  }
  return out;
}

module.exports = { lint, version, INSTALL };
