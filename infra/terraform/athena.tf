# Athena workgroup with enforced settings, and named queries analysts start from.

resource "aws_athena_workgroup" "analysts" {
  name          = local.name
  description   = "Tributary mirror tables (${local.glue_database_name})"
  force_destroy = !var.deletion_protection

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.athena_bytes_scanned_cutoff

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location = "s3://${aws_s3_bucket.data["athena_results"].bucket}/results/"

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = aws_kms_key.main.arn
      }

      acl_configuration {
        s3_acl_option = "BUCKET_OWNER_FULL_CONTROL"
      }
    }
  }

  tags = merge(var.tags, { Name = local.name })
}

locals {
  # A table to show in the examples: the lake name of the first configured table with options
  # (public.orders -> orders, sales.orders -> sales_orders, as the job names them), else a placeholder
  # the analyst replaces.
  example_source = lower(try(keys(var.table_options)[0], "public.orders"))
  example_table = (split(".", local.example_source)[0] == "public"
    ? split(".", local.example_source)[1]
  : replace(local.example_source, ".", "_"))

  named_queries = {
    freshness = {
      description = "Freshness per table: newest source commit time and ingestion time in each mirror table"
      query       = <<-SQL
        -- Freshness of one mirror table (repeat per table, or UNION ALL several).
        SELECT '${local.example_table}' AS table_name,
               max(_source_ts)                                   AS last_source_commit,
               max(_ingested_at)                                 AS last_ingested,
               date_diff('second', max(_source_ts), current_timestamp) AS lag_seconds
        FROM "${local.glue_database_name}"."${local.example_table}";
      SQL
    }
    row_counts = {
      description = "Row count and latest snapshot of a mirror table"
      query       = <<-SQL
        SELECT (SELECT count(*) FROM "${local.glue_database_name}"."${local.example_table}") AS row_count,
               snapshot_id, committed_at, summary
        FROM "${local.glue_database_name}"."${local.example_table}$snapshots"
        ORDER BY committed_at DESC
        LIMIT 1;
      SQL
    }
    versions = {
      description = "Versions of a mirror table to time-travel to, newest first: when each became current, its snapshot id, operation, the stream's checkpoint (empty for maintenance and backfill commits) and what it added"
      query       = <<-SQL
        -- Paste a snapshot_id into FOR VERSION AS OF, or a time into FOR TIMESTAMP AS OF.
        SELECT h.made_current_at,
               h.snapshot_id,
               s.operation,
               element_at(s.summary, 'tributary.checkpoint-id') AS checkpoint,
               element_at(s.summary, 'added-records')           AS added_records,
               element_at(s.summary, 'added-equality-deletes')  AS added_equality_deletes
        FROM "${local.glue_database_name}"."${local.example_table}$history" h
        JOIN "${local.glue_database_name}"."${local.example_table}$snapshots" s
          ON s.snapshot_id = h.snapshot_id
        WHERE h.is_current_ancestor
        ORDER BY h.made_current_at DESC
        LIMIT 20;
      SQL
    }
    time_travel = {
      description = "Time travel: a mirror table as it was one hour ago, compared with now (a table younger than one hour has no version then: Athena answers No version history; pick a later time from the versions query)"
      query       = <<-SQL
        SELECT 'one hour ago' AS as_of, count(*) AS row_count
        FROM "${local.glue_database_name}"."${local.example_table}"
          FOR TIMESTAMP AS OF (current_timestamp - interval '1' hour)
        UNION ALL
        SELECT 'now', count(*)
        FROM "${local.glue_database_name}"."${local.example_table}";
      SQL
    }
  }
}

resource "aws_athena_named_query" "examples" {
  for_each = local.named_queries

  name        = "tributary-${replace(each.key, "_", "-")}"
  description = each.value.description
  workgroup   = aws_athena_workgroup.analysts.id
  database    = local.glue_database_name
  query       = each.value.query
}
