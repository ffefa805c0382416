'use strict';
// Loads a folder of Terraform files with @cdktf/hcl2json (no terraform binary) into a small model.

const fs = require('node:fs');
const path = require('node:path');
const { parse } = require('@cdktf/hcl2json');

/** Parses every .tf file of `dir`; throws with the file name when one does not parse. */
async function loadTerraform(dir) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.tf')).sort();
  const model = { dir, files: {}, raw: {}, resources: [], data: [], variables: {}, outputs: {}, locals: {}, modules: {} };
  for (const file of files) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    let json;
    try {
      json = await parse(file, text);
    } catch (e) {
      throw new Error(`${file} does not parse: ${e.message}`);
    }
    model.files[file] = json;
    model.raw[file] = text;
    for (const [type, byName] of Object.entries(json.resource || {})) {
      for (const [name, bodies] of Object.entries(byName)) {
        model.resources.push({ type, name, body: bodies[0], file });
      }
    }
    for (const [type, byName] of Object.entries(json.data || {})) {
      for (const [name, bodies] of Object.entries(byName)) {
        model.data.push({ type, name, body: bodies[0], file });
      }
    }
    for (const [name, bodies] of Object.entries(json.variable || {})) model.variables[name] = { body: bodies[0], file };
    for (const [name, bodies] of Object.entries(json.output || {})) model.outputs[name] = { body: bodies[0], file };
    for (const [name, bodies] of Object.entries(json.module || {})) model.modules[name] = { body: bodies[0], file };
    for (const block of json.locals || []) {
      for (const [name, value] of Object.entries(block)) model.locals[name] = { value, file };
    }
  }
  return model;
}

/** Every string inside a parsed value, depth first. */
function strings(value, out = []) {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => strings(v, out));
  return out;
}

/** References (var., local., data., resource) found in a parsed value. */
function references(value) {
  const refs = { vars: new Set(), locals: new Set(), data: new Set(), resources: new Set(), modules: new Set() };
  for (const s of strings(value)) {
    for (const m of s.matchAll(/(?<![\w.])var\.([A-Za-z_][\w-]*)/g)) refs.vars.add(m[1]);
    for (const m of s.matchAll(/(?<![\w.])local\.([A-Za-z_][\w-]*)/g)) refs.locals.add(m[1]);
    for (const m of s.matchAll(/(?<![\w.])data\.([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)/g)) refs.data.add(`${m[1]}.${m[2]}`);
    for (const m of s.matchAll(/(?<![\w.])module\.([A-Za-z_][\w-]*)/g)) refs.modules.add(m[1]);
    for (const m of s.matchAll(/(?<![\w./-])(aws_[a-z0-9_]+)\.([A-Za-z_][\w-]*)/g)) refs.resources.add(`${m[1]}.${m[2]}`);
  }
  return refs;
}

/** The whole configuration as one value, for reference scans. */
function everything(model) {
  return Object.values(model.files);
}

module.exports = { loadTerraform, strings, references, everything };
