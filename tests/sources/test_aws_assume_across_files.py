"""Role assumption across files (`allowed-to-assume:` groups, `sources/aws/link.py`), and the condition each assumer
of a role may assume it under (`Role.conditions`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policylint.inventory import load_paths
from policylint.model import Role

from helpers import run_cli, write

ACCT = "111122223333"
OTHER = "444455556666"
BUCKET = "aws:s3:::cust-data"
DATA = """
    policylint: 1
    resources: [{id: "aws:s3:::cust-data", type: bucket, data: [customer_pii], records: 100}]
"""
Step = tuple[str, str | None]  # a step's node, and the condition it holds under


def reach(folder: Path) -> dict[str, list[Step]]:
    """Who reaches `BUCKET`: each identity's path to it, step by step."""
    run = run_cli("reach", str(folder), "--format", "json", "--as-of", "2026-11-27")
    assert run.code == 0, run.out + run.err
    return {i["id"]: [(s["id"], s["condition"]) for s in r["steps"]]
            for i in json.loads(run.out)["identities"] for r in i["resources"] if r["id"] == BUCKET}


def roles(folder: Path) -> dict[str, Role]:
    loaded = load_paths([str(folder)], root=str(folder))
    assert [str(e) for e in loaded.errors] == []
    return {r.id: r for r in loaded.inventory.roles}


PROVIDER = f'''
provider "aws" {{
  region              = "eu-west-1"
  allowed_account_ids = ["{ACCT}"]
}}
'''


def tf_user(name: str, resource: str) -> str:
    """A Terraform user `name` who may sts:AssumeRole on `resource`."""
    return f'''
resource "aws_iam_user" "{name}" {{ name = "{name}" }}
resource "aws_iam_user_policy" "{name}" {{
  user   = aws_iam_user.{name}.name
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Resource = "{resource}" }}]
  }})
}}
'''


def tf_user_root(folder: Path, name: str, resource: str) -> None:
    """A Terraform root of `ACCT` whose user `name` may sts:AssumeRole on `resource`."""
    write(folder, "main.tf", PROVIDER + tf_user(name, resource))


def tf_role_root(folder: Path, trusted: str = f"arn:aws:iam::{ACCT}:root", more: str = "",
                 trust: str | None = None) -> None:
    """A Terraform root of `ACCT` whose role `cust-reader` trusts `trusted` (or has the trust policy `trust`) and
    reads customer data."""
    statement = f'{{ Effect = "Allow", Principal = {{ AWS = "{trusted}" }}, Action = "sts:AssumeRole" }}'
    policy = f"<<-EOT\n{trust}\nEOT" if trust else \
        f'jsonencode({{ Version = "2012-10-17", Statement = [{statement}] }})'
    write(folder, "main.tf", PROVIDER + f'''
resource "aws_s3_bucket" "c" {{
  bucket = "cust-data"
  tags   = {{ "data-classification" = "customer_pii" }}
}}
resource "aws_iam_role" "r" {{
  name               = "cust-reader"
  assume_role_policy = {policy}
}}
resource "aws_iam_role_policy" "r" {{
  role = aws_iam_role.r.id
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "s3:GetObject", Resource = "${{aws_s3_bucket.c.arn}}/*" }}]
  }})
}}
''' + more)


def export_user(name: str, resource: str, account: str = ACCT) -> dict[str, Any]:
    return {"Path": "/", "UserName": name, "UserId": f"AIDA{name.upper():A<17}",
            "Arn": f"arn:aws:iam::{account}:user/{name}",
            "CreateDate": "2021-04-01 09:00:00+00:00", "GroupList": [], "AttachedManagedPolicies": [], "Tags": [],
            "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource}]}}]}


def export_role(account: str, trust: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Path": "/", "RoleName": "cust-reader", "RoleId": "AROAAAAAAAAAAAAAAAAA1",
            "Arn": f"arn:aws:iam::{account}:role/cust-reader", "CreateDate": "2021-04-01 09:00:00+00:00",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": trust},
            "InstanceProfileList": [], "AttachedManagedPolicies": [], "Tags": [],
            "RolePolicyList": [{"PolicyName": "read", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::cust-data/*"}]}}]}


def export(folder: Path, name: str, users: list[Any] = (), roles_: list[Any] = ()) -> None:
    write(folder, name, json.dumps({"UserDetailList": list(users), "GroupDetailList": [],
                                    "RoleDetailList": list(roles_), "Policies": []}))


def trusting(principal: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole",
            **({"Condition": condition} if condition else {})}


def group(account: str, glob: str) -> str:
    return f"aws:iam::{account}:allowed-to-assume:{glob}"


KIM = f"aws:iam::{ACCT}:user/kim"
READER = f"aws:iam::{ACCT}:role/cust-reader"


# --- across files ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("case", "resource", "glob"), [
    ("the role's ARN", f"arn:aws:iam::{ACCT}:role/cust-reader", READER),
    ("a glob of role names", f"arn:aws:iam::{ACCT}:role/cust-*", f"aws:iam::{ACCT}:role/cust-*"),
    ("any resource", "*", "aws:*"),
])
def test_a_user_of_one_terraform_root_assumes_a_role_of_another(tmp_path: Path, case: str, resource: str,
                                                                glob: str) -> None:
    tf_user_root(tmp_path / "a", "kim", resource)
    tf_role_root(tmp_path / "b")
    assert reach(tmp_path) == {
        f"aws:iam::{ACCT}:root": [(f"aws:iam::{ACCT}:root", None), (READER, None), (BUCKET, None)],
        KIM: [(KIM, None), (group(ACCT, glob), None), (READER, None), (BUCKET, None)]}


def test_a_terraform_user_assumes_a_role_an_authorization_export_of_another_account_lists(tmp_path: Path) -> None:
    tf_user_root(tmp_path / "tf", "kim", f"arn:aws:iam::{OTHER}:role/cust-reader")
    export(tmp_path / "other", "authz.json", roles_=[export_role(OTHER, [trusting(f"arn:aws:iam::{ACCT}:root")])])
    write(tmp_path / "other", "data.yaml", DATA)
    role = f"aws:iam::{OTHER}:role/cust-reader"
    assert reach(tmp_path)[KIM] == [(KIM, None), (group(ACCT, role), None), (role, None), (BUCKET, None)]


def test_a_user_of_one_template_assumes_a_role_of_another(tmp_path: Path) -> None:
    write(tmp_path, "users.yaml", """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Kim:
            Type: AWS::IAM::User
            Properties:
              UserName: kim
              Policies:
                - PolicyName: assume
                  PolicyDocument:
                    Version: "2012-10-17"
                    Statement:
                      - Effect: Allow
                        Action: sts:AssumeRole
                        Resource: !Sub "arn:aws:iam::${AWS::AccountId}:role/cust-reader"
    """)
    write(tmp_path, "roles.yaml", """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Reader:
            Type: AWS::IAM::Role
            Properties:
              RoleName: cust-reader
              AssumeRolePolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - {Effect: Allow, Principal: {AWS: !Ref AWS::AccountId}, Action: sts:AssumeRole}
              Policies:
                - PolicyName: read
                  PolicyDocument:
                    Version: "2012-10-17"
                    Statement:
                      - {Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::cust-data/*"}
    """)
    write(tmp_path, "data.yaml", DATA)
    kim, role = "aws:iam::cfn:user/kim", "aws:iam::cfn:role/cust-reader"
    assert reach(tmp_path)[kim] == [(kim, None), (group("cfn", role), None), (role, None), (BUCKET, None)]


@pytest.mark.parametrize(("case", "trusted"), [
    ("another account", "arn:aws:iam::999988887777:root"),
    ("one role of the account", f"arn:aws:iam::{ACCT}:role/admin"),
])
def test_a_role_that_does_not_trust_the_account_is_not_assumed(tmp_path: Path, case: str, trusted: str) -> None:
    tf_user_root(tmp_path / "a", "kim", f"arn:aws:iam::{ACCT}:role/cust-*")
    tf_role_root(tmp_path / "b", trusted)
    assert KIM not in reach(tmp_path)
    assert roles(tmp_path)[READER].assumable_by == (trusted.replace("arn:aws:", "aws:"),)


def test_a_role_of_the_same_root_is_assumed_directly_and_no_group_is_made(tmp_path: Path) -> None:
    tf_role_root(tmp_path, more=tf_user("kim", f"arn:aws:iam::{ACCT}:role/cust-reader"))
    loaded = load_paths([str(tmp_path)], root=str(tmp_path))
    assert [r.assumable_by for r in loaded.inventory.roles] == [(f"aws:iam::{ACCT}:root", KIM)]
    assert [g.id for g in loaded.inventory.groups] == []


def test_a_glob_that_also_names_a_role_of_its_own_root_adds_no_second_route_to_it(tmp_path: Path) -> None:
    tf_role_root(tmp_path / "b", more=tf_user("kim", f"arn:aws:iam::{ACCT}:role/cust-*"))
    tf_user_root(tmp_path / "a", "lee", f"arn:aws:iam::{ACCT}:role/cust-*")
    lee = f"aws:iam::{ACCT}:user/lee"
    cust = group(ACCT, f"aws:iam::{ACCT}:role/cust-*")
    loaded = load_paths([str(tmp_path)], root=str(tmp_path))
    assert [str(e) for e in loaded.errors] == []
    assert {g.id: set(g.members) for g in loaded.inventory.groups} == {cust: {KIM, lee}}
    assert roles(tmp_path)[READER].assumable_by == (f"aws:iam::{ACCT}:root", KIM, cust)


def test_two_exports_of_one_account_list_their_holders_in_one_group(tmp_path: Path) -> None:
    # the pages of a paged export, or exports by path: each lists the holders it reads (once a duplicate-id error)
    role = f"aws:iam::{OTHER}:role/cust-reader"
    arn = f"arn:aws:iam::{OTHER}:role/cust-reader"
    export(tmp_path, "kim.json", users=[export_user("kim", arn)])
    export(tmp_path, "lee.json", users=[export_user("lee", arn)])
    export(tmp_path, "roles.json", roles_=[export_role(OTHER, [trusting(f"arn:aws:iam::{ACCT}:root")])])
    write(tmp_path, "data.yaml", DATA)
    lee = f"aws:iam::{ACCT}:user/lee"
    assert reach(tmp_path)[lee] == [(lee, None), (group(ACCT, role), None), (role, None), (BUCKET, None)]


# --- each assumer's condition ---------------------------------------------------------------------------------

MIXED = """
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      R:
        Type: AWS::IAM::Role
        Properties:
          RoleName: mixed
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"}, Action: sts:AssumeRole}
              - Effect: Allow
                Principal: {AWS: ["arn:aws:iam::777788889999:root", "arn:aws:iam::555566667777:root"]}
                Action: sts:AssumeRole
                Condition: {IpAddress: {"aws:SourceIp": "10.0.0.0/8"}}
              - Effect: Allow
                Principal: {AWS: "arn:aws:iam::555566667777:root"}
                Action: sts:AssumeRole
                Condition: {Bool: {"aws:MultiFactorAuthPresent": "true"}}
              - Effect: Allow
                Principal: {AWS: "arn:aws:iam::999988887777:root"}
                Action: sts:AssumeRole
                Condition: {Bool: {"aws:MultiFactorAuthPresent": "true"}}
              - {Effect: Allow, Principal: {AWS: "arn:aws:iam::999988887777:root"}, Action: sts:AssumeRole}
          Policies:
            - PolicyName: read
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - {Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::cust-data/*"}
"""
IP = "IpAddress aws:SourceIp=10.0.0.0/8"
MFA = "aws:MultiFactorAuthPresent=true"


def test_each_assumer_shows_the_condition_of_its_own_routes(tmp_path: Path) -> None:
    write(tmp_path, "stack.yaml", MIXED)
    write(tmp_path, "data.yaml", DATA)
    role = "aws:iam::cfn:role/mixed"
    assert {who: path[1] for who, path in reach(tmp_path).items()} == {
        "aws:iam::444455556666:root": (role, None),
        "aws:iam::777788889999:root": (role, IP),
        "aws:iam::555566667777:root": (role, f"{IP} or {MFA}"),  # every route conditional: each is shown
        "aws:iam::999988887777:root": (role, None)}  # an unconditional route wins
    found = roles(tmp_path)[role]
    assert (found.condition, found.conditions) == (None, (
        ("aws:iam::777788889999:root", IP), ("aws:iam::555566667777:root", f"{IP} or {MFA}")))
    run = run_cli("facts", role, str(tmp_path), "--as-of", "2026-11-27")
    assert json.loads(run.out)["assume_condition"] is None  # some route is unconditional


@pytest.mark.parametrize("form", ["terraform", "export"])
def test_a_group_that_assumes_through_the_account_root_takes_the_roots_condition(tmp_path: Path, form: str) -> None:
    """Another file's group (joined by `link`), and an export's own, while another account is let in without one."""
    tf_user_root(tmp_path / "a", "kim", f"arn:aws:iam::{ACCT}:role/cust-reader")
    statements = [trusting(f"arn:aws:iam::{ACCT}:root", {"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
                  trusting(f"arn:aws:iam::{OTHER}:root")]
    lee = f"aws:iam::{ACCT}:user/lee"
    if form == "export":
        export(tmp_path / "b", "authz.json", users=[export_user("lee", f"arn:aws:iam::{ACCT}:role/cust-*")],
               roles_=[export_role(ACCT, statements)])
        write(tmp_path / "b", "data.yaml", DATA)
    else:
        tf_role_root(tmp_path / "b", trust=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    paths = reach(tmp_path)
    assert paths[KIM] == [(KIM, None), (group(ACCT, READER), None), (READER, MFA), (BUCKET, None)]
    assert paths[f"aws:iam::{OTHER}:root"] == [(f"aws:iam::{OTHER}:root", None), (READER, None), (BUCKET, None)]
    if form == "export":
        assert paths[lee] == [(lee, None), (group(ACCT, f"aws:iam::{ACCT}:role/cust-*"), None), (READER, MFA),
                              (BUCKET, None)]


def test_who_runs_code_as_a_role_takes_the_condition_its_service_is_trusted_under(tmp_path: Path) -> None:
    deployer = export_user("ci-deployer", "*")
    deployer["UserPolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"] = [
        "iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]
    lambda_only = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
                   "Condition": {"StringEquals": {"aws:SourceAccount": ACCT}}}
    export(tmp_path, "authz.json", users=[deployer],
           roles_=[export_role(ACCT, [lambda_only, trusting(f"arn:aws:iam::{OTHER}:root")])])
    write(tmp_path, "data.yaml", DATA)
    who = f"aws:iam::{ACCT}:user/ci-deployer"
    assert reach(tmp_path)[who] == [(who, None), (f"aws:iam::{ACCT}:runs-code-as:lambda.amazonaws.com", None),
                                    (READER, f"aws:SourceAccount={ACCT}"), (BUCKET, None)]
