'use strict';
// Terraform resource types, arguments, nested blocks and attribute references against the schema of
// the AWS provider, as carried by the npm package @cdktn/provider-aws (bindings generated from the
// provider's schema; the provider version is in its package.json). No terraform binary, no network.
//
// The bindings hold, for every resource and data source, a generated function per block that lists
// each argument and nested block by its Terraform name (`name: { value, isBlock, ... }`), and a getter
// per attribute that reads it by its Terraform name (`getStringAttribute('arn')`, or a list of
// nested objects `new XList(this, "dns_entry", ...)`). The schema is read from those.

const fs = require('node:fs');
const path = require('node:path');
const { strings } = require('./terraform');

const PACKAGE_DIR = path.dirname(require.resolve('@cdktn/provider-aws/package.json'));
const PACKAGE = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8'));

/** "hashicorp/aws 6.66.0 (@cdktn/provider-aws 25.7.0)". */
function providerVersion() {
  const p = (PACKAGE.cdktf || PACKAGE.cdktn || {}).provider || {};
  return `${String(p.name || 'aws').replace(/^registry\.terraform\.io\//, '')} ${p.version} (@cdktn/provider-aws ${PACKAGE.version})`;
}

/** The attrs entries of the block whose generated code starts at `from`: Map name -> nested function or null. */
function attrsAt(text, from) {
  const start = text.indexOf('const attrs = {', from);
  const indent = text.slice(text.lastIndexOf('\n', start) + 1, start);
  const end = text.indexOf(`\n${indent}};`, start);
  const body = text.slice(start, end);
  const out = new Map();
  for (const m of body.matchAll(/\n\s*([a-z0-9_]+): \{\s*value: ([^\n]*),\s*isBlock: (true|false),/g)) {
    let nested = null;
    if (m[3] === 'true') {
      const fn = [...m[2].matchAll(/(?:^|[^.\w])([A-Za-z]\w*ToHclTerraform)\b/g)].map((x) => x[1]);
      nested = fn[0] || null;
    }
    out.set(m[1], { block: m[3] === 'true', nested });
  }
  return out;
}

const cache = new Map();

/**
 * The schema of a resource (kind "resource") or data source (kind "data") type, or null when the
 * provider has no such type: { args: Map, blocks: Map name -> nested schema, attributes: Set }.
 */
function typeSchema(kind, type) {
  const key = `${kind}:${type}`;
  if (cache.has(key)) return cache.get(key);
  const dir = kind === 'data' ? `data-${type.replace(/_/g, '-')}` : type.replace(/^aws_/, '').replace(/_/g, '-');
  const file = path.join(PACKAGE_DIR, 'lib', dir, 'index.js');
  let schema = null;
  if (/^aws_[a-z0-9_]+$/.test(type) && fs.existsSync(file)) {
    const text = fs.readFileSync(file, 'utf8');
    if (text.includes(`static tfResourceType = "${type}";`)) {
      const functions = new Map();
      for (const m of text.matchAll(/\nfunction (\w+ToHclTerraform)\(struct\) \{/g)) functions.set(m[1], m.index);
      const build = (entries, seen) => {
        const node = { args: new Set(), blocks: new Map() };
        for (const [name, e] of entries) {
          if (!e.block) node.args.add(name);
          else {
            const at = e.nested && functions.get(e.nested);
            node.blocks.set(name, at === undefined || seen.has(e.nested) ? { args: null, blocks: new Map() } : build(attrsAt(text, at), new Set([...seen, e.nested])));
          }
        }
        return node;
      };
      const classAt = text.lastIndexOf('\nclass ', text.indexOf(`static tfResourceType = "${type}";`));
      schema = build(attrsAt(text, text.indexOf('synthesizeHclAttributes() {', classAt)), new Set());
      const classText = text.slice(classAt);
      schema.attributes = new Set([
        ...[...classText.matchAll(/get\w*Attribute\('([a-z0-9_]+)'\)/g)].map((m) => m[1]),
        ...[...classText.matchAll(/new \w+\(this, "([a-z0-9_]+)"/g)].map((m) => m[1]),
      ]);
    }
  }
  cache.set(key, schema);
  return schema;
}

// Meta-arguments and meta-blocks Terraform accepts on every resource and data source.
const META_ARGS = new Set(['count', 'for_each', 'depends_on', 'provider']);
const META_BLOCKS = new Set(['lifecycle', 'provisioner', 'connection']);

/** Problems of one block body against its schema node; `where` names it for the messages. */
function blockProblems(body, node, where) {
  const problems = [];
  if (!node.args) return problems; // a block whose nested schema the bindings do not spell out
  for (const [name, value] of Object.entries(body || {})) {
    if (name === 'dynamic') {
      for (const [blockName, dyns] of Object.entries(value || {})) {
        const nested = node.blocks.get(blockName);
        if (!nested) {
          problems.push(`${where}: dynamic "${blockName}" is not a block of it`);
          continue;
        }
        for (const d of [].concat(dyns)) for (const c of [].concat(d.content || [])) problems.push(...blockProblems(c, nested, `${where}.${blockName}`));
      }
      continue;
    }
    if (node.args.has(name)) continue;
    const nested = node.blocks.get(name);
    if (nested) {
      for (const b of [].concat(value)) if (b && typeof b === 'object') problems.push(...blockProblems(b, nested, `${where}.${name}`));
      continue;
    }
    problems.push(`${where}: unknown argument or block "${name}"`);
  }
  return problems;
}

/** Unknown resource and data source types, and unknown arguments and blocks, at any depth. */
function schemaProblems(model) {
  const problems = [];
  const version = providerVersion();
  for (const [kind, list] of [['resource', model.resources], ['data', model.data]]) {
    for (const r of list) {
      const id = `${r.file}: ${kind === 'data' ? 'data.' : ''}${r.type}.${r.name}`;
      const schema = typeSchema(kind, r.type);
      if (!schema) {
        problems.push(`${id}: unknown ${kind === 'data' ? 'data source' : 'resource'} type ${r.type} (not in the AWS provider ${version})`);
        continue;
      }
      const body = Object.fromEntries(Object.entries(r.body).filter(([k]) => !META_ARGS.has(k) && !META_BLOCKS.has(k)));
      for (const p of blockProblems(body, schema, id)) problems.push(`${p} (not in the AWS provider ${version}); correct its name`);
    }
  }
  return problems;
}

/**
 * Attribute references (aws_x.name.attr, aws_x.name[key].attr, data.aws_x.name.attr) whose attribute
 * the type does not have. Types and names of declared resources are checked elsewhere.
 */
function attributeReferenceProblems(model) {
  const problems = [];
  const version = providerVersion();
  const seen = new Set();
  for (const [file, json] of Object.entries(model.files)) {
    for (const s of strings(json)) {
      for (const m of s.matchAll(/(?<![\w./-])(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z_][\w-]*)((?:\[[^\]]*\])*)\.([a-z_][a-z0-9_]*)/g)) {
        const kind = m[1] ? 'data' : 'resource';
        const ref = `${m[1] || ''}${m[2]}.${m[3]}${m[4]}.${m[5]}`;
        const schema = typeSchema(kind, m[2]);
        if (!schema || schema.attributes.has(m[5]) || schema.args.has(m[5]) || schema.blocks.has(m[5])) continue;
        if (seen.has(`${file}:${ref}`)) continue;
        seen.add(`${file}:${ref}`);
        problems.push(`${file}: ${ref} refers to attribute "${m[5]}", which ${m[2]} does not have (AWS provider ${version})`);
      }
    }
  }
  return problems;
}

module.exports = { schemaProblems, attributeReferenceProblems, typeSchema, providerVersion };
