"""Review findings on the Terraform plan reader and the IAM package: what a template, a plan or a configuration
leaves open is read failing closed, and says so; ids of two plans never meet by accident."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policylint.inventory import load_paths
from policylint.model import Grant, Location
from policylint.sources.aws import cloudformation
from policylint.sources.base import Fragment, Options
from policylint.sources.terraform.plan import fragment_of
from policylint.sources.terraform.plan_read import Plan, TfResource

from helpers import run_cli, write

OPEN = "template leaves open: "
CUSTOMERS = "aws:s3:::acme-customers"


def _template(tmp_path: Path, text: str) -> Fragment:
    path = write(tmp_path, "stack.yaml", text)
    return cloudformation.load(str(path), path.read_text(encoding="utf-8"), Options())


def _grants(grants: tuple[Grant, ...] | list[Grant], holder: str | None = None) -> set[tuple[Any, ...]]:
    return {(g.resource, g.actions, g.excluding, g.condition) for g in grants if holder is None or g.to == holder}


# -- 1. a statement whose Effect, Action, NotAction or Condition a template leaves open ----------------------------

READER = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Denied: {Type: CommaDelimitedList}
  Extra: {Type: String}
  Effect: {Type: String}
  Cond: {Type: String}
  Verb: {Type: String}
Resources:
  Reader:
    Type: AWS::IAM::User
    Properties:
      UserName: reader
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
%s
"""
ALLOW_READ = """\
              - Effect: Allow
                Action: s3:GetObject
                Resource: arn:aws:s3:::acme-customers/*
"""


def _reader(tmp_path: Path, *statements: str) -> set[tuple[Any, ...]]:
    fragment = _template(tmp_path, READER % "".join(statements))
    assert fragment.errors == []
    return _grants(fragment.inventory.grants, "aws:iam::cfn:user/reader")


def test_a_deny_whose_actions_the_template_leaves_open_takes_nothing_away(tmp_path: Path) -> None:
    # `Action: !Ref Denied` was read as `*`: the Deny took every Allow away, and the path to customer data with it
    deny = """\
              - Effect: Deny
                Action: !Ref Denied
                Resource: "*"
"""
    assert _reader(tmp_path, ALLOW_READ, deny) == {(CUSTOMERS, ("read",), (), None)}


def test_a_deny_keeps_its_written_actions_when_only_some_are_open(tmp_path: Path) -> None:
    deny = """\
              - Effect: Deny
                Action: [s3:GetObject, !Ref Extra]
                Resource: "*"
"""
    assert _reader(tmp_path, ALLOW_READ, deny) == set()  # s3:GetObject is denied as written


def test_an_allow_whose_actions_are_open_allows_everything_on_its_resources_and_says_so(tmp_path: Path) -> None:
    allow = """\
              - Effect: Allow
                Action: [!Sub "s3:${Verb}", s3:ListBucket]
                Resource: arn:aws:s3:::acme-customers/*
"""
    assert _reader(tmp_path, allow) == {
        (CUSTOMERS, ("read",), (), None),  # s3:ListBucket, as written
        (CUSTOMERS, ("read", "write", "delete", "admin"), (), OPEN + "parameter Verb has no Default")}


def test_an_open_not_action_leaves_nothing_out(tmp_path: Path) -> None:
    allow = """\
              - Effect: Allow
                NotAction: !Ref Extra
                Resource: arn:aws:s3:::acme-customers/*
"""
    assert _reader(tmp_path, allow) == {
        (CUSTOMERS, ("read", "write", "delete", "admin"), (), OPEN + "parameter Extra has no Default")}


def test_an_open_effect_is_an_allow_that_says_so(tmp_path: Path) -> None:
    # an Effect the template leaves open was an error, and the statement was dropped
    statement = """\
              - Effect: !Ref Effect
                Action: s3:GetObject
                Resource: arn:aws:s3:::acme-customers/*
"""
    assert _reader(tmp_path, statement) == {(CUSTOMERS, ("read",), (), OPEN + "parameter Effect has no Default")}


def test_an_open_condition_still_allows_and_shows_what_it_could_read(tmp_path: Path) -> None:
    whole = """\
              - Effect: Allow
                Action: s3:GetObject
                Resource: arn:aws:s3:::acme-customers/*
                Condition: !Ref Cond
"""
    assert _reader(tmp_path, whole) == {(CUSTOMERS, ("read",), (), OPEN + "parameter Cond has no Default")}
    part = """\
              - Effect: Allow
                Action: s3:GetObject
                Resource: arn:aws:s3:::acme-customers/*
                Condition:
                  Bool: {aws:SecureTransport: "true"}
                  StringEquals: !Ref Cond
"""
    assert _reader(tmp_path, part) == {
        (CUSTOMERS, ("read",), (), OPEN + "parameter Cond has no Default and aws:SecureTransport=true")}


def test_a_deny_under_an_open_condition_or_effect_takes_nothing_away(tmp_path: Path) -> None:
    deny = """\
              - Effect: Deny
                Action: "*"
                Resource: "*"
                Condition: !Ref Cond
"""
    either = """\
              - Effect: !Ref Effect
                Action: "*"
                Resource: "*"
"""
    found = _reader(tmp_path, ALLOW_READ, deny, either)
    assert (CUSTOMERS, ("read",), (), None) in found


HCL = """\
variable "denied" { type = list(string) }
variable "effect" { type = string }
variable "cond" {}

resource "aws_iam_user" "reader" { name = "reader" }

data "aws_iam_policy_document" "read" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::acme-customers/*"]
  }
  statement {
    effect    = "Deny"
    actions   = var.denied
    resources = ["*"]
  }
}

resource "aws_iam_user_policy" "read" {
  name   = "read"
  user   = aws_iam_user.reader.name
  policy = data.aws_iam_policy_document.read.json
}

resource "aws_iam_user_policy" "more" {
  name = "more"
  user = aws_iam_user.reader.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = var.effect, Action = "dynamodb:GetItem", Resource = "arn:aws:dynamodb:*:*:table/orders" },
      { Effect = "Allow", Action = "sqs:ReceiveMessage", Resource = "*", Condition = var.cond },
    ]
  })
}
"""


def test_hcl_actions_effect_and_condition_from_variables_fail_closed(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", HCL)
    loaded = load_paths([str(tmp_path)], root=str(tmp_path))
    assert [str(e) for e in loaded.errors] == []
    found = {(g.resource, g.actions, g.condition) for g in loaded.inventory.grants
             if g.to == "aws:iam::cfn:user/reader"}
    why = "(a variable without a default; no tfvars sets it)"
    assert found == {
        (CUSTOMERS, ("read",), None),  # the Deny of `var.denied` takes nothing away
        ("aws:dynamodb:*:*:table/orders", ("read",), f"{OPEN}var.effect {why}"),
        ("aws:sqs:*", ("read",), f"{OPEN}var.cond {why}")}


# -- plans, in the shape `terraform show -json` prints them --------------------------------------------------------

ACCOUNT = "111122223333"
PROD = "444455556666"
OTHER = "777788889999"
_PROVIDERS = {"aws": "hashicorp/aws", "google": "hashicorp/google", "kubernetes": "hashicorp/kubernetes"}


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


PARTNER_TRUST = _doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
                      "Action": "sts:AssumeRole"})
READ_CUSTOMERS = _doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-customers/*"})


class Res:
    """One resource instance of a plan: its values, what the plan leaves unknown, its configuration's expressions
    and the provider configuration it uses; created, or, with `before` (its prior state's values), updated."""

    def __init__(self, address: str, values: dict[str, Any], unknown: dict[str, Any] | None = None,
                 expressions: dict[str, Any] | None = None, provider: str | None = None,
                 before: dict[str, Any] | None = None) -> None:
        self.address = address
        self.type, self.name = _config(address).split(".")[-2:]
        self.values = values
        self.unknown = unknown or {}
        self.expressions = expressions or {}
        self.provider = provider or self.type.split("_")[0]
        self.before = before

    def planned(self) -> dict[str, Any]:
        return {"address": self.address, "mode": "managed", "type": self.type, "name": self.name,
                "provider_name": f"registry.terraform.io/{_PROVIDERS[self.provider.split('.')[0]]}",
                "schema_version": 0, "values": self.values, "sensitive_values": {}}

    def change(self) -> dict[str, Any]:
        return {key: value for key, value in self.planned().items() if key in (
            "address", "mode", "type", "name", "provider_name")} | {"change": {
                "actions": ["create"] if self.before is None else ["update"], "before": self.before,
                "after": self.values, "after_unknown": self.unknown, "before_sensitive": False if self.before is None
                else {}, "after_sensitive": {}}}


def _config(address: str) -> str:
    """An instance address without its keys (`aws_iam_role.r["a.b"]` -> `aws_iam_role.r`)."""
    out, depth = [], 0
    for char in address:
        depth += char == "["
        if not depth:
            out.append(char)
        depth -= char == "]"
    return "".join(out)


def plan_of(*resources: Res, providers: dict[str, dict[str, Any]] | None = None,
            variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """A plan creating the resources; `providers`: the configuration's provider_config expressions by key."""
    root: dict[str, Any] = {"resources": []}
    seen: set[str] = set()
    for r in resources:
        *modules, rtype, name = _config(r.address).split(".")
        module = root
        for call in modules[1::2]:  # `module.a.module.b.`: each call's configuration under its parent's
            module = module.setdefault("module_calls", {}).setdefault(call, {"source": f"./{call}", "module": {
                "resources": []}})["module"]
        if _config(r.address) not in seen:
            seen.add(_config(r.address))
            module["resources"].append({"address": f"{rtype}.{name}", "mode": "managed", "type": rtype, "name": name,
                                        "provider_config_key": r.provider, "expressions": r.expressions,
                                        "schema_version": 0})
    provider_config = {key: {"name": key.split(".")[0], "full_name": f"registry.terraform.io/"
                             f"{_PROVIDERS[key.split('.')[0]]}", **({"alias": key.split(".")[1]} if "." in key else {}),
                             "expressions": expressions}
                       for key, expressions in (providers or {}).items()}
    return {"format_version": "1.2", "terraform_version": "1.9.8",
            "variables": {name: {"value": value} for name, value in (variables or {}).items()},
            "planned_values": {"root_module": {"resources": [r.planned() for r in resources]}},
            "resource_changes": [r.change() for r in resources],
            "configuration": {"provider_config": provider_config, "root_module": {
                **root, "variables": {name: {} for name in variables or {}}}},
            "timestamp": "2026-01-01T00:00:00Z", "errored": False}


def _save(folder: Path, data: dict[str, Any], name: str = "plan.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def _check(*paths: Path, root: Path | None = None) -> dict[str, Any]:
    run = run_cli("check", *map(str, paths), "--format", "json", "--as-of", "2026-01-01")
    assert run.code in (0, 1), run.err + run.out
    report: dict[str, Any] = json.loads(run.out)
    return report


def _facts(path: Path, node: str) -> dict[str, Any]:
    run = run_cli("facts", node, str(path), "--as-of", "2026-01-01")
    assert run.code == 0, run.err + run.out
    found: dict[str, Any] = json.loads(run.out)
    return found


BUCKET = Res("aws_s3_bucket.customers", {"bucket": "acme-customers", "force_destroy": False,
                                         "tags": {"data-classification": "customer"},
                                         "tags_all": {"data-classification": "customer"}})


# -- 5. a trust policy not known until apply ------------------------------------------------------------------------

def test_a_trust_policy_known_after_apply_is_anyone_and_says_why(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    role = Res("aws_iam_role.app", {"name": "app", "path": "/", "inline_policy": [
        {"name": "read", "policy": READ_CUSTOMERS}]}, {"assume_role_policy": True, "arn": True},
        {"assume_role_policy": {"references": ["data.aws_iam_policy_document.trust.json",
                                               "data.aws_iam_policy_document.trust"]}})
    path = _save(tmp_path, plan_of(BUCKET, role))
    monkeypatch.chdir(tmp_path)  # the plan's folder is the run's root: the template's unknown account, `cfn`
    why = OPEN + "aws_iam_role.app.assume_role_policy (known after apply)"
    [found] = [r for r in load_paths([str(path)]).inventory.roles if r.id == "aws:iam::cfn:role/app"]
    assert (found.assumable_by, found.condition) == (("*",), why)
    findings = _check(path)["findings"]
    assert ("PL202", "aws:iam::cfn:role/app") in {(f["rule"], f["subject"]["id"]) for f in findings}
    facts = _facts(path, "aws:iam::cfn:role/app")
    assert (facts["assumable_by_everyone"], facts["assume_condition"]) == (True, why)


# -- 6. a reference to one instance of several: `x[each.key]`, `x[count.index]`, a module instance's own -----------

READ_ORDERS = _doc({"Effect": "Allow", "Action": "dynamodb:GetItem",
                    "Resource": "arn:aws:dynamodb:eu-west-1:111122223333:table/orders"})


def _keyed_roles(keys: list[str], index: str, prefix: str = "") -> list[Res]:
    """Roles `r[k]` and inline policies `p[k]` with `role = aws_iam_role.r[<index>].id`: the reader's policy reads
    the customers, every other one the orders."""
    found = []
    for key in keys:
        at = f'["{key}"]' if index == "each.key" else f"[{key}]"
        found.append(Res(f"{prefix}aws_iam_role.r{at}", {"name": f"team-{key}", "path": "/",
                                                         "assume_role_policy": PARTNER_TRUST},
                         {"arn": True, "id": True}))
        found.append(Res(f"{prefix}aws_iam_role_policy.p{at}", {
            "name": "read", "policy": READ_CUSTOMERS if key in ("reader", "0") else READ_ORDERS},
            {"id": True, "role": True}, {"role": {"references": ["aws_iam_role.r", index]}}))
    return found


def _held(path: Path) -> dict[str, set[str]]:
    """Each role's name and the stores its grants name."""
    inventory = load_paths([str(path)]).inventory
    return {r.id.rsplit("/", 1)[-1]: {g.resource for g in r.grants} for r in inventory.roles}


def test_a_reference_indexed_by_each_key_is_the_instance_of_that_key(tmp_path: Path) -> None:
    path = _save(tmp_path, plan_of(*_keyed_roles(["reader", "web"], "each.key")))
    assert _held(path) == {"team-reader": {CUSTOMERS}, "team-web": {"aws:dynamodb:eu-west-1:111122223333:table/orders"}}


def test_a_reference_indexed_by_count_index_is_the_instance_of_that_index(tmp_path: Path) -> None:
    path = _save(tmp_path, plan_of(*_keyed_roles(["0", "1"], "count.index")))
    assert _held(path) == {"team-0": {CUSTOMERS}, "team-1": {"aws:dynamodb:eu-west-1:111122223333:table/orders"}}


def test_a_reference_indexed_by_anything_else_is_every_instance(tmp_path: Path) -> None:
    # `role = aws_iam_role.r[each.value.role].id`: which instance is not in the plan; every one (fail closed)
    resources = _keyed_roles(["reader", "web"], "each.key")
    for r in resources:
        if "role" in r.expressions:
            r.expressions["role"]["references"] = ["aws_iam_role.r", "each.value.role", "each.value"]
    held = _held(_save(tmp_path, plan_of(*resources)))
    assert held["team-reader"] == held["team-web"] == {CUSTOMERS, "aws:dynamodb:eu-west-1:111122223333:table/orders"}


def test_a_reference_inside_a_module_instance_is_that_instance_s_resource(tmp_path: Path) -> None:
    # module "team" { for_each = ... }: `role = aws_iam_role.r.id` is the role of the same module instance
    resources = []
    for key in ("reader", "web"):
        prefix = f'module.team["{key}"].'
        resources += [
            Res(f"{prefix}aws_iam_role.r", {"name": f"team-{key}", "path": "/", "assume_role_policy": PARTNER_TRUST},
                {"arn": True, "id": True}),
            Res(f"{prefix}aws_iam_role_policy.p", {
                "name": "read", "policy": READ_CUSTOMERS if key == "reader" else READ_ORDERS},
                {"id": True, "role": True}, {"role": {"references": ["aws_iam_role.r.id", "aws_iam_role.r"]}})]
    path = _save(tmp_path, plan_of(*resources))
    assert _held(path) == {"team-reader": {CUSTOMERS}, "team-web": {"aws:dynamodb:eu-west-1:111122223333:table/orders"}}


# -- 4. the account of an aliased provider's resources --------------------------------------------------------------

def _two_accounts(alias: dict[str, Any], variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """A role of the default provider (account ACCOUNT) and one of `aws.prod`, configured by `alias`."""
    app = Res("aws_iam_role.app", {"name": "app", "path": "/", "assume_role_policy": PARTNER_TRUST})
    audit = Res("aws_iam_role.audit", {"name": "audit", "path": "/", "assume_role_policy": PARTNER_TRUST},
                provider="aws.prod")
    return plan_of(app, audit, providers={"aws": {"allowed_account_ids": {"constant_value": [ACCOUNT]}},
                                          "aws.prod": alias}, variables=variables)


def _role_ids(path: Path) -> set[str]:
    return {r.id for r in load_paths([str(path)], root=str(path.parent)).inventory.roles}


def test_an_aliased_provider_s_resources_are_in_its_own_account_written_from_a_variable(tmp_path: Path) -> None:
    # provider "aws" { alias = "prod"  assume_role { role_arn = var.prod_role } }
    data = _two_accounts({"assume_role": [{"role_arn": {"references": ["var.prod_role"]}}]},
                         {"prod_role": f"arn:aws:iam::{PROD}:role/terraform"})
    assert _role_ids(_save(tmp_path, data)) == {f"aws:iam::{ACCOUNT}:role/app", f"aws:iam::{PROD}:role/audit"}


def test_an_account_id_variable_in_a_role_arn_or_allowed_ids_names_the_account(tmp_path: Path) -> None:
    # role_arn = "arn:aws:iam::${var.prod_account}:role/terraform"; allowed_account_ids = var.prod_accounts
    for alias, variables in (
            ({"assume_role": [{"role_arn": {"references": ["var.prod_account"]}}]}, {"prod_account": PROD}),
            ({"allowed_account_ids": {"references": ["var.prod_accounts"]}}, {"prod_accounts": [PROD]})):
        path = _save(tmp_path, _two_accounts(alias, variables))
        assert _role_ids(path) == {f"aws:iam::{ACCOUNT}:role/app", f"aws:iam::{PROD}:role/audit"}, alias


def test_an_aliased_provider_whose_account_is_not_known_is_never_the_default_s(tmp_path: Path) -> None:
    # role_arn = local.prod_role: not in the plan. The default provider's account would merge two accounts' roles
    data = _two_accounts({"assume_role": [{"role_arn": {"references": ["local.prod_role"]}}]})
    assert _role_ids(_save(tmp_path, data)) == {f"aws:iam::{ACCOUNT}:role/app", "aws:iam::aws.prod:role/audit"}


def test_two_aliases_whose_accounts_are_not_known_do_not_collide(tmp_path: Path) -> None:
    app = Res("aws_iam_role.app", {"name": "app", "path": "/", "assume_role_policy": PARTNER_TRUST})
    twin = Res("aws_iam_role.twin", {"name": "app", "path": "/", "assume_role_policy": PARTNER_TRUST},
               provider="aws.eu")
    path = _save(tmp_path, plan_of(app, twin, providers={"aws": {}, "aws.eu": {}}))
    loaded = load_paths([str(path)], root=str(tmp_path))
    assert [str(e) for e in loaded.errors] == []
    assert {r.id for r in loaded.inventory.roles} == {"aws:iam::cfn:role/app", "aws:iam::aws.eu:role/app"}


# -- 2 and 3. Kubernetes: a namespace not known until apply; one cluster per plan and provider configuration ---------

RBAC = "rbac.authorization.k8s.io"


def _meta(name: str, namespace: str | None = None) -> list[dict[str, Any]]:
    return [{"annotations": None, "generate_name": None, "labels": None, "name": name, "namespace": namespace}]


def _binding(address: str, name: str, role: tuple[str, str], subject: dict[str, Any], namespace: str | None = None,
             provider: str = "kubernetes", unknown: dict[str, Any] | None = None) -> Res:
    return Res(address, {"metadata": _meta(name, namespace),
                         "role_ref": [{"api_group": RBAC, "kind": role[0], "name": role[1]}],
                         "subject": [{"api_group": "", "namespace": "", **subject}]},
               {"id": True, **(unknown or {})}, provider=provider)


CI_ADMIN = ("kubernetes_cluster_role_binding_v1.ci", "ci-admin", ("ClusterRole", "cluster-admin"),
            {"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"})


def test_two_plans_of_two_clusters_name_their_objects_apart(tmp_path: Path) -> None:
    for env in ("prod", "staging"):
        _save(tmp_path / "envs" / env, plan_of(_binding(*CI_ADMIN)))
    loaded = load_paths([str(tmp_path)], root=str(tmp_path))
    assert [str(e) for e in loaded.errors] == []  # no "expected each id once": two clusters' `ci-admin`
    assert {r.id for r in loaded.inventory.roles} == {
        f"k8s:envs%2F{env}%2Fplan.json:clusterrolebinding:ci-admin" for env in ("prod", "staging")}
    prod = "k8s:envs%2Fprod%2Fplan.json"
    [binding] = [r for r in loaded.inventory.roles if r.id.startswith(prod)]
    assert binding.assumable_by == (f"{prod}:serviceaccount:ci/deployer",)
    assert f"{prod}:access-control" in {g.resource for g in binding.grants}
    assert {r.scope for r in loaded.inventory.resources if r.id.startswith(prod)} == {prod}


def test_each_kubernetes_provider_configuration_is_a_cluster_of_its_own(tmp_path: Path) -> None:
    address, name, role, subject = CI_ADMIN
    east = _binding(address.replace(".ci", ".ci_east"), name, role, subject, provider="kubernetes.east")
    path = _save(tmp_path, plan_of(_binding(*CI_ADMIN), east, providers={"kubernetes": {}, "kubernetes.east": {}}))
    loaded = load_paths([str(path)], root=str(tmp_path))
    assert [str(e) for e in loaded.errors] == []
    assert {r.id for r in loaded.inventory.roles} == {"k8s:plan.json:clusterrolebinding:ci-admin",
                                                      "k8s:plan.json.kubernetes.east:clusterrolebinding:ci-admin"}


MANIFEST = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: auditor}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
"""


def test_another_cluster_s_role_of_the_same_name_never_resolves_a_plan_s_binding(tmp_path: Path) -> None:
    # the plan binds `auditor`, defined by neither it nor Kubernetes: whatever it is, it is not the manifest's
    # (another cluster's); and a binding of the built-in `edit` in one namespace stays in that namespace
    auditor = _binding("kubernetes_cluster_role_binding_v1.audit", "audit", ("ClusterRole", "auditor"),
                       {"kind": "User", "name": "kim@acme.example"})
    edit = _binding("kubernetes_role_binding_v1.edit", "team-edit", ("ClusterRole", "edit"),
                    {"kind": "User", "name": "lee@acme.example"}, namespace="team")
    path = _save(tmp_path / "tf", plan_of(auditor, edit))
    alone = {r.id: r for r in load_paths([str(path)], root=str(tmp_path)).inventory.roles}
    write(tmp_path / "yaml", "auditor.yaml", MANIFEST)
    loaded = load_paths([str(tmp_path)], root=str(tmp_path))
    assert [str(e) for e in loaded.errors] == []
    roles = {r.id: r for r in loaded.inventory.roles}
    for binding in ("clusterrolebinding:audit", "rolebinding:team/team-edit"):
        found, before = roles[f"k8s:tf%2Fplan.json:{binding}"], alone[f"k8s:tf%2Fplan.json:{binding}"]
        assert (found.grants, found.flags) == (before.grants, before.flags), binding
    audit = roles["k8s:tf%2Fplan.json:clusterrolebinding:audit"]
    assert "k8s-role-unresolved" in audit.flags and "k8s:tf%2Fplan.json:access-control" in {
        g.resource for g in audit.grants}
    assert "k8s-read-secrets-cluster" not in roles["k8s:tf%2Fplan.json:rolebinding:team/team-edit"].flags


def test_a_binding_whose_namespace_is_known_after_apply_binds_in_every_namespace(tmp_path: Path) -> None:
    # metadata { namespace = kubernetes_namespace_v1.team.metadata[0].name }, the namespace's name generated
    readers = _binding("kubernetes_role_binding_v1.readers", "secret-readers", ("ClusterRole", "view"),
                       {"kind": "User", "name": "kim@acme.example"},
                       unknown={"metadata": [{"namespace": True, "uid": True}]})
    path = _save(tmp_path, plan_of(readers))
    [binding] = load_paths([str(path)], root=str(tmp_path)).inventory.roles
    what = "kubernetes_role_binding_v1.readers.metadata[0].namespace (known after apply)"
    assert binding.id == "k8s:plan.json:rolebinding:*/secret-readers"  # `*`: any namespace, never a real one
    assert binding.condition == f"{OPEN}{what}: any namespace"
    assert "k8s:plan.json:secrets:*" not in {g.resource for g in binding.grants}  # view reads no secrets
    reads = _binding("kubernetes_role_binding_v1.readers", "secret-readers", ("ClusterRole", "cluster-admin"),
                     {"kind": "User", "name": "kim@acme.example"},
                     unknown={"metadata": [{"namespace": True, "uid": True}]})
    [binding] = load_paths([str(_save(tmp_path, plan_of(reads)))], root=str(tmp_path)).inventory.roles
    assert "k8s:plan.json:secrets:*" in {g.resource for g in binding.grants}  # kube-system's too, say
    assert "k8s-read-secrets-cluster" in binding.flags


# -- 7. a role's `inline_policy` not known until apply ------------------------------------------------------------

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/app"
EXISTING = {"name": "app", "path": "/", "assume_role_policy": PARTNER_TRUST, "arn": ROLE_ARN, "id": "app",
            "unique_id": "AROAEXAMPLEAPP0000001", "managed_policy_arns": [], "tags": None, "tags_all": {}}
ANY_STORE = ("aws:*", ("read", "write", "delete"), ("aws:iam::*:access-control",))


def test_a_dynamic_inline_policy_over_what_is_known_after_apply_fails_closed(tmp_path: Path) -> None:
    # dynamic "inline_policy" { for_each = aws_s3_bucket.customers.tags_all … }: the configuration the plan prints
    # leaves `dynamic` blocks out, so no expression sets `inline_policy`; the role exists, and the provider keeps
    # what it read of a role that sets none, so its `inline_policy` unknown is the configuration's, not computed
    role = Res("aws_iam_role.app", {**EXISTING}, {"inline_policy": True},
               {"name": {"constant_value": "app"}, "assume_role_policy": {"constant_value": PARTNER_TRUST}},
               before={**EXISTING, "inline_policy": [{"name": "orders", "policy": _doc(
                   {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"})}]})
    path = _save(tmp_path, plan_of(BUCKET, role))
    loaded = load_paths([str(path)], root=str(tmp_path))
    assert [str(e) for e in loaded.errors] == []
    role_id = f"aws:iam::{ACCOUNT}:role/app"
    why = OPEN + "the document of policy 'aws_iam_role.app.inline_policy (known after apply)'"
    held = [*(g for r in loaded.inventory.roles if r.id == role_id for g in r.grants),
            *(g for g in loaded.inventory.grants if g.to == role_id)]
    assert _grants(held) == {(*ANY_STORE, why)}


def test_a_new_role_whose_inline_policy_the_provider_computes_still_holds_nothing_of_its_own(tmp_path: Path) -> None:
    # AWS provider 5: a new role that sets no `inline_policy` has it unknown until apply (what other resources
    # attach); not an unknown policy on everything
    role = Res("aws_iam_role.app", {"name": "app", "path": "/", "assume_role_policy": PARTNER_TRUST, "tags": None},
               {"arn": True, "id": True, "inline_policy": True, "managed_policy_arns": True, "tags_all": True},
               {"name": {"constant_value": "app"}, "assume_role_policy": {"constant_value": PARTNER_TRUST}})
    [found] = load_paths([str(_save(tmp_path, plan_of(BUCKET, role)))], root=str(tmp_path)).inventory.roles
    assert (found.id, found.grants) == ("aws:iam::cfn:role/app", ())


def test_inline_policy_blocks_a_plan_lists_only_as_unknown_are_each_an_open_policy(tmp_path: Path) -> None:
    # Terraform before 1.3 left out of `planned_values` a set's block that holds nothing known (name and policy
    # both from `aws_s3_bucket.customers`), and the list with it: `after_unknown` still has the block
    role = Res("aws_iam_role.app", {"name": "app", "path": "/", "assume_role_policy": PARTNER_TRUST},
               {"arn": True, "id": True, "inline_policy": [{"name": True, "policy": True}]},
               {"name": {"constant_value": "app"}, "inline_policy": [{
                   "name": {"references": ["aws_s3_bucket.customers.id", "aws_s3_bucket.customers"]},
                   "policy": {"references": ["aws_s3_bucket.customers.arn", "aws_s3_bucket.customers"]}}]})
    [found] = load_paths([str(_save(tmp_path, plan_of(BUCKET, role)))], root=str(tmp_path)).inventory.roles
    why = OPEN + "the document of policy 'aws_iam_role.app.inline_policy[0].policy (known after apply)'"
    assert _grants(found.grants) == {(*ANY_STORE, why)}


def test_an_inline_policy_list_unknown_until_apply_names_what_it_leaves_open(tmp_path: Path) -> None:
    # inline_policy { name = "read"  policy = jsonencode({… Resource = "${aws_s3_bucket.customers.arn}/*" }) } in a
    # role whose blocks are not known until apply: the document is not the bucket's ARN, it may give anything
    role = Res("aws_iam_role.app", {"name": "app", "path": "/", "assume_role_policy": PARTNER_TRUST},
               {"arn": True, "id": True, "inline_policy": True},
               {"name": {"constant_value": "app"}, "inline_policy": [{
                   "name": {"constant_value": "read"},
                   "policy": {"references": ["aws_s3_bucket.customers.arn", "aws_s3_bucket.customers"]}}]})
    [found] = load_paths([str(_save(tmp_path, plan_of(BUCKET, role)))], root=str(tmp_path)).inventory.roles
    why = OPEN + "the document of policy 'aws_iam_role.app.inline_policy (known after apply)'"
    assert _grants(found.grants) == {(*ANY_STORE, why)}


# -- 8. labels and tags not known until apply: every classification key they may set is open (any class) ----------

GOOGLE = {"google": {"project": {"constant_value": "acme-shop-prod"}, "region": {"constant_value": "europe-west1"}}}
FROM_CATALOG = {"references": ["module.catalog.classification", "module.catalog"]}


def _bucket(name: str, labels: dict[str, Any] | None, unknown: dict[str, Any],
            expressions: dict[str, Any]) -> Res:
    """A `google_storage_bucket` as google provider 6 plans it; `labels` None: not known until apply at all."""
    values: dict[str, Any] = {"name": name, "project": "acme-shop-prod", "location": "EU", "force_destroy": False,
                              "storage_class": "STANDARD", "uniform_bucket_level_access": True, "logging": [],
                              "encryption": [], "versioning": [], "timeouts": None}
    if labels is not None:
        values["labels"] = labels
    return Res(f"google_storage_bucket.{name.replace('-', '_')}", values, {
        "id": True, "self_link": True, "url": True, "project_number": True, **unknown},
        {"name": {"constant_value": name}, "location": {"constant_value": "EU"}, **expressions})


def _stores(path: Path) -> dict[str, tuple[tuple[str, ...], int | None]]:
    loaded = load_paths([str(path)], root=str(path.parent))
    assert [str(e) for e in loaded.errors] == []
    return {r.id: (r.data, r.records) for r in loaded.inventory.resources if r.type in ("bucket", "dataset")}


def test_gcp_labels_not_known_until_apply_may_set_any_class(tmp_path: Path) -> None:
    whole = _bucket("acme-a", None, {"labels": True, "effective_labels": True, "terraform_labels": True},
                    {"labels": {"references": ["module.catalog.labels", "module.catalog"]}})
    # labels = { data-classification = module.catalog.classification, team = "orders", records = … }
    one = _bucket("acme-b", {"team": "orders"}, {"labels": {"data-classification": True, "records": True},
                                                   "effective_labels": True, "terraform_labels": True},
                  {"labels": FROM_CATALOG})
    known = _bucket("acme-c", {"data-classification": "internal"}, {"labels": {"records": True},
                                                                      "effective_labels": True,
                                                                      "terraform_labels": True},
                    {"labels": FROM_CATALOG})
    path = _save(tmp_path, plan_of(whole, one, known, providers=GOOGLE))
    assert _stores(path) == {"gcp:projects/acme-shop-prod/buckets/acme-a": (("*",), None),
                             "gcp:projects/acme-shop-prod/buckets/acme-b": (("*",), None),
                             "gcp:projects/acme-shop-prod/buckets/acme-c": (("internal",), None)}


def test_gcp_default_labels_not_known_until_apply_may_set_any_class_the_store_does_not(tmp_path: Path) -> None:
    # provider "google" { default_labels = module.catalog.labels }: `effective_labels` not known until apply
    labels = {"team": "orders"}
    opened = {"effective_labels": True, "terraform_labels": True}
    defaulted = {"google": {**GOOGLE["google"], "default_labels": {"references": ["module.catalog.labels",
                                                                                   "module.catalog"]}}}
    path = _save(tmp_path / "defaults", plan_of(_bucket("acme-d", labels, opened, {}), providers=defaulted))
    assert _stores(path) == {"gcp:projects/acme-shop-prod/buckets/acme-d": (("*",), None)}
    # without default labels the store's own known labels are all it has (google 5 leaves a new store's
    # `effective_labels` unknown until apply), and say nothing of its class
    path = _save(tmp_path / "plain", plan_of(_bucket("acme-d", labels, opened, {}), providers=GOOGLE))
    assert _stores(path) == {"gcp:projects/acme-shop-prod/buckets/acme-d": ((), None)}


def test_an_open_labels_map_is_never_a_label_named_after_its_intrinsic() -> None:
    # what the HCL reader hands the plan's readers for `labels = var.labels` left open: `{"Ref": …}`
    where = Location("main.tf", 1, 1)
    opened = {"Ref": "var.labels (a variable without a default; no tfvars sets it)"}
    bucket = TfResource("google_storage_bucket.a", "google_storage_bucket", {
        "name": "acme-a", "project": "acme-shop-prod", "labels": opened}, {}, where, "", "google")
    records = TfResource("google_storage_bucket.b", "google_storage_bucket", {
        "name": "acme-b", "project": "acme-shop-prod", "labels": {"data-classification": "customer",
                                                                  "records": opened}}, {}, where, "", "google")
    keys = Options(classification_keys=("data-classification", "Ref"))
    fragment = fragment_of(Plan(resources=[bucket, records], parameters=[opened["Ref"]], configuration=True),
                           "main.tf", keys)
    assert fragment.errors == []  # an open `records` label is a count not known, not a malformed one
    assert {r.id: (r.data, r.records) for r in fragment.inventory.resources} == {
        "gcp:projects/acme-shop-prod/buckets/acme-a": (("*",), None),
        "gcp:projects/acme-shop-prod/buckets/acme-b": (("customer",), None)}


def _s3(name: str, tags: dict[str, Any] | None, unknown: dict[str, Any], expressions: dict[str, Any]) -> Res:
    """An `aws_s3_bucket` as AWS provider 5 plans it; `tags` None: not known until apply at all."""
    values: dict[str, Any] = {"bucket": name, "force_destroy": False, "object_lock_enabled": False,
                              "timeouts": None}
    if tags is not None:
        values["tags"] = tags
    return Res(f"aws_s3_bucket.{name.replace('-', '_')}", values, {
        "arn": True, "id": True, "bucket_domain_name": True, "region": True, **unknown},
        {"bucket": {"constant_value": name}, **expressions})


def test_aws_tags_not_known_until_apply_may_set_any_class(tmp_path: Path) -> None:
    whole = _s3("acme-a", None, {"tags": True, "tags_all": True},
                {"tags": {"references": ["module.catalog.tags", "module.catalog"]}})
    one = _s3("acme-b", {"team": "orders"}, {"tags": {"data-classification": True, "records": True},
                                              "tags_all": True}, {"tags": FROM_CATALOG})
    known = _s3("acme-c", {"data-classification": "internal"}, {"tags": {"records": True}, "tags_all": True},
                {"tags": FROM_CATALOG})
    path = _save(tmp_path, plan_of(whole, one, known, providers={"aws": {}}))
    assert _stores(path) == {"aws:s3:::acme-a": (("*",), None), "aws:s3:::acme-b": (("*",), None),
                             "aws:s3:::acme-c": (("internal",), None)}


def test_aws_default_tags_not_known_until_apply_may_set_any_class_the_store_does_not(tmp_path: Path) -> None:
    # provider "aws" { default_tags { tags = module.catalog.tags } }: `tags_all` not known until apply
    defaulted = {"aws": {"default_tags": [{"tags": {"references": ["module.catalog.tags", "module.catalog"]}}]}}
    mine = {"data-classification": "internal"}
    path = _save(tmp_path / "defaults", plan_of(_s3("acme-d", {"team": "orders"}, {"tags_all": True}, {}),
                                                _s3("acme-e", mine, {"tags_all": True}, {}), providers=defaulted))
    assert _stores(path) == {"aws:s3:::acme-d": (("*",), None), "aws:s3:::acme-e": (("internal",), None)}
    # without default tags AWS provider 5 leaves a new untagged store's `tags_all` unknown until apply: no class
    path = _save(tmp_path / "plain", plan_of(_s3("acme-d", None, {"tags_all": True}, {}), providers={"aws": {}}))
    assert _stores(path) == {"aws:s3:::acme-d": ((), None)}


# -- 9. the account of a plan whose provider names none: its folder's, as the HCL of that folder names it ---------

APP = Res("aws_iam_role.app", {"name": "app", "path": "/", "assume_role_policy": PARTNER_TRUST},
          {"arn": True, "id": True, "inline_policy": True, "managed_policy_arns": True})
APP_HCL = f"""\
resource "aws_iam_role" "app" {{
  name               = "app"
  assume_role_policy = {json.dumps(PARTNER_TRUST)}
}}
"""


def _ids(tmp_path: Path, *paths: Path) -> set[str]:
    loaded = load_paths([str(p) for p in paths], root=str(tmp_path))
    assert [str(e) for e in loaded.errors] == []
    return {r.id for r in loaded.inventory.roles}


def test_two_environments_plans_whose_accounts_are_not_known_never_collide(tmp_path: Path) -> None:
    # was: both `aws:iam::cfn:role/app`, "expected each id once"
    for env in ("prod", "dev"):
        _save(tmp_path / "envs" / env, plan_of(APP, providers={"aws": {"region": {"constant_value": "eu-west-1"}}}))
    assert _ids(tmp_path, tmp_path) == {"aws:iam::envs%2Fprod:role/app", "aws:iam::envs%2Fdev:role/app"}


def test_a_plan_and_the_hcl_of_its_folder_name_their_ids_alike(tmp_path: Path) -> None:
    folder = tmp_path / "envs" / "prod"
    plan = _save(folder, plan_of(APP, providers={"aws": {}}))
    main = write(folder, "main.tf", APP_HCL)
    assert _ids(tmp_path, plan) == _ids(tmp_path, main) == {"aws:iam::envs%2Fprod:role/app"}
    assert _ids(folder, plan) == _ids(folder, main) == {"aws:iam::cfn:role/app"}  # the run's root: `cfn`


def test_an_aliased_provider_whose_account_is_not_known_is_labelled_as_the_hcl_labels_it(tmp_path: Path) -> None:
    audit = Res("aws_iam_role.audit", {"name": "audit", "path": "/", "assume_role_policy": PARTNER_TRUST},
                provider="aws.audit")
    folder = tmp_path / "envs" / "prod"
    plan = _save(folder, plan_of(APP, audit, providers={"aws": {}, "aws.audit": {}}))
    assert _ids(tmp_path, plan) == {"aws:iam::envs%2Fprod:role/app", "aws:iam::envs%2Fprod.aws.audit:role/audit"}
    assert _ids(folder, plan) == {"aws:iam::cfn:role/app", "aws:iam::aws.audit:role/audit"}
