output "team_groups" {
  description = "IAM group of each team."
  value       = { for team, access in module.team_access : team => access.group_name }
}

output "customer_table_arn" {
  value = module.customer_data.table_arn
}

output "token_signing_key_arn" {
  description = "For the auth service's configuration (JWT_SIGNING_KEY_ARN)."
  value       = aws_kms_key.token_signing.arn
}

output "token_signing_alias" {
  value = aws_kms_alias.token_signing.name
}
