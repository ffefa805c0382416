# The database credentials. Terraform creates the secret but never its value, so the password is in
# neither a variable nor the state: set it once with
#   aws secretsmanager put-secret-value --secret-id <output source_secret_arn> \
#     --secret-string file://credentials.json        # {"username": "...", "password": "..."} (see infra/README.md)

resource "aws_secretsmanager_secret" "source" {
  name                    = "${local.name}/source-database"
  description             = "Credentials of the Tributary source database (${var.source_user}@${var.source_host}/${var.source_database}); value set outside Terraform."
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = var.deletion_protection ? 30 : 7

  tags = merge(var.tags, { Name = "${local.name}-source-database" })
}

resource "aws_secretsmanager_secret_policy" "source" {
  secret_arn = aws_secretsmanager_secret.source.arn
  policy     = data.aws_iam_policy_document.source_secret.json
}

# Only the Flink application and the backfill job read the secret; every other principal of the account is
# refused unless it is an administrator who can also change this policy.
data "aws_iam_policy_document" "source_secret" {
  statement {
    sid       = "DenyReadExceptWorkloads"
    effect    = "Deny"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"] # resource policy: "*" is this secret

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringNotLike"
      variable = "aws:PrincipalArn"
      values = [
        aws_iam_role.flink.arn,
        aws_iam_role.glue_backfill.arn,
        "arn:${local.partition}:iam::${local.account}:role/${local.name}-secret-rotation*",
      ]
    }
  }
}

resource "aws_secretsmanager_secret_rotation" "source" {
  count = var.secret_rotation_lambda_arn == null ? 0 : 1

  secret_id           = aws_secretsmanager_secret.source.id
  rotation_lambda_arn = var.secret_rotation_lambda_arn

  rotation_rules {
    automatically_after_days = var.secret_rotation_days
  }

  lifecycle {
    precondition {
      condition     = can(regex(":function:${local.name}-", var.secret_rotation_lambda_arn))
      error_message = "secret_rotation_lambda_arn must name a function called ${local.name}-...: the deploy role of infra/cfn/seed.yaml may invoke (RotateSecret invokes it as the caller) only functions with that prefix."
    }
  }
}
