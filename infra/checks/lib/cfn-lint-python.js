'use strict';
// The official CloudFormation linter, cfn-lint 1.x (a Python package), run as a command. It is
// required: a machine without it fails these checks with the way to install it, never skips them.

const { spawnSync } = require('node:child_process');

const INSTALL = "install the official CloudFormation linter: pip install 'cfn-lint>=1.51,<2' (a Python package; .ci/run stops early without it)";

function version() {
  const r = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`cfn-lint is not available (${r.error ? r.error.code : `exit ${r.status}`}): ${INSTALL}`);
  const m = /cfn-lint (\d+)\.(\d+)\.(\d+)/.exec(r.stdout + r.stderr);
  if (!m || Number(m[1]) !== 1) throw new Error(`cfn-lint 1.x is required, found "${(r.stdout + r.stderr).trim()}": ${INSTALL}`);
  return m[0];
}

/** Every finding of cfn-lint on `file` (errors, warnings and informational), as "RULE line: message". */
function lint(file) {
  version();
  const r = spawnSync('cfn-lint', ['--format', 'json', '--', file], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.error) throw r.error;
  let findings;
  try {
    findings = JSON.parse(r.stdout || '[]');
  } catch (e) {
    throw new Error(`cfn-lint gave no JSON for ${file} (exit ${r.status}): ${r.stderr || r.stdout}`);
  }
  return findings.map((f) => `${f.Rule.Id} ${f.Level} line ${f.Location.Start.LineNumber}: ${f.Message}`);
}

module.exports = { lint, version, INSTALL };
