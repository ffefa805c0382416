'use strict';
// The deployment pipeline of the seed template: tests without AWS rights, a read-only plan, a manual
// approval, and an apply of exactly the approved plan file by the only project with deploy rights,
// whose build spec (like the plan's) is written in the template, not read from the repository.

const yaml = require('js-yaml');
const { asList } = require('./iam');
const { roleStatements } = require('./deploy-permissions');
const { expand, accessLevel } = require('./iam-names');

function refOf(v) {
  return v && typeof v === 'object' ? v.Ref : undefined;
}

/** The CodeBuild project run by each Build action, in stage order, with the stage kinds. */
function pipelineStages(template) {
  const pipelines = Object.entries(template.Resources || {}).filter(([, r]) => r.Type === 'AWS::CodePipeline::Pipeline');
  if (pipelines.length !== 1) return null;
  const [id, pipeline] = pipelines[0];
  const stages = asList(pipeline.Properties.Stages).map((st) => ({
    name: st.Name,
    actions: asList(st.Actions).map((a) => ({
      name: a.Name,
      category: a.ActionTypeId.Category,
      provider: a.ActionTypeId.Provider,
      project: refOf((a.Configuration || {}).ProjectName),
      inputs: asList(a.InputArtifacts).map((x) => x.Name),
      outputs: asList(a.OutputArtifacts).map((x) => x.Name),
    })),
  }));
  return { id, stages };
}

/**
 * Problems with the order Source -> test -> plan -> manual approval -> apply: `roles` names the
 * projects { test, plan, apply }.
 */
function pipelineOrderProblems(template, roles) {
  const p = pipelineStages(template);
  if (!p) return ['the template must define exactly one AWS::CodePipeline::Pipeline'];
  const problems = [];
  const actions = p.stages.flatMap((st, i) => st.actions.map((a) => ({ ...a, stage: i })));
  const find = (project) => actions.find((a) => a.category === 'Build' && a.project === project);
  const test = find(roles.test);
  const plan = find(roles.plan);
  const apply = find(roles.apply);
  const approval = actions.find((a) => a.category === 'Approval' && a.provider === 'Manual');
  if (!test) problems.push(`${p.id}: no stage runs the test project ${roles.test}`);
  if (!plan) problems.push(`${p.id}: no stage runs the plan project ${roles.plan}`);
  if (!apply) problems.push(`${p.id}: no stage runs the apply project ${roles.apply}`);
  if (!approval) problems.push(`${p.id}: no manual approval stage`);
  if (problems.length) return problems;
  if (!(test.stage < plan.stage && plan.stage < approval.stage && approval.stage < apply.stage)) {
    problems.push(`${p.id}: the stages must run test, then plan, then the manual approval, then apply`);
  }
  if (!apply.inputs.length || !apply.inputs.every((i) => plan.outputs.includes(i))) {
    problems.push(`${p.id}: the apply must take its input from the plan's output artifact (${plan.outputs.join(', ') || 'none'}), so it applies the plan that was reviewed`);
  }
  const others = actions.filter((a) => a.category === 'Build' && ![roles.test, roles.plan, roles.apply].includes(a.project));
  for (const o of others) problems.push(`${p.id}: action ${o.name} runs ${o.project}, which is not the test, plan or apply project`);
  return problems;
}

// The top-level keys of a CodeBuild build spec (version 0.2) and the phases it runs.
const SPEC_KEYS = new Set(['version', 'run-as', 'env', 'proxy', 'batch', 'phases', 'reports', 'artifacts', 'cache']);
const SPEC_PHASES = new Set(['install', 'pre_build', 'build', 'post_build']);

/**
 * The build spec as CodeBuild reads it (YAML): only known top-level keys, phases that are known and
 * hold a list of commands; a phase written beside `phases:` instead of under it runs nothing.
 */
function buildSpecShapeProblems(id, text) {
  let spec;
  try {
    spec = yaml.load(text);
  } catch (e) {
    return [`${id}: its build spec is not valid YAML: ${e.message.split('\n')[0]}`];
  }
  const problems = [];
  if (!spec || typeof spec !== 'object') return [`${id}: its build spec is not a YAML mapping`];
  for (const k of Object.keys(spec)) {
    if (!SPEC_KEYS.has(k)) problems.push(`${id}: its build spec has the top-level key "${k}", which CodeBuild does not know${SPEC_PHASES.has(k) ? ' (a phase must be indented under phases:)' : ''}`);
  }
  const phases = spec.phases;
  if (!phases || typeof phases !== 'object') problems.push(`${id}: its build spec has no phases`);
  else {
    for (const [name, phase] of Object.entries(phases)) {
      if (!SPEC_PHASES.has(name)) problems.push(`${id}: its build spec has the unknown phase "${name}"`);
      else if (!phase || !Array.isArray(phase.commands) || !phase.commands.every((c) => typeof c === 'string')) problems.push(`${id}: phase ${name} of its build spec has no list of commands`);
    }
    if (!phases.build) problems.push(`${id}: its build spec has no build phase`);
  }
  return problems;
}

// HashiCorp's release signing key (hashicorp.com/security), primary key fingerprint.
const HASHICORP_RELEASE_KEY = 'C874011F0AB405110D02105534365D9472D7468F';

/** Problems with the build specs: the plan and apply ones inline, each doing only its part. */
function buildSpecProblems(template, roles) {
  const problems = [];
  const spec = (id) => String(((((template.Resources || {})[id] || {}).Properties || {}).Source || {}).BuildSpec || '');
  for (const id of [roles.plan, roles.apply]) {
    const s = spec(id);
    if (!/\n/.test(s) || !/version: 0\.2/.test(s)) {
      problems.push(`${id}: its build spec is read from the repository ("${s}"); write it in the template, so whoever pushes the branch cannot change what it runs`);
    } else {
      problems.push(...buildSpecShapeProblems(id, s));
    }
    if (!/sha256sum -c -/.test(s)) problems.push(`${id}: the build spec does not verify the Terraform download (sha256sum -c)`);
    // The checksums file is only as good as its signature: verified with gpg against HashiCorp's
    // release key, pinned by fingerprint, before the archive is unpacked.
    const verify = s.search(/gpg [^\n]*--verify [^\n]*SHA256SUMS\.sig/);
    const pinned = s.search(new RegExp(`VALIDSIG \\.\\* ${HASHICORP_RELEASE_KEY}`));
    const unzip = s.search(/unzip /);
    if (verify < 0 || pinned < 0) problems.push(`${id}: the build spec does not verify the signature of the Terraform checksums (gpg --verify ..._SHA256SUMS.sig, VALIDSIG of key ${HASHICORP_RELEASE_KEY})`);
    else if (unzip >= 0 && (verify > unzip || pinned > unzip)) problems.push(`${id}: the build spec unpacks Terraform before verifying the signature of its checksums`);
  }
  const plan = spec(roles.plan);
  if (!/terraform plan [^\n]*-lock=false[^\n]*-out=tfplan/.test(plan)) problems.push(`${roles.plan}: the build spec must run terraform plan -lock=false -out=tfplan (a read-only role cannot take the lock)`);
  if (/terraform apply/.test(plan)) problems.push(`${roles.plan}: the plan's build spec applies`);
  const apply = spec(roles.apply);
  if (!/terraform apply -input=false tfplan\s*$/m.test(apply)) problems.push(`${roles.apply}: the build spec must run terraform apply -input=false tfplan (the plan file of the approved run)`);
  if (/terraform plan|terraform apply[^\n]*-auto-approve|mvn /.test(apply)) problems.push(`${roles.apply}: the apply's build spec may only apply the reviewed plan (no new plan, no -auto-approve, no build)`);
  if (!/sha256sum -c tfplan\.sha256/.test(apply)) problems.push(`${roles.apply}: the build spec does not check the plan file against the checksums the plan stage wrote`);
  return problems;
}

const DATA_READS = ['secretsmanager:GetSecretValue', 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'athena:GetQueryResults', 'kinesisanalytics:DescribeApplicationSnapshot'];

/**
 * The plan role may only read (List/Read access levels of the Service Authorization Reference), and
 * write only its logs (logs:), the pipeline's artifacts (s3:PutObject) and with the artifact or state
 * keys (kms:Encrypt, kms:Decrypt, kms:GenerateDataKey); it may read no secret value, item or query result.
 */
async function readOnlyRoleProblems(template, roleId) {
  const problems = [];
  const HOUSEKEEPING = {
    'logs:CreateLogStream': /LogGroup/,
    'logs:PutLogEvents': /LogGroup/,
    's3:PutObject': /BuildArtifactsBucket/,
    'kms:Encrypt': /BuildKey/,
    'kms:GenerateDataKey': /BuildKey/,
    'kms:Decrypt': /BuildKey|TerraformStateKmsKeyArn/,
  };
  for (const st of roleStatements(template, roleId)) {
    const resource = JSON.stringify(st.Resource);
    for (const pattern of asList(st.Action)) {
      const actions = pattern.includes('*') ? (await expand(pattern)) || [] : [pattern];
      for (const a of actions) {
        if (DATA_READS.includes(a)) problems.push(`${roleId} ${st.Sid || ''}: ${a} reads data, not configuration; the plan does not need it`);
        const level = await accessLevel(a);
        if (level === 'List' || level === 'Read') continue;
        const allowed = HOUSEKEEPING[a];
        if (allowed && allowed.test(resource)) continue;
        problems.push(`${roleId} ${st.Sid || ''}: ${a} (${pattern}) is of access level ${level}; the plan role may only read`);
      }
    }
  }
  return problems;
}

/** The test role: its logs and the pipeline's artifacts, nothing else; no managed policy. */
function noRightsRoleProblems(template, roleId) {
  const problems = [];
  const role = (template.Resources || {})[roleId];
  if (asList(role.Properties.ManagedPolicyArns).length) problems.push(`${roleId}: has managed policies; the test project needs no rights in the account`);
  const allowed = new Set(['logs:CreateLogStream', 'logs:PutLogEvents', 's3:GetObject', 's3:PutObject', 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']);
  for (const st of roleStatements(template, roleId)) {
    const resource = JSON.stringify(st.Resource);
    for (const a of asList(st.Action)) {
      if (!allowed.has(a)) problems.push(`${roleId} ${st.Sid || ''}: ${a}; the test project may only write its logs and the pipeline's artifacts`);
      else if (!/LogGroup|BuildArtifactsBucket|BuildKey/.test(resource)) problems.push(`${roleId} ${st.Sid || ''}: ${a} on ${resource}; only its logs, the artifacts bucket and its key`);
    }
  }
  return problems;
}

/**
 * The test stage runs `mvn verify`, whose tests need two Python tools the CodeBuild image lacks:
 * cfn-lint 1.x (infra/checks) and moto's server (the Glue catalog integration tests). The build spec
 * must choose a Python runtime and install both, at exact versions, before it runs Maven.
 */
function testStageToolProblems(spec) {
  const problems = [];
  const install = (spec.phases || {}).install || {};
  if (!(install['runtime-versions'] || {}).python) problems.push('the test build spec selects no Python runtime (install: runtime-versions: python)');
  const commands = asList(install.commands).map(String).join('\n');
  if (!/pip3? install[^\n]*'cfn-lint==1\.\d+\.\d+'/.test(commands)) problems.push("the test build spec does not install cfn-lint 1.x at an exact version (pip install 'cfn-lint==1.x.y') in its install phase; infra/checks needs it");
  if (!/pip3? install[^\n]*'moto\[server\]==\d+\.\d+\.\d+'/.test(commands)) problems.push("the test build spec does not install moto's server at an exact version (pip install 'moto[server]==x.y.z') in its install phase; GlueCatalogIT and GlueJobsOnMotoIT need it");
  return problems;
}

/**
 * Every `npm ci` of the build and the scripts runs without install scripts (--ignore-scripts): no
 * package of the lock files may run code when installed. Maven poms give it as <argument> elements.
 */
function npmCiProblems(files) {
  const fs = require('node:fs');
  const problems = [];
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    if (f.endsWith('.xml')) {
      for (const m of text.matchAll(/<arguments>([\s\S]*?)<\/arguments>/g)) {
        const args = [...m[1].matchAll(/<argument>([^<]*)<\/argument>/g)].map((a) => a[1].trim());
        if (args[0] === 'ci' && !args.includes('--ignore-scripts')) problems.push(`${f}: npm ${args.join(' ')} runs the packages' install scripts; add <argument>--ignore-scripts</argument>`);
      }
    } else {
      for (const line of text.split('\n')) {
        // A command (not a comment or a message): npm ci at the start or after ( && || ; |
        const cmd = line.trim();
        if (/^(#|echo )/.test(cmd)) continue;
        if (/(^|[(;&|]\s*)npm ci\b/.test(cmd) && !/--ignore-scripts/.test(cmd)) problems.push(`${f}: "${line.trim()}" runs the packages' install scripts; add --ignore-scripts`);
      }
    }
  }
  return problems;
}

module.exports = { npmCiProblems, testStageToolProblems, pipelineStages, pipelineOrderProblems, buildSpecProblems, readOnlyRoleProblems, noRightsRoleProblems };
