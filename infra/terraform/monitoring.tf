# Alarms, the alarm topic and one dashboard.

locals {
  # The custom metric names the streaming job registers under the metric group `kinesisanalytics`
  # (Managed Flink publishes them to CloudWatch namespace AWS/KinesisAnalytics with the dimension
  # Application, plus `table` = source schema.table for per-table metrics). This map is the ONLY
  # place the names appear in infra/; infra/checks compares it with the job's constants in
  # streaming-app/src/main/java/io/tributary/metrics/MetricNames.java. Meanings: docs/metrics.md.
  flink_metric_names = {
    changes_per_second       = "tributaryChangesPerSecond"
    lag_millis               = "tributaryLagMillis"
    millis_since_last_commit = "tributaryMillisSinceLastCommit"
    dead_letters             = "tributaryDeadLetters"
    table_blocked            = "tributaryTableBlocked"
    slot_lag_bytes           = "tributarySlotLagBytes"
    snapshot_percent         = "tributarySnapshotPercent"
    freshness_target_missed  = "tributaryFreshnessTargetMissed"
  }

  flink_namespace  = "AWS/KinesisAnalytics"
  flink_dimensions = { Application = aws_kinesisanalyticsv2_application.cdc.name }
  alarm_actions    = [aws_sns_topic.alarms.arn]

  # Metrics Insights: one series across every table of this application.
  flink_per_table_schema = "SCHEMA(\"${local.flink_namespace}\", Application, table)"
  flink_app_filter       = "WHERE Application = '${aws_kinesisanalyticsv2_application.cdc.name}'"

  state_machines = {
    maintenance = aws_sfn_state_machine.maintenance.arn
    backfill    = aws_sfn_state_machine.backfill.arn
  }
}

# ---------------------------------------------------------------------------------------------------
# Topic
# ---------------------------------------------------------------------------------------------------

resource "aws_sns_topic" "alarms" {
  name              = "${local.name}-alarms"
  kms_master_key_id = aws_kms_key.main.arn

  tags = merge(var.tags, { Name = "${local.name}-alarms" })
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarm_topic.json
}

data "aws_iam_policy_document" "alarm_topic" {
  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.${local.dns}"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }

  statement {
    sid       = "GlueFailureRulePublishes"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["events.${local.dns}"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.glue_job_failed.arn]
    }
  }

  statement {
    sid       = "StateMachinesPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.sfn.arn]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_email_addresses)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# ---------------------------------------------------------------------------------------------------
# Flink application
# ---------------------------------------------------------------------------------------------------

# A stopped application publishes no downtime metric, which this alarm treats as breaching. While
# flink_start_application is false (the application intentionally not running) its actions are
# disabled, so it notifies nobody; docs/operations.md says how to stop the application for a while.
resource "aws_cloudwatch_metric_alarm" "flink_downtime" {
  alarm_name          = "${local.name}-flink-downtime"
  alarm_description   = "The Flink application is not running (downtime > 0, or no data while it should run): changes are not being captured."
  actions_enabled     = var.flink_start_application
  namespace           = local.flink_namespace
  metric_name         = "downtime"
  dimensions          = local.flink_dimensions
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = merge(var.tags, { Name = "${local.name}-flink-downtime" })
}

resource "aws_cloudwatch_metric_alarm" "flink_failed_checkpoints" {
  alarm_name          = "${local.name}-flink-failed-checkpoints"
  alarm_description   = "Checkpoints are failing: nothing is committed to Iceberg and the replication slot does not advance."
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "failed"
    expression  = "DIFF(checkpoints)"
    label       = "Failed checkpoints per period"
    return_data = true
  }

  metric_query {
    id = "checkpoints"

    metric {
      namespace   = local.flink_namespace
      metric_name = "numberOfFailedCheckpoints"
      dimensions  = local.flink_dimensions
      period      = 300
      stat        = "Maximum"
    }
  }

  tags = merge(var.tags, { Name = "${local.name}-flink-failed-checkpoints" })
}

resource "aws_cloudwatch_metric_alarm" "flink_checkpoint_duration" {
  alarm_name          = "${local.name}-flink-checkpoint-duration"
  alarm_description   = "Checkpoints take longer than ${var.checkpoint_duration_alarm_ms} ms: commits are late and backpressure is likely."
  namespace           = local.flink_namespace
  metric_name         = "lastCheckpointDuration"
  dimensions          = local.flink_dimensions
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  threshold           = var.checkpoint_duration_alarm_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = merge(var.tags, { Name = "${local.name}-flink-checkpoint-duration" })
}

resource "aws_cloudwatch_metric_alarm" "slot_lag" {
  alarm_name          = "${local.name}-replication-slot-lag"
  alarm_description   = "The replication slot holds back more than ${var.slot_lag_alarm_bytes} bytes of WAL on the source: the source disk fills up if this continues."
  namespace           = local.flink_namespace
  metric_name         = local.flink_metric_names.slot_lag_bytes
  dimensions          = local.flink_dimensions
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  threshold           = var.slot_lag_alarm_bytes
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = merge(var.tags, { Name = "${local.name}-replication-slot-lag" })
}

# Freshness over every table at once (Metrics Insights: the worst table). The job judges each table
# against its own target (table_freshness_targets, else default_freshness_target_seconds, both passed
# to it as runtime properties) and reports 1 while it is missed.
resource "aws_cloudwatch_metric_alarm" "freshness_any_table" {
  alarm_name          = "${local.name}-freshness-any-table"
  alarm_description   = "Some table lags its source by more than its freshness target (${var.default_freshness_target_seconds} s unless set per table); see the dashboard for which."
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "missed"
    expression  = "SELECT MAX(${local.flink_metric_names.freshness_target_missed}) FROM ${local.flink_per_table_schema} ${local.flink_app_filter}"
    period      = 60
    return_data = true
  }

  tags = merge(var.tags, { Name = "${local.name}-freshness-any-table" })
}

# One alarm per table with a freshness target of its own, on its lag (dimension table = schema.table).
resource "aws_cloudwatch_metric_alarm" "freshness_table" {
  for_each = var.table_freshness_targets

  alarm_name          = "${local.name}-freshness-${replace(each.key, "/[^A-Za-z0-9_.-]/", "_")}"
  alarm_description   = "Table ${each.key} lags its source by more than its freshness target of ${each.value} s."
  namespace           = local.flink_namespace
  metric_name         = local.flink_metric_names.lag_millis
  dimensions          = merge(local.flink_dimensions, { table = each.key })
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = each.value * 1000
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = merge(var.tags, { Name = "${local.name}-freshness-${each.key}" })
}

resource "aws_cloudwatch_metric_alarm" "table_blocked" {
  alarm_name          = "${local.name}-table-blocked"
  alarm_description   = "A table is blocked (a change could not be applied): its mirror is no longer updated; see the control table for the reason."
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "blocked"
    expression  = "SELECT MAX(${local.flink_metric_names.table_blocked}) FROM ${local.flink_per_table_schema} ${local.flink_app_filter}"
    period      = 60
    return_data = true
  }

  tags = merge(var.tags, { Name = "${local.name}-table-blocked" })
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name          = "${local.name}-dead-letters"
  alarm_description   = "Changes went to the dead-letter location since the job started (values or schema changes that could not be written)."
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions

  metric_query {
    id          = "dead"
    expression  = "SELECT MAX(${local.flink_metric_names.dead_letters}) FROM ${local.flink_per_table_schema} ${local.flink_app_filter}"
    period      = 300
    return_data = true
  }

  tags = merge(var.tags, { Name = "${local.name}-dead-letters" })
}

# An idle table is not committed (nothing to commit), so the alarm takes the most recently committed
# table: it fires when no table at all was committed for ten checkpoint intervals.
resource "aws_cloudwatch_metric_alarm" "commit_stalled" {
  alarm_name          = "${local.name}-commit-stalled"
  alarm_description   = "No table has been committed for more than ten checkpoint intervals: the job commits nothing, or no captured table changed at the source."
  evaluation_periods  = 3
  threshold           = var.flink_checkpoint_interval_ms * 10
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "since"
    expression  = "SELECT MIN(${local.flink_metric_names.millis_since_last_commit}) FROM ${local.flink_per_table_schema} ${local.flink_app_filter}"
    period      = 60
    return_data = true
  }

  tags = merge(var.tags, { Name = "${local.name}-commit-stalled" })
}

# ---------------------------------------------------------------------------------------------------
# Glue jobs: an EventBridge rule notifies on every failed run, and an alarm counts its matches.
# ---------------------------------------------------------------------------------------------------

resource "aws_cloudwatch_event_rule" "glue_job_failed" {
  name        = "${local.name}-glue-job-failed"
  description = "A Tributary Glue job run failed, timed out or errored"

  event_pattern = jsonencode({
    source        = ["aws.glue"]
    "detail-type" = ["Glue Job State Change"]
    detail = {
      jobName = [aws_glue_job.maintenance.name, aws_glue_job.backfill.name]
      state   = ["FAILED", "TIMEOUT", "ERROR"]
    }
  })

  tags = merge(var.tags, { Name = "${local.name}-glue-job-failed" })
}

resource "aws_cloudwatch_event_target" "glue_job_failed" {
  rule      = aws_cloudwatch_event_rule.glue_job_failed.name
  target_id = "alarm-topic"
  arn       = aws_sns_topic.alarms.arn
}

resource "aws_cloudwatch_metric_alarm" "glue_job_failed" {
  alarm_name          = "${local.name}-glue-job-failed"
  alarm_description   = "A maintenance or backfill Glue job run failed."
  namespace           = "AWS/Events"
  metric_name         = "TriggeredRules"
  dimensions          = { RuleName = aws_cloudwatch_event_rule.glue_job_failed.name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions

  tags = merge(var.tags, { Name = "${local.name}-glue-job-failed" })
}

# ---------------------------------------------------------------------------------------------------
# Step Functions and DynamoDB
# ---------------------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "state_machine_failed" {
  for_each = {
    for pair in setproduct(keys(local.state_machines), ["ExecutionsFailed", "ExecutionsTimedOut"]) :
    "${pair[0]}-${pair[1]}" => { machine = pair[0], metric = pair[1] }
  }

  alarm_name          = "${local.name}-${each.value.machine}-${lower(each.value.metric)}"
  alarm_description   = "The ${each.value.machine} state machine had ${each.value.metric} executions."
  namespace           = "AWS/States"
  metric_name         = each.value.metric
  dimensions          = { StateMachineArn = local.state_machines[each.value.machine] }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions

  tags = merge(var.tags, { Name = "${local.name}-${each.key}" })
}

resource "aws_cloudwatch_metric_alarm" "control_table_throttled" {
  for_each = toset(["ReadThrottleEvents", "WriteThrottleEvents"])

  alarm_name          = "${local.name}-control-table-${lower(each.key)}"
  alarm_description   = "The control table throttles requests (${each.key}): state updates and locks are delayed."
  namespace           = "AWS/DynamoDB"
  metric_name         = each.key
  dimensions          = { TableName = aws_dynamodb_table.control.name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions

  tags = merge(var.tags, { Name = "${local.name}-control-table-${lower(each.key)}" })
}

# ---------------------------------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------------------------------

locals {
  dashboard_per_table = {
    for key in ["changes_per_second", "lag_millis", "millis_since_last_commit", "dead_letters", "snapshot_percent", "freshness_target_missed"] :
    key => "SELECT MAX(${local.flink_metric_names[key]}) FROM ${local.flink_per_table_schema} ${local.flink_app_filter} GROUP BY table"
  }
}

resource "aws_cloudwatch_dashboard" "main" {
  dashboard_name = local.name

  dashboard_body = jsonencode({
    widgets = concat(
      [
        for i, key in keys(local.dashboard_per_table) : {
          type   = "metric"
          x      = (i % 2) * 12
          y      = floor(i / 2) * 6
          width  = 12
          height = 6
          properties = {
            title   = "Per table: ${local.flink_metric_names[key]}"
            region  = local.region
            view    = "timeSeries"
            metrics = [[{ expression = local.dashboard_per_table[key], id = "q${i}", period = 60 }]]
          }
        }
      ],
      [
        {
          type   = "metric"
          x      = 0
          y      = 18
          width  = 12
          height = 6
          properties = {
            title  = "Checkpoints and replication slot"
            region = local.region
            view   = "timeSeries"
            metrics = [
              [local.flink_namespace, "lastCheckpointDuration", "Application", aws_kinesisanalyticsv2_application.cdc.name],
              [local.flink_namespace, "numberOfFailedCheckpoints", "Application", aws_kinesisanalyticsv2_application.cdc.name],
              [local.flink_namespace, local.flink_metric_names.slot_lag_bytes, "Application", aws_kinesisanalyticsv2_application.cdc.name, { yAxis = "right" }],
            ]
          }
        },
        {
          type   = "alarm"
          x      = 12
          y      = 18
          width  = 12
          height = 6
          properties = {
            title = "Alarms"
            alarms = concat(
              [
                aws_cloudwatch_metric_alarm.flink_downtime.arn,
                aws_cloudwatch_metric_alarm.flink_failed_checkpoints.arn,
                aws_cloudwatch_metric_alarm.freshness_any_table.arn,
                aws_cloudwatch_metric_alarm.table_blocked.arn,
                aws_cloudwatch_metric_alarm.slot_lag.arn,
                aws_cloudwatch_metric_alarm.glue_job_failed.arn,
              ],
              [for a in aws_cloudwatch_metric_alarm.state_machine_failed : a.arn],
            )
          }
        },
      ],
    )
  })
}
