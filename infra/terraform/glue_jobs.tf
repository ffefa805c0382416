# Glue Data Catalog database of the mirror tables, and the maintenance and backfill Spark jobs.
#
# Glue 5 starts a Scala or Python script, not a main class of a jar. The jobs therefore run a tiny
# Scala launcher (infra/glue/TributaryGlueLauncher.scala, uploaded next to the jar) with
# `--class TributaryGlueLauncher`; the glue-compat jar is on the classpath through `--extra-jars`, and
# the launcher calls the main class named by `--tributary-main-class` with every other argument; the
# job's argument parser drops Glue's reserved ones such as --JOB_ID (GlueJobsOnMotoIT runs both jobs
# with these default arguments and those Glue adds).

resource "aws_glue_catalog_database" "lake" {
  name        = coalesce(var.glue_database_name, replace("${var.name_prefix}_${var.environment}", "-", "_"))
  catalog_id  = local.glue_catalog_id
  description = "Tributary mirror tables (Apache Iceberg) of ${var.source_database}"

  # Iceberg tables keep their own location; the database location is the warehouse prefix.
  location_uri = "s3://${aws_s3_bucket.data["warehouse"].bucket}/${local.warehouse_prefix}/${coalesce(var.glue_database_name, replace("${var.name_prefix}_${var.environment}", "-", "_"))}.db"

  tags = merge(var.tags, { Name = "${local.name}-lake" })
}

resource "aws_glue_security_configuration" "jobs" {
  name = "${local.name}-jobs"

  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = aws_kms_key.main.arn
    }

    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = aws_kms_key.main.arn
    }

    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = aws_kms_key.main.arn
    }
  }
}

# A NETWORK connection places the job's workers in the private subnets, from where the backfill reaches
# the on-premises database (the JDBC URL and secret are job arguments). One per subnet, for AZ failover.
resource "aws_glue_connection" "onprem" {
  count = length(aws_subnet.private)

  name            = "${local.name}-onprem-${count.index}"
  description     = "Private subnet ${count.index} with a route to the on-premises network"
  connection_type = "NETWORK"

  physical_connection_requirements {
    availability_zone      = aws_subnet.private[count.index].availability_zone
    subnet_id              = aws_subnet.private[count.index].id
    security_group_id_list = [aws_security_group.glue.id]
  }

  tags = merge(var.tags, { Name = "${local.name}-onprem-${count.index}" })
}

locals {
  glue_maintenance_job_name = "${local.name}-maintenance"
  glue_backfill_job_name    = "${local.name}-backfill"

  jdbc_url = "jdbc:postgresql://${var.source_host}:${var.source_port}/${var.source_database}?sslmode=${var.source_ssl_mode}"

  # Spark catalog configuration for Iceberg on Glue; Glue accepts a single --conf argument, so further
  # settings are chained inside its value.
  glue_spark_conf = join(" --conf ", [
    "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
    "spark.sql.catalog.glue_catalog=org.apache.iceberg.spark.SparkCatalog",
    "spark.sql.catalog.glue_catalog.catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog",
    "spark.sql.catalog.glue_catalog.io-impl=org.apache.iceberg.aws.s3.S3FileIO",
    "spark.sql.catalog.glue_catalog.warehouse=${local.warehouse_uri}",
    "spark.sql.catalog.glue_catalog.glue.id=${local.glue_catalog_id}",
  ])

  # Arguments every Glue run needs: how Glue starts the launcher, plus the job's common arguments.
  glue_common_arguments = {
    "--job-language"                     = "scala"
    "--class"                            = "TributaryGlueLauncher"
    "--extra-jars"                       = "s3://${aws_s3_bucket.data["artifacts"].bucket}/${aws_s3_object.glue_jar.key}"
    "--user-jars-first"                  = "true"
    "--datalake-formats"                 = "iceberg"
    "--job-bookmark-option"              = "job-bookmark-disable"
    "--conf"                             = local.glue_spark_conf
    "--TempDir"                          = "s3://${aws_s3_bucket.data["artifacts"].bucket}/${local.glue_temp_prefix}/"
    "--enable-metrics"                   = "true"
    "--enable-continuous-cloudwatch-log" = "true"
    "--enable-spark-ui"                  = "true"
    "--spark-event-logs-path"            = "s3://${aws_s3_bucket.data["artifacts"].bucket}/${local.glue_sparkui_prefix}/"
    "--catalog-type"                     = "glue"
    "--warehouse"                        = local.warehouse_uri
    "--namespace"                        = local.glue_database_name
    "--glue-catalog-id"                  = local.glue_catalog_id
    "--control-table"                    = aws_dynamodb_table.control.name
    "--control-history-retention"        = "${var.control_history_retention_days}d"
  }

  # Defaults of the maintenance job; a run passes --table (or --all-tables true).
  glue_maintenance_arguments = {
    "--tributary-main-class"         = "io.tributary.maintenance.MaintenanceJob"
    "--target-file-size-bytes"       = tostring(var.maintenance_target_file_size_bytes)
    "--snapshot-retention-hours"     = tostring(var.maintenance_snapshot_retention_hours)
    "--snapshot-retention-min-count" = tostring(var.maintenance_snapshot_retention_min_count)
    "--orphan-min-age-hours"         = tostring(var.maintenance_orphan_min_age_hours)
  }

  # Defaults of the backfill job; a run passes --table. The login is the one the Flink application
  # uses: --source-user, else the secret's "username"; the password is the secret's key
  # --source-secret-key (plain-text secrets are the password itself).
  glue_backfill_arguments = {
    "--tributary-main-class" = "io.tributary.backfill.BackfillJob"
    "--source-secret-arn"    = aws_secretsmanager_secret.source.arn
    "--source-user"          = var.source_user
    "--source-secret-key"    = var.source_password_secret_key
    "--jdbc-url"             = local.jdbc_url
    "--parallelism"          = tostring(var.backfill_parallelism)
    "--fetch-size"           = tostring(var.backfill_fetch_size)
  }

  # The source's certificate authority, only when one is configured (Glue rejects empty values).
  glue_backfill_tls_arguments = var.source_ssl_root_cert == null ? {} : {
    "--source-ssl-root-cert" = var.source_ssl_root_cert
  }
}

resource "aws_glue_job" "maintenance" {
  name                   = local.glue_maintenance_job_name
  description            = "Tributary table maintenance: compaction applying deletes, manifest rewrite, snapshot expiry, orphan cleanup"
  role_arn               = aws_iam_role.glue_maintenance.arn
  glue_version           = var.glue_version
  worker_type            = var.glue_worker_type
  number_of_workers      = var.glue_maintenance_workers
  timeout                = var.glue_job_timeout_minutes
  max_retries            = 0 # retries are decided by the state machine
  security_configuration = aws_glue_security_configuration.jobs.name
  connections            = [for c in aws_glue_connection.onprem : c.name]

  command {
    name            = "glueetl"
    script_location = "s3://${aws_s3_bucket.data["artifacts"].bucket}/${aws_s3_object.glue_launcher.key}"
  }

  execution_property {
    max_concurrent_runs = var.maintenance_max_concurrency
  }

  default_arguments = merge(local.glue_common_arguments, local.glue_maintenance_arguments)

  tags = merge(var.tags, { Name = local.glue_maintenance_job_name })
}

resource "aws_glue_job" "backfill" {
  name                   = local.glue_backfill_job_name
  description            = "Tributary backfill: parallel JDBC load of a table's history that never overwrites newer changes"
  role_arn               = aws_iam_role.glue_backfill.arn
  glue_version           = var.glue_version
  worker_type            = var.glue_worker_type
  number_of_workers      = var.glue_backfill_workers
  timeout                = var.glue_job_timeout_minutes
  max_retries            = 0 # retries are decided by the state machine
  security_configuration = aws_glue_security_configuration.jobs.name
  connections            = [for c in aws_glue_connection.onprem : c.name]

  command {
    name            = "glueetl"
    script_location = "s3://${aws_s3_bucket.data["artifacts"].bucket}/${aws_s3_object.glue_launcher.key}"
  }

  execution_property {
    max_concurrent_runs = 4
  }

  default_arguments = merge(local.glue_common_arguments, local.glue_backfill_arguments, local.glue_backfill_tls_arguments)

  tags = merge(var.tags, { Name = local.glue_backfill_job_name })
}
