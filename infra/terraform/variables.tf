# ---------------------------------------------------------------------------------------------------
# Deployment identity
# ---------------------------------------------------------------------------------------------------

variable "region" {
  type        = string
  description = "AWS region to deploy into (for example eu-west-1)."

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must look like eu-west-1 or us-gov-west-1."
  }
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name; together with environment it forms names like tributary-prod-warehouse."
  default     = "tributary"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-20 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  type        = string
  description = "Deployment stage, part of every name (dev, staging or prod)."
  default     = "dev"

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every taggable resource (merged with Project and Environment)."
  default     = {}
}

variable "permissions_boundary_arn" {
  type        = string
  description = "ARN of an IAM managed policy set as permissions boundary on every role this configuration creates; null for none."
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:[a-z-]+:iam::[0-9]{12}:policy/.+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN (arn:<partition>:iam::<account>:policy/<name>) or null."
  }
}

variable "release_version" {
  type        = string
  description = "Version of the Tributary jars to deploy (the Maven project version; the build packages and uploads them)."
  default     = "0.1.0-SNAPSHOT"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+(-[A-Za-z0-9.]+)?$", var.release_version))
    error_message = "release_version must be a Maven version such as 0.1.0 or 0.1.0-SNAPSHOT."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Protect stateful resources (control table) from deletion and keep non-empty buckets on destroy. Turn off only to tear down."
  default     = true
}

# ---------------------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------------------

variable "vpc_cidr" {
  type        = string
  description = "CIDR block of the VPC that hosts the Flink application, the Glue connection and the VPC endpoints."
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr))
    error_message = "vpc_cidr must be an IPv4 CIDR block."
  }
}

variable "private_subnet_cidrs" {
  type        = list(string)
  description = "CIDR blocks of the private subnets, one per availability zone (at least two)."
  default     = ["10.40.0.0/20", "10.40.16.0/20"]

  validation {
    condition     = length(var.private_subnet_cidrs) >= 2 && alltrue([for c in var.private_subnet_cidrs : can(cidrnetmask(c))])
    error_message = "private_subnet_cidrs must list at least two IPv4 CIDR blocks."
  }
}

variable "onprem_cidrs" {
  type        = list(string)
  description = "CIDR blocks of the on-premises network that holds the source database."

  validation {
    condition     = length(var.onprem_cidrs) > 0 && alltrue([for c in var.onprem_cidrs : can(cidrnetmask(c)) && c != "0.0.0.0/0"])
    error_message = "onprem_cidrs must list IPv4 CIDR blocks, and 0.0.0.0/0 is not an on-premises network."
  }
}

variable "onprem_dns_domains" {
  type        = list(string)
  description = "On-premises DNS domains (for example corp.example.com) whose names are resolved by forwarding to onprem_dns_servers through a Route 53 Resolver outbound endpoint; empty: no endpoint, source_host must resolve without it (or be an IP address)."
  default     = []

  validation {
    condition     = alltrue([for d in var.onprem_dns_domains : can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", d))])
    error_message = "onprem_dns_domains must list DNS domain names in lower case, without a trailing dot."
  }
}

variable "onprem_dns_servers" {
  type        = list(string)
  description = "IPv4 addresses of the on-premises DNS servers (inside onprem_cidrs, reached through the VPN or Direct Connect); required when onprem_dns_domains is set."
  default     = []

  validation {
    condition     = length(var.onprem_dns_servers) <= 6 && alltrue([for ip in var.onprem_dns_servers : can(cidrhost("${ip}/32", 0))])
    error_message = "onprem_dns_servers must list at most 6 IPv4 addresses."
  }
}

variable "onprem_connectivity" {
  type        = string
  description = "How the VPC reaches the on-premises network: vpn (Site-to-Site VPN created here) or direct_connect (associate the virtual private gateway with an existing Direct Connect gateway)."
  default     = "vpn"

  validation {
    condition     = contains(["vpn", "direct_connect"], var.onprem_connectivity)
    error_message = "onprem_connectivity must be vpn or direct_connect."
  }
}

variable "customer_gateway_ip" {
  type        = string
  description = "Public IPv4 address of the on-premises VPN device (used when onprem_connectivity = vpn)."
  default     = null

  validation {
    condition     = var.customer_gateway_ip == null || can(regex("^([0-9]{1,3}\\.){3}[0-9]{1,3}$", var.customer_gateway_ip))
    error_message = "customer_gateway_ip must be an IPv4 address or null."
  }
}

variable "customer_gateway_bgp_asn" {
  type        = number
  description = "BGP ASN of the on-premises VPN device (used when onprem_connectivity = vpn)."
  default     = 65000

  validation {
    condition     = var.customer_gateway_bgp_asn >= 1 && var.customer_gateway_bgp_asn <= 4294967294
    error_message = "customer_gateway_bgp_asn must be a valid BGP ASN."
  }
}

variable "direct_connect_gateway_id" {
  type        = string
  description = "Id of an existing Direct Connect gateway (used when onprem_connectivity = direct_connect)."
  default     = null
}

variable "flow_log_retention_days" {
  type        = number
  description = "Retention of VPC flow logs in CloudWatch Logs, in days."
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be a retention period CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

# ---------------------------------------------------------------------------------------------------
# Source database
# ---------------------------------------------------------------------------------------------------

variable "source_host" {
  type        = string
  description = "Host name or IP address of the on-premises PostgreSQL server, as resolved from the VPC."
}

variable "source_port" {
  type        = number
  description = "TCP port of the source database."
  default     = 5432

  validation {
    condition     = var.source_port > 0 && var.source_port < 65536
    error_message = "source_port must be between 1 and 65535."
  }
}

variable "source_database" {
  type        = string
  description = "Name of the source database to capture."
}

variable "source_user" {
  type        = string
  description = "Database user with the REPLICATION attribute and SELECT on the captured tables (its password lives in Secrets Manager, never here)."
}

variable "source_password_secret_key" {
  type        = string
  description = "Key inside the JSON secret that holds the password."
  default     = "password"
}

variable "source_ssl_root_cert" {
  type        = string
  description = "Certificate authority (PEM) that signed the database server's certificate, needed by ssl-mode verify-ca and verify-full: an S3 object (s3://bucket/key) or a Secrets Manager secret (secretsmanager:<full secret ARN>) holding the PEM text. The Flink application and the backfill fetch it at start; their roles get read access to exactly this object or secret. Null: the driver looks for ~/.postgresql/root.crt, which the services do not have."
  default     = null

  validation {
    condition     = var.source_ssl_root_cert == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$", var.source_ssl_root_cert)) || can(regex("^secretsmanager:arn:[a-z-]+:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.source_ssl_root_cert))
    error_message = "source_ssl_root_cert must be s3://bucket/key or secretsmanager:<full secret ARN> (a full ARN, so that the roles can be granted exactly that secret)."
  }
}

variable "source_ssl_mode" {
  type        = string
  description = "TLS mode of the source connection."
  default     = "verify-full"

  validation {
    condition     = contains(["disable", "prefer", "require", "verify-ca", "verify-full"], var.source_ssl_mode)
    error_message = "source_ssl_mode must be one of disable, prefer, require, verify-ca, verify-full."
  }
}

variable "replication_slot_name" {
  type        = string
  description = "Logical replication slot the job reads from (one per job)."
  default     = "tributary"

  validation {
    condition     = can(regex("^[a-z0-9_]{1,63}$", var.replication_slot_name))
    error_message = "replication_slot_name may contain only lower-case letters, digits and underscores (at most 63)."
  }
}

variable "publication_name" {
  type        = string
  description = "PostgreSQL publication that lists the captured tables."
  default     = "tributary"
}

variable "heartbeat_interval" {
  type        = string
  description = "Interval of source heartbeats that let the slot advance on quiet databases (a duration such as 30s)."
  default     = "30s"

  validation {
    condition     = can(regex("^[0-9]+(ms|s|min|h)$", var.heartbeat_interval))
    error_message = "heartbeat_interval must be a duration such as 500ms, 30s, 5min or 1h."
  }
}

variable "snapshot_chunk_size" {
  type        = number
  description = "Rows per snapshot split of the initial snapshot."
  default     = 8096

  validation {
    condition     = var.snapshot_chunk_size > 0
    error_message = "snapshot_chunk_size must be positive."
  }
}

variable "snapshot_fetch_size" {
  type        = number
  description = "JDBC fetch size while reading a snapshot split."
  default     = 1024

  validation {
    condition     = var.snapshot_fetch_size > 0
    error_message = "snapshot_fetch_size must be positive."
  }
}

variable "tables_include" {
  type        = string
  description = "Comma-separated patterns of the tables to capture, such as sales.*,public.orders."

  validation {
    condition     = length(trimspace(var.tables_include)) > 0
    error_message = "tables_include must name at least one table pattern."
  }
}

variable "tables_exclude" {
  type        = string
  description = "Comma-separated patterns of tables to leave out; empty for none."
  default     = ""
}

variable "table_options" {
  type = map(object({
    partition_spec = optional(list(string))
    key_columns    = optional(list(string))
    changelog      = optional(bool)
    mode           = optional(string)
    truncate       = optional(string)
  }))
  description = "Per-table options keyed by schema.table: Iceberg partition transforms (such as [\"day(created_at)\", \"bucket(16, id)\"]), key columns for tables without a primary key, whether to keep a __changes table, mode (mirror or append-only) and what a TRUNCATE does (apply or ignore)."
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.table_options) : can(regex("^[A-Za-z0-9_$]+\\.[A-Za-z0-9_$]+$", k))])
    error_message = "table_options keys must be schema.table."
  }

  validation {
    condition     = alltrue([for o in values(var.table_options) : o.mode == null || contains(["mirror", "append-only"], coalesce(o.mode, "mirror"))])
    error_message = "table_options mode must be mirror or append-only."
  }

  validation {
    condition     = alltrue([for o in values(var.table_options) : o.truncate == null || contains(["apply", "ignore"], coalesce(o.truncate, "apply"))])
    error_message = "table_options truncate must be apply or ignore."
  }
}

variable "truncate_mode" {
  type        = string
  description = "What a TRUNCATE at the source does to the mirror tables without a truncate option of their own: apply (empty the mirror at that point of the change order) or ignore (log and count it)."
  default     = "apply"

  validation {
    condition     = contains(["apply", "ignore"], var.truncate_mode)
    error_message = "truncate_mode must be apply or ignore."
  }
}

variable "new_table_check_interval" {
  type        = string
  description = "How often the running job looks for new source tables that match the table patterns (they are captured at the next restart), as a duration such as 5m."
  default     = "5m"

  validation {
    condition     = can(regex("^[0-9]+(ms|s|m|h)$", var.new_table_check_interval))
    error_message = "new_table_check_interval must be a duration such as 30s, 5m or 1h."
  }
}

# ---------------------------------------------------------------------------------------------------
# Lake
# ---------------------------------------------------------------------------------------------------

variable "glue_database_name" {
  type        = string
  description = "Glue Data Catalog database (Iceberg namespace) of the mirror tables; defaults to <name_prefix>_<environment>."
  default     = null

  validation {
    condition     = var.glue_database_name == null || can(regex("^[a-z0-9_]{1,255}$", var.glue_database_name))
    error_message = "glue_database_name may contain only lower-case letters, digits and underscores."
  }
}

variable "glue_catalog_id" {
  type        = string
  description = "Account id of the Glue Data Catalog; null for this account."
  default     = null

  validation {
    condition     = var.glue_catalog_id == null || can(regex("^[0-9]{12}$", var.glue_catalog_id))
    error_message = "glue_catalog_id must be a 12-digit account id or null."
  }
}

variable "warehouse_prefix" {
  type        = string
  description = "Key prefix of the Iceberg warehouse inside the warehouse bucket."
  default     = "warehouse"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*/?$", var.warehouse_prefix))
    error_message = "warehouse_prefix must be a plain S3 key prefix such as warehouse or lake/prod."
  }
}

variable "noncurrent_version_retention_days" {
  type        = number
  description = "Days a deleted or overwritten warehouse object (removed by snapshot expiry or orphan cleanup) stays recoverable as a noncurrent version."
  default     = 30

  validation {
    condition     = var.noncurrent_version_retention_days >= 1
    error_message = "noncurrent_version_retention_days must be at least 1."
  }
}

variable "athena_results_retention_days" {
  type        = number
  description = "Days Athena query results are kept."
  default     = 30

  validation {
    condition     = var.athena_results_retention_days >= 1
    error_message = "athena_results_retention_days must be at least 1."
  }
}

variable "access_log_retention_days" {
  type        = number
  description = "Days S3 server access logs are kept."
  default     = 365

  validation {
    condition     = var.access_log_retention_days >= 1
    error_message = "access_log_retention_days must be at least 1."
  }
}

variable "athena_bytes_scanned_cutoff" {
  type        = number
  description = "Per-query limit of bytes scanned enforced by the Athena workgroup."
  default     = 107374182400

  validation {
    condition     = var.athena_bytes_scanned_cutoff >= 10485760
    error_message = "athena_bytes_scanned_cutoff must be at least 10 MB (Athena's minimum)."
  }
}

# ---------------------------------------------------------------------------------------------------
# Managed Service for Apache Flink
# ---------------------------------------------------------------------------------------------------

variable "flink_parallelism" {
  type        = number
  description = "Parallelism of the Flink application (ParallelismConfiguration.Parallelism): the source and the writers run at it, and with flink_autoscaling_enabled it is the floor the service scales down to. The job sets no parallelism of its own there (code would override the service's); the committer and the other single operators always run once. KPUs = ceil(parallelism / flink_parallelism_per_kpu)."
  default     = 2

  validation {
    condition     = var.flink_parallelism >= 1 && var.flink_parallelism <= 256 && floor(var.flink_parallelism) == var.flink_parallelism
    error_message = "flink_parallelism must be a whole number from 1 to 256 (the service's default maximum)."
  }
}

variable "flink_parallelism_per_kpu" {
  type        = number
  description = "Parallel tasks per KPU (ParallelismConfiguration.ParallelismPerKPU, 1 to 8). Above 1 suits this job's I/O-bound writers (waiting on S3 and the catalog) at lower cost per task."
  default     = 1

  validation {
    condition     = var.flink_parallelism_per_kpu >= 1 && var.flink_parallelism_per_kpu <= 8 && floor(var.flink_parallelism_per_kpu) == var.flink_parallelism_per_kpu
    error_message = "flink_parallelism_per_kpu must be a whole number from 1 to 8."
  }
}

variable "flink_autoscaling_enabled" {
  type        = bool
  description = "Let Managed Flink scale the application's parallelism with CPU use (doubling it after 15 minutes at 75% or more, halving it after 6 hours under 10%, never below flink_parallelism). Each scaling restarts the job from a snapshot; the writers' key groups (128 while the first parallelism is at most 85) bound how far they can scale."
  default     = false
}

variable "flink_checkpoint_interval_ms" {
  type        = number
  description = "Checkpoint interval in milliseconds; one Iceberg commit per table per checkpoint."
  default     = 60000

  validation {
    condition     = var.flink_checkpoint_interval_ms >= 10000
    error_message = "flink_checkpoint_interval_ms must be at least 10000 (shorter intervals make too many small files)."
  }
}

variable "flink_min_pause_between_checkpoints_ms" {
  type        = number
  description = "Minimum pause between checkpoints in milliseconds."
  default     = 10000

  validation {
    condition     = var.flink_min_pause_between_checkpoints_ms >= 0
    error_message = "flink_min_pause_between_checkpoints_ms must not be negative."
  }
}

variable "flink_log_level" {
  type        = string
  description = "Log level of the Flink application in CloudWatch Logs."
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARN", "ERROR"], var.flink_log_level)
    error_message = "flink_log_level must be DEBUG, INFO, WARN or ERROR."
  }
}

variable "flink_metrics_level" {
  type        = string
  description = "Granularity of Managed Flink metrics in CloudWatch (APPLICATION, TASK, OPERATOR or PARALLELISM). The alarms and the dashboard read the application-level series (dimensions Application, and table for per-table metrics), which the service publishes at every level; TASK and finer add series per task, operator or subtask (cost, for troubleshooting only)."
  default     = "APPLICATION"

  validation {
    condition     = contains(["APPLICATION", "TASK", "OPERATOR", "PARALLELISM"], var.flink_metrics_level)
    error_message = "flink_metrics_level must be APPLICATION, TASK, OPERATOR or PARALLELISM."
  }
}

variable "flink_start_application" {
  type        = bool
  description = "Start the Flink application after deployment (leave false for the first apply, until the database secret is set). While false, the downtime alarm notifies nobody (its actions are disabled)."
  default     = false
}

variable "log_retention_days" {
  type        = number
  description = "Retention of application, Glue and Step Functions logs in CloudWatch Logs, in days."
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

# ---------------------------------------------------------------------------------------------------
# Glue jobs
# ---------------------------------------------------------------------------------------------------

variable "glue_version" {
  type        = string
  description = "AWS Glue version of the maintenance and backfill jobs. The jobs are built and tested against exactly the Spark and Iceberg of the supported versions (table in docs/maintenance.md, compared with glue-compat/pom.xml by infra/checks): 5.1 = Spark 3.5.6, Iceberg 1.10.0, Java 17."
  default     = "5.1"

  validation {
    condition     = contains(["5.1"], var.glue_version)
    error_message = "glue_version must be 5.1: the Glue jobs are built against its Spark 3.5.6 and Iceberg 1.10.0; Glue 5.0 ships Iceberg 1.7.1, which cannot run them (see the Glue versions table in docs/maintenance.md)."
  }
}

variable "glue_worker_type" {
  type        = string
  description = "Glue worker type of the maintenance and backfill jobs."
  default     = "G.1X"

  validation {
    condition     = contains(["G.1X", "G.2X", "G.4X", "G.8X"], var.glue_worker_type)
    error_message = "glue_worker_type must be G.1X, G.2X, G.4X or G.8X."
  }
}

variable "glue_maintenance_workers" {
  type        = number
  description = "Number of Glue workers of one maintenance run."
  default     = 2

  validation {
    condition     = var.glue_maintenance_workers >= 2
    error_message = "glue_maintenance_workers must be at least 2 (Glue's minimum for Spark jobs)."
  }
}

variable "glue_backfill_workers" {
  type        = number
  description = "Number of Glue workers of one backfill run."
  default     = 4

  validation {
    condition     = var.glue_backfill_workers >= 2
    error_message = "glue_backfill_workers must be at least 2 (Glue's minimum for Spark jobs)."
  }
}

variable "glue_job_timeout_minutes" {
  type        = number
  description = "Timeout of one Glue job run, in minutes."
  default     = 240

  validation {
    condition     = var.glue_job_timeout_minutes >= 10 && var.glue_job_timeout_minutes <= 2880
    error_message = "glue_job_timeout_minutes must be between 10 and 2880."
  }
}

variable "maintenance_target_file_size_bytes" {
  type        = number
  description = "Target data file size of compaction."
  default     = 536870912

  validation {
    condition     = var.maintenance_target_file_size_bytes >= 1048576
    error_message = "maintenance_target_file_size_bytes must be at least 1 MiB."
  }
}

variable "maintenance_snapshot_retention_hours" {
  type        = number
  description = "Snapshots older than this many hours are expired (the last snapshot the stream committed is always kept)."
  default     = 72

  validation {
    condition     = var.maintenance_snapshot_retention_hours >= 1
    error_message = "maintenance_snapshot_retention_hours must be at least 1."
  }
}

variable "maintenance_snapshot_retention_min_count" {
  type        = number
  description = "Snapshots always kept regardless of age."
  default     = 10

  validation {
    condition     = var.maintenance_snapshot_retention_min_count >= 1
    error_message = "maintenance_snapshot_retention_min_count must be at least 1."
  }
}

variable "maintenance_orphan_min_age_hours" {
  type        = number
  description = "Only files older than this many hours are removed as orphans (must exceed the longest write, so in-flight files are never deleted)."
  default     = 72

  validation {
    condition     = var.maintenance_orphan_min_age_hours >= 24
    error_message = "maintenance_orphan_min_age_hours must be at least 24; shorter ages risk deleting files of commits in progress."
  }
}

variable "backfill_parallelism" {
  type        = number
  description = "Parallel JDBC key-range reads of a backfill."
  default     = 8

  validation {
    condition     = var.backfill_parallelism >= 1
    error_message = "backfill_parallelism must be at least 1."
  }
}

variable "backfill_fetch_size" {
  type        = number
  description = "JDBC fetch size of backfill reads."
  default     = 10000

  validation {
    condition     = var.backfill_fetch_size >= 1
    error_message = "backfill_fetch_size must be at least 1."
  }
}

# ---------------------------------------------------------------------------------------------------
# Orchestration
# ---------------------------------------------------------------------------------------------------

variable "maintenance_schedule" {
  type        = string
  description = "EventBridge Scheduler expression that starts table maintenance, such as cron(0 3 * * ? *) or rate(6 hours)."
  default     = "cron(0 */6 * * ? *)"

  validation {
    condition     = can(regex("^(cron|rate)\\(.+\\)$", var.maintenance_schedule))
    error_message = "maintenance_schedule must be a cron(...) or rate(...) expression."
  }
}

variable "maintenance_schedule_timezone" {
  type        = string
  description = "IANA time zone of maintenance_schedule."
  default     = "UTC"
}

variable "maintenance_max_concurrency" {
  type        = number
  description = "How many tables are maintained at the same time."
  default     = 4

  validation {
    condition     = var.maintenance_max_concurrency >= 1 && var.maintenance_max_concurrency <= 40
    error_message = "maintenance_max_concurrency must be between 1 and 40."
  }
}

variable "maintenance_min_data_files" {
  type        = number
  description = "A table is maintained once this many data files were added since its last maintenance."
  default     = 100

  validation {
    condition     = var.maintenance_min_data_files >= 1
    error_message = "maintenance_min_data_files must be at least 1."
  }
}

variable "maintenance_min_delete_files" {
  type        = number
  description = "A table is maintained once this many delete files were added since its last maintenance."
  default     = 20

  validation {
    condition     = var.maintenance_min_delete_files >= 1
    error_message = "maintenance_min_delete_files must be at least 1."
  }
}

variable "backfill_lock_lease_seconds" {
  type        = number
  description = "Lease of the per-table backfill lock in DynamoDB; a lock older than this may be taken over."
  default     = 43200

  validation {
    condition     = var.backfill_lock_lease_seconds >= 600
    error_message = "backfill_lock_lease_seconds must be at least 600."
  }
}

variable "control_history_retention_days" {
  type        = number
  description = "Days the control table keeps its history (maintenance and backfill records, and a lock left behind, counted from the end of its lease) before DynamoDB's time to live deletes it (attribute expiresAt). Table states never expire. Given to the Flink application (control.history-retention) and the Glue jobs (--control-history-retention)."
  default     = 90

  validation {
    condition     = var.control_history_retention_days >= 1 && var.control_history_retention_days <= 3650 && floor(var.control_history_retention_days) == var.control_history_retention_days
    error_message = "control_history_retention_days must be a whole number of days from 1 to 3650."
  }
}

# ---------------------------------------------------------------------------------------------------
# Monitoring
# ---------------------------------------------------------------------------------------------------

variable "alarm_email_addresses" {
  type        = list(string)
  description = "E-mail addresses subscribed to the alarm topic (each must confirm the subscription)."
  default     = []

  validation {
    condition     = alltrue([for a in var.alarm_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", a))])
    error_message = "alarm_email_addresses must be e-mail addresses."
  }
}

variable "default_freshness_target_seconds" {
  type        = number
  description = "Freshness target of the captured tables without one of their own (passed to the job as tables.freshness-target): alarm when a table's lag behind its source exceeds it (see docs/metrics.md)."
  default     = 900

  validation {
    condition     = var.default_freshness_target_seconds >= 60
    error_message = "default_freshness_target_seconds must be at least 60."
  }
}

variable "table_freshness_targets" {
  type        = map(number)
  description = "Freshness targets in seconds of single tables, keyed by source table schema.table (the table dimension of the job's metrics); passed to the job as table.<schema>.<table> freshness-target, and each gets its own lag alarm."
  default     = {}

  validation {
    condition     = alltrue([for v in values(var.table_freshness_targets) : v >= 60])
    error_message = "Every freshness target must be at least 60 seconds."
  }

  validation {
    condition     = alltrue([for k in keys(var.table_freshness_targets) : can(regex("^[A-Za-z0-9_$]+\\.[A-Za-z0-9_$]+$", k))])
    error_message = "table_freshness_targets keys must be schema.table, as the source names the table."
  }
}

variable "slot_lag_alarm_bytes" {
  type        = number
  description = "Alarm when the replication slot holds back more WAL than this many bytes."
  default     = 10737418240

  validation {
    condition     = var.slot_lag_alarm_bytes > 0
    error_message = "slot_lag_alarm_bytes must be positive."
  }
}

variable "checkpoint_duration_alarm_ms" {
  type        = number
  description = "Alarm when the last checkpoint took longer than this many milliseconds."
  default     = 120000

  validation {
    condition     = var.checkpoint_duration_alarm_ms > 0
    error_message = "checkpoint_duration_alarm_ms must be positive."
  }
}

# ---------------------------------------------------------------------------------------------------
# Secrets
# ---------------------------------------------------------------------------------------------------

variable "secret_rotation_lambda_arn" {
  type        = string
  description = "ARN of a Secrets Manager rotation function for the database secret; null to rotate by hand (see infra/README.md)."
  default     = null

  validation {
    condition     = var.secret_rotation_lambda_arn == null || can(regex("^arn:[a-z-]+:lambda:", var.secret_rotation_lambda_arn))
    error_message = "secret_rotation_lambda_arn must be a Lambda function ARN or null."
  }
}

variable "secret_rotation_days" {
  type        = number
  description = "Days between automatic rotations of the database secret (when a rotation function is set)."
  default     = 30

  validation {
    condition     = var.secret_rotation_days >= 1 && var.secret_rotation_days <= 365
    error_message = "secret_rotation_days must be between 1 and 365."
  }
}
