'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const P = require('../lib/paths');
const cfn = require('../lib/cfn');
const { cloudFormationStatements, wildcardProblems } = require('../lib/iam');

const allowlist = JSON.parse(fs.readFileSync(P.ALLOWLIST, 'utf8'));
const BROKEN = path.join(P.FIXTURES, 'cfn-broken.yaml');

function includes(problems, fragment) {
  assert.ok(problems.some((p) => p.includes(fragment)), `expected a problem containing "${fragment}" in:\n${problems.join('\n')}`);
}

test('the template parses and matches the CloudFormation resource specification', () => {
  const t = cfn.loadTemplate(P.CFN_TEMPLATE);
  assert.deepEqual(cfn.checkAgainstSpec(t), []);
  assert.ok(t.Resources.DeployProject.Type === 'AWS::CodeBuild::Project');
  assert.deepEqual(Object.keys(t.Outputs).filter((o) => /^Project(Name|Arn)$/.test(o)).sort(), ['ProjectArn', 'ProjectName']);
});

test('cfn-lint finds nothing beyond the known false alarms of its bundled specification', (t) => {
  const r = cfn.lintProblems(P.CFN_TEMPLATE);
  for (const f of r.falseAlarms) t.diagnostic(`cfn-lint false alarm (property known to the current spec): ${f}`);
  assert.deepEqual(r.problems, []);
});

test('the template buckets are encrypted, private and TLS-only; its IAM has no unexplained wildcard', () => {
  const t = cfn.loadTemplate(P.CFN_TEMPLATE);
  assert.deepEqual(cfn.checkBuckets(t), []);
  assert.deepEqual(wildcardProblems(cloudFormationStatements(t, P.CFN_TEMPLATE), allowlist), []);
  const text = fs.readFileSync(P.CFN_TEMPLATE, 'utf8');
  assert.ok(text.includes('${AWS::Partition}'));
});

test('a broken template is reported by the spec check, cfn-lint, the bucket check and the IAM check', () => {
  const t = cfn.loadTemplate(BROKEN);
  const spec = cfn.checkAgainstSpec(t);
  includes(spec, 'Queue: unknown resource type AWS::SQS::Queueue');
  includes(spec, 'Bucket: BucketNme is not a property of AWS::S3::Bucket');
  includes(spec, 'GetAtt Role.Nope');
  includes(spec, 'parameter Name has no Description');
  includes(spec, 'output RoleArn has no Description');
  const lint = cfn.lintProblems(BROKEN);
  assert.ok(lint.problems.length > 0, 'cfn-lint found nothing in the broken template');
  const buckets = cfn.checkBuckets(t);
  includes(buckets, 'Bucket has no BucketEncryption');
  includes(buckets, 'Bucket has no bucket policy denying requests without TLS');
  includes(wildcardProblems(cloudFormationStatements(t, BROKEN), allowlist), 'cfn-broken.yaml#Role#Everything: wildcard action *');
});

test('the test stage runs every test on its image (Trino on its JDK 25), and passes on the configuration and the jars', () => {
  const yaml = require('js-yaml');
  const spec = yaml.load(fs.readFileSync(P.BUILDSPEC, 'utf8'));
  assert.equal(String(spec.version), '0.2');
  const all = JSON.stringify(spec.phases);
  assert.match(all, /mvn -B -ntp verify/);
  assert.deepEqual(buildJdkProblems(spec, cfn.loadTemplate(P.CFN_TEMPLATE)), []);
  assert.deepEqual(require('../lib/pipeline').testStageToolProblems(spec), []);
  assert.doesNotMatch(all, /terraform/, 'the test stage has no rights to plan or apply');
  for (const f of ['infra/terraform/**/*', 'infra/glue/**/*', 'infra/stepfunctions/**/*']) assert.ok(spec.artifacts.files.includes(f), `the test stage does not pass on ${f}`);
  assert.ok(spec.artifacts.files.some((f) => /streaming-app\/target\/.*-flink\.jar/.test(f)) && spec.artifacts.files.some((f) => /glue-compat\/target\/.*\.jar/.test(f)));
});

const PROJECTS = { test: 'TestProject', plan: 'PlanProject', apply: 'DeployProject' };

test('the pipeline tests without rights, plans read-only, waits for approval and applies exactly the reviewed plan with a build spec of the template', async () => {
  const pl = require('../lib/pipeline');
  const t = cfn.loadTemplate(P.CFN_TEMPLATE);
  assert.deepEqual(pl.pipelineOrderProblems(t, PROJECTS), []);
  assert.deepEqual(pl.buildSpecProblems(t, PROJECTS), []);
  assert.deepEqual(await pl.readOnlyRoleProblems(t, 'PlanRole'), []);
  assert.deepEqual(pl.noRightsRoleProblems(t, 'TestRole'), []);
  const role = (id) => t.Resources[id].Properties.ServiceRole['Fn::GetAtt'][0];
  assert.deepEqual([role('TestProject'), role('PlanProject'), role('DeployProject')], ['TestRole', 'PlanRole', 'BuildRole']);
  const plan = t.Resources.PlanProject.Properties.Source.BuildSpec;
  assert.match(plan, /-backend-config="dynamodb_table=\$\{TF_LOCK_TABLE\}"/);
  assert.match(t.Resources.DeployProject.Properties.Source.BuildSpec, /-lockfile=readonly/);
});

test('a pipeline without approval, applying other than the plan, with repository build specs and roles with rights is reported', async () => {
  const pl = require('../lib/pipeline');
  const t = cfn.loadTemplate(path.join(P.FIXTURES, 'pipeline-broken.yaml'));
  const order = pl.pipelineOrderProblems(t, PROJECTS);
  includes(order, 'Pipeline: no manual approval stage');
  const noPlanOutput = pl.pipelineOrderProblems({ Resources: { ...t.Resources, Pipeline: { ...t.Resources.Pipeline, Properties: { ...t.Resources.Pipeline.Properties, Stages: [...t.Resources.Pipeline.Properties.Stages, { Name: 'Approve', Actions: [{ Name: 'A', ActionTypeId: { Category: 'Approval', Provider: 'Manual' } }] }] } } } }, PROJECTS);
  includes(noPlanOutput, 'Pipeline: the stages must run test, then plan, then the manual approval, then apply');
  includes(noPlanOutput, "Pipeline: the apply must take its input from the plan's output artifact (Plan)");
  const specs = pl.buildSpecProblems(t, PROJECTS);
  includes(specs, 'DeployProject: its build spec is read from the repository ("infra/buildspec.yml")');
  includes(specs, 'PlanProject: the build spec must run terraform plan -lock=false -out=tfplan');
  includes(specs, "PlanProject: the plan's build spec applies");
  includes(specs, 'DeployProject: the build spec must run terraform apply -input=false tfplan');
  includes(specs, 'PlanProject: the build spec does not verify the Terraform download');
  includes(specs, 'PlanProject: the build spec does not verify the signature of the Terraform checksums');
  const unpackedFirst = JSON.parse(JSON.stringify(cfn.loadTemplate(P.CFN_TEMPLATE)));
  const spec = unpackedFirst.Resources.DeployProject.Properties.Source;
  spec.BuildSpec = spec.BuildSpec.replace(/(\s+- curl -fsSL -o hashicorp\.asc)/, '\n              - unzip -o -q terraform.zip -d /usr/local/bin$1');
  includes(pl.buildSpecProblems(unpackedFirst, PROJECTS), 'DeployProject: the build spec unpacks Terraform before verifying the signature');
  // Phases written beside phases: instead of under it (as the template had them once): CodeBuild runs nothing.
  const flat = JSON.parse(JSON.stringify(cfn.loadTemplate(P.CFN_TEMPLATE)));
  const planSpec = flat.Resources.PlanProject.Properties.Source;
  planSpec.BuildSpec = planSpec.BuildSpec.replace(/^  (\s*)/gm, (m, rest, offset) => (offset > planSpec.BuildSpec.indexOf('phases:') && offset < planSpec.BuildSpec.indexOf('artifacts:') ? rest : m));
  const shape = pl.buildSpecProblems(flat, PROJECTS);
  includes(shape, 'PlanProject: its build spec has the top-level key "install", which CodeBuild does not know (a phase must be indented under phases:)');
  includes(shape, 'PlanProject: its build spec has no phases');
  const plan = await pl.readOnlyRoleProblems(t, 'PlanRole');
  includes(plan, 'PlanRole Buckets: s3:PutBucketPolicy (s3:PutBucketPolicy) is of access level Permissions management');
  includes(plan, 'PlanRole Secret: secretsmanager:GetSecretValue reads data, not configuration');
  assert.ok(!plan.some((p) => p.includes('s3:GetBucketAcl')), 'the GetBucket* reads are allowed');
  const testRole = pl.noRightsRoleProblems(t, 'TestRole');
  includes(testRole, 'TestRole: has managed policies');
  includes(testRole, 'TestRole ControlTable: dynamodb:PutItem; the test project may only write its logs');
});

// The JDKs each CodeBuild image carries (runtime-versions, and JAVA_<n>_HOME), from the image's
// definition (github.com/aws/aws-codebuild-docker-images, al/x86_64/standard/5.0: Dockerfile and
// runtimes.yml, "Adding new runtimes x86_64 26.03.25"); amazonlinux2-x86_64-standard:5.0 is the
// former name of the same Amazon Linux 2023 image.
const IMAGE_JDKS = {
  'aws/codebuild/amazonlinux-x86_64-standard:5.0': [8, 11, 17, 21, 25],
  'aws/codebuild/amazonlinux2-x86_64-standard:5.0': [8, 11, 17, 21, 25],
  'aws/codebuild/standard:7.0': [8, 11, 17, 21],
};

/**
 * The Trino test needs a JDK 24+: the build must give one of the image's (-Dtrino.java.home=
 * "$JAVA_<n>_HOME", n >= 24) or exclude exactly that test where the image has none.
 */
function buildJdkProblems(spec, template) {
  const image = (template.Resources.TestProject || template.Resources.DeployProject).Properties.Environment.Image;
  const jdks = IMAGE_JDKS[image];
  if (jdks === undefined) return [`CodeBuild image ${image} is not in IMAGE_JDKS; add the JDKs it offers`];
  const commands = Object.values(spec.phases || {}).flatMap((ph) => (ph && Array.isArray(ph.commands) ? ph.commands : []));
  const mvn = commands.map(String).filter((c) => /\bmvn .*\bverify\b/.test(c));
  if (!mvn.length) return ['the build spec runs no mvn verify'];
  const problems = [];
  const newest = Math.max(...jdks);
  for (const cmd of mvn) {
    // An exclusion alone (-Dit.test='!X') makes failsafe run every test class, unit tests included.
    const excluded = /-Dit\.test='?\*IT,!AthenaCompatibilityIT'?(\s|$)/.test(cmd);
    const home = /-Dtrino\.java\.home="?\$\{?JAVA_(\d+)_HOME/.exec(cmd);
    if (excluded) {
      if (newest >= 24) problems.push(`"${cmd.trim()}" leaves AthenaCompatibilityIT out, but ${image} has JDK ${newest}: run it with -Dtrino.java.home="$JAVA_${newest}_HOME"`);
      continue;
    }
    if (!home) problems.push(`"${cmd.trim()}" runs AthenaCompatibilityIT, which needs a JDK 24+, without -Dtrino.java.home="$JAVA_<n>_HOME" of ${image} (it has JDK ${jdks.join(', ')})`);
    else if (Number(home[1]) < 24 || !jdks.includes(Number(home[1]))) problems.push(`"${cmd.trim()}" gives Trino JAVA_${home[1]}_HOME, which ${image} does not have with 24 or later (it has JDK ${jdks.join(', ')})`);
  }
  return problems;
}

test('a test build spec that does not install cfn-lint and moto_server is reported', () => {
  const pl = require('../lib/pipeline');
  const p = pl.testStageToolProblems({ phases: { install: { 'runtime-versions': { java: 'corretto17' }, commands: ['pip install cfn-lint moto'] }, build: { commands: ['mvn -B -ntp verify'] } } });
  includes(p, 'selects no Python runtime');
  includes(p, 'does not install cfn-lint 1.x at an exact version');
  includes(p, "does not install moto's server at an exact version");
});

test('a build spec running the Trino test without a JDK 24+ of its image, or leaving it out needlessly, is reported', () => {
  const template = cfn.loadTemplate(P.CFN_TEMPLATE);
  const spec = { phases: { build: { commands: ['mvn -B -ntp verify'] } } };
  assert.match(buildJdkProblems(spec, template)[0], /runs AthenaCompatibilityIT, which needs a JDK 24\+, without -Dtrino.java.home/);
  const jdk21 = { phases: { build: { commands: ['mvn -B -ntp verify -Dtrino.java.home="$JAVA_21_HOME"'] } } };
  assert.match(buildJdkProblems(jdk21, template)[0], /gives Trino JAVA_21_HOME/);
  const excluded = { phases: { build: { commands: ["mvn -B -ntp verify -Dit.test='*IT,!AthenaCompatibilityIT'"] } } };
  assert.match(buildJdkProblems(excluded, template)[0], /leaves AthenaCompatibilityIT out, but .* has JDK 25/);
  const old = { Resources: { TestProject: { Properties: { Environment: { Image: 'aws/codebuild/standard:7.0' } } } } };
  assert.deepEqual(buildJdkProblems(excluded, old), []);
  assert.match(buildJdkProblems(spec, old)[0], /without -Dtrino.java.home/);
  const other = { Resources: { TestProject: { Properties: { Environment: { Image: 'aws/codebuild/unknown:1.0' } } } } };
  assert.match(buildJdkProblems(spec, other)[0], /not in IMAGE_JDKS/);
});

test('the official cfn-lint 1.x finds nothing in the seed template, and reports the broken one', (t) => {
  const lint = require('../lib/cfn-lint-python');
  t.diagnostic(lint.version());
  const found = lint.lint([P.CFN_TEMPLATE, BROKEN]);
  assert.deepEqual(found[P.CFN_TEMPLATE], []);
  const broken = found[BROKEN];
  includes(broken, "E3002 Error line 10: Additional properties are not allowed ('BucketNme' was unexpected");
  includes(broken, "E3006 Error line 12: Resource type 'AWS::SQS::Queueue' does not exist");
  includes(broken, "E6101 Error line 33: 'Nope' is not one of ['Arn', 'RoleId']");
});

test('the seed role creates and empowers roles only with the permissions boundary, and the build passes it', () => {
  const d = require('../lib/deploy-permissions');
  assert.deepEqual(d.boundaryProblems(cfn.loadTemplate(P.CFN_TEMPLATE), 'BuildRole', ['DeployProject', 'PlanProject']), []);
  const p = d.boundaryProblems(cfn.loadTemplate(path.join(P.FIXTURES, 'cfn-deploy-broken.yaml')), 'BuildRole', ['DeployProject']);
  includes(p, 'Roles: iam:CreateRole, iam:PutRolePolicy without an iam:PermissionsBoundary condition');
  includes(p, 'PoliciesWithBoundary: a statement granting iam:PutRolePolicy under Fn::If');
  includes(p, 'AttachWithConditionalBoundary: iam:AttachRolePolicy without an iam:PermissionsBoundary condition');
  includes(p, 'PermissionsBoundaryArn has a default');
  includes(p, 'PermissionsBoundaryArn accepts an empty value');
  includes(p, 'BuildRole: the role does not carry the boundary unconditionally');
  includes(p, 'BuildRole: BuildRole may change the stack\'s own role ${NamePrefix}-${Environment}-codebuild');
  includes(p, 'BuildRole: iam:DeleteRolePermissionsBoundary is not denied');
  includes(p, 'DeployProject: the build does not pass TF_VAR_permissions_boundary_arn');
});

test('the seed role passes each Terraform role only to the service that assumes it, and Terraform trusts only services of this account', async () => {
  const d = require('../lib/deploy-permissions');
  const { loadTerraform } = require('../lib/terraform');
  const real = await loadTerraform(P.TERRAFORM);
  assert.deepEqual(d.passRoleProblems(real, cfn.loadTemplate(P.CFN_TEMPLATE), 'BuildRole'), []);
  assert.deepEqual(d.trustPolicyProblems(real), []);
  const p = d.passRoleProblems(real, cfn.loadTemplate(path.join(P.FIXTURES, 'cfn-deploy-broken.yaml')), 'BuildRole');
  includes(p, 'PassAnyRole: iam:PassRole must name exactly one service');
  includes(p, 'PassAnyRole: iam:PassRole on');
  includes(p, 'aws_iam_role.flink: BuildRole may not pass role <prefix>-<env>-flink to kinesisanalytics');
  includes(p, 'BuildRole may pass role <prefix>-<env>-glue-backfill to kinesisanalytics, but no Terraform role of that name trusts that service');
  const broken = await loadTerraform(path.join(P.FIXTURES, 'trust-broken'));
  const t = d.trustPolicyProblems(broken);
  includes(t, 'aws_iam_role.outside (data.aws_iam_policy_document.outside_assume, statement 1): trusts AWS');
  includes(t, 'aws_iam_role.outside (data.aws_iam_policy_document.outside_assume, statement 1): no condition aws:SourceAccount');
  includes(t, 'aws_iam_role.inline: its assume_role_policy must be an aws_iam_policy_document');
});

test('every npm ci of the build and the scripts runs without install scripts, and a broken one is reported', () => {
  const pl = require('../lib/pipeline');
  const files = ['pom.xml', 'infra/pom.xml', 'streaming-app/pom.xml', 'streaming-app/cli/pom.xml', 'glue-compat/pom.xml', 'tributary', '.ci/run', 'docs/render.sh', 'infra/buildspec.yml']
    .map((f) => path.join(P.REPO, f))
    .filter((f) => fs.existsSync(f));
  assert.ok(files.length >= 6, files.join(', '));
  assert.deepEqual(pl.npmCiProblems(files), []);
  const broken = pl.npmCiProblems([path.join(P.FIXTURES, 'npm-broken', 'pom.xml'), path.join(P.FIXTURES, 'npm-broken', 'script.sh')]);
  includes(broken, "pom.xml: npm ci --no-audit runs the packages' install scripts");
  includes(broken, 'script.sh: "(cd infra/local && npm ci --no-audit)" runs the packages\' install scripts');
});
