variable "table_name" {
  description = "DynamoDB table of the records."
  type        = string
}

variable "export_bucket" {
  description = "S3 bucket the exports of the records are written to."
  type        = string
}

variable "access_log_bucket" {
  description = "Existing bucket that receives S3 server access logs."
  type        = string
}

variable "classification" {
  description = "Data classification tag of the table and the bucket."
  type        = string
}

variable "records" {
  description = "Approximate number of records in the table (the exports hold the same customers)."
  type        = number
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
