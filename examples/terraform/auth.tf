# --- Session tokens ------------------------------------------------------------------------------------------------
# The auth service signs customer session JWTs (ES256) with this key. Whoever can call kms:Sign on it can mint a
# session for any customer.

resource "aws_kms_key" "token_signing" {
  description              = "Signs customer session tokens (JWT, ES256)"
  key_usage                = "SIGN_VERIFY"
  customer_master_key_spec = "ECC_NIST_P256"
  deletion_window_in_days  = 30
  policy                   = data.aws_iam_policy_document.token_signing.json
  tags                     = local.tags
}

resource "aws_kms_alias" "token_signing" {
  name          = "alias/auth-token-signing"
  target_key_id = aws_kms_key.token_signing.key_id
}

data "aws_iam_policy_document" "token_signing" {
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.account_id}:root"]
    }
  }

  statement {
    sid       = "TokenIssuerSigns"
    actions   = ["kms:Sign", "kms:GetPublicKey"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.token_issuer.arn]
    }
  }

  # Operators sign test tokens when debugging login incidents.
  statement {
    sid       = "AuthOperatorsSign"
    actions   = ["kms:Sign", "kms:Verify", "kms:GetPublicKey", "kms:DescribeKey"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.auth_operator.arn]
    }
  }
}

# --- The auth service (ECS task role) ------------------------------------------------------------------------------

resource "aws_iam_role" "token_issuer" {
  name        = "auth-token-issuer"
  description = "Task role of the auth service: signs session tokens, looks up customer accounts"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = local.tags
}

data "aws_iam_policy_document" "token_issuer" {
  statement {
    sid       = "SignSessionTokens"
    actions   = ["kms:Sign", "kms:GetPublicKey"]
    resources = [aws_kms_key.token_signing.arn]
  }

  statement {
    sid       = "LookUpCustomers"
    actions   = ["dynamodb:GetItem", "dynamodb:Query"]
    resources = [module.customer_data.table_arn, "${module.customer_data.table_arn}/index/*"]
  }

  statement {
    sid       = "DecryptCustomerData"
    actions   = ["kms:Decrypt"]
    resources = [module.customer_data.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "token_issuer" {
  name   = "auth-service"
  role   = aws_iam_role.token_issuer.id
  policy = data.aws_iam_policy_document.token_issuer.json
}

# --- Auth operators (the auth team's on-call role) -----------------------------------------------------------------

resource "aws_iam_role" "auth_operator" {
  name                 = "auth-operator"
  description          = "Auth team on-call: inspect customer accounts, sign test tokens"
  assume_role_policy   = data.aws_iam_policy_document.assume_with_mfa.json
  max_session_duration = 3600
  tags                 = local.tags
}

resource "aws_iam_policy" "auth_operator" {
  name        = "auth-operator"
  description = "Read customer accounts and use the token-signing key"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "InspectCustomerAccounts"
        Effect   = "Allow"
        Action   = ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Query"]
        Resource = [module.customer_data.table_arn, "${module.customer_data.table_arn}/index/*"]
      },
      {
        Sid      = "DecryptCustomerData"
        Effect   = "Allow"
        Action   = "kms:Decrypt"
        Resource = module.customer_data.kms_key_arn
      },
      {
        Sid      = "SignTestTokens"
        Effect   = "Allow"
        Action   = ["kms:Sign", "kms:Verify", "kms:GetPublicKey", "kms:DescribeKey"]
        Resource = aws_kms_key.token_signing.arn
      },
    ]
  })

  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "auth_operator" {
  role       = aws_iam_role.auth_operator.name
  policy_arn = aws_iam_policy.auth_operator.arn
}
