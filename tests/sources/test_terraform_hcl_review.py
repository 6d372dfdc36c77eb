"""Review findings on the Terraform HCL reader: no configuration hangs or crashes the run, what it leaves open is
read failing closed, no folder's records are lost to another folder, and ids do not depend on what else is
checked. Each test runs from the checked folder (the run's root), as a user runs `policylint check .`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policylint.inventory import Loaded, load_paths
from policylint.sources.base import Options
from policylint.sources.terraform.hcl_scope import Budget

from helpers import check_output, loaded_errors, loaded_ids, write

OPEN = "template leaves open: "


@pytest.fixture(autouse=True)
def _run_from_the_checked_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _loaded(folder: Path, options: Options | None = None) -> Loaded:
    return load_paths([str(folder)], options, root=str(folder))


_errors, _ids, _check = loaded_errors, loaded_ids, check_output


USERS = '''
resource "aws_iam_user" "u" {
  for_each = toset(["ana", "ben"])
  name     = each.value
}
'''


# -- 1. the evaluation budget is per top-level expression, and hitting it is said where --------------------------

def test_one_heavy_expression_does_not_collapse_the_instances_of_another(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Budget, "STEPS", 2_000)
    write(tmp_path, "main.tf", '''
resource "aws_iam_user" "heavy" {
  name = "heavy-${length(flatten([for i in range(60) : [for j in range(60) : j]]))}"
}
''' + USERS)
    loaded = _loaded(tmp_path)
    assert _ids(loaded, ":user/") == {"aws:iam::cfn:user/ana", "aws:iam::cfn:user/ben",
                                      "aws:iam::cfn:user/.:aws_iam_user.heavy"}
    assert _errors(loaded) == [("main.tf", 2, "expected an expression within the bounds")]
    assert "more than 2,000 evaluation steps" in loaded.errors[0].message


def test_instances_past_the_budget_are_one_open_instance_and_a_located_error(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Budget, "INSTANCES", 3)
    write(tmp_path, "main.tf", '''
resource "aws_iam_user" "u" {
  for_each = toset(["ana", "ben", "carl", "dora"])
  name     = each.value
}
''')
    loaded = _loaded(tmp_path)
    assert _ids(loaded, ":user/") == {"aws:iam::cfn:user/.:aws_iam_user.u[*]"}
    assert _errors(loaded) == [("main.tf", 2, "expected instances within the bounds of ")]
    assert "for_each of resource aws_iam_user.u making 4" in loaded.errors[0].message
    assert "standing for all of them" in loaded.errors[0].message
    code, out = _check(tmp_path)
    assert code == 2 and "main.tf:2:3: error: expected instances" in out


def test_past_the_runs_budget_every_expression_left_unevaluated_is_said(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Budget, "STEPS", 3_000)  # one heavy expression fits, two do not
    monkeypatch.setattr(Budget, "RUN", 4_000)
    heavy = 'resource "aws_iam_user" "heavy%d" {\n  name = "h-${length([for i in range(900) : i])}"\n}\n'
    write(tmp_path, "main.tf", heavy % 1 + heavy % 2 + USERS)
    loaded = _loaded(tmp_path)
    assert [(e.location.line, e.message.split("found ")[1][:50]) for e in loaded.errors] == [
        (5, "more than 4,000 evaluation steps in the whole run:"),
        (9, "more than 4,000 evaluation steps in the whole run:")]  # the for_each: one open instance
    assert _ids(loaded, ":user/") == {"aws:iam::cfn:user/h-900", "aws:iam::cfn:user/.:aws_iam_user.heavy2",
                                      "aws:iam::cfn:user/.:aws_iam_user.u[*]"}


def test_a_count_past_any_real_configuration_is_said_not_silently_one(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
resource "aws_iam_user" "u" {
  count = 1000000000
  name  = "u-${count.index}"
}
''')
    loaded = _loaded(tmp_path)
    assert _ids(loaded, ":user/") == {"aws:iam::cfn:user/.:aws_iam_user.u[*]"}
    assert _errors(loaded) == [("main.tf", 2, "expected instances within the bounds of ")]


# -- 2. no growth without end: text, lists, numbers, templates, modules ----------------------------------------

def _doubling(name: str, start: str, step: str, times: int = 30) -> str:
    lines = [f"  {name}0 = {start}"] + [f"  {name}{i} = {step.format(p=f'local.{name}{i - 1}')}"
                                         for i in range(1, times + 1)]
    return "locals {\n" + "\n".join(lines) + "\n}\n"


@pytest.mark.parametrize("case, locals_, used, line, found", [
    ("text", _doubling("s", '"ab"', '"${{{p}}}${{{p}}}"'), "local.s30", 21,
     "a template making text of 1,048,576 characters (at most 1,000,000)"),
    ("list", _doubling("l", '["a", "b"]', "concat({p}, {p})"), "local.l30[0]", 19,
     "more than 1,000,000 evaluation steps"),
    ("number", _doubling("n", "10", "{p} * {p}"), 'tostring(local.n30)', 12,
     "a number of more than 1,000 digits"),
])
def test_growth_through_locals_is_a_located_error(tmp_path: Path, case: str, locals_: str, used: str, line: int,
                                                  found: str) -> None:
    write(tmp_path, "main.tf", locals_ + f'resource "aws_iam_user" "u" {{\n  name = {used}\n}}\n')
    loaded = _loaded(tmp_path)
    assert _errors(loaded) == [("main.tf", line, "expected an expression within the bounds")]
    assert found in loaded.errors[0].message
    assert _ids(loaded, ":user/") == {"aws:iam::cfn:user/.:aws_iam_user.u"}  # its name open: still there


@pytest.mark.parametrize("expression, found", [
    ('format("%0999999999d", 1)', "format() padding to 999999999 characters"),
    ('indent(999999999, "a\\nb")', "indent() making text of 1,000,000,002 characters"),
    ('join(",", [for i in range(1000) : format("%01000d", i)])', "a for expression making more than"),
    ('replace("aaaa", "a", format("%0999999d", 1))', "replace() making text of"),
])
def test_a_function_making_huge_text_is_a_located_error_before_it_is_made(tmp_path: Path, expression: str,
                                                                          found: str) -> None:
    write(tmp_path, "main.tf", f'resource "aws_iam_user" "u" {{\n  name = {expression}\n}}\n')
    code, out = _check(tmp_path)
    assert code == 2, out
    assert "main.tf:2:3: error: expected an expression within the bounds" in out and found in out


def test_a_template_calling_templatefile_again_is_not_followed(tmp_path: Path) -> None:
    write(tmp_path, "a.tpl", '${templatefile("a.tpl", {})}${templatefile("a.tpl", {})}')
    write(tmp_path, "main.tf", 'resource "aws_iam_user" "u" {\n  name = templatefile("a.tpl", {})\n}\n')
    loaded = _loaded(tmp_path)
    assert _errors(loaded) == []
    assert _ids(loaded, ":user/") == {"aws:iam::cfn:user/.:aws_iam_user.u"}


def test_modules_fanning_out_stop_at_the_run_s_instances(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Budget, "INSTANCES", 200)
    for level in range(6):  # each module calls the next ten times: a million leaves
        inner = (f'module "next" {{\n  source = "../m{level + 1}"\n  count  = 10\n}}\n' if level < 5 else
                 'resource "aws_iam_user" "leaf" {\n  name_prefix = "leaf"\n}\n')
        write(tmp_path, f"m{level}/main.tf", inner + 'variable "team" {}\n')
    write(tmp_path, "root/main.tf", 'module "top" {\n  source = "../m0"\n  count  = 10\n  team   = "ops"\n}\n')
    loaded = _loaded(tmp_path)
    assert sorted((Path(e.location.file).parent.name, e.location.line) for e in loaded.errors) == [
        ("m0", 3), ("m1", 3), ("m2", 3), ("m3", 3), ("m4", 3)]
    assert "count of module next making 10: more than 200 resource and module instances" in loaded.errors[0].message
    leaves = _ids(loaded, "aws_iam_user.leaf")  # every instance past the bound is still there, as one open one
    assert all(f"module.top[{i}].module.next[*].module.next[*].module.next[*].module.next[*].module.next[*]."
               "aws_iam_user.leaf" in " ".join(leaves) for i in range(1, 10))


# -- 3. a lone surrogate escape ------------------------------------------------------------------------------

def test_a_surrogate_escape_is_terraforms_invalid_escape_sequence(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", 'resource "aws_iam_user" "u" {\n  name = "ops-\\uD800"\n}\n')
    code, out = _check(tmp_path)
    assert code == 2
    assert "main.tf:2:15: error: expected an escape of a character UTF-8 encodes, found '\\\\uD800'" in out


def test_a_surrogate_in_json_syntax_or_jsondecode_is_no_crash(tmp_path: Path) -> None:
    write(tmp_path, "a/main.tf.json", '{"resource": {"aws_iam_user": {"u": {"name": "ops-\\ud800"}}}}')
    write(tmp_path, "b/main.tf", 'resource "aws_iam_user" "u" {\n  name = jsondecode("\\"ops-\\\\ud800\\"")\n}\n')
    loaded = _loaded(tmp_path)
    assert _errors(loaded) == [("main.tf.json", 1, "expected Terraform JSON, found invalid J")]
    assert _ids(loaded, ":user/") == {"aws:iam::b:user/ops-\ufffd"}


# -- 4. an argument where a block belongs ------------------------------------------------------------------------

def test_principals_written_as_an_argument_is_an_error_and_anyone(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
variable "trusted" {}

data "aws_iam_policy_document" "trust" {
  statement {
    actions    = ["sts:AssumeRole"]
    principals = var.trusted
  }
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
''')
    loaded = _loaded(tmp_path)
    assert _errors(loaded) == [("main.tf", 6, "expected a 'principals' block (principal")]
    assert "Unsupported argument" in loaded.errors[0].message
    why = f"{OPEN}var.trusted (a variable without a default; no tfvars sets it)"
    assert [(r.id, r.assumable_by) for r in loaded.inventory.roles] == [
        ("aws:iam::cfn:role/app", (f"*anyone-if:{why}",))]


def test_statements_written_as_an_argument_are_read_as_written(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
data "aws_iam_policy_document" "read" {
  statement = [{ actions = ["s3:GetObject"], resources = ["arn:aws:s3:::acme-customers/*"] }]
}

resource "aws_iam_user_policy" "read" {
  name   = "read"
  user   = "ana"
  policy = data.aws_iam_policy_document.read.json
}
''')
    loaded = _loaded(tmp_path)
    assert _errors(loaded) == [("main.tf", 2, "expected a 'statement' block (statement ")]
    assert {(g.to, g.resource, g.actions_given) for g in loaded.inventory.grants} == {
        ("aws:iam::cfn:user/ana", "aws:s3:::acme-customers", ("s3:GetObject",))}


ROLE = '''
resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [
    { Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }] })
  inline_policy      = %s
}
'''


@pytest.mark.parametrize("written, grants", [
    # the provider takes inline_policy as an argument too (Terraform validates it): read as its blocks
    ('''[{ name = "read", policy = jsonencode({ Version = "2012-10-17", Statement = [
    { Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::acme-customers/*" }] }) }]''',
     {("aws:s3:::acme-customers", ("s3:GetObject",), None)}),
    # left open: a policy that may grant anything (never none)
    ("var.policies", {("aws:*", (), f"{OPEN}the document of policy '*'")}),
])
def test_inline_policy_written_as_an_argument_is_read_and_fails_closed_when_open(
        tmp_path: Path, written: str, grants: set[tuple[object, ...]]) -> None:
    write(tmp_path, "main.tf", 'variable "policies" {}\n' + ROLE % written)
    loaded = _loaded(tmp_path)
    assert _errors(loaded) == []
    assert {(g.resource, g.actions_given, g.condition) for r in loaded.inventory.roles for g in r.grants} == grants


# -- 5. open default tags ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("own, data", [
    ('{ team = "x" }', ("*",)),  # the open defaults may classify it as anything
    ('{ "data-classification" = "public" }', ("public",)),  # its own tag stands over any default
])
def test_open_default_tags_leave_the_classification_open_and_make_no_tag(tmp_path: Path, own: str,
                                                                         data: tuple[str, ...]) -> None:
    write(tmp_path, "main.tf", '''
variable "tags" {}

provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = var.tags
  }
}

resource "aws_s3_bucket" "b" {
  bucket = "acme-b"
  tags   = ''' + own + '''
}
''')
    loaded = _loaded(tmp_path)
    assert [(r.id, r.data) for r in loaded.inventory.resources if r.type == "bucket"] == [("aws:s3:::acme-b", data)]
    assert not any("Ref" in flag for r in loaded.inventory.resources for flag in r.flags)


# -- 6. nested blocks in Terraform's JSON syntax ------------------------------------------------------------------

NATIVE = '''
terraform {
  backend "s3" {
    bucket = "state"
  }
}

provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = { "data-classification" = "customer" }
  }
}

resource "aws_s3_bucket" "records" {
  bucket = "acme-records"
}

resource "aws_cloudtrail" "trail" {
  name           = "trail"
  s3_bucket_name = "logs"
  event_selector {
    read_write_type = "All"
    data_resource {
      type   = "AWS::S3::Object"
      values = ["arn:aws:s3:::acme-records/"]
    }
  }
  advanced_event_selector {
    name = "reads"
    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }
  }
}

resource "aws_kms_key" "k" {
  description = "k"
}

resource "aws_kms_grant" "g" {
  name              = "g"
  key_id            = aws_kms_key.k.key_id
  grantee_principal = "arn:aws:iam::111122223333:role/reader"
  operations        = ["Decrypt"]
  constraints {
    encryption_context_equals = { team = "ops" }
  }
}

resource "kubernetes_cluster_role_v1" "agg" {
  metadata {
    name = "agg"
  }
  aggregation_rule {
    cluster_role_selectors {
      match_expressions {
        key      = "rbac/agg"
        operator = "In"
        values   = ["true"]
      }
    }
  }
}

resource "google_project_iam_audit_config" "audit" {
  project = "p"
  service = "allServices"
  audit_log_config {
    log_type = "DATA_READ"
  }
}
'''

JSON = {
    "terraform": {"backend": {"s3": {"bucket": "state"}}},
    "provider": {"aws": {"region": "eu-west-1", "default_tags": {"tags": {"data-classification": "customer"}}}},
    "resource": {
        "aws_s3_bucket": {"records": {"bucket": "acme-records"}},
        "aws_cloudtrail": {"trail": {
            "name": "trail", "s3_bucket_name": "logs",
            "event_selector": [{"read_write_type": "All", "data_resource": [
                {"type": "AWS::S3::Object", "values": ["arn:aws:s3:::acme-records/"]}]}],
            "advanced_event_selector": {"name": "reads", "field_selector": {"field": "eventCategory",
                                                                            "equals": ["Data"]}}}},
        "aws_kms_key": {"k": {"description": "k"}},
        "aws_kms_grant": {"g": {"name": "g", "key_id": "${aws_kms_key.k.key_id}",
                                "grantee_principal": "arn:aws:iam::111122223333:role/reader",
                                "operations": ["Decrypt"],
                                "constraints": {"encryption_context_equals": {"team": "ops"}}}},
        "kubernetes_cluster_role_v1": {"agg": {"metadata": {"name": "agg"}, "aggregation_rule": {
            "cluster_role_selectors": {"match_expressions": [{"key": "rbac/agg", "operator": "In",
                                                              "values": ["true"]}]}}}},
        "google_project_iam_audit_config": {"audit": {"project": "p", "service": "allServices",
                                                      "audit_log_config": {"log_type": "DATA_READ"}}},
    },
}


def _described(loaded: Loaded) -> set[tuple[object, ...]]:
    inventory = loaded.inventory
    return ({(n.id, getattr(n, "data", None), getattr(n, "logging", None), getattr(n, "scope", None), n.flags)
             for n in inventory.nodes()}
            | {(g.to, g.resource, g.actions, g.condition) for g in inventory.grants}
            | {(k.id, k.protects) for k in inventory.keys})


def test_json_syntax_reads_every_nested_block_the_native_syntax_does(tmp_path: Path) -> None:
    write(tmp_path, "native/main.tf", NATIVE)
    write(tmp_path, "json/main.tf.json", json.dumps(JSON, indent=2))
    native, written = _loaded(tmp_path / "native"), _loaded(tmp_path / "json")
    assert _errors(native) == _errors(written) == []
    assert _described(native) == _described(written)
    stores = {r.id: (r.data, r.logging) for r in written.inventory.resources if r.type in ("bucket", "project")}
    assert stores == {"aws:s3:::acme-records": (("customer",), True),  # default_tags; the trail's data_resource
                      "gcp:projects/p": ((), True)}  # audit_log_config
    assert [r.flags for r in written.inventory.roles] == [("k8s-aggregates:rbac/agg in (true)",)]  # match_expressions


# -- 7. tfvars values converted to the variable's type ---------------------------------------------------------

def test_tfvars_text_is_converted_to_a_bool_and_a_number_as_terraform_does(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
variable "enabled" {
  type    = bool
  default = false
}

variable "users" {
  type    = number
  default = 0
}

variable "label" {
  type    = string
  default = ""
}

resource "aws_iam_user" "u" {
  count = var.enabled ? var.users : 0
  name  = "u${count.index}-${var.label}"
}
''')
    write(tmp_path, "terraform.tfvars", 'enabled = "true"\nusers = "2"\nlabel = 1.50\n')
    loaded = _loaded(tmp_path)
    assert _errors(loaded) == []
    assert _ids(loaded, ":user/") == {"aws:iam::cfn:user/u0-1.5", "aws:iam::cfn:user/u1-1.5"}


def test_a_tfvars_value_terraform_cannot_convert_is_a_located_error_and_open(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
variable "enabled" {
  type    = bool
  default = false
}

resource "aws_iam_user" "u" {
  count = var.enabled ? 1 : 0
  name  = "admin"
}
''')
    write(tmp_path, "terraform.tfvars", 'enabled = "yes"\n')
    loaded = _loaded(tmp_path)
    assert _errors(loaded) == [("terraform.tfvars", 1, "expected a value of var.enabled's type, ")]
    assert "a bool is required" in loaded.errors[0].message
    assert _ids(loaded, ":user/") == {"aws:iam::cfn:user/admin"}  # the count is open: the user may exist


# -- 8. a -var-file's values ---------------------------------------------------------------------------------------

def test_a_variable_a_var_file_sets_is_open_not_its_default(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
variable "admins" {
  type    = list(string)
  default = []
}

resource "aws_iam_user" "admin" {
  for_each = toset(var.admins)
  name     = each.value
}
''')
    write(tmp_path, "prod.tfvars", 'admins = ["mallory"]\n')
    loaded = _loaded(tmp_path)
    assert _ids(loaded, ":user/") == {"aws:iam::cfn:user/.:aws_iam_user.admin[*]"}  # not none: any
    assert [(Path(at.file).name, text.split(":")[0]) for at, text in loaded.notes] == [
        ("prod.tfvars", "values Terraform applies only when asked (`-var-file`)")]


# -- 9, 10, 11. no folder's records lost to another -----------------------------------------------------------------

PROD = '''
variable "users" {
  type    = set(string)
  default = ["alice"]
}

resource "aws_iam_user" "u" {
  for_each = var.users
  name     = each.value
}
'''


def test_a_decoy_call_with_inputs_does_not_turn_off_a_folder_terraform_runs_on_its_own(tmp_path: Path) -> None:
    write(tmp_path, "infra/prod/main.tf", PROD)
    write(tmp_path, "docs/example/main.tf", 'module "copy" {\n  source = "../../infra/prod"\n  users  = []\n}\n')
    loaded = _loaded(tmp_path)
    assert _errors(loaded) == []
    assert _ids(loaded, ":user/") == {"aws:iam::infra%2Fprod:user/alice"}


def test_a_module_a_root_that_says_so_calls_is_read_only_through_it(tmp_path: Path) -> None:
    write(tmp_path, "modules/users/main.tf", PROD)
    write(tmp_path, "envs/prod/main.tf", 'provider "aws" {\n  region = "eu-west-1"\n}\n\n'
                                         'module "users" {\n  source = "../../modules/users"\n  users  = ["bob"]\n}\n')
    assert _ids(_loaded(tmp_path), ":user/") == {"aws:iam::envs%2Fprod:user/bob"}


@pytest.mark.parametrize("first", [b"\x80 not text\n", b"# " + b"x" * 600 + b"\n"])
def test_an_unreadable_first_file_does_not_take_the_folders_records(tmp_path: Path, first: bytes) -> None:
    write(tmp_path, "main.tf", 'resource "aws_iam_user" "ci" {\n  name = "ci-bot"\n}\n')
    (tmp_path / "a.tf").write_bytes(first)
    loaded = _loaded(tmp_path, Options(max_file_bytes=500))
    assert _ids(loaded, ":user/") == {"aws:iam::cfn:user/ci-bot"}
    assert [(name, line) for name, line, _ in _errors(loaded)] == [("a.tf", 1)]


def test_a_module_no_instance_calls_and_its_caller_have_ids_of_their_own(tmp_path: Path) -> None:
    write(tmp_path, "mods/ci/main.tf", 'resource "aws_iam_user" "ci" {\n  name = "ci-bot"\n}\n')
    write(tmp_path, "root/main.tf", 'module "ci" {\n  source = "../../mods/ci"\n  count  = 0\n}\n\n'
                                    'resource "aws_iam_user" "ci" {\n  name = "ci-bot"\n}\n')
    loaded = _loaded(tmp_path)
    assert _errors(loaded) == []
    assert _ids(loaded, ":user/") == {"aws:iam::mods%2Fci:user/ci-bot", "aws:iam::root:user/ci-bot"}


# -- 12. a presigned module source -----------------------------------------------------------------------------------

def test_a_module_sources_query_is_never_shown(tmp_path: Path) -> None:
    signature = "abcdef0123456789" * 4
    write(tmp_path, "main.tf", f'''
module "m" {{
  source = "s3::https://bucket.s3.amazonaws.com/m.zip?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240101&X-Amz-Signature={signature}&X-Amz-Security-Token=FwoGZXIvYXdzEHoaDNotARealTokenAAAAAAAA"
}}
''')
    loaded = _loaded(tmp_path)
    assert [text.split(" is not read")[0] for _, text in loaded.notes] == [
        "module 'm' (source 's3::https://bucket.s3.amazonaws.com/m.zip?<redacted>')"]
    _, out = _check(tmp_path)
    assert "X-Amz" not in out and "AKIA" not in out


# -- 13. JSON syntax errors ------------------------------------------------------------------------------------------

def test_a_tf_json_syntax_error_says_json_and_where(tmp_path: Path) -> None:
    write(tmp_path, "main.tf.json", '{\n  "resource": {\n    "aws_iam_user": {"u": {"name": "x",}}\n  }\n}\n')
    loaded = _loaded(tmp_path)
    assert [str(e).split(": error: ")[1] for e in loaded.errors] == [
        "expected Terraform JSON, found invalid JSON: Expecting property name enclosed in double quotes"]
    assert (loaded.errors[0].location.line, loaded.errors[0].location.column) == (3, 40)


# -- 14, 15. Google provider aliases, default labels and an open project ---------------------------------------

def test_a_google_provider_alias_puts_resources_in_its_project_with_its_labels(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
provider "google" {
  project = "dev-proj"
}

provider "google" {
  alias          = "prod"
  project        = "prod-proj"
  default_labels = { "data-classification" = "customer" }
}

resource "google_storage_bucket" "records" {
  provider = google.prod
  name     = "acme-records"
  location = "EU"
}

resource "google_service_account" "app" {
  provider   = google.prod
  account_id = "app"
}

resource "google_project_iam_member" "reader" {
  provider = google.prod
  role     = "roles/storage.objectViewer"
  member   = "serviceAccount:${google_service_account.app.email}"
}
''')
    loaded = _loaded(tmp_path)
    buckets = [(r.id, r.data) for r in loaded.inventory.resources if r.type == "bucket"]
    assert buckets == [("gcp:projects/prod-proj/buckets/acme-records", ("customer",))]
    assert "gcp:serviceAccount:app@prod-proj.iam.gserviceaccount.com" in _ids(loaded)
    assert not _ids(loaded, "dev-proj")


def test_open_default_labels_leave_a_buckets_class_open(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
variable "labels" {}

provider "google" {
  project        = "p"
  default_labels = var.labels
}

resource "google_storage_bucket" "records" {
  name     = "acme-records"
  location = "EU"
}
''')
    loaded = _loaded(tmp_path)
    assert [r.data for r in loaded.inventory.resources if r.type == "bucket"] == [("*",)]


def test_keys_of_a_project_left_open_are_kept_under_it(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '''
variable "project" {}

provider "google" {
  project = var.project
}

resource "google_service_account" "app" {
  account_id = "app"
}

resource "google_service_account_key" "k" {
  service_account_id = google_service_account.app.name
}

resource "google_kms_key_ring" "r" {
  name     = "ring"
  location = "eu"
}

resource "google_kms_crypto_key" "k" {
  name     = "key"
  key_ring = google_kms_key_ring.r.id
}

resource "google_kms_crypto_key_iam_member" "m" {
  crypto_key_id = google_kms_crypto_key.k.id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = "user:dana@acme.example"
}
''')
    loaded = _loaded(tmp_path)
    account = "gcp:serviceAccount:app@provider-project.plan.iam.gserviceaccount.com"
    key = "gcp:projects/provider-project.plan/locations/eu/keyRings/ring/cryptoKeys/key"
    assert [(c.id, c.principal) for c in loaded.inventory.credentials] == [
        (f"{account}#key-google_service_account_key.k", account)]
    assert [k.id for k in loaded.inventory.keys] == [key]
    assert {(r.id, r.assumable_by, tuple(g.resource for g in r.grants)) for r in loaded.inventory.roles
            if r.id.startswith(key)} == {(f"{key}:roles/cloudkms.cryptoKeyEncrypterDecrypter",
                                          ("gcp:user:dana@acme.example",), (key,))}


# -- 16. ids do not depend on what else is checked -------------------------------------------------------------

STORE = '''
resource "aws_iam_role" "api" {
  name               = "orders-api"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [
    { Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }] })
}
'''


def test_a_second_environment_does_not_rename_the_first(tmp_path: Path) -> None:
    write(tmp_path, "envs/prod/main.tf", STORE)
    alone = _ids(_loaded(tmp_path), ":role/")
    write(tmp_path, "envs/dev/main.tf", STORE)
    both = _ids(_loaded(tmp_path), ":role/")
    assert alone == {"aws:iam::envs%2Fprod:role/orders-api"}
    assert both == alone | {"aws:iam::envs%2Fdev:role/orders-api"}


def test_the_run_roots_own_configuration_is_in_the_unknown_account(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", STORE)
    write(tmp_path, "envs/dev/main.tf", STORE)
    assert _ids(_loaded(tmp_path), ":role/") == {"aws:iam::cfn:role/orders-api",
                                                 "aws:iam::envs%2Fdev:role/orders-api"}


MISSING_FILE = '''
resource "aws_iam_user_policy" "p" {
  name   = "p"
  user   = "ana"
  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "s3:GetObject",
    Resource = "arn:aws:s3:::custdata/${file("${path.module}/nope.txt")}"}]})
}
'''


def test_a_file_a_configuration_reads_and_cannot_is_named_alike_in_every_copy(tmp_path: Path) -> None:
    """What a template leaves open names the file it could not read, and that text is a grant's condition (a
    finding's evidence): named by the run's path, it differed between the working tree and a diff's copy, and the
    hook found the finding worse on every commit."""
    conditions = []
    for top in (tmp_path / "repo", tmp_path / "policylint-staged-x1y2"):
        write(top, "tf/main.tf", MISSING_FILE)
        loaded = load_paths([str(top / "tf")], Options(top=str(top)), root=str(top / "security"))
        conditions.append({g.condition for g in loaded.inventory.grants} |
                          {g.condition for r in loaded.inventory.roles for g in r.grants} |
                          {g.condition for p in loaded.inventory.principals for g in getattr(p, "grants", ())})
    assert conditions[0] == conditions[1]
    assert any(c and "file '../tf/nope.txt'" in c for c in conditions[0]), conditions[0]
