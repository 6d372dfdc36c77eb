"""Review findings on the Terraform HCL reader, third round: a collection with known and open parts keeps its known
instances and adds the open one, a value that does not convert to its variable's type is a located error at any
depth, a policy document's open `effect` says so in the grant, and a provider's account names the ids even when no
IAM name is known. Each test runs from the checked folder (the run's root), as a user runs `policylint check .`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policylint.inventory import Loaded, load_paths

from helpers import check_output, loaded_errors, loaded_ids, run_cli, write

OPEN = "template leaves open: "
ACCOUNT = "111122223333"
PROVIDER = f'''
provider "aws" {{
  region              = "eu-west-1"
  allowed_account_ids = ["{ACCOUNT}"]
}}
'''
BUCKET = '''
resource "aws_s3_bucket" "customers" {
  bucket = "acme-customers"
  tags   = { "data-classification" = "customer_pii" }
}
'''
PEOPLE = '''
policylint: 1
people:
  - {id: kim, status: departed, departed: 2025-01-01}
'''


@pytest.fixture(autouse=True)
def _run_from_the_checked_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _loaded(folder: Path) -> Loaded:
    return load_paths([str(folder)], None, root=str(folder))


_errors, _ids, _check = loaded_errors, loaded_ids, check_output


def _user(name: str) -> str:
    return f"aws:iam::{ACCOUNT}:user/{name}"


# -- 1. known and open parts of one collection: the known instances, and one open instance besides -----------------

USERS = PROVIDER + '''
variable "extra" {
  type    = list(string)
  default = []
}

variable "more" {
  type = map(object({ email = string }))
}

variable "other" {
  type = string
}

resource "aws_iam_user" "u" {
  for_each = %s
  name     = each.key
}
'''
OPEN_INSTANCE = _user(".:aws_iam_user.u[*]")


@pytest.mark.parametrize("case, for_each, var_file", [
    ("concat with a variable a -var-file sets", 'toset(concat(["kim"], var.extra))', True),
    ("concat with the open part first", 'toset(concat(var.more == null ? [] : keys(var.more), ["kim"]))', False),
    ("a set literal with an open element", 'toset(["kim", var.other])', False),
    ("merge with an open map", 'merge({ kim = { email = "kim@example.com" } }, var.more)', False),
    ("setunion with an open set", 'setunion(["kim"], var.extra)', True),
    ("a for expression over concat", '{ for name in concat(["kim"], var.extra) : name => name }', True),
    ("keys of a merge", 'toset(keys(merge(var.more, { kim = { email = "kim@example.com" } })))', False),
    ("distinct of flatten", 'toset(distinct(flatten([["kim"], var.extra])))', True),
])
def test_a_for_each_of_known_and_open_parts_keeps_the_known_instances_and_adds_an_open_one(
        tmp_path: Path, case: str, for_each: str, var_file: bool) -> None:
    write(tmp_path, "main.tf", USERS % for_each)
    if var_file:
        write(tmp_path, "ci.tfvars", 'extra = ["lee"]\n')
    loaded = _loaded(tmp_path)
    assert _errors(loaded) == []
    assert _ids(loaded, ":user/") == {_user("kim"), OPEN_INSTANCE}


def test_what_a_later_open_map_may_override_is_open_what_a_later_known_map_sets_is_kept(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", PROVIDER + '''
variable "more" {
  type = map(object({ email = string }))
}

resource "aws_iam_user" "early" {
  for_each = merge({ kim = { email = "kim@example.com" } }, var.more)
  name     = each.key
  tags     = { email = each.value.email }
}

resource "aws_iam_user" "late" {
  for_each = merge(var.more, { lee = { email = "lee@example.com" } })
  name     = each.key
  tags     = { email = each.value.email }
}
''')
    loaded = _loaded(tmp_path)
    known = {u.id: u.identifiers for u in loaded.inventory.principals if ":user/" in u.id}
    assert "lee@example.com" in known[_user("lee")]
    assert "kim@example.com" not in known[_user("kim")]  # var.more may give kim another e-mail


def test_a_count_over_known_and_open_parts_keeps_the_known_instances(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", PROVIDER + '''
variable "extra" {
  type = list(string)
}

locals {
  users = concat(["kim", "lee"], var.extra)
}

resource "aws_iam_user" "u" {
  count = length(local.users)
  name  = local.users[count.index]
}
''')
    loaded = _loaded(tmp_path)
    assert _errors(loaded) == []
    assert _ids(loaded, ":user/") == {_user("kim"), _user("lee"), OPEN_INSTANCE}


def test_a_dynamic_block_over_known_and_open_parts_keeps_the_known_blocks(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", PROVIDER + BUCKET + '''
variable "buckets" {
  type = list(string)
}

data "aws_iam_policy_document" "read" {
  dynamic "statement" {
    for_each = concat(["${aws_s3_bucket.customers.arn}/*"], var.buckets)
    content {
      actions   = ["s3:GetObject"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_user" "ana" {
  name = "ana"
}

resource "aws_iam_user_policy" "read" {
  user   = aws_iam_user.ana.name
  policy = data.aws_iam_policy_document.read.json
}
''')
    loaded = _loaded(tmp_path)
    why = f"{OPEN}dynamic statement over a collection not known here"
    assert {(g.resource, g.condition) for g in loaded.inventory.grants} == {
        ("aws:s3:::acme-customers", None), ("aws:s3:*", why)}


def test_a_departed_persons_key_in_a_partly_open_for_each_is_still_found(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", USERS.replace("name     = each.key", '''name     = each.key
  tags     = { email = "${each.key}@example.com" }''') % 'toset(concat(["kim"], var.extra))' + BUCKET + '''
resource "aws_iam_access_key" "k" {
  user = aws_iam_user.u["kim"].name
}

resource "aws_iam_user_policy" "p" {
  user   = aws_iam_user.u["kim"].name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.customers.arn}/*" }]
  })
}
''')
    write(tmp_path, "ci.tfvars", 'extra = ["lee"]\n')
    write(tmp_path, "people.yaml", PEOPLE)
    code, out = _check(tmp_path)
    assert code == 1
    assert (f"CRITICAL PL101 access_key {_user('kim')}#aws_iam_access_key.k is active but held by kim "
            "(departed 2025-01-01)") in out


# -- 2. a value that does not convert to its variable's type, at any depth -----------------------------------------

MEMBERS = PROVIDER + '''
variable "members" {
  type = %s
}

resource "aws_iam_user" "m" {
  for_each = var.members
  name     = each.key
}
'''


@pytest.mark.parametrize("case, kind, value, why", [
    ("a string where a map's element is an object", "map(object({ key = optional(bool, true) }))",
     '{ kim = {}, lee = "oops" }', 'at ["lee"]: an object is required, found a string'),
    ("a list where a map is", "map(object({ key = optional(bool, true) }))", '["kim"]',
     "a map is required, found a list"),
    ("an object where a list's element is a string", "map(list(string))", '{ kim = [{ a = 1 }] }',
     'at ["kim"][0]: a string is required, found an object'),
    ("text where an optional attribute is a bool", "map(object({ key = optional(bool, true) }))",
     '{ kim = { key = "maybe" } }', 'at ["kim"].key: a bool is required; to convert from string, use lowercase '
                                    '"true" or "false", found a string'),
    ("a required attribute left out", "map(object({ email = string }))", '{ kim = {} }',
     'at ["kim"]: attribute "email" is required'),
    ("a tuple of the wrong length", "map(tuple([string, number]))", '{ kim = ["a"] }',
     'at ["kim"]: a tuple of 2 elements is required, found a list of 1'),
    ("a map where a set is", "map(set(string))", '{ kim = { a = "b" } }',
     'at ["kim"]: a set is required, found an object'),
])
def test_a_value_that_does_not_convert_at_any_depth_is_a_located_error_and_open(
        tmp_path: Path, case: str, kind: str, value: str, why: str) -> None:
    write(tmp_path, "main.tf", MEMBERS % kind)
    write(tmp_path, "terraform.tfvars", f"n = 1\nmembers = {value}\n")
    loaded = _loaded(tmp_path)
    assert [(Path(e.location.file).name, e.location.line, e.location.column, e.message) for e in loaded.errors] == [
        ("terraform.tfvars", 2, 1, f"expected a value of var.members's type, found one Terraform cannot convert to "
                                   f"it ({why}); it is read as not known here (fail closed)")]
    assert _ids(loaded, ":user/") == {_user(".:aws_iam_user.m[*]")}  # the variable is open: anyone may be in it
    code, out = _check(tmp_path)
    assert code == 2 and "terraform.tfvars:2:1: error: expected a value of var.members's type" in out


@pytest.mark.parametrize("kind, value", [
    ("map(object({ key = optional(bool, true), email = optional(string) }))", '{ kim = {}, lee = { key = "false" } }'),
    ("map(any)", '{ kim = { a = 1 }, lee = { b = [2] } }'),
    ("map(list(string))", '{ kim = [1, true, "x"], lee = null, ana = [null] }'),
    ("map(object({ email = string }))", '{ kim = { email = "k@example.com", extra = 1 } }'),
    ("map(tuple([string, number]))", '{ kim = ["a", "2"] }'),
    ("map(set(string))", '{ kim = ["a", "a"] }'),
    ("any", '{ kim = "x" }'),
])
def test_a_value_that_converts_is_no_error(tmp_path: Path, kind: str, value: str) -> None:
    write(tmp_path, "main.tf", MEMBERS % kind)
    write(tmp_path, "terraform.tfvars", f"members = {value}\n")
    loaded = _loaded(tmp_path)
    assert _errors(loaded) == []
    assert _ids(loaded, ":user/") == {_user(name) for name in ("kim", "lee", "ana") if f"{name} =" in value}


def test_a_module_argument_that_does_not_convert_is_a_located_error_at_the_call(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", PROVIDER + '''
module "team" {
  source  = "./team"
  members = { kim = {}, lee = "oops" }
}
''')
    write(tmp_path, "team/main.tf", MEMBERS.replace(PROVIDER, "") % "map(object({ key = optional(bool, true) }))")
    loaded = _loaded(tmp_path)
    assert _errors(loaded) == [("main.tf", 8, "expected a value of var.members's type, ")]
    assert 'at ["lee"]: an object is required, found a string' in loaded.errors[0].message
    assert _ids(loaded, ":user/") == {_user('.:module.team.aws_iam_user.m[*]')}


# -- 3. a policy document's open effect ----------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["data", "jsonencode"])
def test_an_open_effect_in_a_policy_document_is_said_in_the_grant(tmp_path: Path, how: str) -> None:
    policy = ("data.aws_iam_policy_document.read.json" if how == "data" else '''jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = var.effect, Action = ["s3:GetObject"], Resource = ["${aws_s3_bucket.customers.arn}/*"] }]
  })''')
    write(tmp_path, "main.tf", PROVIDER + BUCKET + '''
variable "effect" {
  type = string
}

data "aws_iam_policy_document" "read" {
  statement {
    effect    = var.effect
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.customers.arn}/*"]
  }
}

resource "aws_iam_user" "ana" {
  name = "ana"
}

resource "aws_iam_user_policy" "read" {
  user   = aws_iam_user.ana.name
  policy = POLICY
}
'''.replace("POLICY", policy))
    loaded = _loaded(tmp_path)
    why = f"{OPEN}var.effect (a variable without a default; no tfvars sets it)"
    assert {(g.resource, g.actions_given, g.condition) for g in loaded.inventory.grants} == {
        ("aws:s3:::acme-customers", ("s3:GetObject",), why)}


# -- 4. the provider's account, though no IAM name is known --------------------------------------------------------

def test_the_providers_account_names_the_ids_when_every_iam_name_is_open(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", PROVIDER + '''
variable "members" {
  type = map(object({ email = string }))
}

resource "aws_iam_user" "m" {
  for_each = var.members
  name     = each.key
}

resource "aws_iam_role" "app" {
  name_prefix        = "app-"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [
    { Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }] })
}
''')
    loaded = _loaded(tmp_path)
    assert _ids(loaded, "aws:iam:") == {_user(".:aws_iam_user.m[*]"), f"aws:iam::{ACCOUNT}:role/.:aws_iam_role.app",
                                        f"aws:iam::{ACCOUNT}:access-control"}


def test_a_module_argument_with_known_and_open_parts_keeps_its_known_instances_converted(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", PROVIDER + '''
variable "more" {
  type = map(object({ key = optional(bool, true) }))
}

module "team" {
  source  = "./team"
  members = merge(var.more, { kim = {} })
}
''')
    write(tmp_path, "team/main.tf", '''
variable "members" {
  type = map(object({ key = optional(bool, true) }))
}

resource "aws_iam_user" "m" {
  for_each = var.members
  name     = each.key
}

resource "aws_iam_access_key" "m" {
  for_each = { for name, member in var.members : name => member if member.key }
  user     = aws_iam_user.m[each.key].name
}
''')
    loaded = _loaded(tmp_path)
    assert _errors(loaded) == []
    assert {(c.id, c.principal) for c in loaded.inventory.credentials} == {
        (f"{_user('kim')}#module.team.aws_iam_access_key.m[\"kim\"]", _user("kim")),
        (f"aws:iam::{ACCOUNT}:access-key/.:module.team.aws_iam_access_key.m[*]", None)}  # held by one not known


def test_a_plan_whose_provider_names_the_account_names_its_ids_when_every_iam_name_is_unknown(tmp_path: Path) -> None:
    # `name = var.user` set only by a -var-file: the plan leaves it unknown until apply
    user = {"address": "aws_iam_user.ci", "mode": "managed", "type": "aws_iam_user", "name": "ci",
            "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
            "values": {"path": "/", "force_destroy": False, "tags": None}, "sensitive_values": {}}
    change = {"address": "aws_iam_user.ci", "mode": "managed", "type": "aws_iam_user", "name": "ci",
              "provider_name": "registry.terraform.io/hashicorp/aws",
              "change": {"actions": ["create"], "before": None, "after": user["values"],
                         "after_unknown": {"name": True, "arn": True, "id": True, "unique_id": True},
                         "before_sensitive": False, "after_sensitive": {}}}
    provider = {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws", "expressions": {
        "region": {"constant_value": "eu-west-1"}, "allowed_account_ids": {"constant_value": [ACCOUNT]}}}}
    plan = {"format_version": "1.2", "terraform_version": "1.7.5",
            "planned_values": {"root_module": {"resources": [user]}}, "resource_changes": [change],
            "configuration": {"provider_config": provider, "root_module": {"resources": [
                {"address": "aws_iam_user.ci", "mode": "managed", "type": "aws_iam_user", "name": "ci",
                 "provider_config_key": "aws", "expressions": {"name": {"references": ["var.user"]}}}]}},
            "timestamp": "2026-01-01T00:00:00Z", "errored": False}
    (tmp_path / "plan.json").write_text(json.dumps(plan, indent=2), encoding="utf-8")
    loaded = _loaded(tmp_path)
    assert _errors(loaded) == []
    assert _ids(loaded, "aws:iam:") == {_user("plan.json:aws_iam_user.ci"), f"aws:iam::{ACCOUNT}:access-control"}


OPEN_PREFIX = '''provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["111122223333"]
}
variable "bucket" {}
resource "aws_s3_bucket" "customers" {
  bucket = "acme-customers"
  tags   = { "data-classification" = "customer_pii" }
}
resource "aws_iam_user" "kim" {
  name = "kim"
}
resource "aws_iam_user_policy" "kim" {
  user = aws_iam_user.kim.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["${aws_s3_bucket.customers.arn}/*", "${var.bucket}/*"]
    }]
  })
}
'''


def test_a_resource_that_begins_with_an_open_value_is_any_resource_and_keeps_the_known_ones(tmp_path: Path) -> None:
    """`"${var.bucket}/*"` reached the policy reader as `*/*`, an error that took the statement's known bucket
    with it: the common pattern lost a path. It is any resource, said open, beside the known grant."""
    write(tmp_path, "main.tf", OPEN_PREFIX)
    run = run_cli("reach", str(tmp_path), "--as-of", "2026-01-01", "--format", "json")
    assert (run.code, run.err) == (0, "")
    [kim] = json.loads(run.out)["identities"]
    assert [r["id"] for r in kim["resources"]] == ["aws:s3:::acme-customers"]
    facts = json.loads(run_cli("facts", "aws:iam::111122223333:user/kim", str(tmp_path), "--as-of",
                               "2026-01-01").out)
    assert [(g["resource"], g["condition"]) for g in facts["grants"]] == [
        ("aws:s3:::acme-customers", None),
        ("aws:*", "template leaves open: var.bucket (a variable without a default; no tfvars sets it)")]
