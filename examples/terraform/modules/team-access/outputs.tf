output "group_name" {
  value = aws_iam_group.this.name
}

output "user_names" {
  value = [for user in aws_iam_user.member : user.name]
}

output "access_key_ids" {
  description = "Access key ids by user (the secrets are handed over out of band)."
  value       = { for name, key in aws_iam_access_key.cli : name => key.id }
}
