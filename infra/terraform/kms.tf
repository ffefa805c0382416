# One customer managed key encrypts the lake's data at rest: warehouse, artifacts and Athena results
# buckets, the control table, the database secret, logs, the alarm topic and Glue's security configuration.

resource "aws_kms_key" "main" {
  description             = "Tributary ${local.name}: data at rest"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms_key.json

  tags = merge(var.tags, { Name = "${local.name}-data" })
}

resource "aws_kms_alias" "main" {
  name          = "alias/${local.name}-data"
  target_key_id = aws_kms_key.main.key_id
}

# In a key policy the resource is always "*", meaning this key; that is how key policies are written.
data "aws_iam_policy_document" "kms_key" {
  statement {
    sid       = "AccountAdministersKeyThroughIam"
    actions   = ["kms:*"] # key policy root statement: delegates to IAM policies of the account
    resources = ["*"]     # key policy: "*" is this key

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account}:root"]
    }
  }

  statement {
    sid = "CloudWatchLogsEncryptsLogGroups"
    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:DescribeKey",
    ]
    resources = ["*"] # key policy: "*" is this key

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.${local.dns}"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["${local.arn_logs}:log-group:*"]
    }
  }

  statement {
    sid       = "AlarmsAndEventsPublishToEncryptedTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"]
    resources = ["*"] # key policy: "*" is this key

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.${local.dns}", "events.${local.dns}"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}
