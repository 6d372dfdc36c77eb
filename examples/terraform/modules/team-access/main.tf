resource "aws_iam_group" "this" {
  name = var.team
}

resource "aws_iam_user" "member" {
  for_each = var.members

  name          = each.key
  force_destroy = true

  tags = merge(var.tags, {
    email = each.value.email
    team  = var.team
  })
}

resource "aws_iam_user_login_profile" "member" {
  for_each = var.members

  user                    = aws_iam_user.member[each.key].name
  password_reset_required = true

  lifecycle {
    ignore_changes = [password_length, password_reset_required, pgp_key]
  }
}

resource "aws_iam_access_key" "cli" {
  for_each = { for name, member in var.members : name => member if member.cli_access }

  user = aws_iam_user.member[each.key].name
}

resource "aws_iam_group_membership" "this" {
  name  = "${var.team}-members"
  group = aws_iam_group.this.name
  users = [for user in aws_iam_user.member : user.name]
}

resource "aws_iam_group_policy" "assume_team_roles" {
  count = length(var.role_arns) > 0 ? 1 : 0

  name  = "assume-team-roles"
  group = aws_iam_group.this.name

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "AssumeTeamRoles"
      Effect   = "Allow"
      Action   = ["sts:AssumeRole", "sts:TagSession"]
      Resource = var.role_arns
    }]
  })
}
