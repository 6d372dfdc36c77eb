"""Terraform HCL (`*.tf`, `*.tf.json`, `*.tfvars`): what a configuration decides is evaluated, what it leaves open
fails closed, local modules are instantiated, and every record points at its block."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from policylint.inventory import load_paths
from policylint.model import Grant
from policylint.sources import claimants

from helpers import git, run_cli, write

CUSTOMERS = '''
resource "aws_dynamodb_table" "customers" {
  name         = "${local.prefix}-customers"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }

  tags = {
    "data-classification" = "customer"
  }
}
'''


def _grants(folder: Path) -> dict[str, list[Grant]]:
    loaded = load_paths([str(folder)], link=True)
    assert [str(e) for e in loaded.errors] == []
    found: dict[str, list[Grant]] = {}
    for node in loaded.inventory.nodes():
        for grant in getattr(node, "grants", ()):
            found.setdefault(node.id, []).append(grant)
    for grant in loaded.inventory.grants:
        found.setdefault(grant.to or "", []).append(grant)
    return found


def _reach(folder: Path, *extra: str) -> str:
    result = run_cli("reach", str(folder), "--as-of", "2026-12-01", *extra)
    assert result.code in (0, 1), result.out + result.err
    return result.out


def _check(folder: Path, *extra: str) -> tuple[int, list[dict[str, object]], str]:
    result = run_cli("check", str(folder), "--format", "json", "--as-of", "2026-12-01", *extra)
    assert "Traceback" not in result.err, result.err
    document = json.loads(result.out)
    return result.code, document["findings"], result.out


@pytest.fixture(autouse=True)
def _run_from_the_checked_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run's root is the checked folder (as when run from it): a root module there is in the template's
    unknown account (`cfn`), one in a folder below it is named by that folder."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def org(tmp_path: Path) -> Path:
    write(tmp_path, "main.tf", '''
locals {
  prefix = "acme"
}
''' + CUSTOMERS + '''
data "aws_iam_policy_document" "read" {
  statement {
    sid       = "ReadCustomers"
    actions   = ["dynamodb:GetItem", "dynamodb:Query"]
    resources = [aws_dynamodb_table.customers.arn, "${aws_dynamodb_table.customers.arn}/index/*"]
  }
}

resource "aws_iam_policy" "read" {
  name   = "${local.prefix}-read-customers"
  policy = data.aws_iam_policy_document.read.json
}
''')
    write(tmp_path, "teams.tf", '''
variable "teams" {
  type = map(list(string))
  default = {
    analytics = ["dana"]
    platform  = ["eve"]
  }
}

resource "aws_iam_group" "team" {
  for_each = var.teams
  name     = "${local.prefix}-${each.key}"
}

resource "aws_iam_group_policy_attachment" "analytics_read" {
  group      = aws_iam_group.team["analytics"].name
  policy_arn = aws_iam_policy.read.arn
}

resource "aws_iam_user" "member" {
  for_each = toset(flatten(values(var.teams)))
  name     = each.value
}

resource "aws_iam_user_group_membership" "member" {
  for_each = { for team, people in var.teams : people[0] => team }
  user     = aws_iam_user.member[each.key].name
  groups   = [aws_iam_group.team[each.value].name]
}
''')
    return tmp_path


def test_a_configuration_is_claimed_by_its_name_alone() -> None:
    for name in ("main.tf", "prod.tfvars", "x.tf.json", "terraform.tfvars.json", "MAIN.TF"):
        assert claimants(name, "") == ["terraform-hcl"], name
    assert claimants("main.tfstate", "{}") == []


def test_references_for_each_and_policy_documents_make_the_path(org: Path) -> None:
    out = _reach(org)
    assert "aws:iam::cfn:user/dana" in out and "aws:iam::cfn:group/acme-analytics" in out
    assert "aws:iam::cfn:user/eve" not in out  # platform has no grant
    loaded = load_paths([str(org)])
    ids = {n.id: n for n in loaded.inventory.nodes()}
    table = ids["aws:dynamodb:cfn:cfn:table/acme-customers"].location
    assert (Path(table.file).name, table.line) == ("main.tf", _line(org / "main.tf", 'resource "aws_dynamodb_table"'))
    group = ids["aws:iam::cfn:group/acme-analytics"].location
    assert (Path(group.file).name, group.line) == ("teams.tf", _line(org / "teams.tf", 'resource "aws_iam_group"'))


def _line(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(text))


def test_every_record_is_located_at_its_block_in_its_own_file(org: Path) -> None:
    _, findings, _ = _check(org)
    files = {Path(str(f["location"]["file"])).name for f in findings}  # type: ignore[index]
    assert files <= {"main.tf", "teams.tf"} and "teams.tf" in files, files


def test_a_variable_without_default_fails_closed_and_says_why(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
locals {
  prefix = "acme"
}

variable "reader_account" {
  type = string
}
''' + CUSTOMERS + '''
resource "aws_iam_role" "reader" {
  name = "reader"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${var.reader_account}:root" }
      Action    = "sts:AssumeRole"
    }]
  })
  inline_policy {
    name = "read"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "dynamodb:*", Resource = aws_dynamodb_table.customers.arn }]
    })
  }
}
''')
    facts = run_cli("facts", "aws:iam::cfn:role/reader", str(tmp_path), "--as-of", "2026-12-01").out
    assert "template leaves open: var.reader_account (a variable without a default; no tfvars sets it)" in facts
    write(tmp_path, "terraform.tfvars", 'reader_account = "444455556666"\n')
    facts = run_cli("facts", "aws:iam::cfn:role/reader", str(tmp_path), "--as-of", "2026-12-01").out
    assert "aws:iam::444455556666:root" in facts and "var.reader_account" not in facts


def test_a_heredoc_policy_with_interpolation_is_read(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
resource "aws_s3_bucket" "exports" {
  bucket = "acme-customer-exports"
  tags   = { "data-classification" = "customer" }
}

resource "aws_iam_user" "etl" {
  name = "etl"
}

resource "aws_iam_user_policy" "etl" {
  name   = "read-exports"
  user   = aws_iam_user.etl.name
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Action": ["s3:GetObject"],
        "Resource": "${aws_s3_bucket.exports.arn}/*"
      }]
    }
  EOT
}
''')
    assert "aws:iam::cfn:user/etl" in _reach(tmp_path)


LOCAL_MODULE = {
    "modules/team/variables.tf": '''
variable "team" {
  type = string
}

variable "members" {
  type    = list(string)
  default = []
}

variable "policy_arn" {
  type    = string
  default = null
}
''',
    "modules/team/main.tf": '''
resource "aws_iam_group" "this" {
  name = "team-${var.team}"
}

resource "aws_iam_user" "member" {
  for_each = toset(var.members)
  name     = each.value
}

resource "aws_iam_group_membership" "this" {
  name  = "team-${var.team}-members"
  group = aws_iam_group.this.name
  users = [for user in aws_iam_user.member : user.name]
}

resource "aws_iam_group_policy_attachment" "this" {
  count      = var.policy_arn == null ? 0 : 1
  group      = aws_iam_group.this.name
  policy_arn = var.policy_arn
}
''',
    "modules/team/outputs.tf": '''
output "group_name" {
  value = aws_iam_group.this.name
}
''',
}


def _module_org(root: Path, source: str = "./modules/team") -> None:
    for name, text in LOCAL_MODULE.items():
        write(root, name, text)
    write(root, "main.tf", '''
locals {
  prefix = "acme"
  teams = {
    analytics = { members = ["dana", "frank"], reads = true }
    web       = { members = ["gus"], reads = false }
  }
}
''' + CUSTOMERS + '''
resource "aws_iam_policy" "read" {
  name = "read-customers"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["dynamodb:GetItem"], Resource = aws_dynamodb_table.customers.arn }]
  })
}

module "team" {
  source     = "''' + source + '''"
  for_each   = local.teams
  team       = each.key
  members    = each.value.members
  policy_arn = each.value.reads ? aws_iam_policy.read.arn : null
}

output "groups" {
  value = { for k, m in module.team : k => m.group_name }
}
''')


def test_local_modules_are_instantiated_per_key_with_their_inputs(tmp_path: Path) -> None:
    _module_org(tmp_path)
    out = _reach(tmp_path)
    assert "aws:iam::cfn:user/dana" in out and "aws:iam::cfn:user/frank" in out
    assert "aws:iam::cfn:user/gus" not in out
    loaded = load_paths([str(tmp_path)])
    assert [str(e) for e in loaded.errors] == []
    member = next(n for n in loaded.inventory.nodes() if n.id == "aws:iam::cfn:user/dana").location
    assert member.file.endswith(os.path.join("modules", "team", "main.tf"))
    assert member.line == _line(tmp_path / "modules" / "team" / "main.tf", 'resource "aws_iam_user"')
    # the module's files are read as part of the root's, not again on their own (no node defined twice)
    assert len([n for n in loaded.inventory.nodes() if n.id == "aws:iam::cfn:group/team-web"]) == 1
    assert len(loaded.files) == 4


def test_a_module_called_from_outside_the_checked_folder_is_read_as_a_root(tmp_path: Path) -> None:
    _module_org(tmp_path)
    loaded = load_paths([str(tmp_path / "modules" / "team")], root=str(tmp_path))
    assert [str(e) for e in loaded.errors] == []
    # a root below the run's root is the account its folder names (its own, whatever else is checked)
    assert "aws:iam::modules%2Fteam:group/modules%2Fteam:aws_iam_group.this" in {n.id for n in loaded.inventory.nodes()}


def test_a_remote_module_output_fails_closed(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
locals {
  prefix = "acme"
}
''' + CUSTOMERS + '''
module "readers" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-group-with-policies"
  version = "~> 5.0"
  name    = "readers"
}

resource "aws_iam_group_policy" "read" {
  name  = "read"
  group = module.readers.group_name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "dynamodb:Scan", Resource = aws_dynamodb_table.customers.arn }]
  })
}
''')
    # the group is the remote module's: the grant is given to every group it could be, never dropped
    loaded = load_paths([str(tmp_path)])
    grants = [g for g in loaded.inventory.grants if g.to == "aws:iam::cfn:group/*"]
    assert [g.resource for g in grants] == ["aws:dynamodb:cfn:cfn:table/acme-customers"]
    # and the run says what it did not read, where (a notice: a registry module is not an error)
    result = run_cli("check", str(tmp_path), "--as-of", "2026-12-01")
    assert result.code == 1
    assert (f"{tmp_path / 'main.tf'}:{_line(tmp_path / 'main.tf', 'module')}:1: note: module 'readers' (source "
            "'terraform-aws-modules/iam/aws//modules/iam-group-with-policies') is not read") in result.out


def test_a_syntax_error_is_located_and_hides_no_other_file(tmp_path: Path) -> None:
    _module_org(tmp_path)
    write(tmp_path, "broken.tf", 'resource "aws_iam_user" "x" {\n  name = "x"\n  tags = {\n')
    result = run_cli("check", str(tmp_path), "--as-of", "2026-12-01")
    assert result.code == 2 and "Traceback" not in result.err
    assert f"{tmp_path / 'broken.tf'}:" in result.out and "expected Terraform HCL, found" in result.out
    assert "aws:dynamodb:cfn:cfn:table/acme-customers" in result.out  # the others' findings are still there


def test_terraform_json_syntax_is_read(tmp_path: Path) -> None:
    write(tmp_path, "main.tf.json", json.dumps({
        "locals": {"prefix": "acme"},
        "resource": {
            "aws_dynamodb_table": {"customers": {"name": "${local.prefix}-customers", "hash_key": "id",
                                                 "tags": {"data-classification": "customer"}}},
            "aws_iam_user": {"analyst": {"name": "analyst"}},
            "aws_iam_user_policy": {"analyst": {
                "name": "read", "user": "${aws_iam_user.analyst.name}",
                "policy": "${jsonencode({Version = \"2012-10-17\", Statement = [{Effect = \"Allow\", "
                          "Action = \"dynamodb:GetItem\", Resource = aws_dynamodb_table.customers.arn}]})}"}},
        }}, indent=2))
    out = _reach(tmp_path)
    assert "aws:iam::cfn:user/analyst" in out


def test_a_policy_file_inside_the_tree_is_read_and_one_outside_is_not(tmp_path: Path) -> None:
    inside = tmp_path / "repo"
    write(inside, "policies/read.json", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]}))
    write(inside, "main.tf", '''
locals {
  prefix = "acme"
}
''' + CUSTOMERS + '''
resource "aws_iam_user" "a" {
  name = "a"
}

resource "aws_iam_user_policy" "a" {
  name   = "read"
  user   = aws_iam_user.a.name
  policy = file("${path.module}/policies/read.json")
}

resource "aws_iam_user" "b" {
  name = "b"
}

resource "aws_iam_user_policy" "b" {
  name   = "outside"
  user   = aws_iam_user.b.name
  policy = file("${path.module}/outside.json")
}
''')
    secret = tmp_path / "secret.json"
    secret.write_text('{"Version": "2012-10-17", "Statement": []}')
    (inside / "outside.json").symlink_to(secret)
    result = run_cli("reach", str(inside), "--as-of", "2026-12-01")
    assert "aws:iam::repo:user/a" in result.out
    assert "aws:iam::repo:user/b" in result.out  # b's policy is not read through the link: anything (fail closed)
    assert "outside it (not read)" in result.out + result.err  # and the link itself is a located error

def test_a_provider_naming_one_account_puts_the_ids_in_it(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["111122223333"]
}

resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
''')
    loaded = load_paths([str(tmp_path)])
    assert "aws:iam::111122223333:role/app" in {n.id for n in loaded.inventory.nodes()}


def test_dynamic_blocks_and_count_expand(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
variable "readers" {
  default = ["arn:aws:iam::444455556666:root", "arn:aws:iam::777788889999:root"]
}

data "aws_iam_policy_document" "trust" {
  dynamic "statement" {
    for_each = var.readers
    content {
      actions = ["sts:AssumeRole"]
      principals {
        type        = "AWS"
        identifiers = [statement.value]
      }
    }
  }
}

resource "aws_iam_role" "reader" {
  count              = 2
  name               = "reader-${count.index}"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
''')
    loaded = load_paths([str(tmp_path)])
    ids = {n.id for n in loaded.inventory.nodes()}
    assert {"aws:iam::cfn:role/reader-0", "aws:iam::cfn:role/reader-1"} <= ids
    assert {"aws:iam::444455556666:root", "aws:iam::777788889999:root"} <= ids | {
        m for n in loaded.inventory.nodes() for m in getattr(n, "members", ())}


def test_every_terraform_file_is_read_or_counted(tmp_path: Path) -> None:
    _module_org(tmp_path)
    write(tmp_path, "prod.tfvars", 'unused = "x"\n')
    write(tmp_path, "README.md", "# infra\n")
    loaded = load_paths([str(tmp_path)])
    assert sorted(Path(f).name for f in loaded.files) == ["main.tf", "main.tf", "outputs.tf", "prod.tfvars",
                                                          "variables.tf"]
    assert [Path(s.path).name for s in loaded.skipped] == ["README.md"]


def test_the_hook_blocks_a_commit_that_gives_a_module_instance_customer_data(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _module_org(tmp_path)
    commit = ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m"]
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, *commit, "teams")
    monkeypatch.chdir(tmp_path)
    main = (tmp_path / "main.tf").read_text()
    (tmp_path / "main.tf").write_text(main.replace('web       = { members = ["gus"], reads = false }',
                                                   'web       = { members = ["gus"], reads = true }'))
    git(tmp_path, "add", "-A")
    result = run_cli("check", "--changed", "--format", "json", "--as-of", "2026-12-01")
    new = {(f["rule"], f["subject"]["id"]) for f in json.loads(result.out)["findings"]}
    assert result.code == 1, result.out
    assert ("PL900", "aws:iam::cfn:user/gus") in new, new  # a new path to customer data, from a module instance


def test_a_google_service_account_is_named_as_the_provider_names_it(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
provider "google" {
  project = "acme-prod"
  region  = "europe-west1"
}

resource "google_service_account" "etl" {
  account_id   = "customer-etl"
  display_name = "Customer ETL"
}

resource "google_storage_bucket" "exports" {
  name     = "acme-customer-exports"
  location = "EU"
  labels = {
    data-classification = "customer"
  }
}

resource "google_storage_bucket_iam_member" "etl" {
  bucket = google_storage_bucket.exports.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.etl.email}"
}

resource "google_project_iam_member" "etl_bq" {
  project = "acme-prod"
  role    = "roles/bigquery.dataViewer"
  member  = google_service_account.etl.member
}
''')
    out = _reach(tmp_path)
    assert "customer-etl@acme-prod.iam.gserviceaccount.com" in out, out
    assert "acme-customer-exports" in out


def test_kubernetes_provider_rbac_in_hcl_is_read(tmp_path: Path) -> None:
    write(tmp_path, "rbac.tf", '''
resource "kubernetes_service_account_v1" "billing" {
  metadata {
    name      = "billing-worker"
    namespace = "payments"
  }
}

resource "kubernetes_role_v1" "secret_reader" {
  metadata {
    name      = "secret-reader"
    namespace = "payments"
  }

  rule {
    api_groups = [""]
    resources  = ["secrets"]
    verbs      = ["get", "list", "watch"]
  }
}

resource "kubernetes_role_binding_v1" "billing" {
  metadata {
    name      = "billing-reads-secrets"
    namespace = "payments"
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.secret_reader.metadata[0].name
  }

  subject {
    kind      = "ServiceAccount"
    name      = kubernetes_service_account_v1.billing.metadata[0].name
    namespace = "payments"
  }
}
''')
    code, findings, out = _check(tmp_path)
    assert code == 1 and ("PL217", "k8s:default:serviceaccount:payments/billing-worker") in {
        (f["rule"], f["subject"]["id"]) for f in findings}, out  # type: ignore[index]
    assert all(Path(str(f["location"]["file"])).name == "rbac.tf" for f in findings)  # type: ignore[index]


def test_optional_attribute_defaults_of_a_variable_type_apply(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
variable "people" {
  type = map(object({
    team       = string
    access_key = optional(bool, true)
  }))
  default = {
    "dana" = { team = "data" }
    "eve"  = { team = "web", access_key = false }
  }
}

resource "aws_iam_user" "person" {
  for_each = var.people
  name     = each.key
}

resource "aws_iam_access_key" "person" {
  for_each = { for name, person in var.people : name => person if person.access_key }
  user     = aws_iam_user.person[each.key].name
}
''')
    ids = {n.id for n in load_paths([str(tmp_path)]).inventory.nodes()}
    assert [i for i in ids if "#" in i] == ['aws:iam::cfn:user/dana#aws_iam_access_key.person["dana"]']


def test_a_name_left_to_the_provider_is_still_the_resource_attachments_name(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
variable "role_name" {
  default = null
}

resource "aws_iam_role" "this" {
  count       = 1
  name        = var.role_name
  name_prefix = "app-"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.this[0].name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
''')
    loaded = load_paths([str(tmp_path)])
    assert [str(e) for e in loaded.errors] == []
    role = next(n for n in loaded.inventory.nodes() if n.id.startswith("aws:iam::cfn:role/"))
    assert any(g.resource == "aws:*" for g in role.grants), role  # type: ignore[attr-defined]


def test_the_account_a_provider_names_is_known_before_the_policies_are_read(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["111122223333"]
}

provider "aws" {
  alias               = "audit"
  allowed_account_ids = ["999988887777"]
}

resource "aws_iam_role" "operator" {
  name = "operator"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" }, Action = "sts:AssumeRole"
    }]
  })
}
''')
    loaded = load_paths([str(tmp_path)])
    role = next(n for n in loaded.inventory.nodes() if n.id == "aws:iam::111122223333:role/operator")
    # the account's own root, not an external principal (the aliased provider's account is not the resources')
    assert role.assumable_by == ("aws:iam::111122223333:root",)  # type: ignore[attr-defined]


def test_a_heredoc_closed_by_a_marker_with_trailing_blanks_ends_there(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", 'resource "aws_iam_policy" "a" {\n  name   = "a"\n  policy = <<EOF\n'
                               '{"Version": "2012-10-17", "Statement": []}\nEOF   \n}\n\n'
                               'resource "aws_iam_user" "b" {\n  name = "b"\n}\n')
    loaded = load_paths([str(tmp_path)])
    assert [str(e) for e in loaded.errors] == []
    assert "aws:iam::cfn:user/b" in {n.id for n in loaded.inventory.nodes()}


def test_an_address_declared_twice_is_an_error_as_terraform_says(tmp_path: Path) -> None:
    write(tmp_path, "a.tf", 'resource "aws_iam_user" "x" {\n  name = "x"\n}\n')
    write(tmp_path, "b.tf", '\nresource "aws_iam_user" "x" {\n  name = "y"\n}\n')
    errors = [str(e) for e in load_paths([str(tmp_path)]).errors]
    assert errors == [f"{tmp_path / 'b.tf'}:1:1: error: expected each address once in a module, found aws_iam_user.x "
                      f"again (first at {tmp_path / 'a.tf'}:1:1)"]


def test_a_cli_user_tagged_with_an_e_mail_is_the_persons_and_their_key_a_leavers(tmp_path: Path) -> None:
    write(tmp_path, "people.csv", "email,name,status,departed\nbob.m@acme.example,Bob M,terminated,2025-10-01\n"
                                  "dana@acme.example,Dana,active,\n")
    write(tmp_path, "iam.tf", '''
variable "developers" {
  default = { "bob.m" = "bob.m@acme.example", "dana" = "dana@acme.example" }
}

resource "aws_iam_user" "dev" {
  for_each = var.developers
  name     = each.key
  tags     = { email = each.value }
}

resource "aws_iam_access_key" "dev" {
  for_each = var.developers
  user     = aws_iam_user.dev[each.key].name
}

resource "aws_iam_user" "ci" {
  name = "ci"
  tags = { owner = "dana@acme.example" }
}
''')
    _, findings, out = _check(tmp_path)
    found = {(f["rule"], f["subject"]["id"]) for f in findings}
    assert ("PL101", 'aws:iam::cfn:user/bob.m#aws_iam_access_key.dev["bob.m"]') in found, out
    assert not any(rule == "PL103" and subject == "aws:iam::cfn:user/ci" for rule, subject in found)  # owned


def test_two_environments_are_two_accounts_whether_or_not_their_providers_name_them(tmp_path: Path) -> None:
    write(tmp_path, "modules/store/main.tf", '''
variable "env" {}

resource "aws_dynamodb_table" "orders" {
  name     = "orders"
  hash_key = "id"
  tags     = { "data-classification" = "customer" }
}

resource "aws_iam_role" "api" {
  name = "orders-api"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  inline_policy {
    name   = "orders"
    policy = jsonencode({ Version = "2012-10-17", Statement = [
      { Effect = "Allow", Action = "dynamodb:GetItem", Resource = aws_dynamodb_table.orders.arn }] })
  }
}
''')
    for env, provider in (("prod", 'provider "aws" {\n  region              = "eu-west-1"\n'
                                    '  allowed_account_ids = ["111111111111"]\n}\n'),
                          ("staging", ""), ("dev", "")):
        write(tmp_path, f"envs/{env}/main.tf", provider + f'module "store" {{\n  source = "../../modules/store"\n'
                                                          f'  env    = "{env}"\n}}\n')
    loaded = load_paths([str(tmp_path)], root=str(tmp_path))
    assert [str(e) for e in loaded.errors] == []
    ids = {n.id for n in loaded.inventory.nodes()}
    assert {"aws:iam::111111111111:role/orders-api", "aws:dynamodb:eu-west-1:111111111111:table/orders",
            "aws:iam::envs%2Fstaging:role/orders-api", "aws:dynamodb:cfn:envs%2Fstaging:table/orders",
            "aws:iam::envs%2Fdev:role/orders-api"} <= ids, sorted(ids)


def test_tfvars_json_applies_and_a_var_file_is_said_to_be_not_applied(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
variable "users" {
  type = list(string)
}

resource "aws_iam_user" "u" {
  for_each = toset(var.users)
  name     = each.value
}
''')
    write(tmp_path, "terraform.tfvars.json", json.dumps({"users": ["ana", "ben"]}))
    write(tmp_path, "prod.tfvars", 'region = "eu-west-1"\n')  # what it sets is open (test_terraform_hcl_review)
    loaded = load_paths([str(tmp_path)])
    assert {n.id for n in loaded.inventory.nodes() if "user/" in n.id} == {"aws:iam::cfn:user/ana",
                                                                            "aws:iam::cfn:user/ben"}
    assert [(Path(at.file).name, text.split(":")[0]) for at, text in loaded.notes] == [
        ("prod.tfvars", "values Terraform applies only when asked (`-var-file`)")]


def test_a_local_module_elsewhere_in_the_repository_is_read_from_an_environment_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _module_org(tmp_path / "envs" / "prod", source="../../modules/team")  # writes the module beside it: moved up
    (tmp_path / "modules").mkdir()
    (tmp_path / "envs" / "prod" / "modules" / "team").rename(tmp_path / "modules" / "team")
    git(tmp_path, "init", "-q")
    monkeypatch.chdir(tmp_path / "envs" / "prod")
    loaded = load_paths(["."])
    assert [str(e) for e in loaded.errors] == [] and loaded.notes == ()
    assert "aws:iam::cfn:user/dana" in {n.id for n in loaded.inventory.nodes()}


def test_each_aws_provider_configuration_is_its_own_account(tmp_path: Path) -> None:
    write(tmp_path, "modules/audit/main.tf", '''
resource "aws_iam_role" "audit" {
  name = "audit"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
''')
    write(tmp_path, "main.tf", '''
provider "aws" {
  region = "eu-west-1"
  assume_role {
    role_arn = "arn:aws:iam::111111111111:role/terraform"
  }
}

provider "aws" {
  alias  = "security"
  region = "eu-west-1"
  assume_role {
    role_arn = "arn:aws:iam::333333333333:role/terraform"
  }
}

module "audit" {
  source = "./modules/audit"
}

module "audit_security" {
  source    = "./modules/audit"
  providers = { aws = aws.security }
}

resource "aws_iam_role_policy_attachment" "admin" {
  provider   = aws.security
  role       = "audit"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
''')
    loaded = load_paths([str(tmp_path)])
    ids = {n.id for n in loaded.inventory.nodes()}
    assert {"aws:iam::111111111111:role/audit", "aws:iam::333333333333:role/audit"} <= ids, sorted(ids)
    assert not any("expected each IAM name once" in str(e) for e in loaded.errors)
    # the security account's role gets the attachment made with its provider (as grants given to it: it is implied)
    assert {(g.to, g.resource) for g in loaded.inventory.grants if g.resource == "aws:*"} == {
        ("aws:iam::333333333333:role/audit", "aws:*")}


BASE = '''
provider "aws" {
  region = "eu-west-1"
}

locals {
  prefix = "acme"
}
''' + CUSTOMERS + '''
resource "aws_iam_user" "ci" {
  name = "ci-bot"
}

resource "aws_iam_user_policy" "ci" {
  name = "scan"
  user = aws_iam_user.ci.name
  policy = jsonencode({ Version = "2012-10-17", Statement = [
    { Effect = "Allow", Action = "dynamodb:Scan", Resource = aws_dynamodb_table.customers.arn }] })
}
'''


def _ci_reaches(folder: Path, *paths: str, exclude: tuple[str, ...] = ()) -> bool:
    loaded = load_paths(list(paths) or [str(folder)], exclude=exclude, root=str(folder))
    return any(n.id.endswith(":user/ci-bot") for n in loaded.inventory.nodes())


def test_no_file_terraform_ignores_or_the_walk_leaves_out_takes_the_folders_records_away(tmp_path: Path) -> None:
    write(tmp_path / "infra", "main.tf", BASE)
    write(tmp_path / "infra", ".0.tf", "# a hidden file: Terraform ignores it\n")
    write(tmp_path / "infra", "aaa_generated.tf", "# generated\n")
    assert _ci_reaches(tmp_path, str(tmp_path / "infra"))
    assert _ci_reaches(tmp_path, exclude=("infra/aaa_generated.tf",))
    assert _ci_reaches(tmp_path, str(tmp_path / "infra" / "main.tf"))  # the one file named: it carries them


def test_a_decoy_calling_a_root_module_with_count_zero_does_not_turn_it_off(tmp_path: Path) -> None:
    write(tmp_path / "infra" / "prod", "main.tf", BASE)
    write(tmp_path / "infra" / "docs", "main.tf", 'module "copy" {\n  source = "../prod"\n  count  = 0\n}\n')
    assert _ci_reaches(tmp_path, str(tmp_path / "infra"))


def test_a_module_only_uninstantiated_calls_name_is_read_on_its_own(tmp_path: Path) -> None:
    write(tmp_path / "modules" / "ci", "main.tf", BASE.replace('provider "aws" {\n  region = "eu-west-1"\n}\n', ""))
    write(tmp_path / "root", "main.tf", 'module "ci" {\n  source = "../modules/ci"\n  count  = 0\n}\n')
    assert _ci_reaches(tmp_path, str(tmp_path))


def test_a_providers_default_tags_and_an_open_classification_classify_a_store(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = { "data-classification" = "customer" }
  }
}

variable "classification" {
  type = string
}

resource "aws_s3_bucket" "records" {
  bucket = "acme-records"
}

resource "aws_dynamodb_table" "orders" {
  name     = "orders"
  hash_key = "id"
  provider = aws.data
  tags     = { "data-classification" = var.classification }
}

provider "aws" {
  alias  = "data"
  region = "eu-west-1"
}
''')
    stores = {r.id: r.data for r in load_paths([str(tmp_path)]).inventory.resources if r.type in ("bucket", "table")}
    assert stores["aws:s3:::acme-records"] == ("customer",)  # the default provider's default_tags
    assert [data for store, data in stores.items() if ":table/orders" in store] == [("*",)]  # open: may be any
    _, findings, _ = _check(tmp_path, "--customer-data", "restricted")  # customer data, whatever the class's name
    assert {f["rule"] for f in findings if ":table/orders" in f["subject"]["id"]} >= {"PL401"}


def _reaches(tmp_path: Path, body: str, who: str = "ci-bot") -> bool:
    write(tmp_path, "main.tf", '''
locals {
  prefix = "acme"
}
''' + CUSTOMERS + '''
resource "aws_iam_user" "ci" {
  name = "ci-bot"
}
''' + body)
    loaded = load_paths([str(tmp_path)])
    assert not [e for e in loaded.errors if "Traceback" in str(e)]
    return f":user/{who}" in _reach(tmp_path)


TABLE_ARN = "aws_dynamodb_table.customers.arn"


@pytest.mark.parametrize("body", [
    # a dynamic inline policy over what is not known: one open policy, not none
    '''variable "policies" {}
resource "aws_iam_user_policy" "p" {
  name = "x"
  user = aws_iam_user.ci.name
  policy = data.aws_iam_policy_document.d.json
}
data "aws_iam_policy_document" "d" {
  dynamic "statement" {
    for_each = var.policies
    content {
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}''',
    # a Deny whose condition operator is not known may deny nothing
    f'''data "external" "ops" {{
  program = ["echo"]
}}
data "aws_iam_policy_document" "d" {{
  statement {{
    actions   = ["dynamodb:Scan"]
    resources = [{TABLE_ARN}]
  }}
  statement {{
    effect    = "Deny"
    actions   = ["dynamodb:*"]
    resources = ["*"]
    condition {{
      test     = data.external.ops.result.op
      variable = "aws:SourceIp"
      values   = ["10.0.0.0/8"]
    }}
  }}
}}
resource "aws_iam_user_policy" "p" {{
  name   = "x"
  user   = aws_iam_user.ci.name
  policy = data.aws_iam_policy_document.d.json
}}''',
    # a dynamic block over a set: each key is the element
    '''variable "tables" {
  type    = set(string)
  default = ["acme-customers"]
}
data "aws_iam_policy_document" "d" {
  dynamic "statement" {
    for_each = var.tables
    content {
      actions   = ["dynamodb:GetItem"]
      resources = ["arn:aws:dynamodb:eu-west-1:111122223333:table/${statement.key}"]
    }
  }
}
resource "aws_iam_user_policy" "p" {
  name   = "x"
  user   = aws_iam_user.ci.name
  policy = data.aws_iam_policy_document.d.json
}''',
    # format with argument indexes; a for over a map in key order; "${x}" is x; terraform.workspace is open
    '''locals {
  arn     = format("arn:aws:dynamodb:%[1]s:%[2]s:table/%[3]s", "eu-west-1", "111122223333", "acme-customers")
  ordered = [for name, arn in { orders = "arn:aws:dynamodb:*:*:table/orders", customers = local.arn } : arn][0]
  readers = { prod = [local.ordered] }
}
resource "aws_iam_user_policy" "p" {
  count  = length(lookup(local.readers, terraform.workspace, [])) > 0 ? 1 : 0
  name   = "x"
  user   = "${aws_iam_user.ci.name}"
  policy = jsonencode({ Version = "2012-10-17", Statement = [
    { Effect = "Allow", Action = "dynamodb:GetItem", Resource = local.ordered }] })
}''',
    # nullable = false: a null argument is the default
    '''module "reader" {
  source = "./reader"
  tables = null
}''',
])
def test_constructs_terraform_evaluates_keep_the_path(tmp_path: Path, body: str) -> None:
    write(tmp_path, "reader/main.tf", '''
variable "tables" {
  type     = list(string)
  default  = ["arn:aws:dynamodb:*:*:table/acme-customers"]
  nullable = false
}

resource "aws_iam_user_policy" "p" {
  name   = "x"
  user   = "ci-bot"
  policy = jsonencode({ Version = "2012-10-17", Statement = [
    { Effect = "Allow", Action = "dynamodb:GetItem", Resource = var.tables }] })
}
''')
    assert _reaches(tmp_path, body)


def test_an_open_statement_list_is_an_open_document_not_an_error(tmp_path: Path) -> None:
    assert _reaches(tmp_path, '''variable "extra" {}
resource "aws_iam_user_policy" "p" {
  name   = "x"
  user   = aws_iam_user.ci.name
  policy = jsonencode({ Version = "2012-10-17", Statement = concat([], var.extra) })
}''')
    assert [str(e) for e in load_paths([str(tmp_path)]).errors] == []


def test_functions_never_read_what_the_walk_would_not(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo, ".git/config", '[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n')
    write(repo, ".env", "TOP_SECRET=hunter2\n")
    write(repo, "infra/main.tf", '''
resource "aws_iam_user" "a" {
  name = replace(file("${path.module}/../.git/config"), "/[^A-Za-z0-9]/", "")
}

resource "aws_iam_user" "b" {
  name = trimspace(file("${path.module}/../.env"))
}
''')
    result = run_cli("check", str(repo / "infra"), "--as-of", "2026-12-01", "--format", "json")
    assert "c2VjcmV0" not in result.out and "hunter2" not in result.out and "AUTHORIZATION" not in result.out


def test_terraform_json_lists_of_blocks_and_dynamic_blocks_are_read(tmp_path: Path) -> None:
    write(tmp_path, "main.tf.json", json.dumps({"resource": [
        {"aws_dynamodb_table": {"customers": {"name": "acme-customers", "hash_key": "id",
                                              "tags": {"data-classification": "customer"}}}},
        {"aws_iam_user": {"ci": {"name": "ci-bot", "dynamic": {"inline_policy": {"for_each": ["x"], "content": {
            "name": "p"}}}}}},
        {"aws_iam_user_policy": {"ci": {
            "name": "p", "user": "${aws_iam_user.ci.name}",
            "policy": "${jsonencode({Version = \"2012-10-17\", Statement = [{Effect = \"Allow\", "
                      "Action = \"dynamodb:Scan\", Resource = aws_dynamodb_table.customers.arn}]})}"}}}]}))
    assert ":user/ci-bot" in _reach(tmp_path)


def test_override_files_are_merged_last_as_terraform_merges_them(tmp_path: Path) -> None:
    write(tmp_path, "a_override.tf", 'locals {\n  readable = aws_dynamodb_table.customers.arn\n}\n\n'
                                     'resource "aws_iam_user_policy" "p" {\n  name = "overridden"\n}\n')
    assert _reaches(tmp_path, '''locals {
  readable = "arn:aws:dynamodb:*:*:table/public-catalog"
}
resource "aws_iam_user_policy" "p" {
  name   = "catalog"
  user   = aws_iam_user.ci.name
  policy = jsonencode({ Version = "2012-10-17", Statement = [
    { Effect = "Allow", Action = "dynamodb:GetItem", Resource = local.readable }] })
}''')
    assert [str(e) for e in load_paths([str(tmp_path)]).errors] == []


def test_a_trust_in_the_configurations_own_oidc_provider_is_not_anyone(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
resource "aws_iam_openid_connect_provider" "gh" {
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.gh.arn]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:acme/infra:*"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
''')
    _, findings, _ = _check(tmp_path)
    assert not any(f["rule"] in ("PL202", "PL210") for f in findings), findings


def test_a_google_iam_policy_data_source_names_its_members(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
provider "google" {
  project = "acme-prod"
}

resource "google_storage_bucket" "exports" {
  name     = "acme-customer-exports"
  location = "EU"
  labels   = { data-classification = "customer" }
}

resource "google_project_iam_custom_role" "reader" {
  role_id     = "customerReader"
  title       = "Customer reader"
  permissions = ["storage.objects.get", "storage.objects.list"]
}

data "google_iam_policy" "exports" {
  binding {
    role    = "roles/storage.objectViewer"
    members = ["user:contractor@gmail.com"]
  }
}

resource "google_storage_bucket_iam_policy" "exports" {
  bucket      = google_storage_bucket.exports.name
  policy_data = data.google_iam_policy.exports.policy_data
}

resource "google_project_iam_member" "reader" {
  project = "acme-prod"
  role    = google_project_iam_custom_role.reader.id
  member  = "user:analyst@acme.example"
}
''')
    out = _reach(tmp_path)
    assert "contractor@gmail.com" in out and "analyst@acme.example" in out, out
    assert "anyone" not in out
