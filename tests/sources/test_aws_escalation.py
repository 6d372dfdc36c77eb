"""AWS privilege escalation: each method named with what it gains (IAM, other users, the roles of a service), the
reach that follows (the roles an export shows trusting the service, the whole account where a file cannot show them),
and the facts PL205, PL210 and PL211 test, on authorization details in the shape AWS exports them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from policylint.facts import Facts, facts_of
from policylint.iam import escalation
from policylint.iam.evaluate import evaluate, reads_every
from policylint.iam.statements import parse_policy
from policylint.model import Grant, Group, Location, Role
from policylint.pipeline import Analysis, run
from policylint.rules import builtin_policies, load_rules
from policylint.settings import Settings

from helpers import AS_OF, REPO, run_cli, write

ACCT = "111122223333"
AT = Location("p.json", 1, 1)
CONTROL = f"aws:iam::{ACCT}:access-control"
LAMBDA = {"Service": "lambda.amazonaws.com"}


# --- authorization details as `aws iam get-account-authorization-details` writes them ----------------------------

def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str | list[str], resource: str | list[str] = "*", **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


def inline(name: str, *statements: dict[str, Any]) -> dict[str, Any]:
    return {"PolicyName": name, "PolicyDocument": doc(*statements)}


def user(name: str, *policies: dict[str, Any], groups: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"Path": "/", "UserName": name, "UserId": f"AIDAQ{name.upper():Q<16}"[:21],
            "Arn": f"arn:aws:iam::{ACCT}:user/{name}", "CreateDate": "2024-03-11 09:24:51+00:00",
            "GroupList": list(groups), "AttachedManagedPolicies": [], "UserPolicyList": list(policies), "Tags": []}


def group(name: str, *policies: dict[str, Any]) -> dict[str, Any]:
    return {"Path": "/", "GroupName": name, "GroupId": f"AGPAQ{name.upper():Q<16}"[:21],
            "Arn": f"arn:aws:iam::{ACCT}:group/{name}", "CreateDate": "2024-03-11 09:24:51+00:00",
            "GroupPolicyList": list(policies), "AttachedManagedPolicies": []}


def role(name: str, *trust: dict[str, Any], policies: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    return {"Path": "/", "RoleName": name, "RoleId": f"AROAQ{name.upper():Q<16}"[:21],
            "Arn": f"arn:aws:iam::{ACCT}:role/{name}", "CreateDate": "2024-03-11 09:24:51+00:00",
            "AssumeRolePolicyDocument": doc(*trust), "InstanceProfileList": [], "RolePolicyList": list(policies),
            "AttachedManagedPolicies": [], "Tags": [], "RoleLastUsed": {}}


def trusts(principal: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    found = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    return {**found, "Condition": condition} if condition else found


def details(folder: Path, users: list[Any] = (), groups: list[Any] = (), roles: list[Any] = ()) -> Path:
    data = {"UserDetailList": list(users), "GroupDetailList": list(groups), "RoleDetailList": list(roles),
            "Policies": []}
    return write(folder, "authorization-details.json", json.dumps(data, indent=4))


# the data the roles read, classified as customer data by a native file beside the export
CLASSIFIED = """
    policylint: 1
    resources:
      - {id: "aws:dynamodb:eu-west-1:111122223333:table/orders", type: table, data: [customer_orders], records: 9000}
      - {id: "aws:s3:::acme-backups", type: bucket, data: [customer_pii], records: 120000}
"""
ORDERS = inline("orders", allow(["dynamodb:GetItem", "dynamodb:Query"],
                                f"arn:aws:dynamodb:eu-west-1:{ACCT}:table/orders"))
BACKUPS = inline("backups", allow("s3:GetObject", "arn:aws:s3:::acme-backups/*"))


def analyse(folder: Path) -> Analysis:
    write(folder, "classification.yaml", CLASSIFIED)
    result = run(Settings((str(folder),), AS_OF), findings=False)
    assert [str(e) for e in result.analysis.errors] == []
    return result.analysis


def facts(analysis: Analysis, node_id: str) -> Facts:
    return facts_of(analysis.index.nodes[node_id], analysis.context)


def escalations(analysis: Analysis, holder: str) -> list[tuple[tuple[str, ...], str | None]]:
    return [(tuple(g["actions"]), g["via"]) for g in facts(analysis, holder)["grants"]
            if g["resource"] == CONTROL]


# --- methods and what they gain -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "kind", "services"), [
    ("CreateNewPolicyVersion", "iam", ()),
    ("AttachRolePolicy", "iam", ()),
    ("PutUserPolicy", "iam", ()),
    ("AddUserToGroup", "iam", ()),
    ("UpdateRolePolicyToAssumeIt", "iam", ()),
    ("CreateAccessKey", "users", ()),
    ("CreateLoginProfile", "users", ()),
    ("UpdateLoginProfile", "users", ()),
    ("CreateEC2WithExistingIP", "roles", ("ec2.amazonaws.com",)),
    ("ModifyEC2InstanceUserDataThenRestart", "roles", ("ec2.amazonaws.com",)),
    ("EC2InstanceConnectSendSSHPublicKey", "roles", ("ec2.amazonaws.com",)),
    ("ECSExecuteCommandOnRunningTask", "roles", ("ecs-tasks.amazonaws.com",)),
    ("UpdateExistingGlueDevEndpoint", "roles", ("glue.amazonaws.com",)),
    ("EditExistingLambdaFunctionWithRole", "roles", ("lambda.amazonaws.com",)),
    ("PassExistingRoleToCloudFormation", "roles", ("cloudformation.amazonaws.com",)),
    ("PassExistingRoleToNewDataPipeline", "roles",
     ("datapipeline.amazonaws.com", "ec2.amazonaws.com", "elasticmapreduce.amazonaws.com")),
    ("PassExistingRoleToNewAppRunnerService", "roles", ("tasks.apprunner.amazonaws.com",)),
])
def test_each_method_gains_what_pathfinding_cloud_says(method: str, kind: str, services: tuple[str, ...]) -> None:
    assert escalation.GAINS[method] == escalation.Gain(kind, services)  # type: ignore[arg-type]


def test_every_method_has_a_gain() -> None:
    assert set(escalation.GAINS) == set(escalation.METHODS)
    # a method gains a service's roles exactly when it passes a role (iam:PassRole) or changes what already runs
    passing = {m for m, needs in escalation.METHODS.items() if "iam:passrole" in needs}
    assert passing <= {m for m, g in escalation.GAINS.items() if g.kind == escalation.ROLES}


def test_changing_iam_gains_everything_the_others_gain() -> None:
    assert escalation.by_gain(["CreateAccessKey", "EditExistingLambdaFunctionWithRole", "AttachUserPolicy"]) == [
        (escalation.Gain("iam"), ("AttachUserPolicy", "CreateAccessKey", "EditExistingLambdaFunctionWithRole"))]
    assert escalation.by_gain(["EditExistingLambdaFunctionWithRole", "CreateAccessKey", "CreateEC2WithExistingIP",
                               "UpdateAndInvokeLambdaFunction"]) == [
        (escalation.Gain("users"), ("CreateAccessKey",)),
        (escalation.Gain("roles", ("ec2.amazonaws.com",)), ("CreateEC2WithExistingIP",)),
        (escalation.Gain("roles", ("lambda.amazonaws.com",)),
         ("EditExistingLambdaFunctionWithRole", "UpdateAndInvokeLambdaFunction")),
    ]


def test_a_policy_alone_gives_one_admin_grant_per_gain_naming_its_methods() -> None:
    # ec2:* alone: instance user data and launch templates take over the roles of existing instances
    statements, errors = parse_policy(doc(allow(["ec2:*", "iam:CreateAccessKey"])), "p", "p.json", AT)
    assert errors == []
    found = evaluate(statements, ACCT, AT)
    assert [(e.gain.kind, e.methods, e.grant.resource, e.grant.actions) for e in found.escalations] == [
        ("users", ("CreateAccessKey",), CONTROL, ("admin",)),
        ("roles", ("ModifyEC2InstanceUserDataThenRestart", "ModifyExistingEC2LaunchTemplate"), CONTROL, ("admin",)),
    ]
    # the simplest methods first (fewest actions)
    assert found.escalations[1].grant.via == (
        "privilege escalation: with ModifyExistingEC2LaunchTemplate, ModifyEC2InstanceUserDataThenRestart, it can "
        "run code as a role that ec2.amazonaws.com may assume, so do whatever such a role can (taken as anything in "
        "its account: this file does not list the account's roles)")
    assert all(e.grant in found.grants for e in found.escalations)


# --- reach: the roles an export shows, or the whole account ------------------------------------------------------

def test_passing_a_role_to_lambda_reaches_the_roles_that_trust_lambda_and_no_others(tmp_path: Path) -> None:
    details(tmp_path, users=[user("ci-deployer", inline("deploy", allow(
                                  ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"])))],
            roles=[role("order-processor", trusts(LAMBDA), policies=(ORDERS,)),
                   role("backup-runner", trusts({"Service": "ec2.amazonaws.com"}), policies=(BACKUPS,))])
    analysis = analyse(tmp_path)
    deployer = f"aws:iam::{ACCT}:user/ci-deployer"
    assert escalations(analysis, deployer) == [(("write",), (
        "privilege escalation: with PassExistingRoleToNewLambdaThenInvoke, it can run code as a role that "
        "lambda.amazonaws.com may assume: role/order-processor"))]
    runners = analysis.index.nodes[f"aws:iam::{ACCT}:runs-code-as:lambda.amazonaws.com"]
    assert isinstance(runners, Group) and runners.members == (deployer,)
    reach = facts(analysis, deployer)["reach"]
    # the Lambda role's table, not the EC2 role's bucket: admin on the account would have reached both
    assert (reach["resources"], reach["path"]) == (
        [f"aws:dynamodb:eu-west-1:{ACCT}:table/orders"],
        [deployer, f"aws:iam::{ACCT}:runs-code-as:lambda.amazonaws.com", f"aws:iam::{ACCT}:role/order-processor",
         f"aws:dynamodb:eu-west-1:{ACCT}:table/orders"])


def test_changing_an_existing_function_reaches_the_lambda_roles_through_the_group(tmp_path: Path) -> None:
    details(tmp_path, users=[user("dev-ana", groups=("developers",))],
            groups=[group("developers", inline("edit", allow(["lambda:UpdateFunctionCode", "lambda:GetFunction"],
                                                            f"arn:aws:lambda:eu-west-1:{ACCT}:function:*")))],
            roles=[role("order-processor", trusts({"Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]}),
                        policies=(ORDERS,))])
    analysis = analyse(tmp_path)
    developers = f"aws:iam::{ACCT}:group/developers"
    assert escalations(analysis, developers) == [(("write",), (
        "privilege escalation: with EditExistingLambdaFunctionWithRole, it can run code as a role that "
        "lambda.amazonaws.com may assume: role/order-processor"))]
    assert escalations(analysis, f"aws:iam::{ACCT}:user/dev-ana") == []  # the group holds it for its members
    assert facts(analysis, f"aws:iam::{ACCT}:user/dev-ana")["reach"]["resources"] == [
        f"aws:dynamodb:eu-west-1:{ACCT}:table/orders"]


def test_a_method_whose_service_no_role_trusts_is_told_and_reaches_nothing(tmp_path: Path) -> None:
    details(tmp_path, users=[user("bastion", inline("connect", allow(
                                  ["ec2-instance-connect:SendSSHPublicKey", "ec2:DescribeInstances"])))],
            roles=[role("order-processor", trusts(LAMBDA), policies=(ORDERS,))])
    analysis = analyse(tmp_path)
    bastion = f"aws:iam::{ACCT}:user/bastion"
    assert facts(analysis, bastion)["escalation"] == [
        "with EC2InstanceConnectSendSSHPublicKey, it could run code as a role that ec2.amazonaws.com may assume "
        "(none in this file)"]
    assert facts(analysis, bastion)["reach"]["resources"] == []


def test_without_the_accounts_roles_the_gain_is_the_whole_account(tmp_path: Path) -> None:
    # an export filtered to users (`--filter User`) lists no role: which roles Lambda may assume is unknown
    details(tmp_path, users=[user("ci-deployer", inline("deploy", allow(
        ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"])))])
    analysis = analyse(tmp_path)
    deployer = f"aws:iam::{ACCT}:user/ci-deployer"
    assert [actions for actions, _ in escalations(analysis, deployer)] == [("admin",)]
    assert facts(analysis, deployer)["reach"]["resources"] == [
        f"aws:dynamodb:eu-west-1:{ACCT}:table/orders", "aws:s3:::acme-backups"]


def test_other_users_credentials_and_iam_changes_stay_admin_on_the_account(tmp_path: Path) -> None:
    details(tmp_path,
            users=[user("helpdesk", inline("reset", allow(["iam:CreateAccessKey", "iam:UpdateLoginProfile"],
                                                          f"arn:aws:iam::{ACCT}:user/*"))),
                   user("self-service", inline("own", allow(["iam:CreateAccessKey", "iam:UpdateLoginProfile"],
                                                            f"arn:aws:iam::{ACCT}:user/${{aws:username}}")))],
            roles=[role("ops", trusts({"AWS": f"arn:aws:iam::{ACCT}:root"}),
                        policies=(inline("roles", allow("iam:AttachRolePolicy", f"arn:aws:iam::{ACCT}:role/*")),))])
    analysis = analyse(tmp_path)
    assert facts(analysis, f"aws:iam::{ACCT}:user/helpdesk")["escalation"] == [
        "with CreateAccessKey, UpdateLoginProfile, it can create access keys or console passwords for other IAM "
        "users and sign in as them, so do whatever they can (taken as anything in its account: which users it "
        "targets is not modelled)"]
    assert facts(analysis, f"aws:iam::{ACCT}:role/ops")["escalation"] == [
        "with AttachRolePolicy, it can change IAM policies, group members or role trust, so grant itself anything "
        "in its account"]
    assert facts(analysis, f"aws:iam::{ACCT}:user/self-service")["escalation"] == []
    for holder in ("user/helpdesk", "role/ops"):
        assert len(facts(analysis, f"aws:iam::{ACCT}:{holder}")["reach"]["resources"]) == 2, holder


def test_a_conditional_escalation_keeps_admin_and_its_condition(tmp_path: Path) -> None:
    # only in the organisation's network: it may not apply, so it counts (fail closed) and says when
    details(tmp_path, users=[user("ci", inline("deploy", allow(
                                  ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
                                  Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})))],
            roles=[role("order-processor", trusts(LAMBDA), policies=(ORDERS,))])
    analysis = analyse(tmp_path)
    ci = facts(analysis, f"aws:iam::{ACCT}:user/ci")
    assert [(tuple(g["actions"]), g["condition"]) for g in ci["grants"] if g["resource"] == CONTROL] == [
        (("admin",), "IpAddress aws:SourceIp=10.0.0.0/8")]
    assert ci["escalation"][0].endswith("[if IpAddress aws:SourceIp=10.0.0.0/8]")


def test_a_method_split_over_a_users_own_and_group_policies_adds_its_gain(tmp_path: Path) -> None:
    # the group can edit functions (Lambda's roles); PassRole of the user's own and RunInstances of the group's
    # make EC2's roles too, which neither bundle gives alone
    details(tmp_path,
            users=[user("carol", inline("pass", allow("iam:PassRole")), groups=("builders",))],
            groups=[group("builders", inline("build", allow(["ec2:RunInstances", "lambda:UpdateFunctionCode"])))],
            roles=[role("order-processor", trusts(LAMBDA), policies=(ORDERS,)),
                   role("backup-runner", trusts({"Service": "ec2.amazonaws.com.cn"}), policies=(BACKUPS,))])
    analysis = analyse(tmp_path)
    assert facts(analysis, f"aws:iam::{ACCT}:user/carol")["escalation"] == [
        "with CreateEC2WithExistingIP, it can run code as a role that ec2.amazonaws.com may assume: "
        "role/backup-runner"]
    assert facts(analysis, f"aws:iam::{ACCT}:group/builders")["escalation"] == [
        "with EditExistingLambdaFunctionWithRole, it can run code as a role that lambda.amazonaws.com may assume: "
        "role/order-processor"]
    assert facts(analysis, f"aws:iam::{ACCT}:user/carol")["reach"]["resources"] == [
        f"aws:dynamodb:eu-west-1:{ACCT}:table/orders", "aws:s3:::acme-backups"]
    backup = analysis.index.nodes[f"aws:iam::{ACCT}:role/backup-runner"]
    assert isinstance(backup, Role) and f"aws:iam::{ACCT}:runs-code-as:ec2.amazonaws.com" in backup.assumable_by


# --- PL205, end to end --------------------------------------------------------------------------------------------

def test_pl205_names_the_method_and_its_gain_and_leaves_root_and_star_star_to_their_rules(tmp_path: Path) -> None:
    details(tmp_path,
            users=[user("ec2-operator", inline("ec2", allow("ec2:*")))],
            roles=[role("admin", trusts({"AWS": f"arn:aws:iam::{ACCT}:root"}),
                        policies=(inline("all", allow("*")),)),
                   role("web", trusts({"Service": "ec2.amazonaws.com"}), policies=(BACKUPS,))])
    result = run_cli("check", str(tmp_path), "--select", "PL205", "--as-of", AS_OF.isoformat())
    lines = [line for line in result.out.splitlines() if " PL205 " in line]
    assert [line.split(" PL205 ", 1)[1] for line in lines] == [
        f"principal aws:iam::{ACCT}:user/ec2-operator can escalate its privileges: with "
        "ModifyExistingEC2LaunchTemplate, ModifyEC2InstanceUserDataThenRestart, it can run code as a role that "
        "ec2.amazonaws.com may assume: role/web"]


# --- facts: escalation, wide reads ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("resource", "actions", "excluding", "given", "kinds"), [
    ("aws:s3:*", ("read",), (), ("s3:GetObject",), ("S3 buckets",)),
    ("aws:s3:::*", ("read",), (), ("s3:Get*",), ("S3 buckets",)),
    ("aws:s3:::*/*", ("read",), (), ("s3:GetObject",), ("S3 buckets",)),
    ("aws:s3:*", ("read",), (), ("s3:GetBucketLocation", "s3:ListBucket"), ()),  # metadata, no object
    ("aws:s3:::orders-*", ("read",), (), ("s3:GetObject",), ()),
    ("aws:s3:::*/reports/*", ("read",), (), ("s3:GetObject",), ()),
    ("aws:s3:*", ("read", "write"), ("aws:s3:::customer-*",), ("s3:*",), ()),  # a deny carves some out
    ("aws:s3:*", ("write",), (), ("s3:PutObject",), ()),
    ("aws:dynamodb:*:*:table/*", ("read",), (), ("dynamodb:Scan",), ("DynamoDB tables",)),
    (f"aws:dynamodb:eu-west-1:{ACCT}:table/*", ("read",), (), ("dynamodb:Query",), ("DynamoDB tables",)),
    (f"aws:dynamodb:eu-west-1:{ACCT}:table/orders", ("read",), (), ("dynamodb:Query",), ()),
    ("aws:dynamodb:*", ("read",), (), ("dynamodb:DescribeTable",), ()),
    ("aws:rds-db:*", ("admin",), (), ("rds-db:connect",), ("RDS and Aurora databases",)),
    ("aws:secretsmanager:*", ("read",), (), ("secretsmanager:GetSecretValue",), ("Secrets Manager secrets",)),
    ("aws:kms:*", ("write",), (), ("kms:Decrypt",), ()),  # a key is no store
    ("aws:*", ("read", "write", "delete", "admin"), ("aws:iam::*:access-control",), ("NotAction iam:*",),
     ("S3 buckets", "DynamoDB tables", "RDS and Aurora databases", "Redshift databases", "Neptune databases",
      "Secrets Manager secrets", "SSM parameters")),
])
def test_which_aws_grants_read_every_store_of_a_kind(resource: str, actions: tuple[Any, ...],
                                                     excluding: tuple[str, ...], given: tuple[str, ...],
                                                     kinds: tuple[str, ...]) -> None:
    assert reads_every(resource, actions, excluding, given) == kinds


def test_wide_reads_and_escalation_facts_of_a_node(tmp_path: Path) -> None:
    details(tmp_path, users=[user("etl", inline("read", allow(["s3:GetObject", "ssm:GetParametersByPath"]),
                                               allow("iam:CreateLoginProfile", f"arn:aws:iam::{ACCT}:user/*")))])
    analysis = analyse(tmp_path)
    etl = facts(analysis, f"aws:iam::{ACCT}:user/etl")
    assert etl["wide_reads"] == ["S3 buckets (aws:s3:*)", "SSM parameters (aws:ssm:*)"]
    assert [g["reads_every"] for g in etl["grants"] if g["resource"] == "aws:s3:*"] == [["S3 buckets"]]
    assert len(etl["escalation"]) == 1 and etl["escalation"][0].startswith("with CreateLoginProfile, it can ")


def test_admin_on_customer_data_is_pl201s_not_a_wide_read(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", """
        policylint: 1
        roles:
          - id: break-glass
            grants: [{resource: "*", actions: [read, admin]}]
          - id: auditor
            grants: [{resource: "*", actions: [read]}]
        resources:
          - {id: customer-db, type: database, data: [customer_pii]}
    """)
    analysis = run(Settings((str(tmp_path),), AS_OF), findings=False).analysis
    assert facts(analysis, "break-glass")["wide_reads"] == []
    assert facts(analysis, "break-glass")["escalation"] == ["admin on every resource"]
    assert facts(analysis, "auditor")["wide_reads"] == ["resources of every kind (*)"]


# --- PL210: a trust that lets anyone assume the role ----------------------------------------------------------------

@pytest.mark.parametrize(("trust", "fires"), [
    ([trusts({"AWS": "*"})], True),
    ([trusts("*")], True),
    ([{"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCT}:root"}, "Action": "sts:AssumeRole"}], True),
    ([trusts({"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})], False),
    ([trusts({"AWS": "arn:aws:iam::444455556666:root"}, {"StringEquals": {"sts:ExternalId": "4f1c9e2b"}})], False),
    # the account itself without a condition, anyone only in the organisation
    ([trusts({"AWS": f"arn:aws:iam::{ACCT}:root"}),
      trusts({"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})], False),
    # anyone, denied to anyone
    ([trusts({"AWS": "*"}), {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}], False),
])
def test_pl210_fires_on_a_trust_anyone_can_use_without_a_condition(tmp_path: Path, trust: list[Any],
                                                                    fires: bool) -> None:
    details(tmp_path, roles=[role("shared", *trust, policies=(inline("deploy", allow(
        ["cloudformation:CreateStack", "cloudformation:DescribeStacks"])),))])
    result = run_cli("check", str(tmp_path), "--select", "PL210", "--as-of", AS_OF.isoformat())
    assert (f"PL210 role aws:iam::{ACCT}:role/shared can be assumed by anyone" in result.out) is fires


def test_pl210_gives_way_to_pl202_when_the_role_reaches_customer_data(tmp_path: Path) -> None:
    details(tmp_path, roles=[role("exports", trusts({"AWS": "*"}), policies=(BACKUPS,))])
    write(tmp_path, "classification.yaml", CLASSIFIED)
    result = run_cli("check", str(tmp_path), "--select", "PL202", "--select", "PL210",
                     "--as-of", AS_OF.isoformat())
    found = [line.split()[2] for line in result.out.splitlines() if " PL2" in line and "role/exports" in line]
    assert found == ["PL202"]


def test_grants_keep_their_fields_for_other_readers() -> None:
    # documents (bare policies, templates) are evaluated alone: the grant carries everything a fact needs
    statements, _ = parse_policy(doc(allow(["iam:PassRole", "glue:CreateDevEndpoint"])), "p", "p.json", AT)
    grant = next(e.grant for e in evaluate(statements, ACCT, AT).escalations)
    assert grant == Grant(CONTROL, ("admin",), AT, via=grant.via,
                          actions_given=("glue:createdevendpoint", "iam:passrole"))


@pytest.mark.parametrize("rule", ["PL205", "PL210", "PL211"])
def test_the_compiled_rules_agree_with_jsonschema_on_their_fixture_folders(rule: str) -> None:
    # tests/test_fastschema.py compares the rules on fixtures that are single YAML files; these are folders
    rules, errors = load_rules([builtin_policies()])
    assert errors == []
    [compiled] = [r for r in rules if r.id == rule]
    compared = 0
    for fixture in sorted((REPO / "tests" / "rules" / rule).iterdir()):
        analysis = run(Settings((str(fixture),), AS_OF), findings=False).analysis
        for node in analysis.inventory.nodes():
            if node.kind in compiled.subjects:
                found = facts_of(node, analysis.context)
                assert compiled.matches(found) == Draft202012Validator(compiled.match).is_valid(found), node.id
                compared += 1
    assert compared > 10
