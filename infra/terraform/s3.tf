# Buckets. Three hold data and are encrypted with the customer managed key; the fourth receives S3
# server access logs of the other three (S3 log delivery supports only SSE-S3 on its target bucket).

locals {
  buckets = {
    warehouse = {
      purpose    = "Iceberg data and metadata of the mirror tables"
      versioning = true
    }
    artifacts = {
      purpose    = "Deployable jars, the Glue launcher script, Glue temporary files and Spark UI logs"
      versioning = true
    }
    athena_results = {
      purpose    = "Athena query results"
      versioning = false
    }
  }
}

resource "aws_s3_bucket" "data" {
  for_each = local.buckets

  bucket        = "${local.name}-${replace(each.key, "_", "-")}-${local.account}-${local.region}"
  force_destroy = !var.deletion_protection

  tags = merge(var.tags, { Name = "${local.name}-${replace(each.key, "_", "-")}", Purpose = each.value.purpose })
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  for_each = aws_s3_bucket.data

  bucket = each.value.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.main.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "data" {
  for_each = aws_s3_bucket.data

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "data" {
  for_each = aws_s3_bucket.data

  bucket = each.value.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "data" {
  for_each = aws_s3_bucket.data

  bucket = each.value.id

  versioning_configuration {
    status = local.buckets[each.key].versioning ? "Enabled" : "Suspended"
  }
}

resource "aws_s3_bucket_logging" "data" {
  for_each = aws_s3_bucket.data

  bucket        = each.value.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "${each.key}/"

  # S3 refuses PutBucketLogging (InvalidTargetBucketForLogging) until the log bucket's policy lets
  # the log delivery write, and nothing else orders the two.
  depends_on = [aws_s3_bucket_policy.access_logs, aws_s3_bucket_ownership_controls.access_logs]
}

resource "aws_s3_bucket_policy" "data" {
  for_each = aws_s3_bucket.data

  bucket = each.value.id
  policy = data.aws_iam_policy_document.data_bucket[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.data]
}

# The data buckets' policy: TLS 1.2 or later only, and no upload encrypted other than with the lake
# key. An upload without encryption headers gets the bucket's default (SSE-KMS with aws_kms_key.main),
# so only uploads asking for another algorithm, another key, or SSE-KMS without naming a key (which
# S3 would encrypt with the AWS managed key aws/s3) are refused.
data "aws_iam_policy_document" "data_bucket" {
  for_each = aws_s3_bucket.data

  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"] # deny statement: refuse every action over plain HTTP
    resources = [
      each.value.arn,
      "${each.value.arn}/*",
    ]

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

  statement {
    sid       = "DenyOutdatedTls"
    effect    = "Deny"
    actions   = ["s3:*"] # deny statement: refuse every action below TLS 1.2
    resources = [each.value.arn, "${each.value.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }

  statement {
    sid       = "DenyOtherEncryption"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["${each.value.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Null"
      variable = "s3:x-amz-server-side-encryption"
      values   = ["false"]
    }

    condition {
      test     = "StringNotEquals"
      variable = "s3:x-amz-server-side-encryption"
      values   = ["aws:kms"]
    }
  }

  statement {
    sid       = "DenyOtherKey"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["${each.value.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Null"
      variable = "s3:x-amz-server-side-encryption-aws-kms-key-id"
      values   = ["false"]
    }

    condition {
      test     = "StringNotEquals"
      variable = "s3:x-amz-server-side-encryption-aws-kms-key-id"
      values   = [aws_kms_key.main.arn]
    }
  }

  statement {
    sid       = "DenyKmsWithoutTheKey"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["${each.value.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "s3:x-amz-server-side-encryption"
      values   = ["aws:kms"]
    }

    condition {
      test     = "Null"
      variable = "s3:x-amz-server-side-encryption-aws-kms-key-id"
      values   = ["true"]
    }
  }
}

# Lifecycle: the warehouse's current objects never expire (Iceberg decides what is live; maintenance
# removes expired snapshots' files and orphans, which then linger only as noncurrent versions).
resource "aws_s3_bucket_lifecycle_configuration" "warehouse" {
  bucket = aws_s3_bucket.data["warehouse"].id

  rule {
    id     = "expire-removed-files"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }

    expiration {
      expired_object_delete_marker = true
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.data]
}

resource "aws_s3_bucket_lifecycle_configuration" "artifacts" {
  bucket = aws_s3_bucket.data["artifacts"].id

  rule {
    id     = "expire-glue-temporary-files"
    status = "Enabled"

    filter {
      prefix = "${local.glue_temp_prefix}/"
    }

    expiration {
      days = 7
    }
  }

  rule {
    id     = "expire-old-releases"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 90
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.data]
}

resource "aws_s3_bucket_lifecycle_configuration" "athena_results" {
  bucket = aws_s3_bucket.data["athena_results"].id

  rule {
    id     = "expire-query-results"
    status = "Enabled"

    filter {}

    expiration {
      days = var.athena_results_retention_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

# ---------------------------------------------------------------------------------------------------
# Access logs
# ---------------------------------------------------------------------------------------------------

resource "aws_s3_bucket" "access_logs" {
  bucket        = "${local.name}-access-logs-${local.account}-${local.region}"
  force_destroy = !var.deletion_protection

  tags = merge(var.tags, { Name = "${local.name}-access-logs", Purpose = "S3 server access logs" })
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    apply_server_side_encryption_by_default {
      # Server access log delivery does not support SSE-KMS on the target bucket.
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket                  = aws_s3_bucket.access_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = var.access_log_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.access_logs]
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  policy = data.aws_iam_policy_document.access_logs.json

  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}

data "aws_iam_policy_document" "access_logs" {
  statement {
    sid       = "S3ServerAccessLogDelivery"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.access_logs.arn}/*"]

    principals {
      type        = "Service"
      identifiers = ["logging.s3.${local.dns}"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [for b in aws_s3_bucket.data : b.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"] # deny statement: refuse every action over plain HTTP
    resources = [aws_s3_bucket.access_logs.arn, "${aws_s3_bucket.access_logs.arn}/*"]

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

# ---------------------------------------------------------------------------------------------------
# Deployable artifacts (built by `mvn package` before `terraform apply`)
# ---------------------------------------------------------------------------------------------------

resource "aws_s3_object" "streaming_jar" {
  bucket      = aws_s3_bucket.data["artifacts"].id
  key         = "${local.artifacts_prefix}/${local.streaming_jar_name}"
  source      = local.streaming_jar_path
  source_hash = filemd5(local.streaming_jar_path)

  tags = merge(var.tags, { Name = local.streaming_jar_name })

  depends_on = [aws_s3_bucket_server_side_encryption_configuration.data, aws_s3_bucket_versioning.data]
}

resource "aws_s3_object" "glue_jar" {
  bucket      = aws_s3_bucket.data["artifacts"].id
  key         = "${local.artifacts_prefix}/${local.glue_jar_name}"
  source      = local.glue_jar_path
  source_hash = filemd5(local.glue_jar_path)

  tags = merge(var.tags, { Name = local.glue_jar_name })

  depends_on = [aws_s3_bucket_server_side_encryption_configuration.data, aws_s3_bucket_versioning.data]
}

resource "aws_s3_object" "glue_launcher" {
  bucket      = aws_s3_bucket.data["artifacts"].id
  key         = "${local.artifacts_prefix}/TributaryGlueLauncher.scala"
  source      = local.glue_launcher_path
  source_hash = filemd5(local.glue_launcher_path)

  tags = merge(var.tags, { Name = "TributaryGlueLauncher.scala" })

  depends_on = [aws_s3_bucket_server_side_encryption_configuration.data, aws_s3_bucket_versioning.data]
}
