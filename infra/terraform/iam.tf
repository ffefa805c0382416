# One role per service, each with policy documents scoped to exact ARNs. A `*` resource appears only
# where the action supports no resource-level permission, with a comment naming the action.

locals {
  flink_application_name = "${local.name}-cdc"
  glue_job_log_groups    = "${local.arn_logs}:log-group:/aws-glue/*"
  flink_log_group_arn    = aws_cloudwatch_log_group.flink.arn
}

# ---------------------------------------------------------------------------------------------------
# Shared statements
# ---------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "lake_access" {
  statement {
    sid       = "ListWarehousePrefix"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [aws_s3_bucket.data["warehouse"].arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.warehouse_prefix}/*", local.warehouse_prefix, ""]
    }
  }

  statement {
    sid = "ReadWriteWarehouseObjects"
    actions = [
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = [local.warehouse_objects]
  }

  statement {
    sid = "GlueCatalogTables"
    actions = [
      "glue:GetDatabase",
      "glue:GetTable",
      "glue:GetTables",
      "glue:CreateTable",
      "glue:UpdateTable",
      "glue:GetPartitions",
    ]
    resources = [local.glue_catalog_arn, local.glue_database_arn, local.glue_tables_arn]
  }

  statement {
    sid       = "UseDataKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [aws_kms_key.main.arn]
  }

  statement {
    sid = "ControlTable"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:Query",
      "dynamodb:ConditionCheckItem",
    ]
    resources = [aws_dynamodb_table.control.arn]
  }
}

# The database secret: only the roles that connect to the source (the Flink application and the
# backfill) get it; the maintenance job's role does not.
data "aws_iam_policy_document" "source_secret_access" {
  statement {
    sid       = "ReadSourceSecret"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [aws_secretsmanager_secret.source.arn]
  }
}

# Read access to exactly the certificate authority of the source (var.source_ssl_root_cert), for the
# Flink application and the backfill; absent when no certificate authority is configured.
locals {
  source_ca_s3_object  = try(regex("^s3://(.+)$", var.source_ssl_root_cert)[0], null)
  source_ca_secret_arn = try(regex("^secretsmanager:(.+)$", var.source_ssl_root_cert)[0], null)
}

data "aws_iam_policy_document" "source_ca_access" {
  count = var.source_ssl_root_cert == null ? 0 : 1

  dynamic "statement" {
    for_each = local.source_ca_s3_object == null ? [] : [local.source_ca_s3_object]
    content {
      sid       = "ReadSourceCaObject"
      actions   = ["s3:GetObject"]
      resources = ["arn:${local.partition}:s3:::${statement.value}"]
    }
  }

  dynamic "statement" {
    for_each = local.source_ca_secret_arn == null ? [] : [local.source_ca_secret_arn]
    content {
      sid       = "ReadSourceCaSecret"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [statement.value]
    }
  }
}

# Elastic network interfaces in the private subnets, needed by services that run inside the VPC.
data "aws_iam_policy_document" "vpc_access" {
  statement {
    sid = "DescribeNetwork"
    actions = [
      "ec2:DescribeVpcs",
      "ec2:DescribeSubnets",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeDhcpOptions",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeVpcEndpoints",
      "ec2:DescribeRouteTables",
    ]
    resources = ["*"] # ec2:Describe* actions support no resource-level permissions
  }

  statement {
    sid     = "ManageInterfacesInPrivateSubnets"
    actions = ["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:CreateTags", "ec2:DeleteTags"]
    resources = concat(
      ["${local.arn_ec2}:network-interface/*"],
      [for s in aws_subnet.private : s.arn],
      [aws_security_group.flink.arn, aws_security_group.glue.arn],
    )
  }
}

# ---------------------------------------------------------------------------------------------------
# Managed Service for Apache Flink
# ---------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "flink_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["kinesisanalytics.${local.dns}"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["${local.arn_kda}:application/${local.flink_application_name}"]
    }
  }
}

resource "aws_iam_role" "flink" {
  name                 = "${local.name}-flink"
  description          = "Managed Flink application ${local.flink_application_name}"
  assume_role_policy   = data.aws_iam_policy_document.flink_assume.json
  permissions_boundary = var.permissions_boundary_arn

  tags = merge(var.tags, { Name = "${local.name}-flink" })
}

data "aws_iam_policy_document" "flink" {
  source_policy_documents = concat([
    data.aws_iam_policy_document.lake_access.json,
    data.aws_iam_policy_document.vpc_access.json,
    data.aws_iam_policy_document.source_secret_access.json,
  ], data.aws_iam_policy_document.source_ca_access[*].json)

  statement {
    sid       = "ReadApplicationJar"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${aws_s3_bucket.data["artifacts"].arn}/${aws_s3_object.streaming_jar.key}"]
  }

  statement {
    sid       = "WriteApplicationLogs"
    actions   = ["logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = [local.flink_log_group_arn, "${local.flink_log_group_arn}:log-stream:*"]
  }

  statement {
    sid       = "FindApplicationLogGroup"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["${local.arn_logs}:log-group:*"] # DescribeLogGroups authorizes on the account's log-group space
  }
}

resource "aws_iam_role_policy" "flink" {
  name   = "flink-application"
  role   = aws_iam_role.flink.id
  policy = data.aws_iam_policy_document.flink.json
}

# ---------------------------------------------------------------------------------------------------
# Glue jobs (maintenance and backfill)
# ---------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "glue_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["glue.${local.dns}"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

# One role per job: both maintain the lake, only the backfill reads the source (the database secret
# and the certificate authority).
resource "aws_iam_role" "glue_maintenance" {
  name                 = "${local.name}-glue-maintenance"
  description          = "Glue maintenance job ${local.glue_maintenance_job_name}"
  assume_role_policy   = data.aws_iam_policy_document.glue_assume.json
  permissions_boundary = var.permissions_boundary_arn

  tags = merge(var.tags, { Name = "${local.name}-glue-maintenance" })
}

resource "aws_iam_role" "glue_backfill" {
  name                 = "${local.name}-glue-backfill"
  description          = "Glue backfill job ${local.glue_backfill_job_name}"
  assume_role_policy   = data.aws_iam_policy_document.glue_assume.json
  permissions_boundary = var.permissions_boundary_arn

  tags = merge(var.tags, { Name = "${local.name}-glue-backfill" })
}

# What both Glue jobs need: the lake, the network, their code, temporary files, logs and metrics.
data "aws_iam_policy_document" "glue_jobs" {
  source_policy_documents = [
    data.aws_iam_policy_document.lake_access.json,
    data.aws_iam_policy_document.vpc_access.json,
  ]

  statement {
    sid     = "ReadJobCode"
    actions = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = [
      "${aws_s3_bucket.data["artifacts"].arn}/${aws_s3_object.glue_jar.key}",
      "${aws_s3_bucket.data["artifacts"].arn}/${aws_s3_object.glue_launcher.key}",
    ]
  }

  statement {
    sid       = "ListArtifacts"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [aws_s3_bucket.data["artifacts"].arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.glue_temp_prefix}/*", "${local.glue_sparkui_prefix}/*", "${local.artifacts_prefix}/*"]
    }
  }

  statement {
    sid       = "GlueTemporaryFilesAndSparkUi"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${aws_s3_bucket.data["artifacts"].arn}/${local.glue_temp_prefix}/*", "${aws_s3_bucket.data["artifacts"].arn}/${local.glue_sparkui_prefix}/*"]
  }

  statement {
    sid       = "GlueConnection"
    actions   = ["glue:GetConnection"]
    resources = concat([local.glue_catalog_arn], [for c in aws_glue_connection.onprem : c.arn])
  }

  statement {
    sid       = "GlueJobLogs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"]
    resources = [local.glue_job_log_groups, "${local.glue_job_log_groups}:log-stream:*"]
  }

  statement {
    sid       = "GlueJobMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"] # cloudwatch:PutMetricData supports no resource-level permissions; limited by namespace
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["Glue"]
    }
  }
}

resource "aws_iam_role_policy" "glue_maintenance" {
  name   = "glue-maintenance"
  role   = aws_iam_role.glue_maintenance.id
  policy = data.aws_iam_policy_document.glue_jobs.json
}

data "aws_iam_policy_document" "glue_backfill" {
  source_policy_documents = concat([
    data.aws_iam_policy_document.glue_jobs.json,
    data.aws_iam_policy_document.source_secret_access.json,
  ], data.aws_iam_policy_document.source_ca_access[*].json)
}

resource "aws_iam_role_policy" "glue_backfill" {
  name   = "glue-backfill"
  role   = aws_iam_role.glue_backfill.id
  policy = data.aws_iam_policy_document.glue_backfill.json
}

# ---------------------------------------------------------------------------------------------------
# Step Functions
# ---------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "sfn_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["states.${local.dns}"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["${local.arn_states}:stateMachine:${local.name}-*"]
    }
  }
}

resource "aws_iam_role" "sfn" {
  name                 = "${local.name}-states"
  description          = "Step Functions state machines (maintenance, backfill)"
  assume_role_policy   = data.aws_iam_policy_document.sfn_assume.json
  permissions_boundary = var.permissions_boundary_arn

  tags = merge(var.tags, { Name = "${local.name}-states" })
}

data "aws_iam_policy_document" "sfn" {
  statement {
    sid       = "RunGlueJobs"
    actions   = ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"]
    resources = [aws_glue_job.maintenance.arn, aws_glue_job.backfill.arn]
  }

  statement {
    sid       = "CheckBackfillLockOwner"
    actions   = ["states:DescribeExecution"]
    resources = ["${local.arn_states}:execution:${local.name}-backfill:*"]
  }

  statement {
    sid = "ControlTable"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:Query",
      "dynamodb:Scan",
    ]
    resources = [aws_dynamodb_table.control.arn]
  }

  statement {
    sid       = "Notify"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]
  }

  statement {
    sid       = "UseDataKeyForTopicAndTable"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.main.arn]
  }

  statement {
    sid = "DeliverExecutionLogs"
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
    ]
    resources = ["*"] # CloudWatch Logs vended-log delivery actions support no resource-level permissions
  }
}

resource "aws_iam_role_policy" "sfn" {
  name   = "state-machines"
  role   = aws_iam_role.sfn.id
  policy = data.aws_iam_policy_document.sfn.json
}

# ---------------------------------------------------------------------------------------------------
# EventBridge Scheduler
# ---------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.${local.dns}"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name                 = "${local.name}-scheduler"
  description          = "EventBridge Scheduler: starts table maintenance"
  assume_role_policy   = data.aws_iam_policy_document.scheduler_assume.json
  permissions_boundary = var.permissions_boundary_arn

  tags = merge(var.tags, { Name = "${local.name}-scheduler" })
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "StartMaintenance"
    actions   = ["states:StartExecution"]
    resources = [aws_sfn_state_machine.maintenance.arn]
  }

  statement {
    sid       = "EncryptExecutionInput"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.main.arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "start-maintenance"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}

# ---------------------------------------------------------------------------------------------------
# VPC flow logs
# ---------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "flow_logs_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.${local.dns}"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  name                 = "${local.name}-flow-logs"
  description          = "VPC flow logs delivery"
  assume_role_policy   = data.aws_iam_policy_document.flow_logs_assume.json
  permissions_boundary = var.permissions_boundary_arn

  tags = merge(var.tags, { Name = "${local.name}-flow-logs" })
}

data "aws_iam_policy_document" "flow_logs" {
  statement {
    sid       = "DeliverFlowLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = [aws_cloudwatch_log_group.flow_logs.arn, "${aws_cloudwatch_log_group.flow_logs.arn}:log-stream:*"]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "deliver-flow-logs"
  role   = aws_iam_role.flow_logs.id
  policy = data.aws_iam_policy_document.flow_logs.json
}
