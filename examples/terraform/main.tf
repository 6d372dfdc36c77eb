locals {
  name = "kestrelpay-${var.environment}"

  tags = {
    environment   = var.environment
    "cost-center" = "platform"
  }

  # The roles a team may assume, by the names used in var.teams.
  team_roles = {
    "auth-operator"      = aws_iam_role.auth_operator.arn
    "customer-analytics" = aws_iam_role.customer_analytics.arn
  }
}

# Customer accounts (profile, contact details, KYC status) and the statement exports sent to them.
module "customer_data" {
  source = "./modules/data-store"

  table_name        = "customer-accounts"
  export_bucket     = "${local.name}-customer-exports"
  access_log_bucket = "${local.name}-s3-access-logs"
  classification    = "customer"
  records           = var.customer_records
  tags              = local.tags
}

module "team_access" {
  source   = "./modules/team-access"
  for_each = var.teams

  team        = each.key
  description = each.value.description
  members     = each.value.members
  role_arns   = [for role in each.value.roles : local.team_roles[role]]
  tags        = local.tags
}

# --- Customer analytics: the data team's read access to customer data -------------------------------------------

data "aws_iam_policy_document" "assume_with_mfa" {
  statement {
    sid     = "AccountUsersWithMFA"
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.account_id}:root"]
    }

    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["true"]
    }
  }
}

resource "aws_iam_role" "customer_analytics" {
  name                 = "customer-analytics"
  description          = "Read-only access to customer data for reporting"
  assume_role_policy   = data.aws_iam_policy_document.assume_with_mfa.json
  max_session_duration = 14400
  tags                 = local.tags
}

resource "aws_iam_role_policy" "customer_analytics" {
  name = "read-customer-data"
  role = aws_iam_role.customer_analytics.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadCustomerAccounts"
        Effect   = "Allow"
        Action   = ["dynamodb:DescribeTable", "dynamodb:Scan", "dynamodb:Query", "dynamodb:GetItem"]
        Resource = [module.customer_data.table_arn, "${module.customer_data.table_arn}/index/*"]
      },
      {
        Sid      = "ReadExports"
        Effect   = "Allow"
        Action   = ["s3:ListBucket", "s3:GetObject"]
        Resource = [module.customer_data.export_bucket_arn, "${module.customer_data.export_bucket_arn}/*"]
      },
      {
        Sid      = "DecryptCustomerData"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:DescribeKey"]
        Resource = module.customer_data.kms_key_arn
      },
    ]
  })
}
