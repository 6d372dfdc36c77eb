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


def test_each_gain_holds_its_own_methods_changing_iam_first() -> None:
    assert escalation.by_gain(["CreateAccessKey", "EditExistingLambdaFunctionWithRole", "AttachUserPolicy"]) == [
        (escalation.Gain("iam"), ("AttachUserPolicy",)), (escalation.Gain("users"), ("CreateAccessKey",)),
        (escalation.Gain("roles", ("lambda.amazonaws.com",)), ("EditExistingLambdaFunctionWithRole",))]
    assert escalation.by_gain(["EditExistingLambdaFunctionWithRole", "CreateAccessKey", "CreateEC2WithExistingIP",
                               "UpdateAndInvokeLambdaFunction"]) == [
        (escalation.Gain("users"), ("CreateAccessKey",)),
        (escalation.Gain("roles", ("ec2.amazonaws.com",)), ("CreateEC2WithExistingIP",)),
        (escalation.Gain("roles", ("lambda.amazonaws.com",)),
         ("EditExistingLambdaFunctionWithRole", "UpdateAndInvokeLambdaFunction")),
    ]


def test_a_policy_alone_gives_one_admin_grant_naming_each_gain_and_its_methods() -> None:
    # ec2:* alone: instance user data and launch templates take over the roles of existing instances
    statements, errors = parse_policy(doc(allow(["ec2:*", "iam:CreateAccessKey"])), "p", "p.json", AT)
    assert errors == []
    found = evaluate(statements, ACCT, AT)
    assert [(e.gain.kind, e.methods, e.grant.resource, e.grant.actions) for e in found.escalations] == [
        ("users", ("CreateAccessKey",), CONTROL, ("admin",)),
        ("roles", ("ModifyEC2InstanceUserDataThenRestart", "ModifyExistingEC2LaunchTemplate"), CONTROL, ("admin",)),
    ]
    # one grant (the same admin on access control), each gain once, the simplest methods first (fewest actions)
    [grant] = [g for g in found.grants if g.resource == CONTROL]
    assert grant.via == (
        "privilege escalation: with CreateAccessKey, it can create access keys or console passwords for other IAM "
        "users and sign in as them, so do whatever they can (taken as anything in its account: which users it "
        "targets is not modelled); with ModifyExistingEC2LaunchTemplate, ModifyEC2InstanceUserDataThenRestart, it "
        "can run code as a role that ec2.amazonaws.com may assume, so do whatever such a role can")
    assert grant.actions_given == (
        "ec2:createlaunchtemplateversion", "ec2:modifyinstanceattribute", "ec2:modifylaunchtemplate",
        "ec2:startinstances", "ec2:stopinstances", "iam:createaccesskey")


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
    # still PL205's: a role that trusts EC2 may be added later, in this file or any other
    assert facts(analysis, bastion)["escalation"] == [
        "with EC2InstanceConnectSendSSHPublicKey, it could run code as a role that ec2.amazonaws.com may assume, but "
        "no role read trusts ec2.amazonaws.com yet"]
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



# --- roles of every file, the roles PassRole names, the resources an action acts on ----------------------------------

def reached(folder: Path) -> dict[str, dict[str, list[str]]]:
    """`policylint reach`: identity -> customer-data resource -> the path shown."""
    result = run_cli("reach", str(folder), "--format", "json", "--as-of", AS_OF.isoformat(), "--show", "all")
    assert result.code == 0, result.out + result.err
    return {i["id"]: {r["id"]: r["path"] for r in i["resources"]} for i in json.loads(result.out)["identities"]}


DEPLOYER = f"aws:iam::{ACCT}:user/deployer"
DEPLOY = inline("deploy", allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]))
LAMBDA_RUNNERS = f"aws:iam::{ACCT}:runs-code-as:lambda.amazonaws.com"
# a template of the same repository: its role trusts Lambda and reads the orders bucket it defines
TEMPLATE = """
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Orders:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: shop-orders
          Tags:
            - {Key: data-classification, Value: customer_orders}
      OrdersFnRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {Service: lambda.amazonaws.com}
                Action: sts:AssumeRole
          Policies:
            - PolicyName: read-orders
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action: s3:GetObject
                    Resource: !Sub "arn:aws:s3:::${Orders}/*"
"""
LOGS = inline("logs", allow("logs:PutLogEvents"))


def test_a_role_of_a_template_that_trusts_the_service_joins_the_group(tmp_path: Path) -> None:
    # the export lists the account's roles (none of them reads customer data); the template adds one that does
    details(tmp_path, users=[user("deployer", DEPLOY)], roles=[role("lambda-basic", trusts(LAMBDA), policies=(LOGS,))])
    write(tmp_path, "template.yaml", TEMPLATE)
    fn_role = "aws:iam::cfn:role/template-OrdersFnRole"
    assert reached(tmp_path)[DEPLOYER] == {"aws:s3:::shop-orders": [DEPLOYER, LAMBDA_RUNNERS, fn_role,
                                                                    "aws:s3:::shop-orders"]}
    analysis = run(Settings((str(tmp_path),), AS_OF), findings=False).analysis
    assert facts(analysis, DEPLOYER)["escalation"] == [
        "with PassExistingRoleToNewLambdaThenInvoke, it can run code as a role that lambda.amazonaws.com may assume: "
        "role/lambda-basic, role/template-OrdersFnRole"]


def test_a_role_a_native_file_defines_that_trusts_the_service_joins_the_group(tmp_path: Path) -> None:
    details(tmp_path, users=[user("deployer", DEPLOY)], roles=[role("lambda-basic", trusts(LAMBDA), policies=(LOGS,))])
    write(tmp_path, "org.yaml", """
        policylint: 1
        roles:
          - id: orders-fn
            assumable_by: ["aws:service:lambda.amazonaws.com"]
            grants: [{resource: orders-db, actions: [read]}]
        resources:
          - {id: orders-db, type: database, data: [customer_orders], records: 5000}
    """)
    assert reached(tmp_path)[DEPLOYER] == {"orders-db": [DEPLOYER, LAMBDA_RUNNERS, "orders-fn", "orders-db"]}


def test_a_truncated_page_of_an_export_does_not_narrow(tmp_path: Path) -> None:
    # `aws iam get-account-authorization-details --max-items`: the first page says IsTruncated, the roles of the
    # next page (here: the one reading the orders) are missing from it, or not read at all
    first = {"UserDetailList": [user("deployer", DEPLOY)], "GroupDetailList": [],
             "RoleDetailList": [role("lambda-basic", trusts(LAMBDA), policies=(LOGS,))], "Policies": [],
             "IsTruncated": True, "Marker": "AAEAAQ=="}
    write(tmp_path, "authz-page1.json", json.dumps(first, indent=4))
    write(tmp_path, "data.yaml", """
        policylint: 1
        resources:
          - {id: "aws:s3:::shop-orders", type: bucket, data: [customer_orders], records: 1000}
    """)
    alone = reached(tmp_path)[DEPLOYER]
    assert list(alone) == ["aws:s3:::shop-orders"]  # through admin on the account: fail closed
    second = {"UserDetailList": [], "GroupDetailList": [], "Policies": [], "IsTruncated": False,
              "RoleDetailList": [role("orders-fn", trusts(LAMBDA), policies=(
                  inline("orders", allow("s3:GetObject", "arn:aws:s3:::shop-orders/*")),))]}
    write(tmp_path, "authz-page2.json", json.dumps(second, indent=4))
    assert list(reached(tmp_path)[DEPLOYER]) == ["aws:s3:::shop-orders"]
    analysis = run(Settings((str(tmp_path),), AS_OF), findings=False).analysis
    assert escalations(analysis, DEPLOYER) == [(("admin",), (
        "privilege escalation: with PassExistingRoleToNewLambdaThenInvoke, it can run code as a role that "
        "lambda.amazonaws.com may assume, so do whatever such a role can (taken as anything in its account: this "
        "file does not list the account's roles)"))]


@pytest.mark.parametrize(("case", "paging"), [
    # the AWS CLI's own paging (`--max-items N`, saved as it prints): botocore drops IsTruncated and Marker
    ("cli next token", {"NextToken": "eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxMH0="}),
    ("api marker alone", {"Marker": "AAEAAQ=="}),
    ("marker against a false IsTruncated", {"IsTruncated": False, "Marker": "AAEAAQ=="}),
    ("truncated without a marker", {"IsTruncated": True}),
])
def test_any_sign_of_a_further_page_keeps_the_gain_whole(tmp_path: Path, case: str, paging: dict[str, Any]) -> None:
    page = {"UserDetailList": [user("deployer", DEPLOY)], "GroupDetailList": [],
            "RoleDetailList": [role("lambda-basic", trusts(LAMBDA), policies=(LOGS,))], "Policies": [], **paging}
    write(tmp_path, "authz-page1.json", json.dumps(page, indent=1))
    write(tmp_path, "data.yaml", """
        policylint: 1
        resources:
          - {id: "aws:s3:::shop-orders", type: bucket, data: [customer_orders], records: 1000}
    """)
    assert list(reached(tmp_path)[DEPLOYER]) == ["aws:s3:::shop-orders"], case


def test_a_last_page_without_a_further_one_narrows(tmp_path: Path) -> None:
    # the API's own last page: IsTruncated false, no Marker (botocore leaves a null token out)
    page = {"UserDetailList": [user("deployer", DEPLOY)], "GroupDetailList": [], "Policies": [],
            "RoleDetailList": [role("lambda-basic", trusts(LAMBDA), policies=(LOGS,))], "IsTruncated": False}
    write(tmp_path, "authz.json", json.dumps(page, indent=1))
    write(tmp_path, "data.yaml", """
        policylint: 1
        resources:
          - {id: "aws:s3:::shop-orders", type: bucket, data: [customer_orders], records: 1000}
    """)
    assert DEPLOYER not in reached(tmp_path)


STORES = """
    policylint: 1
    annotate:
      - {match: "aws:s3:::app-bucket", data: [customer_orders], records: 500}
      - {match: "aws:s3:::customer-bucket", data: [customer_pii], records: 100000}
"""


def test_passrole_on_some_roles_reaches_only_those(tmp_path: Path) -> None:
    scoped = inline("deploy", allow("iam:PassRole", f"arn:aws:iam::{ACCT}:role/app-*"),
                    allow(["lambda:CreateFunction", "lambda:InvokeFunction"]))
    details(tmp_path, users=[user("deployer", scoped)],
            roles=[role("app-fn", trusts(LAMBDA), policies=(
                       inline("p", allow("s3:GetObject", "arn:aws:s3:::app-bucket/*")),)),
                   role("admin-fn", trusts(LAMBDA), policies=(inline("p", allow("*")),)),
                   role("etl", trusts({"Service": "glue.amazonaws.com"}), policies=(
                       inline("p", allow("s3:GetObject", "arn:aws:s3:::customer-bucket/*")),))])
    write(tmp_path, "stores.yaml", STORES)
    runners = f"aws:iam::{ACCT}:runs-code-as:lambda.amazonaws.com passing aws:iam::{ACCT}:role/app-*"
    assert reached(tmp_path)[DEPLOYER] == {
        "aws:s3:::app-bucket": [DEPLOYER, runners, f"aws:iam::{ACCT}:role/app-fn", "aws:s3:::app-bucket"]}
    analysis = run(Settings((str(tmp_path),), AS_OF), findings=False).analysis
    assert facts(analysis, DEPLOYER)["escalation"] == [
        "with PassExistingRoleToNewLambdaThenInvoke, it can run code as a role that lambda.amazonaws.com may assume: "
        "role/app-fn"]
    # a template's role: its deployed name and account are not known, so a scoped PassRole may name it (fail closed)
    write(tmp_path, "template.yaml", TEMPLATE)
    assert set(reached(tmp_path)[DEPLOYER]) == {"aws:s3:::app-bucket", "aws:s3:::shop-orders"}


def test_passrole_on_roles_no_role_matches_says_so(tmp_path: Path) -> None:
    scoped = inline("deploy", allow("iam:PassRole", f"arn:aws:iam::{ACCT}:role/app-*"),
                    allow(["lambda:CreateFunction", "lambda:InvokeFunction"]))
    details(tmp_path, users=[user("deployer", scoped)], roles=[role("admin-fn", trusts(LAMBDA), policies=(
        inline("p", allow("*")),))])
    analysis = analyse(tmp_path)
    assert facts(analysis, DEPLOYER)["escalation"] == [
        "with PassExistingRoleToNewLambdaThenInvoke, it could run code as a role that lambda.amazonaws.com may "
        f"assume, but no role read that it may pass (aws:iam::{ACCT}:role/app-*) trusts lambda.amazonaws.com yet"]
    assert facts(analysis, DEPLOYER)["reach"]["resources"] == []


TABLE = f"aws:dynamodb:eu-west-1:{ACCT}:table/orders"


@pytest.mark.parametrize(("condition", "expected", "reaches"), [
    # the remediation PL205 recommends: the gain stays that of the service named, and no longer the whole account
    ({"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
     [(("write",), None, "role/order-processor")], [TABLE]),
    ({"StringLike": {"iam:PassedToService": ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]}},
     [(("write",), None, "role/order-processor")], [TABLE]),
    ({"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com.cn"}},
     [(("write",), None, "role/order-processor")], [TABLE]),
    # another service: passing a role to Lambda is not allowed, so no method
    ({"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}, [], []),
    # a negated test, or another condition besides: it may hold, so it counts (fail closed) and is shown
    ({"StringNotEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
     [(("admin",), "StringNotEquals iam:PassedToService=ec2.amazonaws.com", None)], [TABLE, "aws:s3:::acme-backups"]),
    ({"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
     [(("admin",), "IpAddress aws:SourceIp=10.0.0.0/8 and iam:PassedToService=lambda.amazonaws.com", None)],
     [TABLE, "aws:s3:::acme-backups"]),
    # ForAnyValue: on a key of one value, the plain test, and false where the key is missing: it narrows
    ({"ForAnyValue:StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
     [(("write",), None, "role/order-processor")], [TABLE]),
    # ForAllValues holds where the key is missing, a wildcard may match what no list here names: neither narrows
    ({"ForAllValues:StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
     [(("admin",), "ForAllValues:StringEquals iam:PassedToService=ec2.amazonaws.com", None)],
     [TABLE, "aws:s3:::acme-backups"]),
    ({"StringLike": {"iam:PassedToService": "ec2.amazonaws.*"}},
     [(("admin",), "StringLike iam:PassedToService=ec2.amazonaws.*", None)], [TABLE, "aws:s3:::acme-backups"]),
])
def test_passed_to_service_keeps_the_gain_of_the_service_it_names(tmp_path: Path, condition: dict[str, Any],
                                                                   expected: list[Any], reaches: list[str]) -> None:
    details(tmp_path, users=[user("deployer", inline("deploy", allow("iam:PassRole", Condition=condition),
                                                     allow(["lambda:CreateFunction", "lambda:InvokeFunction"])))],
            roles=[role("order-processor", trusts(LAMBDA), policies=(ORDERS,))])
    analysis = analyse(tmp_path)
    found = [(tuple(g["actions"]), g["condition"], g["via"].rpartition(": ")[2] if g["actions"] == ["write"] else None)
             for g in facts(analysis, DEPLOYER)["grants"] if g["resource"] == CONTROL]
    assert found == expected
    assert facts(analysis, DEPLOYER)["reach"]["resources"] == reaches


@pytest.mark.parametrize(("case", "values"), [
    # another key's values written to read, once rendered as text, as an iam:PassedToService test
    ("clause in a value", ["*", "x and iam:PassedToService=ec2.amazonaws.com"]),
    ("closed list in a value", ["*", "x] and iam:PassedToService=ec2.amazonaws.com and aws:SourceAccount=[y"]),
    ("the whole test in a value", "iam:PassedToService=ec2.amazonaws.com"),
])
def test_a_passed_to_service_test_written_into_another_keys_values_narrows_nothing(
        tmp_path: Path, case: str, values: str | list[str]) -> None:
    spoofed = doc(allow(["lambda:CreateFunction", "lambda:InvokeFunction"]),
                  allow("iam:PassRole", Condition={"StringLike": {"aws:RequestedRegion": values}}))
    statements, errors = parse_policy(spoofed, "deploy", "deploy.json", AT)
    assert errors == []
    found = evaluate(statements, ACCT, AT).escalations
    assert [(e.gain, e.methods) for e in found] == [
        (escalation.Gain("roles", ("lambda.amazonaws.com",)), ("PassExistingRoleToNewLambdaThenInvoke",))], case
    write(tmp_path, "deploy.json", json.dumps(spoofed, indent=2))
    result = run_cli("check", str(tmp_path), "--select", "PL205", "--as-of", AS_OF.isoformat())
    assert "with PassExistingRoleToNewLambdaThenInvoke, it can run code as a role that lambda.amazonaws.com" \
        in result.out, case


@pytest.mark.parametrize(("statement", "methods"), [
    # a reviewer's policy for the team's own bucket: `*` there acts on the bucket only, not on IAM
    (allow("*", ["arn:aws:s3:::team-scratch", "arn:aws:s3:::team-scratch/*"]), ()),
    (allow(["iam:AttachRolePolicy", "iam:PutRolePolicy"], "arn:aws:s3:::some-bucket"), ()),  # PL213's
    (allow("iam:CreateAccessKey", f"arn:aws:iam::{ACCT}:role/x"), ()),  # a user action on a role ARN: PL213's
    (allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], "arn:aws:s3:::b/*"), ()),
    (allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
           [f"arn:aws:iam::{ACCT}:role/fn", f"arn:aws:lambda:eu-west-1:{ACCT}:function:*"]),
     ("PassExistingRoleToNewLambdaThenInvoke",)),
    (allow("iam:AttachRolePolicy", f"arn:aws:iam::{ACCT}:role/*"), ("AttachRolePolicy",)),
    (allow("*", "arn:aws:iam::*:*"), ("AddUserToGroup", "AttachGroupPolicy", "AttachRolePolicy", "AttachUserPolicy",
                                      "CreateAccessKey", "CreateLoginProfile", "CreateNewPolicyVersion",
                                      "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy",
                                      "SetExistingDefaultPolicyVersion", "UpdateLoginProfile",
                                      "UpdateRolePolicyToAssumeIt")),
])
def test_escalation_needs_actions_on_resources_they_act_on(statement: dict[str, Any], methods: tuple[str, ...]) -> None:
    statements, errors = parse_policy(doc(statement), "p", "p.json", AT)
    assert errors == []
    assert evaluate(statements, ACCT, AT).escalation == methods


def test_pl205_says_each_gain_once_with_its_own_methods(tmp_path: Path) -> None:
    # bare policy documents of a repository (a reviewer's): no account's roles are known
    write(tmp_path, "notaction.json", json.dumps(doc({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"],
                                                      "Resource": "*"})))
    write(tmp_path, "ci-deploy.json", json.dumps(doc(
        allow("ec2:*"), allow(["s3:Get*", "s3:List*"]), allow("iam:PassRole", "arn:aws:iam::111122223333:role/app-*"),
        allow("lambda:UpdateFunctionCode"), allow("iam:PutRolePolicy"))))
    result = run_cli("check", str(tmp_path), "--select", "PL205", "--as-of", AS_OF.isoformat())
    found = {line.split(" PL205 ")[1].split(" can escalate its privileges: ")[0].rpartition("/")[2]:
             line.split(" can escalate its privileges: ")[1] for line in result.out.splitlines() if " PL205 " in line}
    assert found == {
        "notaction.json": (
            "with CreatePresignedSageMakerNotebookUrl, EditExistingLambdaFunctionWithRole, "
            "UpdateExistingGlueDevEndpoint (+7 more), it can run code as a role that sagemaker.amazonaws.com, "
            "lambda.amazonaws.com, glue.amazonaws.com or 4 other services may assume, so do whatever such a role "
            "can (taken as anything in its account: this file does not list the account's roles)"),
        "ci-deploy.json": (
            "with PutRolePolicy, it can change IAM policies, group members or role trust, so grant itself anything "
            "in its account; with EditExistingLambdaFunctionWithRole, CreateEC2WithExistingIP, "
            "ModifyExistingEC2LaunchTemplate (+2 more), it can run code as a role that lambda.amazonaws.com or "
            "ec2.amazonaws.com may assume, so do whatever such a role can"),
    }

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
