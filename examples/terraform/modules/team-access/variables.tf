variable "team" {
  description = "Team name: the IAM group's name."
  type        = string
}

variable "description" {
  description = "What the team does (kept on its users' tags)."
  type        = string
}

variable "members" {
  description = "Team members by user name: e-mail, and whether they get an access key for the CLI."
  type = map(object({
    email      = string
    cli_access = optional(bool, false)
  }))
}

variable "role_arns" {
  description = "Roles the team's members may assume."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
