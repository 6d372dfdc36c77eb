"""Terraform plan and state JSON (`terraform show -json`): AWS identities, policies, keys and stores."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from policylint.inventory import load_paths
from policylint.sources import claimants
from policylint.sources.base import Options
from policylint.sources.terraform import plan
from policylint.sources.terraform.plan_aws import translate
from policylint.sources.terraform.plan_cfn import Translation
from policylint.sources.terraform.plan_read import read_plan

from helpers import CORPUS, run_cli

ACCOUNT = "111122223333"
OTHER = "444455556666"


def _doc(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _resource(address: str, values: dict[str, Any]) -> dict[str, Any]:
    rtype, name = address.split(".")[-2:]
    return {"address": address, "mode": "managed", "type": rtype, "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0, "values": values,
            "sensitive_values": {}}


def _change(address: str, actions: list[str], after: dict[str, Any] | None, unknown: dict[str, Any]) -> dict[str, Any]:
    rtype, name = address.split(".")[-2:]
    return {"address": address, "mode": "managed", "type": rtype, "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": actions, "before": None if actions == ["create"] else {}, "after": after,
                       "after_unknown": unknown, "before_sensitive": False, "after_sensitive": {}}}


READ_BUCKET = _doc([{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                     "Resource": ["arn:aws:s3:::acme-customer-exports", "arn:aws:s3:::acme-customer-exports/*"]}])
ROOT = [
    _resource("aws_iam_user.deploy", {"name": "deploy", "path": "/", "force_destroy": False, "tags": None,
                                      "permissions_boundary": None}),
    _resource("aws_iam_access_key.deploy", {"user": "deploy", "status": "Active", "pgp_key": None}),
    _resource("aws_iam_user_login_profile.deploy", {"user": "deploy", "password_length": 20,
                                                    "password_reset_required": True, "pgp_key": None}),
    _resource("aws_iam_group.admins", {"name": "admins", "path": "/"}),
    _resource("aws_iam_group_membership.admins", {"name": "admins-membership", "group": "admins",
                                                  "users": ["deploy"]}),
    _resource("aws_iam_group_policy_attachment.admins", {"group": "admins",
                                                         "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
    _resource("aws_iam_role.partner", {
        "name": "partner-reader", "path": "/", "description": "", "max_session_duration": 3600,
        "force_detach_policies": False, "permissions_boundary": None, "tags": None,
        "assume_role_policy": _doc([{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
                                     "Action": "sts:AssumeRole"}]),
        "inline_policy": [{"name": "read-exports", "policy": READ_BUCKET}]}),
    _resource("aws_s3_bucket.exports", {"bucket": "acme-customer-exports", "force_destroy": False,
                                        "tags": {"data-classification": "customer"},
                                        "tags_all": {"data-classification": "customer"}}),
    _resource("aws_s3_bucket_policy.exports", {"bucket": "acme-customer-exports", "policy": _doc([
        {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::acme-customer-exports/*"}])}),
    _resource("aws_kms_key.exports", {"description": "exports", "enable_key_rotation": False,
                                      "key_usage": "ENCRYPT_DECRYPT", "deletion_window_in_days": 30,
                                      "is_enabled": True, "policy": _doc([
                                          {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
                                           "Action": "kms:*", "Resource": "*"}])}),
    _resource("aws_iam_user.legacy", {"name": "legacy", "path": "/"}),
]
CHILD = [
    _resource("module.ci.aws_iam_role.runner", {
        "name": "ci-runner", "path": "/", "assume_role_policy": _doc([
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}])}),
    _resource("module.ci.aws_iam_policy.escalate", {"name": "ci-escalate", "path": "/", "policy": _doc([
        {"Effect": "Allow", "Action": ["iam:CreatePolicyVersion"], "Resource": "*"}])}),
    _resource("module.ci.aws_iam_role_policy_attachment.escalate", {"role": "ci-runner"}),
    _resource("module.ci.aws_iam_instance_profile.runner", {"name": "ci-runner", "path": "/", "role": "ci-runner"}),
    _resource("module.ci.aws_iam_role.opened", {"path": "/", "assume_role_policy": _doc([
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}])}),
]
UNKNOWN = {"aws_iam_user.deploy": {"arn": True, "id": True, "unique_id": True},
           "module.ci.aws_iam_policy.escalate": {"arn": True, "id": True, "policy_id": True},
           "module.ci.aws_iam_role_policy_attachment.escalate": {"id": True, "policy_arn": True},
           "module.ci.aws_iam_role.opened": {"arn": True, "id": True, "name": True}}


def plan_json() -> dict[str, Any]:
    changes = [_change(r["address"], ["create"], r["values"], UNKNOWN.get(r["address"], {})) for r in ROOT + CHILD]
    changes.append(_change("aws_iam_user.departed", ["delete"], None, {}))
    departed = _resource("aws_iam_user.departed", {"name": "departed", "path": "/",
                                                   "arn": f"arn:aws:iam::{ACCOUNT}:user/departed"})
    admin = _resource("aws_iam_user_policy.departed", {"name": "all", "user": "departed",
                                                       "policy": _doc([{"Effect": "Allow", "Action": "*",
                                                                        "Resource": "*"}])})
    changes.append(_change("aws_iam_user_policy.departed", ["delete"], None, {}))
    return {
        "format_version": "1.2", "terraform_version": "1.9.5", "variables": {"region": {"value": "eu-west-1"}},
        "planned_values": {"root_module": {"resources": ROOT, "child_modules": [
            {"address": "module.ci", "resources": CHILD}]}},
        "resource_changes": changes,
        "prior_state": {"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {
            "resources": [departed, admin]}}},
        "configuration": {"provider_config": {"aws": {"name": "aws",
                                                      "full_name": "registry.terraform.io/hashicorp/aws"}},
                          "root_module": {"resources": [], "module_calls": {"ci": {"source": "./modules/ci", "module": {
                              "resources": [{"address": "aws_iam_role_policy_attachment.escalate", "mode": "managed",
                                             "type": "aws_iam_role_policy_attachment", "name": "escalate",
                                             "expressions": {"policy_arn": {"references": [
                                                 "aws_iam_policy.escalate.arn", "aws_iam_policy.escalate"]},
                                                 "role": {"constant_value": "ci-runner"}}}]}}}}},
        "timestamp": "2026-01-01T00:00:00Z", "errored": False}


@pytest.fixture(autouse=True)
def _plans_at_the_run_root(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test's own plans are written at the run's root (its working folder), whose account is the template's
    unknown `cfn`: a plan's folder below the root labels the account its provider does not name (`by_provider`)."""
    if "tmp_path" in request.fixturenames:
        monkeypatch.chdir(request.getfixturevalue("tmp_path"))


def _write(tmp_path: Path, data: dict[str, Any], name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def _findings(path: Path) -> set[tuple[str, str]]:
    run = run_cli("check", str(path), "--format", "json", "--as-of", "2026-01-01")
    assert run.code in (0, 1), run.err + run.out
    return {(f["rule"], f["subject"]["id"]) for f in json.loads(run.out)["findings"]}


def test_the_plan_is_claimed_by_this_source_only(tmp_path: Path) -> None:
    path = _write(tmp_path, plan_json())
    assert claimants(str(path), path.read_text()) == ["terraform-plan"]


def test_a_plan_gives_the_findings_of_what_it_creates(tmp_path: Path) -> None:
    found = _findings(_write(tmp_path, plan_json()))
    assert {
        # the account: the one the prior state's IAM ARN names (plan_account)
        ("PL204", f"aws:iam::{ACCOUNT}:user/deploy#password"),  # the login profile: a password without MFA
        ("PL208", f"aws:iam::{ACCOUNT}:group/admins"),  # AdministratorAccess attached by ARN (iam.managed_policies)
        ("PL203", "aws:iam::444455556666:root"),  # the trusted account reaches the customer bucket
        ("PL216", "aws:s3:::acme-customer-exports"),  # an open bucket policy
        ("PL205", f"aws:iam::{ACCOUNT}:role/ci-runner"),  # a child module's policy attached by reference
    } <= found
    assert not any("departed" in subject for _, subject in found)  # being destroyed: not read


def test_records_are_located_at_their_address(tmp_path: Path) -> None:
    path = _write(tmp_path, plan_json())
    fragment = plan.load(str(path), path.read_text(), Options())
    lines = path.read_text().splitlines()
    for node in fragment.inventory.nodes():
        assert '"address"' in lines[node.location.line - 1], node.id
    role = next(r for r in fragment.inventory.roles if r.id == f"aws:iam::{ACCOUNT}:role/partner-reader")
    assert '"aws_iam_role.partner"' in lines[role.location.line - 1]
    assert {c.id: c.status for c in fragment.inventory.credentials} == {
        f"aws:iam::{ACCOUNT}:user/deploy#aws_iam_access_key.deploy": "active",
        f"aws:iam::{ACCOUNT}:user/deploy#password": "active"}


def test_an_unknown_name_fails_closed_and_says_so(tmp_path: Path) -> None:
    path = _write(tmp_path, plan_json())
    fragment = plan.load(str(path), path.read_text(), Options())
    opened = [r for r in fragment.inventory.roles if "aws_iam_role.opened" in r.id]
    assert len(opened) == 1 and "*" not in opened[0].id  # named after its address, like a template's logical id


def test_a_state_reads_values(tmp_path: Path) -> None:
    state = {"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {
        "resources": [_resource("aws_iam_user.ops", {"name": "ops", "path": "/",
                                                    "arn": f"arn:aws:iam::{ACCOUNT}:user/ops"}),
                      _resource("aws_iam_user_policy.ops", {"name": "all", "user": "ops", "policy": _doc(
                          [{"Effect": "Allow", "Action": "*", "Resource": "*"}])})]}}}
    assert ("PL208", f"aws:iam::{ACCOUNT}:user/ops") in _findings(_write(tmp_path, state, "terraform.tfstate.json"))


def test_plan_and_template_agree(tmp_path: Path) -> None:
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
        "Admins": {"Type": "AWS::IAM::Group", "Properties": {
            "GroupName": "admins", "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]}},
        "Partner": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": "partner-reader",
            "AssumeRolePolicyDocument": json.loads(ROOT[6]["values"]["assume_role_policy"]),
            "Policies": [{"PolicyName": "read-exports", "PolicyDocument": json.loads(READ_BUCKET)}]}},
        "Exports": {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketName": "acme-customer-exports", "Tags": [{"Key": "data-classification", "Value": "customer"}]}},
        "ExportsPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": {"Ref": "Exports"}, "PolicyDocument": json.loads(ROOT[8]["values"]["policy"])}}}}
    data = plan_json()
    keep = ("aws_iam_group.admins", "aws_iam_group_policy_attachment.admins", "aws_iam_role.partner",
            "aws_s3_bucket.exports", "aws_s3_bucket_policy.exports")
    data["planned_values"] = {"root_module": {"resources": [r for r in ROOT if r["address"] in keep]}}
    del data["prior_state"]  # no ARN: the account is unknown, as a template's is
    (tmp_path / "cfn").mkdir()
    from_template = _findings(_write(tmp_path / "cfn", template, "stack.json"))
    assert ("PL216", "aws:s3:::acme-customer-exports") in from_template
    assert _findings(_write(tmp_path, data)) == from_template  # at the run's root: the template's account, `cfn`


# -- real plans (tests/corpus/terraform-plan, from checkov's test data) ------------------------------------------

REAL = sorted((CORPUS / "terraform-plan").glob("*.json"))


def test_real_plans_are_claimed_by_this_source_only() -> None:
    assert len(REAL) == 3
    for path in REAL:
        assert claimants(str(path), path.read_text(encoding="utf-8")) == ["terraform-plan"], path.name


def test_a_terraform_0_12_reference_to_a_whole_resource_names_that_resource() -> None:
    # terragoat's plan (Terraform 0.12.23) lists `role = aws_iam_role.ec2role.id` as `aws_iam_role.ec2role`: the
    # inline policy is the ec2 role's alone, not (read as an unknown name) every role's of the plan
    found = _findings(CORPUS / "terraform-plan" / "checkov__plan_tfplan.json")
    prefix = "aws:iam::tests%2Fcorpus%2Fterraform-plan:role/123456789123-acme-corp-"  # its folder's account
    assert {subject for rule, subject in found if rule == "PL211" and subject.startswith(prefix)} == {
        prefix + "role"}


# -- the account from known ARNs ----------------------------------------------------------------------------------

APP_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
ORDERS = _doc([{"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                "Resource": f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders"}])


def _state(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {"resources": resources}}}


def _app_role(account: str, name: str = "app") -> dict[str, Any]:
    return _resource(f"aws_iam_role.{name}", {
        "name": name, "path": "/", "arn": f"arn:aws:iam::{account}:role/{name}", "id": name,
        "unique_id": "AROA2EXAMPLEEXAMPLE01", "assume_role_policy": json.dumps(APP_TRUST), "description": "",
        "max_session_duration": 3600, "force_detach_policies": False, "permissions_boundary": None,
        "tags": {}, "tags_all": {}, "inline_policy": [{"name": "orders", "policy": ORDERS}],
        "managed_policy_arns": []})


def _export(role: str) -> dict[str, Any]:
    return {"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [{
        "Path": "/", "RoleName": role, "RoleId": "AROA2EXAMPLEEXAMPLE01", "Arn": f"arn:aws:iam::{ACCOUNT}:role/{role}",
        "CreateDate": "2025-03-04T10:11:12+00:00", "AssumeRolePolicyDocument": APP_TRUST, "InstanceProfileList": [],
        "RolePolicyList": [], "AttachedManagedPolicies": [], "Tags": [], "RoleLastUsed": {}}]}


def test_a_state_names_its_account_and_joins_an_export_of_it(tmp_path: Path) -> None:
    state = _write(tmp_path, _state([_app_role(ACCOUNT), _resource("aws_iam_user.ci", {
        "name": "ci", "path": "/", "tags": {}, "force_destroy": False})]), "terraform.tfstate.json")
    alone = plan.load(str(state), state.read_text(), Options())
    assert {n.id for n in alone.inventory.nodes()} == {f"aws:iam::{ACCOUNT}:user/ci"}  # no ARN, same account
    assert [r.id for r in alone.implied.roles] == [f"aws:iam::{ACCOUNT}:role/app"]  # exists: the export's if given
    assert {(g.to, g.resource) for g in alone.inventory.grants} == {
        (f"aws:iam::{ACCOUNT}:role/app", f"aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders")}
    export = _write(tmp_path, _export("app"), "authz.json")
    loaded = load_paths([str(state), str(export)])
    assert [str(e) for e in loaded.errors] == []  # two views of one role: no duplicate id
    roles = [r for r in loaded.inventory.roles if r.id.endswith("role/app")]
    assert [(r.id, r.location.file) for r in roles] == [(f"aws:iam::{ACCOUNT}:role/app", str(export))]
    assert any(g.to == roles[0].id for g in loaded.inventory.grants)  # what the state grants it is kept


def test_a_state_alone_reaches_what_its_role_is_granted(tmp_path: Path) -> None:
    state = _write(tmp_path, _state([_app_role(ACCOUNT), _resource("aws_dynamodb_table.orders", {
        "name": "orders", "arn": f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders",
        "billing_mode": "PAY_PER_REQUEST", "hash_key": "id", "tags": {"data-classification": "customer"},
        "tags_all": {"data-classification": "customer"}})]), "terraform.tfstate.json")
    run = run_cli("reach", str(state), "--as-of", "2026-01-01")
    assert run.code in (0, 1), run.err
    # the role is implied (an export would define it), its grant given to it directly: the path is still there
    assert (f"path: aws:service:ecs-tasks.amazonaws.com –assumes→ aws:iam::{ACCOUNT}:role/app –read→ "
            "aws:dynamodb:eu-west-1:111122223333:table/orders") in run.out  # the account and region its ARN names


def test_several_accounts_keep_each_resource_its_own(tmp_path: Path) -> None:
    state = _write(tmp_path, _state([_app_role(ACCOUNT), _app_role(OTHER, "audit"), _resource("aws_iam_user.ci", {
        "name": "ci", "path": "/"})]), "terraform.tfstate.json")
    fragment = plan.load(str(state), state.read_text(), Options())
    assert {n.id for n in fragment.inventory.nodes()} == {"aws:iam::cfn:user/ci"}  # no ARN: unknown account
    assert {r.id for r in fragment.implied.roles} == {f"aws:iam::{ACCOUNT}:role/app", f"aws:iam::{OTHER}:role/audit"}


def test_a_data_source_arn_names_no_account(tmp_path: Path) -> None:
    caller = {"address": "data.aws_caller_identity.current", "mode": "data", "type": "aws_caller_identity",
              "name": "current", "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
              "values": {"account_id": OTHER, "arn": f"arn:aws:iam::{OTHER}:user/ci-runner", "id": OTHER,
                         "user_id": "AIDA2EXAMPLEEXAMPLE02"}}
    data = plan_json()
    data["prior_state"]["values"]["root_module"]["resources"] = [caller]
    path = _write(tmp_path, data)
    fragment = plan.load(str(path), path.read_text(), Options())
    assert "aws:iam::cfn:group/admins" in {n.id for n in fragment.inventory.nodes()}


# -- values unknown until apply: fail closed, never a missed path ------------------------------------------------

CUSTOMERS = _resource("aws_s3_bucket.customers", {"bucket": "acme-customers", "force_destroy": False,
                                                   "tags": {"data-classification": "customer"},
                                                   "tags_all": {"data-classification": "customer"}})
PARTNER_TRUST = _doc([{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
                       "Action": "sts:AssumeRole"}])
READ_CUSTOMERS = _doc([{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::acme-customers/*"}])


def _partner_role(address: str = "aws_iam_role.app", **values: Any) -> dict[str, Any]:
    return _resource(address, {"name": address.split(".")[-1], "path": "/", "assume_role_policy": PARTNER_TRUST,
                               **values})


def _config(address: str, expressions: dict[str, Any]) -> dict[str, Any]:
    rtype, name = address.split(".")[-2:]
    return {"address": address, "mode": "managed", "type": rtype, "name": name, "expressions": expressions}


def _unknown_plan(resources: list[dict[str, Any]], unknown: dict[str, dict[str, Any]],
                  config: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A plan creating `resources`, `unknown` their `after_unknown`; `config` the configuration's resources."""
    return {"format_version": "1.2", "terraform_version": "1.7.5",
            "planned_values": {"root_module": {"resources": resources}},
            "resource_changes": [_change(r["address"], ["create"], r["values"], unknown.get(r["address"], {}))
                                 for r in resources],
            "configuration": {"root_module": {"resources": config or []}},
            "timestamp": "2026-01-01T00:00:00Z", "errored": False}


def _reach(tmp_path: Path, data: dict[str, Any]) -> str:
    run = run_cli("reach", str(_write(tmp_path, data)), "--as-of", "2026-01-01")
    assert run.code in (0, 1), run.err + run.out
    assert "error" not in run.err + run.out, run.err + run.out
    return run.out


PARTNER_PATH = f"path: aws:iam::{OTHER}:root –assumes→ aws:iam::cfn:role/app –read→ aws:s3:::acme-customers"
# a policy whose document is unknown until apply may give anything (fail closed), and the path says so
OPEN_GRANT = "–delete, read, write (ids matching aws:* except aws:iam::*:access-control)"
OPEN_PATH = f"path: aws:iam::{OTHER}:root –assumes→ aws:iam::cfn:role/app {OPEN_GRANT}{{}}→ aws:s3:::acme-customers"
OPEN_DOCUMENT = " [if template leaves open: the document of policy 'read']"


def test_an_unknown_policy_that_references_a_resource_fails_closed(tmp_path: Path) -> None:
    # `policy = jsonencode({... Resource = aws_s3_bucket.customers.arn})`: the document is not that ARN
    inline = _resource("aws_iam_role_policy.read", {"name": "read", "role": "app"})
    data = _unknown_plan([CUSTOMERS, _partner_role(), inline], {"aws_iam_role_policy.read": {"policy": True}}, [
        _config("aws_iam_role_policy.read", {"role": {"references": ["aws_iam_role.app.name", "aws_iam_role.app"]},
                                             "policy": {"references": ["aws_s3_bucket.customers.arn",
                                                                       "aws_s3_bucket.customers"]}})])
    assert OPEN_PATH.format(OPEN_DOCUMENT) in _reach(tmp_path, data)


def test_an_unknown_trust_policy_that_references_a_resource_fails_closed(tmp_path: Path) -> None:
    role = _partner_role(inline_policy=[{"name": "read", "policy": READ_CUSTOMERS}])
    del role["values"]["assume_role_policy"]
    partner = _partner_role("aws_iam_role.partner")
    data = _unknown_plan([CUSTOMERS, role, partner], {"aws_iam_role.app": {"assume_role_policy": True, "arn": True}}, [
        _config("aws_iam_role.app", {"assume_role_policy": {"references": ["aws_iam_role.partner.arn",
                                                                           "aws_iam_role.partner"]}})])
    assert ("PL202", "aws:iam::cfn:role/app") in _findings(_write(tmp_path, data))  # assumable by "*": not unread


READ_POLICY = _resource("aws_iam_policy.read", {"name": "read", "path": "/", "policy": READ_CUSTOMERS})
MPA_CONFIG = [_config("aws_iam_role.app", {"name": {"constant_value": "app"}, "managed_policy_arns": {
    "references": ["aws_iam_policy.read.arn", "aws_iam_policy.read"]}})]


def test_managed_policy_arns_unknown_until_apply_are_the_policies_referenced(tmp_path: Path) -> None:
    role = _partner_role()
    data = _unknown_plan([CUSTOMERS, role, READ_POLICY], {
        "aws_iam_role.app": {"arn": True, "managed_policy_arns": True}, "aws_iam_policy.read": {"arn": True}},
        MPA_CONFIG)
    assert PARTNER_PATH in _reach(tmp_path, data)


def test_a_managed_policy_arn_unknown_until_apply_is_the_policy_referenced(tmp_path: Path) -> None:
    role = _partner_role(managed_policy_arns=[None])
    data = _unknown_plan([CUSTOMERS, role, READ_POLICY], {
        "aws_iam_role.app": {"arn": True, "managed_policy_arns": [True]}, "aws_iam_policy.read": {"arn": True}},
        MPA_CONFIG)
    assert PARTNER_PATH in _reach(tmp_path, data)


def test_managed_policy_arns_unknown_and_unreferenced_fail_closed(tmp_path: Path) -> None:
    # `managed_policy_arns = [data.aws_iam_policy.x.arn]`: no policy of the plan; an unknown policy reaches data
    data = _unknown_plan([CUSTOMERS, _partner_role()], {"aws_iam_role.app": {"managed_policy_arns": True}}, [
        _config("aws_iam_role.app", {"managed_policy_arns": {"references": ["data.aws_iam_policy.x.arn",
                                                                            "data.aws_iam_policy.x"]}})])
    assert OPEN_PATH.format("") in _reach(tmp_path, data)


def test_an_inline_policy_unknown_until_apply_fails_closed(tmp_path: Path) -> None:
    role = _partner_role(inline_policy=[{"name": "read", "policy": None}])
    data = _unknown_plan([CUSTOMERS, role], {"aws_iam_role.app": {"arn": True, "inline_policy": [{"policy": True}]}})
    assert OPEN_PATH.format(OPEN_DOCUMENT) in _reach(tmp_path, data)


THIRD = "777788889999"


def test_a_list_unknown_until_apply_is_every_resource_it_references(tmp_path: Path) -> None:
    second = _partner_role("aws_iam_role.b", assume_role_policy=_doc([
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{THIRD}:root"}, "Action": "sts:AssumeRole"}]))
    attachment = _resource("aws_iam_policy_attachment.read", {"name": "read", "users": None, "groups": None})
    data = _unknown_plan([CUSTOMERS, _partner_role("aws_iam_role.a"), second, READ_POLICY, attachment], {
        "aws_iam_policy.read": {"arn": True}, "aws_iam_policy_attachment.read": {"policy_arn": True, "roles": True}}, [
        _config("aws_iam_policy_attachment.read", {
            "policy_arn": {"references": ["aws_iam_policy.read.arn", "aws_iam_policy.read"]},
            "roles": {"references": ["aws_iam_role.a.name", "aws_iam_role.a", "aws_iam_role.b.name",
                                     "aws_iam_role.b"]}})])
    out = _reach(tmp_path, data)
    assert PARTNER_PATH.replace("role/app", "role/a") in out
    assert f"path: aws:iam::{THIRD}:root –assumes→ aws:iam::cfn:role/b –read→ aws:s3:::acme-customers" in out


def test_a_deposed_object_being_destroyed_leaves_the_current_one(tmp_path: Path) -> None:
    # `create_before_destroy` left a deposed object: its change is `delete`, the current object's `update`
    role = _partner_role(inline_policy=[{"name": "read", "policy": READ_CUSTOMERS}])
    data = _unknown_plan([CUSTOMERS, role], {})
    data["resource_changes"][1]["change"]["actions"] = ["update"]
    deposed = _change("aws_iam_role.app", ["delete"], None, {})
    deposed["deposed"] = "00000001"
    data["resource_changes"].append(deposed)
    assert PARTNER_PATH in _reach(tmp_path, data)


def test_a_plan_holding_a_kubernetes_manifest_is_this_source_s_alone(tmp_path: Path) -> None:
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "ci"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
               "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": "default"}]}
    manifest = {"address": "kubernetes_manifest.ci", "mode": "managed", "type": "kubernetes_manifest", "name": "ci",
                "provider_name": "registry.terraform.io/hashicorp/kubernetes", "schema_version": 1,
                "values": {"manifest": binding, "object": None}, "sensitive_values": {}}
    data = _unknown_plan([manifest, CUSTOMERS, _partner_role(inline_policy=[{"name": "r", "policy": READ_CUSTOMERS}])],
                         {"kubernetes_manifest.ci": {"object": True}})
    for name, indent, ordered in (("compact", None, False), ("pretty", 2, False), ("jq-sorted", 2, True)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(data, indent=indent, sort_keys=ordered), encoding="utf-8")
        assert claimants(str(path), path.read_text()) == ["terraform-plan"]
    assert PARTNER_PATH in _reach(tmp_path, data)


def test_an_unknown_item_of_a_list_is_what_it_references(tmp_path: Path) -> None:
    # `groups = [aws_iam_group.ops.name, "audit"]`, the ops group created by this plan: not "expected 'GroupName'"
    user = _resource("aws_iam_user.deploy", {"name": "deploy", "path": "/", "force_destroy": False, "tags": None})
    ops = _resource("aws_iam_group.ops", {"path": "/"})
    audit = _resource("aws_iam_group.audit", {"name": "audit", "path": "/"})
    read = _resource("aws_iam_group_policy.ops", {"name": "read", "group": "ops", "policy": READ_CUSTOMERS})
    membership = _resource("aws_iam_user_group_membership.deploy", {"user": "deploy", "groups": [None, "audit"]})
    data = _unknown_plan([CUSTOMERS, user, ops, audit, read, membership], {
        "aws_iam_group.ops": {"name": True, "arn": True}, "aws_iam_group_policy.ops": {"group": True},
        "aws_iam_user_group_membership.deploy": {"groups": [True, False]}}, [
        _config("aws_iam_group_policy.ops", {"group": {"references": ["aws_iam_group.ops.name", "aws_iam_group.ops"]}}),
        _config("aws_iam_user_group_membership.deploy", {
            "groups": {"references": ["aws_iam_group.ops.name", "aws_iam_group.ops"]}})])
    ops = "aws:iam::cfn:group/plan.json:aws_iam_group.ops"
    assert f"path: aws:iam::cfn:user/deploy –member of→ {ops} –read→ aws:s3:::acme-customers" in _reach(tmp_path, data)


def test_an_empty_state_is_an_empty_inventory(tmp_path: Path) -> None:
    # what `terraform show -json` prints when there is no state yet
    path = tmp_path / "terraform.tfstate.json"
    path.write_text('{"format_version":"1.0"}\n', encoding="utf-8")
    assert claimants(str(path), path.read_text()) == ["terraform-plan"]
    fragment = plan.load(str(path), path.read_text(), Options())
    assert (list(fragment.inventory.nodes()), fragment.errors) == ([], [])


# -- ids of resources the plan leaves unnamed ---------------------------------------------------------------------

def _unnamed_plan(bucket: str) -> dict[str, Any]:
    """A role from `name_prefix`, a bucket from `bucket_prefix` and a key: names AWS makes up at apply."""
    role = _resource("aws_iam_role.app", {"name_prefix": "app-", "path": "/", "assume_role_policy": PARTNER_TRUST,
                                          "inline_policy": []})
    prefixed = _resource("aws_s3_bucket.logs", {"bucket_prefix": bucket, "force_destroy": False,
                                                "tags": {"data-classification": "customer"},
                                                "tags_all": {"data-classification": "customer"}})
    key = _resource("aws_kms_key.k", {"description": "k", "enable_key_rotation": True, "is_enabled": True,
                                      "key_usage": "ENCRYPT_DECRYPT", "deletion_window_in_days": 30})
    return _unknown_plan([role, prefixed, key], {
        "aws_iam_role.app": {"name": True, "arn": True, "id": True},
        "aws_s3_bucket.logs": {"bucket": True, "arn": True, "id": True},
        "aws_kms_key.k": {"arn": True, "id": True, "key_id": True, "policy": True}})


def test_an_unnamed_resource_s_id_is_its_file_relative_to_the_root_and_its_address(tmp_path: Path) -> None:
    for env in ("prod", "staging"):
        (tmp_path / "envs" / env).mkdir(parents=True)
        _write(tmp_path / "envs" / env, _unnamed_plan(f"acme-{env}-"))
    loaded = load_paths([str(tmp_path)], root=str(tmp_path))
    assert loaded.errors == []  # two environments' plan.json: no "expected each id once"
    ids = {node.id for node in loaded.inventory.nodes()}
    for env in ("prod", "staging"):
        own = f"envs%2F{env}%2Fplan.json:"  # `/` is %2F: an S3 or DynamoDB ARN's `/` would end the store's name
        account = f"envs%2F{env}"  # no provider names it: the plan's folder labels it
        assert {f"aws:iam::{account}:role/{own}aws_iam_role.app", f"aws:s3:::{own}aws_s3_bucket.logs",
                f"aws:kms:cfn:{account}:key/{own}aws_kms_key.k"} <= ids, sorted(ids)
    # the same file read from another root, or another name: the id follows the path, not the name's stem
    path = tmp_path / "envs" / "prod" / "plan.json"
    alone = plan.load(str(path), path.read_text(), Options(globs_root=str(tmp_path / "envs")))
    assert "aws:iam::prod:role/prod%2Fplan.json:aws_iam_role.app" in {r.id for r in alone.inventory.roles}


def test_an_address_s_slash_does_not_cut_a_store_s_id(tmp_path: Path) -> None:
    data = _unnamed_plan("acme-")
    bucket = data["planned_values"]["root_module"]["resources"][1]
    bucket["address"] = data["resource_changes"][1]["address"] = 'aws_s3_bucket.logs["eu/west"]'
    path = _write(tmp_path, data)
    fragment = plan.load(str(path), path.read_text(), Options(globs_root=str(tmp_path)))
    assert 'aws:s3:::plan.json:aws_s3_bucket.logs["eu%2Fwest"]' in {r.id for r in fragment.inventory.resources}


# -- size: the translation is linear in the plan's resources ------------------------------------------------------

def triples(count: int) -> dict[str, Any]:
    """A state of `count` roles, each with its own policy and the attachment joining them (by name and ARN)."""
    resources = [CUSTOMERS]
    for n in range(count):
        policy_arn = f"arn:aws:iam::{ACCOUNT}:policy/p{n}"
        resources += [
            _resource(f"aws_iam_role.r{n}", {"name": f"r{n}", "path": "/", "assume_role_policy": PARTNER_TRUST,
                                             "arn": f"arn:aws:iam::{ACCOUNT}:role/r{n}", "inline_policy": []}),
            _resource(f"aws_iam_policy.p{n}", {"name": f"p{n}", "path": "/", "policy": READ_CUSTOMERS,
                                               "arn": policy_arn}),
            _resource(f"aws_iam_role_policy_attachment.a{n}", {"role": f"r{n}", "policy_arn": policy_arn}),
            _resource(f"aws_iam_user_login_profile.u{n}", {"user": f"u{n}"}),
            _resource(f"aws_s3_bucket_policy.b{n}", {"bucket": f"b{n}", "policy": READ_CUSTOMERS})]
    return {"format_version": "1.0", "terraform_version": "1.7.5", "values": {"root_module": {"resources": resources}}}


def test_an_attachment_joins_the_plan_s_own_policy_and_role() -> None:
    translation = Translation(read_plan(triples(2), "", "state.json"))
    translate(translation)
    assert translation.resources["aws_iam_policy.p1"]["Properties"]["Roles"] == ["r1"]
    assert "aws_iam_role_policy_attachment.a1#role0" not in translation.resources


# -- a key's or a secret's policy as its own resource (the provider's recommended forms) ----------------------------

OTHER_KMS = _doc([{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "kms:*",
                   "Resource": "*"}])
KEY_ARN = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _key_and_policy(known: bool) -> dict[str, Any]:
    """`aws_kms_key.k` and `aws_kms_key_policy.k { key_id = aws_kms_key.k.id }`: applied (a state) or planned."""
    key_id = KEY_ARN.rsplit("/", 1)[1]
    key = _resource("aws_kms_key.k", {"description": "customer exports", "enable_key_rotation": True,
                                      "key_usage": "ENCRYPT_DECRYPT", "is_enabled": True,
                                      **({"key_id": key_id, "id": key_id, "arn": KEY_ARN} if known else {})})
    policy = _resource("aws_kms_key_policy.k", {"key_id": key_id if known else None, "policy": OTHER_KMS,
                                                "bypass_policy_lockout_safety_check": False})
    return _unknown_plan([key, policy], {} if known else {
        "aws_kms_key.k": {"arn": True, "id": True, "key_id": True, "policy": True},
        "aws_kms_key_policy.k": {"id": True, "key_id": True}}, [
        _config("aws_kms_key_policy.k", {"key_id": {"references": ["aws_kms_key.k.id", "aws_kms_key.k"]}})])


def test_a_key_policy_resource_is_the_key_s_policy(tmp_path: Path) -> None:
    for known in (True, False):
        assert ("PL103", f"aws:iam::{OTHER}:root") in _findings(_write(tmp_path, _key_and_policy(known))), known


def test_a_secret_policy_resource_is_the_secret_s_policy(tmp_path: Path) -> None:
    arn = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:db-AbCdEf"
    secret = _resource("aws_secretsmanager_secret.db", {
        "name": "db", "arn": arn, "policy": "", "tags": {"data-classification": "customer"},
        "tags_all": {"data-classification": "customer"}})
    policy = _resource("aws_secretsmanager_secret_policy.db", {"secret_arn": arn, "policy": _doc([
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
         "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]), "block_public_policy": True})
    assert ("PL103", f"aws:iam::{OTHER}:root") in _findings(_write(tmp_path, _unknown_plan([secret, policy], {})))


# -- keys, aliases, grants, stores, trails and secrets (real plans: tests/sources/fixtures/terraform_plan) ----------

GENERATED = CORPUS / "terraform-plan" / "generated"
AT = "tests%2Fcorpus%2Fterraform-plan%2Fgenerated"  # their folder: the account their provider does not name
PLAN_FIXTURES = Path(__file__).parent / "fixtures" / "terraform_plan"


def _generated(name: str) -> Any:
    """The inventory of one generated plan, read as a run over the repository reads it (ids relative to it)."""
    loaded = load_paths([str(GENERATED / f"{name}.json")], root=str(CORPUS.parent.parent))
    assert [str(e) for e in loaded.errors] == []
    return loaded.inventory


def _key_id(plan_name: str, address: str) -> str:
    return f"aws:kms:cfn:{AT}:key/{AT}%2F{plan_name}.json:{address}"


def test_generated_plans_are_claimed_by_this_source_only() -> None:
    paths = sorted(GENERATED.glob("*.json"))
    assert [p.name for p in paths] == ["customer-data-stores.json", "for-each-display-names.json",
                                       "kms-grants-aliases.json"]
    for path in paths:
        assert claimants(str(path), path.read_text(encoding="utf-8")) == ["terraform-plan"], path.name


def test_a_role_whose_policies_the_provider_computes_holds_only_what_attaches_to_it() -> None:
    # AWS provider 5 leaves a new role's `inline_policy` and `managed_policy_arns` unknown until apply when the
    # configuration sets neither: they are what other resources attach, not an unknown policy on everything
    roles = {r.id: r for r in _generated("kms-grants-aliases").roles}
    assert roles[f"aws:iam::{AT}:role/billing-exporter"].grants == ()
    assert {g.via for g in roles[f"aws:iam::{AT}:role/reporting"].grants} == {"decrypt-by-alias",
                                                                               "aws_kms_grant.shared"}


def test_a_grant_gives_the_grantee_the_key_no_key_policy_shows() -> None:
    inventory = _generated("kms-grants-aliases")
    keys = {k.id: k for k in inventory.keys}
    customer, legacy = (_key_id("kms-grants-aliases", f"aws_kms_key.{n}") for n in ("customer_data", "legacy"))
    # the keys have AWS's default policy (the account decides); each grant adds its grantee as a reader
    assert keys[customer].readable_by == (f"aws:iam::{AT}:root", f"aws:iam::{AT}:role/billing-exporter")
    assert keys[legacy].readable_by == (f"aws:iam::{AT}:root", "aws:iam::444455556666:root")
    # a grant on a key the plan does not manage: the grantee's own grant on that key's ARN
    shared = "aws:kms:eu-west-1:777788889999:key/0b9a8c7d-1e2f-3a4b-5c6d-7e8f9a0b1c2d"
    [reporting] = [r for r in inventory.roles if r.id == f"aws:iam::{AT}:role/reporting"]
    assert (shared, ("write",), "aws_kms_grant.shared") in {(g.resource, g.actions, g.via) for g in reporting.grants}
    assert shared in {k.id for k in inventory.keys}  # implied: the path is seen even when no file defines the key


def test_an_alias_names_its_key_and_the_grant_keeps_the_alias() -> None:
    inventory = _generated("kms-grants-aliases")
    [reporting] = [r for r in inventory.roles if r.id == f"aws:iam::{AT}:role/reporting"]
    by_alias = {g.resource for g in reporting.grants if g.via == "decrypt-by-alias"}
    assert by_alias == {"aws:kms:eu-west-1:111122223333:alias/customer-data",
                        _key_id("kms-grants-aliases", "aws_kms_key.customer_data")}


def test_rotation_is_read_and_the_rotation_rule_reads_it() -> None:
    keys = {k.id: k for k in _generated("kms-grants-aliases").keys}
    customer, legacy = (_key_id("kms-grants-aliases", f"aws_kms_key.{n}") for n in ("customer_data", "legacy"))
    assert (keys[customer].auto_rotate, keys[customer].rotation_days) == (True, 365)
    assert (keys[legacy].auto_rotate, keys[legacy].rotation_days) == (False, None)
    run = run_cli("check", str(GENERATED / "kms-grants-aliases.json"), "--format", "json", "--as-of", "2026-01-01",
                  "--select", "PL307")
    assert [f["subject"]["id"] for f in json.loads(run.out)["findings"]] == [legacy]


def test_a_key_protects_the_stores_that_name_it() -> None:
    keys = {k.id: k for k in _generated("kms-grants-aliases").keys}
    # `server_side_encryption { kms_key_arn = aws_kms_key.customer_data.arn }`: unknown until apply, a reference
    assert keys[_key_id("kms-grants-aliases", "aws_kms_key.customer_data")].protects == (
        f"aws:dynamodb:cfn:{AT}:table/customer-payments",)
    keys = {k.id: k for k in _generated("customer-data-stores").keys}
    assert keys[_key_id("customer-data-stores", "aws_kms_key.at_rest")].protects == (
        "aws:s3:::acme-customer-invoices", f"aws:secretsmanager:cfn:{AT}:secret:payments/api-key")


def test_stores_resource_policies_grant_on_the_store() -> None:
    grants = {(g.to, g.resource, g.via) for g in _generated("customer-data-stores").grants}
    auditor, analytics = "aws:iam::444455556666:root", "aws:iam::777788889999:root"
    assert grants == {
        # the bucket's own `policy` (AWS provider v3 style)
        (auditor, "aws:s3:::acme-customer-invoices", "bucket policy aws_s3_bucket.invoices#policy"),
        # an access point's policy gives its grants on the bucket
        (analytics, "aws:s3:::acme-customer-exports", "access point policy aws_s3_access_point.analytics"),
        (auditor, f"aws:dynamodb:cfn:{AT}:table/customer-orders", "table policy aws_dynamodb_table.orders"),
        (auditor, f"aws:secretsmanager:cfn:{AT}:secret:payments/api-key",
         "secret policy aws_secretsmanager_secret_policy.payments_api")}


def test_secrets_are_classified_by_their_tags_and_trails_log_what_they_select() -> None:
    resources = {r.id: (r.type, r.data, r.logging) for r in _generated("customer-data-stores").resources}
    assert resources == {
        "aws:s3:::acme-customer-invoices": ("bucket", ("customer_financial",), True),  # the trail's event selector
        "aws:s3:::acme-customer-exports": ("bucket", ("customer_pii",), False),
        f"aws:dynamodb:cfn:{AT}:table/customer-orders": ("table", ("customer_orders",), True),  # every table's reads
        f"aws:secretsmanager:cfn:{AT}:secret:payments/api-key": ("secret", ("customer_payment",), True),  # CloudTrail
        f"aws:iam::{AT}:access-control": ("access_control", (), None)}


def test_a_secret_is_classified_by_the_configured_tag_names(tmp_path: Path) -> None:
    secret = _resource("aws_secretsmanager_secret.db", {"name": "db-credentials", "policy": None,
                                                        "tags": {"Sensitivity": "customer_pii"},
                                                        "tags_all": {"Sensitivity": "customer_pii"}})
    path = _write(tmp_path, _unknown_plan([secret], {"aws_secretsmanager_secret.db": {"arn": True, "policy": True}},
                                          [_config("aws_secretsmanager_secret.db", {"name": {}, "tags": {}})]))
    default, configured = (plan.load(str(path), path.read_text(), options).inventory.resources
                           for options in (Options(), Options(classification_keys=("Sensitivity",))))
    assert [(r.id, r.data) for r in default] == [("aws:secretsmanager:cfn:cfn:secret:db-credentials", ())]
    assert [r.data for r in configured] == [("customer_pii",)]


def test_a_state_names_its_secret_by_arn_and_a_policy_naming_that_arn_joins_it(tmp_path: Path) -> None:
    arn = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:db-credentials-AbCdEf"
    secret = _resource("aws_secretsmanager_secret.db", {"name": "db-credentials", "arn": arn, "id": arn,
                                                        "policy": "", "tags": {"data-classification": "customer"},
                                                        "tags_all": {"data-classification": "customer"}})
    policy = _resource("aws_secretsmanager_secret_policy.db", {"secret_arn": arn, "policy": _doc([
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
         "Action": "secretsmanager:GetSecretValue", "Resource": "*"}])})
    reader = _partner_role("aws_iam_role.reader", assume_role_policy=_doc([
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{THIRD}:root"}, "Action": "sts:AssumeRole"}]),
        inline_policy=[{"name": "read", "policy": _doc([
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": arn}])}])
    out = _reach(tmp_path, _state([secret, policy, reader]))
    assert f"path: aws:iam::{OTHER}:root –read→ aws:secretsmanager:cfn:cfn:secret:db-credentials" in out
    # the role's grant names the secret's real ARN (`-AbCdEf`): it still reaches the plan's secret
    assert (f"path: aws:iam::{THIRD}:root –assumes→ aws:iam::cfn:role/reader –read→ "
            "aws:secretsmanager:cfn:cfn:secret:db-credentials") in out


def _grant_plan(key_id: Any, known_key: bool, *more: dict[str, Any]) -> dict[str, Any]:
    """A key, a role and `aws_kms_grant.app` giving the role Decrypt on `key_id` (None: the key's own id, not known
    until apply), with `more` resources."""
    key = _resource("aws_kms_key.k", {"description": "k", "enable_key_rotation": True, "key_usage": "ENCRYPT_DECRYPT",
                                      "is_enabled": True, **({"key_id": "1234abcd", "id": "1234abcd",
                                                              "arn": KEY_ARN} if known_key else {})})
    grant = _resource("aws_kms_grant.app", {"name": "app", "key_id": key_id, "operations": ["Decrypt"],
                                            "constraints": [], "grant_creation_tokens": None,
                                            "retire_on_delete": False, "retiring_principal": None})
    resources = [key, _partner_role(), grant, *more]
    return _unknown_plan(resources, {
        "aws_kms_key.k": {} if known_key else {"arn": True, "id": True, "key_id": True, "policy": True},
        "aws_iam_role.app": {"arn": True, "inline_policy": True, "managed_policy_arns": True},
        "aws_kms_grant.app": {"grant_id": True, "grantee_principal": True,
                              **({"key_id": True} if key_id is None else {})}},
        [_config("aws_kms_key.k", {"description": {}}), _config("aws_iam_role.app", {"name": {}}),
         _config("aws_kms_grant.app", {
             "grantee_principal": {"references": ["aws_iam_role.app.arn", "aws_iam_role.app"]},
             "key_id": {"references": ["aws_kms_key.k.key_id", "aws_kms_key.k"]} if key_id is None else {}})]
        + [_config(r["address"], {k: {} for k in r["values"]}) for r in more])


def _key_readers(tmp_path: Path, data: dict[str, Any]) -> tuple[str, ...]:
    path = _write(tmp_path, data)
    [key] = plan.load(str(path), path.read_text(), Options()).inventory.keys  # the plan's own (others are implied)
    return key.readable_by


def test_a_grant_on_the_plan_s_key_adds_to_its_key_policy_in_any_order(tmp_path: Path) -> None:
    policy = _resource("aws_kms_key_policy.k", {"key_id": "1234abcd", "policy": OTHER_KMS,
                                                "bypass_policy_lockout_safety_check": False})
    for key_id, known in ((None, False), ("1234abcd", True), (KEY_ARN, True)):
        assert _key_readers(tmp_path, _grant_plan(key_id, known)) == ("aws:iam::cfn:root", "aws:iam::cfn:role/app")
    # the key policy resource replaces the default policy; the grant still adds to it, whichever comes first
    for ordered in (lambda rs: rs, lambda rs: rs[::-1]):
        data = _grant_plan("1234abcd", True, policy)
        data["planned_values"]["root_module"]["resources"] = ordered(data["planned_values"]["root_module"]["resources"])
        assert _key_readers(tmp_path, data) == (f"aws:iam::{OTHER}:root", "aws:iam::cfn:role/app")


def test_a_grant_on_a_key_not_known_until_apply_is_on_every_key(tmp_path: Path) -> None:
    # `key_id = module.keys.arn`: unknown, and no resource of the plan referenced: any key, said so
    data = _grant_plan(None, False)
    data["configuration"]["root_module"]["resources"][2]["expressions"]["key_id"] = {"references": [
        "module.keys.arn", "module.keys"]}
    path = _write(tmp_path, data)
    [role] = [r for r in plan.load(str(path), path.read_text(), Options()).inventory.roles]
    assert [(g.resource, g.condition, g.via) for g in role.grants] == [
        ("aws:kms:*", "template leaves open: aws_kms_grant.app.key_id (known after apply)",
         "aws_kms_grant.app")]


def test_rotation_and_logging_not_known_until_apply_are_off(tmp_path: Path) -> None:
    key = _resource("aws_kms_key.k", {"description": "k", "key_usage": "ENCRYPT_DECRYPT", "is_enabled": True})
    trail = _resource("aws_cloudtrail.all", {"name": "all", "s3_bucket_name": "logs", "advanced_event_selector": [],
                                             "event_selector": [{"read_write_type": "All", "data_resource": [
                                                 {"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]})
    data = _unknown_plan([CUSTOMERS, key, trail], {
        "aws_kms_key.k": {"enable_key_rotation": True, "arn": True, "key_id": True, "policy": True},
        "aws_cloudtrail.all": {"enable_logging": True, "arn": True}},
        [_config("aws_kms_key.k", {"enable_key_rotation": {"references": ["var.rotate"]}}),
         _config("aws_cloudtrail.all", {"enable_logging": {"references": ["var.logging"]}})])
    path = _write(tmp_path, data)
    inventory = plan.load(str(path), path.read_text(), Options()).inventory
    assert [(k.auto_rotate, k.rotation_days) for k in inventory.keys] == [(False, None)]
    assert [(r.id, r.logging) for r in inventory.resources] == [("aws:s3:::acme-customers", False)]
    del data["resource_changes"][2]["change"]["after_unknown"]["enable_logging"]  # known (the provider's default)
    path = _write(tmp_path, data)
    assert [r.logging for r in plan.load(str(path), path.read_text(), Options()).inventory.resources] == [True]


def test_a_state_s_alias_names_its_key_by_the_key_s_id(tmp_path: Path) -> None:
    key = _resource("aws_kms_key.k", {"description": "k", "enable_key_rotation": True, "key_id": "1234abcd",
                                      "id": "1234abcd", "arn": KEY_ARN, "key_usage": "ENCRYPT_DECRYPT",
                                      "policy": OTHER_KMS})
    alias = _resource("aws_kms_alias.k", {"name": "alias/exports", "target_key_id": "1234abcd",
                                          "arn": f"arn:aws:kms:eu-west-1:{ACCOUNT}:alias/exports",
                                          "target_key_arn": KEY_ARN})
    reader = _partner_role(inline_policy=[{"name": "use", "policy": _doc([
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": f"arn:aws:kms:eu-west-1:{ACCOUNT}:alias/exports"}])}])
    path = _write(tmp_path, _state([key, alias, reader]), "terraform.tfstate.json")
    inventory = plan.load(str(path), path.read_text(), Options()).inventory
    [role], [own] = inventory.roles, inventory.keys
    assert own.id in {g.resource for g in role.grants}
    assert {g.resource for g in role.grants} - {own.id} == {f"aws:kms:eu-west-1:{ACCOUNT}:alias/exports"}


# -- what makes a plan incomplete: a located error, and what the plan holds is still read -------------------------

def test_an_errored_plan_is_read_and_said_to_be_incomplete() -> None:
    path = PLAN_FIXTURES / "errored-plan.json"  # real: a precondition failed, `terraform plan -out` kept the rest
    text = path.read_text(encoding="utf-8")
    fragment = plan.load(str(path), text, Options(globs_root=str(PLAN_FIXTURES)))
    [error] = fragment.errors
    assert text[text.index('"errored"'):].startswith('"errored":true')
    assert (error.location.line, error.location.column) == (1, text.index('"errored"') + 1)
    assert error.message.startswith("expected a complete plan, found '\"errored\": true'")
    assert [r.id for r in fragment.inventory.roles] == ["aws:iam::cfn:role/customer-exports"]


def _nested_modules(depth: int) -> dict[str, Any]:
    """A plan whose modules nest `depth` deep, a role in each (Terraform's addresses: module.m.module.m…)."""
    address = ""
    root: dict[str, Any] = {"resources": [_partner_role("aws_iam_role.top")]}
    module = root
    for level in range(1, depth + 1):
        address += ("." if address else "") + "module.m"
        child = {"address": address, "resources": [_partner_role(f"{address}.aws_iam_role.r{level}")]}
        module["child_modules"] = [child]
        module = child
    return {"format_version": "1.2", "terraform_version": "1.9.5", "planned_values": {"root_module": root},
            "resource_changes": [], "configuration": {"root_module": {}}}


def test_modules_nested_too_deep_are_a_located_error(tmp_path: Path) -> None:
    path = _write(tmp_path, _nested_modules(64))
    fragment = plan.load(str(path), path.read_text(), Options())
    assert (fragment.errors, len(fragment.inventory.roles)) == ([], 65)
    path = _write(tmp_path, _nested_modules(66))
    fragment = plan.load(str(path), path.read_text(), Options())
    deepest = ".".join(["module.m"] * 65)
    [error] = fragment.errors
    line = path.read_text().splitlines()[error.location.line - 1]
    assert line.strip() == f'"address": "{deepest}",', line
    assert str(error).endswith(f"expected modules nested at most 64 deep, found {deepest} deeper: its resources and "
                               "its modules' are not read")
    assert len(fragment.inventory.roles) == 65  # what is not too deep is still read


# -- where things are: addresses Terraform escapes, keys `jq -S` sorts ---------------------------------------------

def test_an_address_with_escaped_or_non_ascii_keys_is_located_at_its_own_address(tmp_path: Path) -> None:
    real = GENERATED / "for-each-display-names.json"  # Terraform: `R\u0026D`, `Zürich \u003cSupport\u003e`, raw `É`
    ensure_ascii = tmp_path / "plan.json"  # json.dumps: `Z\u00fcrich <Support>`
    ensure_ascii.write_text(json.dumps(json.loads(real.read_text(encoding="utf-8")), indent=2), encoding="utf-8")
    for path in (real, ensure_ascii):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        roles = plan.load(str(path), text, Options(globs_root=str(path.parent))).inventory.roles
        assert len(roles) == 3
        for role in roles:
            at = lines[role.location.line - 1][role.location.column - 1:]
            name = role.id.removeprefix("aws:iam::cfn:role/team-")
            key = {"rnd": "R&D", "zurich-support": "Zürich <Support>", "equipe-donnees": "Équipe données"}[name]
            written = re.match(r'"address"\s*:\s*("(?:[^"\\]|\\.)*")', at)
            assert written is not None, (path.name, role.id, role.location)
            assert json.loads(written.group(1)) == f"aws_iam_role.team[{json.dumps(key, ensure_ascii=False)}]"


def test_a_sorted_plan_whose_format_version_is_far_down_is_read(tmp_path: Path) -> None:
    # `jq -S .`: `configuration` comes first; a real one is kilobytes long
    data = plan_json()
    data["configuration"]["root_module"]["resources"] += [_config(f"aws_iam_user.u{n}", {"name": {
        "constant_value": f"user-{n}"}}) for n in range(60)]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert text.index('"format_version"') > 4096
    assert claimants(str(path), text) == ["terraform-plan"]
    assert ("PL216", "aws:s3:::acme-customer-exports") in _findings(path)


def test_a_grantee_not_known_until_apply_is_anyone_the_plan_leaves_open(tmp_path: Path) -> None:
    # `grantee_principal = data.aws_iam_role.x.arn`, read at apply: the key is readable by whoever it turns out to be
    data = _grant_plan(None, False)
    data["configuration"]["root_module"]["resources"][2]["expressions"]["grantee_principal"] = {"references": [
        "data.aws_iam_role.x.arn", "data.aws_iam_role.x"]}
    assert _key_readers(tmp_path, data) == ("aws:iam::cfn:root", "*anyone-if:template leaves open: "
                                            "aws_kms_grant.app.grantee_principal (known after apply)")


def _named_findings(path: Path) -> set[tuple[str, str]]:
    """(rule, subject) with a key's id cut to its address: a plan names what AWS names by its file, HCL by its
    folder; and the account the folder labels where no provider names one (a plan's file's, an HCL root's) `cfn`."""
    folder = f":{plan.escaped(Options().place(str(path if path.is_dir() else path.parent)))}:"
    return {(rule, subject.rsplit(":", 1)[-1] if ":key/" in subject else subject.replace(folder, ":cfn:"))
            for rule, subject in _findings(path)}


def test_hcl_and_the_plan_of_the_same_configuration_give_the_same_findings() -> None:
    for name in ("kms-grants-aliases", "customer-data-stores"):
        from_plan = _named_findings(GENERATED / f"{name}.json")
        assert ("PL307", "aws_kms_key.legacy") in from_plan or name != "kms-grants-aliases"
        assert _named_findings(PLAN_FIXTURES / name) == from_plan, name


def _customers_table() -> dict[str, Any]:
    return _resource("aws_dynamodb_table.customers", {"name": "customers", "hash_key": "id",
                                                      "tags": {"data-classification": "customer"},
                                                      "tags_all": {"data-classification": "customer"}})


def test_a_reference_that_may_be_either_of_two_policies_is_open_not_the_first(tmp_path: Path) -> None:
    # policy_arn = var.readonly ? aws_iam_policy.ro.arn : aws_iam_policy.rw.arn
    read = _doc([{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:*:*:table/orders"}])
    write = _doc([{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}])
    resources = [_customers_table(), _resource("aws_iam_user.u", {"name": "cond-user", "path": "/"}),
                 _resource("aws_iam_policy.ro", {"name": "ro", "path": "/", "policy": read}),
                 _resource("aws_iam_policy.rw", {"name": "rw", "path": "/", "policy": write}),
                 _resource("aws_iam_user_policy_attachment.a", {"user": "cond-user"})]
    unknown = {"aws_iam_policy.ro": {"arn": True}, "aws_iam_policy.rw": {"arn": True},
               "aws_iam_user_policy_attachment.a": {"policy_arn": True}}
    config = [_config("aws_iam_user_policy_attachment.a", {"policy_arn": {"references": [
        "var.readonly", "aws_iam_policy.ro.arn", "aws_iam_policy.ro", "aws_iam_policy.rw.arn", "aws_iam_policy.rw"]}})]
    assert "aws:iam::cfn:user/cond-user" in _reach(tmp_path, _unknown_plan(resources, unknown, config))


def test_a_reference_to_one_for_each_instance_is_that_instance_only(tmp_path: Path) -> None:
    # role = aws_iam_role.r["reader"].id: the web role does not get the reader's policy
    trust = _doc([{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "sts:AssumeRole"}])
    read = _doc([{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}])
    resources = [_customers_table(),
                 _resource('aws_iam_role.r["reader"]', {"name": "reader", "path": "/", "assume_role_policy": trust}),
                 _resource('aws_iam_role.r["web"]', {"name": "web", "path": "/", "assume_role_policy": trust}),
                 _resource("aws_iam_role_policy.p", {"name": "read", "policy": read})]
    unknown = {"aws_iam_role_policy.p": {"role": True}}
    config = [_config("aws_iam_role_policy.p", {"role": {"references": [
        'aws_iam_role.r["reader"].id', 'aws_iam_role.r["reader"]', "aws_iam_role.r"]}})]
    out = _reach(tmp_path, _unknown_plan(resources, unknown, config))
    assert "aws:iam::cfn:role/reader" in out and "aws:iam::cfn:role/web" not in out


def test_a_plan_whose_provider_names_the_account_names_its_ids_as_the_hcl_does(tmp_path: Path) -> None:
    data = _unknown_plan([_customers_table(), _resource("aws_iam_user.ci", {"name": "ci", "path": "/"})], {})
    expressions = {"region": {"constant_value": "eu-west-1"}, "allowed_account_ids": {"constant_value": [ACCOUNT]}}
    data["configuration"]["provider_config"] = {"aws": {
        "name": "aws", "full_name": "registry.terraform.io/hashicorp/aws", "expressions": expressions}}
    loaded = load_paths([str(_write(tmp_path, data))])
    ids = {n.id for n in loaded.inventory.nodes()}
    assert {f"aws:iam::{ACCOUNT}:user/ci", f"aws:dynamodb:eu-west-1:{ACCOUNT}:table/customers"} <= ids, ids
