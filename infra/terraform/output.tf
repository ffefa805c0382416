output "warehouse_uri" {
  description = "Iceberg warehouse location (s3://bucket/prefix) of the mirror tables."
  value       = local.warehouse_uri
}

output "bucket_names" {
  description = "Names of the warehouse, artifacts, Athena results and access-log buckets."
  value       = merge({ for k, b in aws_s3_bucket.data : k => b.bucket }, { access_logs = aws_s3_bucket.access_logs.bucket })
}

output "kms_key_arn" {
  description = "ARN of the customer managed key that encrypts the data at rest."
  value       = aws_kms_key.main.arn
}

output "glue_database_name" {
  description = "Glue Data Catalog database (Iceberg namespace) of the mirror tables."
  value       = aws_glue_catalog_database.lake.name
}

output "flink_application_name" {
  description = "Name of the Managed Service for Apache Flink application."
  value       = aws_kinesisanalyticsv2_application.cdc.name
}

output "flink_application_arn" {
  description = "ARN of the Managed Service for Apache Flink application."
  value       = aws_kinesisanalyticsv2_application.cdc.arn
}

output "flink_property_groups" {
  description = "Runtime property groups given to the Flink application (no secrets: the password is referenced by secret ARN)."
  value       = local.flink_property_groups
}

output "source_secret_arn" {
  description = "ARN of the Secrets Manager secret whose value (JSON with the password) must be set before the application starts."
  value       = aws_secretsmanager_secret.source.arn
}

output "control_table_name" {
  description = "Name of the DynamoDB control table."
  value       = aws_dynamodb_table.control.name
}

output "glue_job_names" {
  description = "Names of the maintenance and backfill Glue jobs."
  value       = { maintenance = aws_glue_job.maintenance.name, backfill = aws_glue_job.backfill.name }
}

output "state_machine_arns" {
  description = "ARNs of the maintenance and backfill state machines."
  value       = { maintenance = aws_sfn_state_machine.maintenance.arn, backfill = aws_sfn_state_machine.backfill.arn }
}

output "alarm_topic_arn" {
  description = "ARN of the SNS topic that receives alarms and failure notifications."
  value       = aws_sns_topic.alarms.arn
}

output "athena_workgroup" {
  description = "Athena workgroup analysts use to query the mirror tables."
  value       = aws_athena_workgroup.analysts.name
}

output "vpc_id" {
  description = "Id of the VPC hosting the Flink application, the Glue connection and the endpoints."
  value       = aws_vpc.main.id
}

output "private_subnet_ids" {
  description = "Ids of the private subnets."
  value       = aws_subnet.private[*].id
}

output "vpn_connection_id" {
  description = "Id of the Site-to-Site VPN connection (null with Direct Connect); download its device configuration from the console."
  value       = try(aws_vpn_connection.onprem[0].id, null)
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.main.dashboard_name
}
