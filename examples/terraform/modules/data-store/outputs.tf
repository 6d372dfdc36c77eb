output "table_name" {
  value = aws_dynamodb_table.this.name
}

output "table_arn" {
  value = aws_dynamodb_table.this.arn
}

output "export_bucket_arn" {
  value = aws_s3_bucket.exports.arn
}

output "kms_key_arn" {
  value = aws_kms_key.this.arn
}
