# The streaming job on Managed Service for Apache Flink. It runs the shaded jar with no arguments and
# reads its configuration from the runtime property groups below. The keys are exactly the ones the
# job's configuration accepts (infra/checks compares them with the job's option names).

locals {
  # Literal map of property group -> key -> value; null or empty values are dropped below, so an
  # optional setting is simply absent rather than empty (Managed Flink rejects empty values).
  flink_property_groups_all = {
    source = {
      "type"                     = "postgres"
      "host"                     = var.source_host
      "port"                     = tostring(var.source_port)
      "database"                 = var.source_database
      "user"                     = var.source_user
      "password.secret-arn"      = aws_secretsmanager_secret.source.arn
      "password.secret-key"      = var.source_password_secret_key
      "ssl-mode"                 = var.source_ssl_mode
      "ssl-root-cert"            = var.source_ssl_root_cert
      "slot-name"                = var.replication_slot_name
      "publication-name"         = var.publication_name
      "heartbeat-interval"       = var.heartbeat_interval
      "snapshot.chunk-size"      = tostring(var.snapshot_chunk_size)
      "snapshot.fetch-size"      = tostring(var.snapshot_fetch_size)
      "new-table-check-interval" = var.new_table_check_interval
    }
    tables = {
      "include"          = var.tables_include
      "exclude"          = var.tables_exclude
      "truncate"         = var.truncate_mode
      "freshness-target" = "${var.default_freshness_target_seconds}s"
    }
    sink = {
      "warehouse"               = local.warehouse_uri
      "namespace"               = local.glue_database_name
      "catalog.type"            = "glue"
      "catalog.glue-catalog-id" = local.glue_catalog_id
      "s3.region"               = local.region
    }
    # No "parallelism": on Managed Flink the application's parallelism configuration applies
    # (flink_parallelism, flink_autoscaling_enabled), and the job sets none of its own.
    job = {
      "name" = local.flink_application_name
    }
    # Each table's state, written once per checkpoint (docs/control-plane.md).
    control = {
      "table-name"        = aws_dynamodb_table.control.name
      "region"            = local.region
      "history-retention" = "${var.control_history_retention_days}d"
    }
  }

  # One group per table that has options or a freshness target of its own: table.<schema>.<table>.
  flink_table_property_groups = {
    for table in setunion(keys(var.table_options), keys(var.table_freshness_targets)) : "table.${table}" => {
      "partition-spec"   = try(join(",", var.table_options[table].partition_spec), null)
      "key-columns"      = try(join(",", var.table_options[table].key_columns), null)
      "changelog"        = try(tostring(var.table_options[table].changelog), null)
      "mode"             = try(var.table_options[table].mode, null)
      "truncate"         = try(var.table_options[table].truncate, null)
      "freshness-target" = try("${var.table_freshness_targets[table]}s", null)
    }
  }

  flink_property_groups = {
    for group, props in merge(local.flink_property_groups_all, local.flink_table_property_groups) :
    group => { for k, v in props : k => v if v != null && v != "" }
  }
}

resource "aws_cloudwatch_log_group" "flink" {
  name              = "/aws/kinesis-analytics/${local.flink_application_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn

  tags = merge(var.tags, { Name = local.flink_application_name })
}

resource "aws_cloudwatch_log_stream" "flink" {
  name           = "application"
  log_group_name = aws_cloudwatch_log_group.flink.name
}

resource "aws_kinesisanalyticsv2_application" "cdc" {
  name                   = local.flink_application_name
  description            = "Tributary: change data capture from ${var.source_database} into Iceberg tables in ${local.glue_database_name}"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = aws_iam_role.flink.arn
  start_application      = var.flink_start_application

  application_configuration {
    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn     = aws_s3_bucket.data["artifacts"].arn
          file_key       = aws_s3_object.streaming_jar.key
          object_version = aws_s3_object.streaming_jar.version_id
        }
      }
    }

    application_snapshot_configuration {
      snapshots_enabled = true
    }

    environment_properties {
      dynamic "property_group" {
        for_each = local.flink_property_groups

        content {
          property_group_id = property_group.key
          property_map      = property_group.value
        }
      }
    }

    flink_application_configuration {
      checkpoint_configuration {
        configuration_type            = "CUSTOM"
        checkpointing_enabled         = true
        checkpoint_interval           = var.flink_checkpoint_interval_ms
        min_pause_between_checkpoints = var.flink_min_pause_between_checkpoints_ms
      }

      monitoring_configuration {
        configuration_type = "CUSTOM"
        log_level          = var.flink_log_level
        metrics_level      = var.flink_metrics_level
      }

      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = var.flink_autoscaling_enabled
        parallelism          = var.flink_parallelism
        parallelism_per_kpu  = var.flink_parallelism_per_kpu
      }
    }

    run_configuration {
      application_restore_configuration {
        application_restore_type = "RESTORE_FROM_LATEST_SNAPSHOT"
      }

      flink_run_configuration {
        allow_non_restored_state = false
      }
    }

    vpc_configuration {
      subnet_ids         = aws_subnet.private[*].id
      security_group_ids = [aws_security_group.flink.id]
    }
  }

  cloudwatch_logging_options {
    log_stream_arn = aws_cloudwatch_log_stream.flink.arn
  }

  tags = merge(var.tags, { Name = local.flink_application_name })

  lifecycle {
    # Managed Flink accepts at most 50 runtime property groups per application: the 5 fixed groups
    # above plus one table.<schema>.<table> group per table with options or a freshness target of
    # its own, so at most 45 such tables.
    precondition {
      condition     = length(local.flink_property_groups) <= 50
      error_message = "Managed Flink accepts at most 50 runtime property groups; this configuration needs ${length(local.flink_property_groups)} (${length(local.flink_table_property_groups)} tables have options or a freshness target of their own in table_options / table_freshness_targets, and at most ${50 - length(local.flink_property_groups_all)} may). Give fewer tables settings of their own: use the defaults for all tables (tables_include/exclude, truncate_mode, default_freshness_target_seconds) where the per-table values repeat them."
    }
  }

  depends_on = [aws_iam_role_policy.flink]
}
