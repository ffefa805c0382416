provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "tributary"
      Environment = var.environment
    }
  }
}

# Without default tags: only for adopting the VPC's default security group, which EC2 creates untagged.
# The deploy role may change EC2 resources only when they carry the project's tags, except revoking
# rules of an untagged security group; tagging the group would need the right to tag any untagged
# resource into the project's reach (infra/cfn/seed.yaml, DeployNetworkPolicy).
provider "aws" {
  alias  = "untagged"
  region = var.region
}

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  name      = "${var.name_prefix}-${var.environment}"
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.name
  account   = data.aws_caller_identity.current.account_id
  dns       = data.aws_partition.current.dns_suffix

  # ARN prefixes, built once from the partition, region and account.
  arn_logs   = "arn:${local.partition}:logs:${local.region}:${local.account}"
  arn_states = "arn:${local.partition}:states:${local.region}:${local.account}"
  arn_ec2    = "arn:${local.partition}:ec2:${local.region}:${local.account}"
  arn_kda    = "arn:${local.partition}:kinesisanalytics:${local.region}:${local.account}"

  # Glue Data Catalog: the catalog id is the account unless a shared catalog is configured.
  glue_catalog_id     = coalesce(var.glue_catalog_id, local.account)
  glue_database_name  = aws_glue_catalog_database.lake.name
  glue_catalog_arn    = "arn:${local.partition}:glue:${local.region}:${local.glue_catalog_id}:catalog"
  glue_database_arn   = "arn:${local.partition}:glue:${local.region}:${local.glue_catalog_id}:database/${local.glue_database_name}"
  glue_tables_arn     = "arn:${local.partition}:glue:${local.region}:${local.glue_catalog_id}:table/${local.glue_database_name}/*"
  warehouse_prefix    = trim(var.warehouse_prefix, "/")
  warehouse_uri       = "s3://${aws_s3_bucket.data["warehouse"].bucket}/${local.warehouse_prefix}"
  warehouse_objects   = "${aws_s3_bucket.data["warehouse"].arn}/${local.warehouse_prefix}/*"
  artifacts_prefix    = "releases/${var.release_version}"
  glue_temp_prefix    = "glue/temp"
  glue_sparkui_prefix = "glue/spark-ui"

  # Build outputs uploaded by Terraform (paths relative to this folder; the build runs `mvn package` first).
  streaming_jar_name = "tributary-streaming-app-${var.release_version}-flink.jar"
  glue_jar_name      = "tributary-glue-compat-${var.release_version}.jar"
  streaming_jar_path = "${path.module}/../../streaming-app/target/${local.streaming_jar_name}"
  glue_jar_path      = "${path.module}/../../glue-compat/target/${local.glue_jar_name}"
  glue_launcher_path = "${path.module}/../glue/TributaryGlueLauncher.scala"
}
