'use strict';
// The Glue version Terraform deploys against the Spark and Iceberg the Glue jobs are built and tested
// with (glue-compat/pom.xml) and the streaming job's Iceberg (pom.xml), through the documented table
// of what each Glue version provides (docs/maintenance.md, between glue-versions markers).
const fs = require('node:fs');

const START = '<!-- glue-versions:start -->';
const END = '<!-- glue-versions:end -->';

/** The rows of the documented table: { glue, spark, iceberg, java, scala, supported }. */
function readTable(docPath) {
  const text = fs.readFileSync(docPath, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) return null;
  const rows = [];
  for (const line of text.slice(from + START.length, to).split('\n')) {
    const cells = line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
    if (cells.length < 6 || !/^`?\d/.test(cells[0])) continue;
    rows.push({
      glue: cells[0].replace(/`/g, ''),
      spark: cells[1],
      iceberg: cells[2],
      java: cells[3],
      scala: cells[4],
      supported: /^supported\b/.test(cells[5]),
    });
  }
  return rows;
}

/** A property of a POM's <properties>, or null. */
function pomProperty(pomPath, name) {
  const text = fs.readFileSync(pomPath, 'utf8').replace(/<!--[\s\S]*?-->/g, '');
  const m = text.match(new RegExp(`<${name.replace(/\./g, '\\.')}>\\s*([^<\\s]+)\\s*</`));
  return m ? m[1] : null;
}

/** The string values a validation condition of the form contains([...], var.NAME) accepts. */
function acceptedValues(variable, name) {
  for (const v of (variable.body && variable.body.validation) || []) {
    const m = String(v.condition).match(new RegExp(`contains\\(\\s*\\[([^\\]]*)\\]\\s*,\\s*var\\.${name}\\s*\\)`));
    if (m) return [...m[1].matchAll(/"([^"]*)"/g)].map((x) => x[1]);
  }
  return null;
}

function minor(version) {
  return String(version).split('.').slice(0, 2).join('.');
}

/**
 * Problems, each naming the file and what to change.
 * @param model the Terraform model (lib/terraform.js)
 * @param files { doc, gluePom, rootPom }
 */
function checkGlueVersions(model, files) {
  const problems = [];
  const rows = readTable(files.doc);
  if (!rows || rows.length === 0) {
    return [`${files.doc} has no Glue versions table between ${START} and ${END}`];
  }
  const byVersion = new Map(rows.map((r) => [r.glue, r]));
  const supported = rows.filter((r) => r.supported);

  const variable = model.variables.glue_version;
  if (!variable) return ['Terraform has no variable glue_version'];
  const dflt = variable.body.default;
  if (!byVersion.has(dflt)) {
    problems.push(`glue_version defaults to ${dflt}, which the Glue versions table of ${files.doc} does not list`);
  } else if (!byVersion.get(dflt).supported) {
    problems.push(`glue_version defaults to ${dflt}, which the Glue versions table marks as not supported`);
  }
  const accepted = acceptedValues(variable, 'glue_version');
  if (!accepted) {
    problems.push('glue_version must be validated with contains([...], var.glue_version) listing exactly the supported Glue versions');
  } else {
    const want = supported.map((r) => r.glue).sort();
    const got = [...accepted].sort();
    if (JSON.stringify(want) !== JSON.stringify(got)) {
      problems.push(`glue_version accepts ${got.join(', ') || 'nothing'}, but the supported Glue versions are ${want.join(', ') || 'none'}`);
    }
  }
  for (const job of model.resources.filter((r) => r.type === 'aws_glue_job')) {
    if (job.body.glue_version !== '${var.glue_version}') {
      problems.push(`aws_glue_job.${job.name} sets glue_version ${job.body.glue_version}; use var.glue_version`);
    }
  }

  const spark = pomProperty(files.gluePom, 'spark.version');
  const iceberg = pomProperty(files.gluePom, 'glue.iceberg.version');
  const scala = pomProperty(files.gluePom, 'scala.binary.version');
  const java = pomProperty(files.gluePom, 'maven.compiler.release');
  for (const row of supported) {
    const where = `${files.gluePom} (Glue ${row.glue} provides Spark ${row.spark}, Iceberg ${row.iceberg}, Java ${row.java}, Scala ${row.scala})`;
    if (spark !== row.spark) problems.push(`spark.version is ${spark} in ${where}`);
    if (iceberg !== row.iceberg) problems.push(`glue.iceberg.version is ${iceberg} in ${where}`);
    if (scala !== row.scala) problems.push(`scala.binary.version is ${scala} in ${where}`);
    if (java !== row.java) problems.push(`maven.compiler.release is ${java} in ${where}`);
  }
  const gluePomText = fs.readFileSync(files.gluePom, 'utf8');
  if (!/<artifactId>iceberg-spark-runtime-[^<]*<\/artifactId>\s*<version>\$\{glue\.iceberg\.version\}<\/version>\s*<scope>provided<\/scope>/.test(gluePomText)) {
    problems.push(`${files.gluePom} must take iceberg-spark-runtime at \${glue.iceberg.version} in the provided scope (Glue provides it)`);
  }
  if (!/<artifactId>spark-sql_[^<]*<\/artifactId>\s*<version>\$\{spark\.version\}<\/version>\s*<scope>provided<\/scope>/.test(gluePomText)) {
    problems.push(`${files.gluePom} must take spark-sql at \${spark.version} in the provided scope (Glue provides it)`);
  }
  const streamIceberg = pomProperty(files.rootPom, 'iceberg.version');
  for (const row of supported) {
    if (minor(streamIceberg) !== minor(row.iceberg)) {
      problems.push(`the streaming job's iceberg.version ${streamIceberg} (${files.rootPom}) is not Iceberg ${minor(row.iceberg)}, which Glue ${row.glue} runs on the same tables`);
    }
  }
  return problems;
}

module.exports = { checkGlueVersions, readTable, pomProperty };
