# Control table: one item per mirror table and concern, keyed by pk/sk, for example
#   pk = TABLE#<namespace>.<table>   sk = STATE          (written by the stream after each checkpoint)
#   pk = TABLE#<namespace>.<table>   sk = LOCK           (backfill lock: owner execution, leaseSeconds)
#   pk = TABLE#<namespace>.<table>   sk = MAINT#<ts>     (maintenance report or failure)
#   pk = TABLE#<namespace>.<table>   sk = BACKFILL#<ts>  (backfill outcome)
# Every attribute is described in docs/control-plane.md.
# No transactions are used, so the same design runs against the local stand-in. Time to live is on
# attribute expiresAt (epoch seconds): DynamoDB deletes an item some time after it. MAINT#, BACKFILL#
# and left-behind LOCK items get it (var.control_history_retention_days after the time they record;
# the stream sets it on the state machines' items); STATE items never do. The maintenance state
# machine reads every Scan page, so the table's size never hides a table from it.

resource "aws_dynamodb_table" "control" {
  name                        = "${local.name}-control"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  ttl {
    attribute_name = "expiresAt"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.main.arn
  }

  tags = merge(var.tags, { Name = "${local.name}-control" })
}
