# State machines, loaded from infra/stepfunctions/*.asl.json with templatefile(); every ${...}
# placeholder of a definition is supplied here (infra/checks verifies it), and the same files run
# locally with the values of a local stack.

locals {
  state_machine_templates = "${path.module}/../stepfunctions"
}

resource "aws_cloudwatch_log_group" "state_machines" {
  for_each = toset(["maintenance", "backfill"])

  name              = "/aws/vendedlogs/states/${local.name}-${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn

  tags = merge(var.tags, { Name = "${local.name}-${each.key}" })
}

resource "aws_sfn_state_machine" "maintenance" {
  name     = "${local.name}-maintenance"
  role_arn = aws_iam_role.sfn.arn
  type     = "STANDARD"

  definition = templatefile("${local.state_machine_templates}/maintenance.asl.json", {
    partition            = local.partition
    control_table        = aws_dynamodb_table.control.name
    namespace            = local.glue_database_name
    glue_maintenance_job = aws_glue_job.maintenance.name
    sns_topic_arn        = aws_sns_topic.alarms.arn
    max_concurrency      = var.maintenance_max_concurrency
    min_data_files       = var.maintenance_min_data_files
    min_delete_files     = var.maintenance_min_delete_files
    task_timeout_seconds = var.glue_job_timeout_minutes * 60
  })

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.state_machines["maintenance"].arn}:*"
    include_execution_data = false
    level                  = "ERROR"
  }

  encryption_configuration {
    type                              = "CUSTOMER_MANAGED_KMS_KEY"
    kms_key_id                        = aws_kms_key.main.arn
    kms_data_key_reuse_period_seconds = 300
  }

  tags = merge(var.tags, { Name = "${local.name}-maintenance" })
}

resource "aws_sfn_state_machine" "backfill" {
  name     = "${local.name}-backfill"
  role_arn = aws_iam_role.sfn.arn
  type     = "STANDARD"

  definition = templatefile("${local.state_machine_templates}/backfill.asl.json", {
    partition            = local.partition
    control_table        = aws_dynamodb_table.control.name
    namespace            = local.glue_database_name
    glue_backfill_job    = aws_glue_job.backfill.name
    sns_topic_arn        = aws_sns_topic.alarms.arn
    lock_lease_seconds   = var.backfill_lock_lease_seconds
    task_timeout_seconds = var.glue_job_timeout_minutes * 60
  })

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.state_machines["backfill"].arn}:*"
    include_execution_data = false
    level                  = "ERROR"
  }

  encryption_configuration {
    type                              = "CUSTOMER_MANAGED_KMS_KEY"
    kms_key_id                        = aws_kms_key.main.arn
    kms_data_key_reuse_period_seconds = 300
  }

  tags = merge(var.tags, { Name = "${local.name}-backfill" })
}

# ---------------------------------------------------------------------------------------------------
# Schedule
# ---------------------------------------------------------------------------------------------------

resource "aws_scheduler_schedule_group" "main" {
  name = local.name

  tags = merge(var.tags, { Name = local.name })
}

resource "aws_scheduler_schedule" "maintenance" {
  name                         = "${local.name}-maintenance"
  group_name                   = aws_scheduler_schedule_group.main.name
  description                  = "Starts Tributary table maintenance"
  schedule_expression          = var.maintenance_schedule
  schedule_expression_timezone = var.maintenance_schedule_timezone
  kms_key_arn                  = aws_kms_key.main.arn

  flexible_time_window {
    mode                      = "FLEXIBLE"
    maximum_window_in_minutes = 15
  }

  target {
    arn      = aws_sfn_state_machine.maintenance.arn
    role_arn = aws_iam_role.scheduler.arn
    input    = jsonencode({ trigger = "schedule" })

    retry_policy {
      maximum_event_age_in_seconds = 3600
      maximum_retry_attempts       = 3
    }
  }
}
