variable "region" {
  description = "Region of the production workloads."
  type        = string
  default     = "eu-west-1"
}

variable "account_id" {
  description = "The production account. The provider refuses to run against any other."
  type        = string
}

variable "environment" {
  description = "Environment name, used in resource names and tags."
  type        = string
  default     = "prod"
}

variable "teams" {
  description = <<-EOT
    Engineering teams with AWS access. Each team is an IAM group; its members get an IAM user with a console
    password (and an access key with `cli_access`), and the group may assume the team's roles.
  EOT
  type = map(object({
    description = string
    roles       = optional(list(string), [])
    members = map(object({
      email      = string
      cli_access = optional(bool, false)
    }))
  }))
}

variable "customer_records" {
  description = "Approximate number of customer accounts, recorded on the customer data stores for reviews."
  type        = number
  default     = 0
}
