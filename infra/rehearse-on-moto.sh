#!/usr/bin/env bash
# Rehearses the Terraform configuration with a real terraform binary and a real AWS provider build
# against moto (AWS API emulation) on 127.0.0.1, without an AWS account: `terraform fmt -check`,
# `validate`, then `plan` and `apply` of the whole configuration with the example variables of
# infra/README.md.
#
# Not part of the build: it needs a terraform binary and a provider build in a filesystem mirror
# (PROVIDER_MIRROR, laid out as registry.terraform.io/hashicorp/aws/<version>/<os_arch>/), which the
# build's machines do not have. The copy it runs is pinned to the mirror's provider version, which
# may be older than the 6.x versions.tf requires; what it shows and what it cannot is in
# infra/README.md ("What was and was not verified without an AWS account").
#
# Usage: infra/rehearse-on-moto.sh [workdir]   (APPLY_TIMEOUT=seconds, default 300)
#   TFVARS_FILE=file.json: the variables to apply instead of the example ones below.
#   POLICIES_OUT=file.json: after the apply, write the service roles' inline policies as Terraform
#     rendered them ({"policies": {"<aws_iam_role_policy resource name>": {"role": ..., "name": ..., "policy": {...}}}}),
#     with the SHA-256 of the files they are rendered from. GlueJobsOnMotoIT's IAM stage reads
#     glue-compat/src/test/resources/iam/role-policies.json, written this way with
#     TFVARS_FILE=glue-compat/src/test/resources/iam/rehearsal.tfvars.json.
set -euo pipefail

infra="$(cd "$(dirname "$0")" && pwd)"
work="${1:-$(mktemp -d)}"
mirror="${PROVIDER_MIRROR:-/opt/tf-plugins}"
port="${MOTO_PORT:-45998}"
apply_timeout="${APPLY_TIMEOUT:-300}"

command -v terraform >/dev/null || { echo "ERROR: no terraform binary on PATH" >&2; exit 2; }
command -v moto_server >/dev/null || { echo "ERROR: moto_server not found (pip install \"moto[server]\")" >&2; exit 2; }
version_dir="$(ls -d "$mirror"/registry.terraform.io/hashicorp/aws/*/ 2>/dev/null | sort -V | tail -1)"
[ -n "$version_dir" ] || { echo "ERROR: no hashicorp/aws build under $mirror" >&2; exit 2; }
provider_version="$(basename "$version_dir")"

# The configuration as the build lays it out: infra/{terraform,stepfunctions,glue} and the jars
# (placeholders: nothing runs them here).
mkdir -p "$work/infra" "$work/streaming-app/target" "$work/glue-compat/target"
cp -r "$infra/terraform" "$infra/stepfunctions" "$infra/glue" "$work/infra/"
release="$(sed -n '/variable "release_version"/,/^}/s/.*default *= *"\(.*\)"/\1/p' "$infra/terraform/variables.tf")"
echo placeholder >"$work/streaming-app/target/tributary-streaming-app-$release-flink.jar"
echo placeholder >"$work/glue-compat/target/tributary-glue-compat-$release.jar"
tf="$work/infra/terraform"
rm -rf "$tf/.terraform" "$tf/.terraform.lock.hcl" "$tf"/terraform.tfstate*
# moto applies a bucket policy's statements for principal * without their conditions, so the data
# buckets' TLS and encryption denies would refuse every upload: in the copy, the artifacts go first.
sed -i '/resource "aws_s3_bucket_policy" "data"/,/^}/s/depends_on = \[aws_s3_bucket_public_access_block.data\]/depends_on = [aws_s3_bucket_public_access_block.data, aws_s3_object.streaming_jar, aws_s3_object.glue_jar, aws_s3_object.glue_launcher]/' "$tf/s3.tf"
grep -q 'aws_s3_object.glue_launcher]' "$tf/s3.tf" || { echo "ERROR: could not order the uploads before aws_s3_bucket_policy.data" >&2; exit 2; }
# Local state instead of the S3 backend, and the mirror's provider version.
sed -i '/backend "s3" {/,/^  }/d' "$tf/versions.tf"
sed -i "s/version = \">= 6.0.0, < 7.0.0\"/version = \"$provider_version\"/" "$tf/versions.tf"

cat >"$work/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1

# Both providers talk to moto over TLS (its own certificate, hence insecure), so the buckets'
# aws:SecureTransport denies apply as in AWS.
endpoint="https://127.0.0.1:$port"
services="athena cloudwatch cloudwatchlogs dynamodb ec2 events glue iam kinesisanalyticsv2 kms lambda route53resolver s3 scheduler secretsmanager sfn sns sts"
{
  for alias in "" untagged; do
    echo 'provider "aws" {'
    [ -n "$alias" ] && echo "  alias = \"$alias\""
    echo '  region = var.region'
    echo '  access_key = "rehearsal"'
    echo '  secret_key = "rehearsal"'
    echo '  insecure = true'
    echo '  skip_credentials_validation = true'
    echo '  skip_metadata_api_check = true'
    echo '  s3_use_path_style = true'
    echo '  endpoints {'
    for s in $services; do echo "    $s = \"$endpoint\""; done
    echo '  }'
    if [ -z "$alias" ]; then
      echo '  default_tags {'
      echo '    tags = { Project = "tributary", Environment = var.environment }'
      echo '  }'
    fi
    echo '}'
  done
  echo '# moto never reports a VPN connection route available: the create would wait until its timeout.'
  echo 'resource "aws_vpn_connection_route" "onprem" {'
  echo '  count = 0'
  echo '}'
} >"$tf/zz_rehearsal_override.tf"

if [ -n "${TFVARS_FILE:-}" ]; then
  cp "$TFVARS_FILE" "$tf/rehearsal.tfvars.json"
else
  cat >"$tf/rehearsal.tfvars.json" <<'EOF'
{ "region": "eu-west-1", "source_host": "db.corp.example", "source_database": "shop", "source_user": "tributary",
  "tables_include": "sales.*", "onprem_cidrs": ["10.0.0.0/16"], "customer_gateway_ip": "203.0.113.10",
  "alarm_email_addresses": ["data-oncall@example.com"],
  "onprem_dns_domains": ["corp.example"], "onprem_dns_servers": ["10.0.0.2", "10.0.1.2"],
  "table_options": { "sales.orders": { "partition_spec": ["day(created_at)"] } } }
EOF
fi

moto_server -H 127.0.0.1 -p "$port" -s >"$work/moto.log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -skf -o /dev/null "$endpoint/" && break
  sleep 1
done

cd "$tf"
echo "== terraform $(terraform version | head -1 | cut -d' ' -f2), hashicorp/aws $provider_version (from $mirror), moto on $endpoint; work in $work"
terraform fmt -check -diff -no-color "$infra/terraform" && echo "terraform fmt: clean"
terraform init -input=false -no-color >"$work/init.log"
terraform validate -no-color | tee "$work/validate.log"
terraform plan -input=false -no-color -var-file=rehearsal.tfvars.json -out="$work/tfplan" >"$work/plan.log"
grep '^Plan:' "$work/plan.log"
status=0
timeout "$apply_timeout" terraform apply -input=false -no-color -auto-approve "$work/tfplan" >"$work/apply.log" 2>&1 || status=$?
echo "== apply exit status $status; created: $(grep -c 'Creation complete' "$work/apply.log" || true)"
grep -A4 '^Error: ' "$work/apply.log" | grep -E '^Error: |^  with ' | cut -c1-300 || true
if [ -n "${POLICIES_OUT:-}" ]; then
  sources="$(cd "$infra/terraform" && sha256sum iam.tf main.tf | jq -Rn '[inputs | split("  ") | {(.[1]): .[0]}] | add')"
  # The interrupted apply may still hold the state for a moment.
  for _ in $(seq 1 30); do
    terraform show -json -no-color >"$work/state.json" 2>/dev/null && break
    sleep 2
  done
  jq --argjson sources "$sources" '{rendered_from: $sources, policies: ([.values.root_module.resources[]
        | select(.type == "aws_iam_role_policy")
        | {key: .name, value: {role: .values.role, name: .values.name, policy: (.values.policy | fromjson)}}] | from_entries)}' \
    "$work/state.json" >"$POLICIES_OUT"
  echo "== role policies: $(jq -r '.policies | keys | join(", ")' "$POLICIES_OUT") -> $POLICIES_OUT"
fi
exit 0
