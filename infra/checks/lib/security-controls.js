'use strict';
// The table of security controls in infra/README.md against the Terraform: every address it names
// exists in the file it names, every store it says is encrypted with the lake key references that key
// (directly, or through another resource of the same row that does), and every role and store of the
// Terraform has a row.
const fs = require('node:fs');
const { references } = require('./terraform');

const START = '<!-- security-controls:start -->';
const END = '<!-- security-controls:end -->';
const KEY = 'aws_kms_key.main';

/** Types whose every resource must appear in the table. */
const INVENTORY = [
  'aws_iam_role',
  'aws_s3_bucket',
  'aws_dynamodb_table',
  'aws_secretsmanager_secret',
  'aws_cloudwatch_log_group',
  'aws_sns_topic',
  'aws_sfn_state_machine',
  'aws_kms_key',
  'aws_cloudtrail',
  'aws_glue_data_catalog_encryption_settings',
];

function readRows(readmePath) {
  const text = fs.readFileSync(readmePath, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) return null;
  const rows = [];
  for (const line of text.slice(from + START.length, to).split('\n')) {
    if (!line.startsWith('|') || /^\|\s*-/.test(line) || /^\|\s*Area\s*\|/.test(line)) continue;
    const cells = line.replace(/^\||\|\s*$/g, '').split('|').map((c) => c.trim());
    if (cells.length < 3) continue;
    const [area, control, where] = cells;
    const addresses = [];
    for (const part of where.split(';')) {
      const m = part.trim().match(/^([\w.-]+\.tf):\s*(.*)$/);
      if (!m) continue;
      for (const a of m[2].matchAll(/`([^`]+)`/g)) addresses.push({ file: m[1], address: a[1] });
    }
    rows.push({ area, control, where, addresses });
  }
  return rows;
}

/** The model entry an address names ({ file, body } or { file, value }), or null. */
function lookup(model, address) {
  let m = address.match(/^var\.([\w-]+)$/);
  if (m) return model.variables[m[1]] || null;
  m = address.match(/^local\.([\w-]+)$/);
  if (m) return model.locals[m[1]] || null;
  m = address.match(/^data\.([a-z0-9_]+)\.([\w-]+)$/);
  if (m) return model.data.find((d) => d.type === m[1] && d.name === m[2]) || null;
  m = address.match(/^([a-z0-9_]+)\.([\w-]+)$/);
  if (m) return model.resources.find((r) => r.type === m[1] && r.name === m[2]) || null;
  return null;
}

function checkSecurityControls(model, readmePath) {
  const rows = readRows(readmePath);
  if (!rows || rows.length === 0) return [`${readmePath} has no security controls table between ${START} and ${END}`];
  const problems = [];
  const named = new Set();
  for (const row of rows) {
    const label = `security control "${row.control.slice(0, 60)}"`;
    const builtHere = !/^Not built\b/.test(row.control);
    if (builtHere && row.addresses.length === 0) problems.push(`${label} names no Terraform address (write file.tf: \`address\`)`);
    if (!builtHere) {
      // A "Not built" row names the resource types that would build it; none may exist.
      for (const m of row.control.matchAll(/`(aws_[a-z0-9_]+)`/g)) {
        for (const r of model.resources.filter((x) => x.type === m[1])) {
          problems.push(`${label} says it is not built, but the Terraform builds ${r.type}.${r.name} (${r.file}); describe what it builds`);
        }
      }
    }
    const entries = [];
    for (const { file, address } of row.addresses) {
      named.add(address);
      const entry = lookup(model, address);
      if (!entry) {
        problems.push(`${label} names ${address}, which the Terraform does not define`);
        continue;
      }
      if (entry.file !== file) problems.push(`${label} places ${address} in ${file}, but it is in ${entry.file}`);
      entries.push({ address, entry });
    }
    if (builtHere && row.control.includes(`\`${KEY}\``)) {
      const usesKey = (e) => references(e.entry.body || e.entry.value).resources.has(KEY);
      const direct = new Set(entries.filter(usesKey).map((e) => e.address));
      for (const e of entries) {
        if (e.address === KEY || direct.has(e.address)) continue;
        const refs = references(e.entry.body || e.entry.value).resources;
        if (![...direct].some((d) => refs.has(d))) {
          problems.push(`${label} says ${e.address} is encrypted with ${KEY}, but it does not reference the key (nor a resource of the row that does)`);
        }
      }
    }
  }
  for (const r of model.resources.filter((x) => INVENTORY.includes(x.type))) {
    const address = `${r.type}.${r.name}`;
    if (!named.has(address)) problems.push(`${address} (${r.file}) has no row in the security controls table of ${readmePath}`);
  }
  return problems;
}

module.exports = { checkSecurityControls, readRows };
