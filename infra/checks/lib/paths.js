'use strict';
const path = require('node:path');

const INFRA = path.resolve(__dirname, '..', '..');
const REPO = path.resolve(INFRA, '..');
const FIXTURES = path.resolve(__dirname, '..', 'fixtures');

module.exports = {
  INFRA,
  REPO,
  FIXTURES,
  TERRAFORM: path.join(INFRA, 'terraform'),
  STEPFUNCTIONS: path.join(INFRA, 'stepfunctions'),
  CFN_TEMPLATE: path.join(INFRA, 'cfn', 'seed.yaml'),
  INFRA_README: path.join(INFRA, 'README.md'),
  BUILDSPEC: path.join(INFRA, 'buildspec.yml'),
  GLUE_LAUNCHER: path.join(INFRA, 'glue', 'TributaryGlueLauncher.scala'),
  CONFIG_DOC: path.join(REPO, 'docs', 'configuration.md'),
  OPERATIONS_DOC: path.join(REPO, 'docs', 'operations.md'),
  MAINTENANCE_DOC: path.join(REPO, 'docs', 'maintenance.md'),
  GLUE_POM: path.join(REPO, 'glue-compat', 'pom.xml'),
  ROOT_POM: path.join(REPO, 'pom.xml'),
  STREAMING_JAVA: path.join(REPO, 'streaming-app', 'src', 'main', 'java'),
  METRIC_NAMES_JAVA: path.join(REPO, 'streaming-app', 'src', 'main', 'java', 'io', 'tributary', 'metrics', 'MetricNames.java'),
  GLUE_COMPAT_JAVA: path.join(REPO, 'glue-compat', 'src', 'main', 'java'),
  STREAMING_CONTRACT: path.join(__dirname, '..', 'contracts', 'streaming-job.json'),
  GLUE_CONTRACT: path.join(__dirname, '..', 'contracts', 'glue-jobs.json'),
  ALLOWLIST: path.join(__dirname, '..', 'allowlist.json'),
};
