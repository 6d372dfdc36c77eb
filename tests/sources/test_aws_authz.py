"""The `aws iam get-account-authorization-details` source, on Cloudsplaining's corpus files and small fixtures."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from policylint.iam.statements import glob_match
from policylint.inventory import Loaded, load_paths
from policylint.model import Grant, Group, Location, Principal, Role
from policylint.sources.aws import authz, credential_report

from helpers import CORPUS, run_cli, write

DETAILS = CORPUS / "aws-authz-details"
EXAMPLE = DETAILS / "cloudsplaining__example.json"
SMALL = DETAILS / "cloudsplaining__example-authz-details.json"
ACCT = "123456789012"
VULNERABLE = "200611803367"  # the account of IAM Vulnerable (BishopFox) in Cloudsplaining's example.json


def load(*paths: Path) -> Loaded:
    loaded = load_paths([str(p) for p in paths])
    assert [str(e) for e in loaded.errors] == []
    return loaded


def by_id(loaded: Loaded) -> dict[str, Any]:
    return {n.id: n for n in loaded.inventory.nodes()}


def grants_to(loaded: Loaded, holder: str) -> list[Grant]:
    return [g for g in loaded.inventory.grants if g.to == holder]


def escalation(loaded: Loaded, holder: str, account: str) -> tuple[str | None, str | None] | None:
    node = by_id(loaded).get(holder)
    held = node.grants if isinstance(node, Role) else grants_to(loaded, holder)
    found = [(g.via, g.condition) for g in held if g.resource == f"aws:iam::{account}:access-control"]
    assert len(found) <= 1
    return found[0] if found else None


def methods(via: str | None) -> str | None:
    """The methods an escalation grant's `via` names: `privilege escalation: with A, B, it can …` gives `A, B`."""
    return None if via is None else via.removeprefix("privilege escalation: with ").split(", it c")[0]


# --- the corpus -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "users", "groups", "roles", "implied", "grants", "star"),
    [   # counted by hand from the files: entries of UserDetailList/GroupDetailList/RoleDetailList; implied =
        # service principals, other accounts, identity providers and roots the trust policies name; grants leave out
        # reads of account metadata with no resource (ec2:Describe*, s3:ListAllMyBuckets): they reach no data
        ("cloudsplaining__example-authz-details.json", 3, 2, 3, 2, 30, ["group/admin", "user/obama"]),
        ("cloudsplaining__example.json", 44, 5, 78, 21, 129,
         ["group/admin", "role/AWS-QuickSetup-StackSet-Local-ExecutionRole", "role/OrganizationAccountAccessRole",
          "role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc",
          "role/fp2-allow-and-deny-multiple-policies-role", "role/privesc-AssumeRole-ending-role",
          "role/privesc-high-priv-service-role", "role/stacksets-exec-b5520cb2730c2f54b523d6375a319abb",
          "user/fp2-allow-and-deny-multiple-policies-user", "user/obama"]),
        ("cloudsplaining__example_authz_details_for_overrides_complete.json", 1, 1, 2, 1, 3,
         ["group/GOATGroup", "role/GOATRole"]),
        # its group GOAT has AdministratorAccess attached, which the file does not list: known from the table
        ("cloudsplaining__example_authz_v2.json", 1, 1, 2, 1, 2, ["group/GOAT"]),
        ("cloudsplaining__managed_policy_mismatch.json", 0, 1, 0, 0, 1, []),
    ],
)
def test_every_corpus_file_loads(name: str, users: int, groups: int, roles: int, implied: int, grants: int,
                                 star: list[str]) -> None:
    loaded = load(DETAILS / name)
    inventory = loaded.inventory
    assert sum(":user/" in p.id for p in inventory.principals) == users
    assert len(inventory.principals) == users + implied
    assert sum(":group/" in g.id for g in inventory.groups) == groups  # IAM groups; the rest hold sts:AssumeRole
    assert len(inventory.roles) == roles
    assert len(inventory.grants) == grants
    flagged = sorted(n.id.split(":", 4)[4] for n in inventory.nodes() if "aws-allows-star-star" in n.flags)
    assert flagged == star
    # an export defines no data stores: those its policies name are implied (unclassified) by the inventory stage
    assert all(r.type == "access_control" or "implied" in r.flags for r in inventory.resources)


def test_the_small_example_hand_checked() -> None:
    loaded = load(SMALL)
    nodes = by_id(loaded)
    acct = "012345678901"
    obama = nodes[f"aws:iam::{acct}:user/obama"]
    assert obama == Principal(f"aws:iam::{acct}:user/obama", Location(str(SMALL), 7, 7), "service",
                              identifiers=("obama",), flags=("aws-allows-star-star",))
    assert nodes[f"aws:iam::{acct}:group/admin"].members == (f"aws:iam::{acct}:user/obama",
                                                              f"aws:iam::{acct}:user/userwithlotsofpermissions")
    # OverprivilegedEC2: inline SupYo (secretsmanager:GetSecretValue, s3:GetObject, iam:CreateAccessKey on *) and
    # the managed InsecurePolicy (s3:PutObject, s3:PutObjectAcl on *): Cloudsplaining's CreateAccessKey finding
    role = nodes[f"aws:iam::{acct}:role/OverprivilegedEC2"]
    assert role.assumable_by == ("aws:service:ec2.amazonaws.com",)
    assert [(g.resource, g.actions, g.via, g.location.line) for g in role.grants] == [
        ("aws:iam:*", ("write",), "SupYo (inline)", 289),
        ("aws:s3:*", ("read",), "SupYo (inline)", 289),
        ("aws:secretsmanager:*", ("read",), "SupYo (inline)", 289),
        ("aws:s3:*", ("write", "admin"), "InsecurePolicy", 360),
        (f"aws:iam::{acct}:access-control", ("admin",),
         "privilege escalation: with CreateAccessKey, it can create access keys or console passwords for other IAM "
         "users and sign in as them, so do whatever they can (taken as anything in its account: which users it "
         "targets is not modelled)", 289),
    ]
    assert role.grants[0].excluding == ("aws:iam::*:access-control",)
    # biden: its own AWSLambdaFullAccess passes roles to new Lambda functions; its group only reads RDS and S3. The
    # file lists the account's roles, and none trusts Lambda: the method is told, and it reaches no role
    assert escalation(loaded, f"aws:iam::{acct}:user/biden", acct) == (
        "privilege escalation: with EditExistingLambdaFunctionWithRole, PassExistingRoleToNewLambdaThenAddPermission, "
        "PassExistingRoleToNewLambdaThenInvoke (+1 more), it could run code as a role that lambda.amazonaws.com may "
        "assume, but no role read trusts lambda.amazonaws.com yet", None)
    assert [g.actions for g in grants_to(loaded, f"aws:iam::{acct}:user/biden")
            if g.resource == f"aws:iam::{acct}:access-control"] == [("write",)]
    assert escalation(loaded, f"aws:iam::{acct}:group/biden", acct) is None
    assert escalation(loaded, f"aws:iam::{acct}:group/admin", acct) is not None
    assert escalation(loaded, f"aws:iam::{acct}:user/userwithlotsofpermissions", acct) is None


def test_iam_vulnerable_privilege_escalation_paths() -> None:
    # example.json is an export of BishopFox's IAM Vulnerable: each privescN user holds the method it is named after
    loaded = load(EXAMPLE)
    expected = {
        "privesc1-CreateNewPolicyVersion": "CreateNewPolicyVersion",
        "privesc2-SetExistingDefaultPolicyVersion": "SetExistingDefaultPolicyVersion",
        "privesc3-CreateEC2WithExistingInstanceProfile": "CreateEC2WithExistingIP",
        "privesc4-CreateAccessKey": "CreateAccessKey",
        "privesc5-CreateLoginProfile": "CreateLoginProfile",
        "privesc6-UpdateLoginProfile": "UpdateLoginProfile",
        "privesc7-AttachUserPolicy": "AttachUserPolicy",
        "privesc8-AttachGroupPolicy": "AttachGroupPolicy",
        "privesc9-AttachRolePolicy": "AttachRolePolicy",
        "privesc10-PutUserPolicy": "PutUserPolicy",
        "privesc11-PutGroupPolicy": "PutGroupPolicy",
        "privesc12-PutRolePolicy": "PutRolePolicy",
        "privesc13-AddUserToGroup": "AddUserToGroup",
        "privesc14-UpdatingAssumeRolePolicy": "UpdateRolePolicyToAssumeIt",
        "privesc15-PassExistingRoleToNewLambdaThenInvoke": "PassExistingRoleToNewLambdaThenInvoke",
        # the policy lacks dynamodb:CreateTable/PutItem: only the "existing table" variant is complete
        "privesc16-PassRoleToNewLambdaThenTriggerWithNewDynamo":
            "PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo",
        "privesc17-EditExistingLambdaFunctionWithRole": "EditExistingLambdaFunctionWithRole",
        "privesc18-PassExistingRoleToNewGlueDevEndpoint": "PassExistingRoleToNewGlueDevEndpoint",
        "privesc19-UpdateExistingGlueDevEndpoint": "UpdateExistingGlueDevEndpoint",
        "privesc20-PassExistingRoleToCloudFormation": "PassExistingRoleToCloudFormation",
        "privesc21-PassExistingRoleToNewDataPipeline": "PassExistingRoleToNewDataPipeline",
        "fn1-privesc3-partial": "CreateEC2WithExistingIP",  # iam:PassRole and ec2:RunInstances in two policies
        "fn2-exploitableResourceConstraint": "CreateNewPolicyVersion",  # on arn:aws:iam::*:policy/fn2-*
    }
    for name, method in expected.items():
        for kind in ("user", "role"):
            found = escalation(loaded, f"aws:iam::{VULNERABLE}:{kind}/{name}-{kind}", VULNERABLE)
            assert found is not None and (methods(found[0]), found[1]) == (method, None), name
    # false positives of simpler tools: an allow and a deny (in one policy, or two), a deny alone, and
    # CreatePolicyVersion on AWS managed policies (which nobody can change)
    for name in ("fp1-allow-and-deny", "fp2-allow-and-deny-multiple-policies", "fp3-deny-iam",
                 "fp4-nonExploitableResourceConstraint"):
        assert escalation(loaded, f"aws:iam::{VULNERABLE}:user/{name}-user", VULNERABLE) is None, name
    # conditions are kept, never dropped: fn3 (after 2020) and fp5 (before 2020) are both conditional
    fn3 = escalation(loaded, f"aws:iam::{VULNERABLE}:user/fn3-exploitableConditionConstraint-user", VULNERABLE)
    assert fn3 is not None and (methods(fn3[0]), fn3[1]) == (
        "CreateNewPolicyVersion", "DateGreaterThan aws:TokenIssueTime=2020-01-01T00:00:01Z")
    fp5 = escalation(loaded, f"aws:iam::{VULNERABLE}:user/fp5-nonExploitableConditionConstraint-user", VULNERABLE)
    assert fp5 is not None and (methods(fp5[0]), fp5[1]) == (
        "CreateNewPolicyVersion", "DateLessThan aws:TokenIssueTime=2020-01-01T00:00:01Z")
    fn4 = escalation(loaded, f"aws:iam::{VULNERABLE}:user/fn4-exploitableNotAction-user", VULNERABLE)
    assert fn4 is not None and fn4[0] is not None and fn4[0].startswith("privilege escalation: with AddUserToGroup, ")
    # the SRE user escalates through its group (iam:*, ec2:*, s3:*), which holds the grant itself
    assert escalation(loaded, f"aws:iam::{VULNERABLE}:user/privesc-sre-user", VULNERABLE) is None
    assert escalation(loaded, f"aws:iam::{VULNERABLE}:group/privesc-sre-group", VULNERABLE) is not None
    # not in Cloudsplaining's list, so not escalation here either
    for name in ("privesc-CloudFormationUpdateStack", "privesc-ssmSendCommand", "privesc-ssmStartSession"):
        assert escalation(loaded, f"aws:iam::{VULNERABLE}:user/{name}-user", VULNERABLE) is None, name


def test_example_trust_policies() -> None:
    loaded = load(EXAMPLE)
    nodes = by_id(loaded)
    role = f"aws:iam::{VULNERABLE}:role/"
    # an assumed-role session names the role without its path; the role is found by its name
    assert nodes[role + "privesc-AssumeRole-starting-role"].assumable_by == (
        role + "aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc",)
    assert nodes[role + "privesc-sre-role"].assumable_by == (f"aws:iam::{VULNERABLE}:user/privesc-sre-user",)
    assert nodes[role + "OrganizationAccountAccessRole"].assumable_by == ("aws:iam::072528804237:root",)
    assert nodes["aws:iam::072528804237:root"] == Principal(
        "aws:iam::072528804237:root", nodes["aws:iam::072528804237:root"].location, "external")
    # ten service principals, then the groups of the identities that can run code as a role of those services
    high = nodes[role + "privesc-high-priv-service-role"].assumable_by
    assert len(high) == 17 and all(a.startswith("aws:service:") for a in high[:10])
    assert high[10:] == tuple(f"aws:iam::{VULNERABLE}:runs-code-as:{s}.amazonaws.com" for s in (
        "datapipeline", "sagemaker", "glue", "lambda", "cloudformation", "ec2", "codebuild"))
    # trusting the own account's root: whoever in the account may sts:AssumeRole on it, through one group
    permissive = nodes[role + "privesc-permissive-role-trust"]
    assert permissive.assumable_by == (f"aws:iam::{VULNERABLE}:root", f"aws:iam::{VULNERABLE}:allowed-to-assume:aws:*")
    assuming = nodes[f"aws:iam::{VULNERABLE}:allowed-to-assume:aws:*"]
    assert isinstance(assuming, Group)
    assert len(assuming.members) == 10
    assert f"aws:iam::{VULNERABLE}:user/privesc14-UpdatingAssumeRolePolicy-user" in assuming.members
    assert not any(m.startswith("aws:iam::012345678901:") for m in assuming.members)  # another account's admins
    assert nodes[f"aws:iam::{VULNERABLE}:root"].flags == ("aws-root",)
    assert (f"aws:iam::{VULNERABLE}:access-control", ("admin",), "account root user") in [
        (g.resource, g.actions, g.via) for g in grants_to(loaded, f"aws:iam::{VULNERABLE}:root")]


def test_managed_policy_missing_from_the_file_fails_closed_and_says_so() -> None:
    loaded = load(DETAILS / "cloudsplaining__managed_policy_mismatch.json")
    group = "aws:iam::123456789012:group/anton-test"
    arn = "arn:aws:iam::aws:policy/AWSLambdaReadOnlyAccess"  # neither in the file nor in the table
    assert [(g.resource, g.actions, g.excluding, g.via, g.condition) for g in grants_to(loaded, group)] == [
        ("aws:*", ("read", "write", "delete"), ("aws:iam::*:access-control",), arn,
         f"managed policy not in this file: {arn} is not in the file, assumed to allow all but IAM")]


def test_a_well_known_aws_managed_policy_missing_from_the_file_is_read_from_the_table(tmp_path: Path) -> None:
    path = details(tmp_path, users=[user("ro"), user("admin")])
    data = json.loads(path.read_text())
    data["UserDetailList"][0]["AttachedManagedPolicies"] = [
        {"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]
    data["UserDetailList"][1]["AttachedManagedPolicies"] = [
        {"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]
    path.write_text(json.dumps(data))
    loaded = load(path)
    admin = by_id(loaded)[f"aws:iam::{ACCT}:user/admin"]
    assert "aws-allows-star-star" in admin.flags
    readonly = grants_to(loaded, f"aws:iam::{ACCT}:user/ro")
    # read from the table's document, not assumed: no "not in the file" condition, and nothing deleted
    assert readonly and all(g.via == "ReadOnlyAccess" and g.condition is None and "delete" not in g.actions
                            for g in readonly)


def test_detection() -> None:
    for path in DETAILS.iterdir():
        assert authz.detect(str(path), path.read_text()), path
    for path in (CORPUS / "aws-iam-policy").iterdir():
        assert not authz.detect(str(path), path.read_text()), path
    report = CORPUS / "aws-credential-report" / "synthetic__credential-report.csv"
    assert not authz.detect(str(report), report.read_text())
    assert not credential_report.detect(str(SMALL), SMALL.read_text())
    assert not authz.detect("x.yaml", "policylint: 1\npeople: []\n")


# --- fixtures: each construct ---------------------------------------------------------------------------------

def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str | list[str], resource: str = "*", **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


def managed(name: str, document: dict[str, Any], default: str = "v2") -> dict[str, Any]:
    return {"PolicyName": name, "Arn": f"arn:aws:iam::{ACCT}:policy/{name}", "DefaultVersionId": default,
            "PolicyVersionList": [
                {"Document": doc(allow("*")), "VersionId": "v1", "IsDefaultVersion": default == "v1"},
                {"Document": document, "VersionId": "v2", "IsDefaultVersion": default == "v2"}]}


def user(name: str, groups: list[str] = (), attached: list[str] = (), inline: dict[str, Any] | None = None,
         tags: list[dict[str, str]] = ()) -> dict[str, Any]:
    return {"Path": "/", "UserName": name, "UserId": "AIDA" + name.upper(), "Arn": f"arn:aws:iam::{ACCT}:user/{name}",
            "GroupList": list(groups),
            "AttachedManagedPolicies": [{"PolicyName": a, "PolicyArn": f"arn:aws:iam::{ACCT}:policy/{a}"}
                                        for a in attached],
            "UserPolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in (inline or {}).items()],
            "Tags": list(tags)}


def group(name: str, attached: list[str] = (), inline: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"Path": "/", "GroupName": name, "Arn": f"arn:aws:iam::{ACCT}:group/{name}",
            "AttachedManagedPolicies": [{"PolicyName": a, "PolicyArn": f"arn:aws:iam::{ACCT}:policy/{a}"}
                                        for a in attached],
            "GroupPolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in (inline or {}).items()]}


def role(name: str, trust: Any, inline: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"Path": "/", "RoleName": name, "Arn": f"arn:aws:iam::{ACCT}:role/{name}",
            "AssumeRolePolicyDocument": trust, "InstanceProfileList": [], "AttachedManagedPolicies": [],
            "RolePolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in (inline or {}).items()],
            "Tags": [], "RoleLastUsed": {"LastUsedDate": "2025-01-01 00:00:00+00:00", "Region": "eu-west-1"}}


def details(tmp_path: Path, users: list[Any] = (), groups: list[Any] = (), roles: list[Any] = (),
            policies: list[Any] = ()) -> Path:
    data = {"UserDetailList": list(users), "GroupDetailList": list(groups), "RoleDetailList": list(roles),
            "Policies": list(policies)}
    return write(tmp_path, "details.json", json.dumps(data, indent=2))


def trust(principal: Any) -> dict[str, Any]:
    return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


def test_default_policy_version_only(tmp_path: Path) -> None:
    path = details(tmp_path, users=[user("alice", attached=["reader"])],
                   policies=[managed("reader", doc(allow("s3:GetObject", "arn:aws:s3:::orders/*")))])
    loaded = load(path)
    assert [(g.resource, g.actions, g.via) for g in loaded.inventory.grants] == [
        ("aws:s3:::orders", ("read",), "reader")]  # v1 allows *:* but is not the default


def test_url_encoded_documents(tmp_path: Path) -> None:
    encoded = quote(json.dumps(trust({"Service": "lambda.amazonaws.com"})))
    policy = quote(json.dumps(doc(allow("dynamodb:GetItem", f"arn:aws:dynamodb:eu-west-1:{ACCT}:table/orders"))))
    path = details(tmp_path, roles=[role("fn", encoded, {"read": policy})])
    loaded = load(path)
    fn = by_id(loaded)[f"aws:iam::{ACCT}:role/fn"]
    assert fn.assumable_by == ("aws:service:lambda.amazonaws.com",)
    assert [(g.resource, g.actions, g.via) for g in fn.grants] == [
        (f"aws:dynamodb:eu-west-1:{ACCT}:table/orders", ("read",), "read (inline)")]
    service = by_id(loaded)["aws:service:lambda.amazonaws.com"]
    assert (service.type, service.flags) == ("service", ("builtin",))


def test_a_users_deny_limits_what_its_group_gives_it_only(tmp_path: Path) -> None:
    users = [user("alice", ["data"], inline={"no-customers": doc(
                 {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::customer-*"})}),
             user("bob", ["data"])]
    path = details(tmp_path, users=users, groups=[group("data", ["s3-all"])],
                   policies=[managed("s3-all", doc(allow(["s3:GetObject", "kms:Decrypt"])))])
    loaded = load(path)
    shown = sorted((g.to.split("/")[-1], g.resource, g.excluding) for g in loaded.inventory.grants)
    # the group holds what the deny leaves alone (KMS); each member gets its own S3 grant, alice's minus customer-*
    assert shown == [("alice", "aws:s3:*", ("aws:s3:::customer-*",)), ("bob", "aws:s3:*", ()),
                     ("data", "aws:kms:*", ())]


def test_escalation_across_a_users_own_and_group_policies(tmp_path: Path) -> None:
    path = details(tmp_path, users=[user("carol", ["builders"], inline={"pass": doc(allow("iam:PassRole"))})],
                   groups=[group("builders", inline={"lambda": doc(allow(["lambda:CreateFunction",
                                                                           "lambda:InvokeFunction"]))})])
    loaded = load(path)
    # the file lists no role of the account: which roles Lambda may assume is unknown, so the whole account
    assert escalation(loaded, f"aws:iam::{ACCT}:user/carol", ACCT) == (
        "privilege escalation: with PassExistingRoleToNewLambdaThenInvoke, it can run code as a role that "
        "lambda.amazonaws.com may assume, so do whatever such a role can (taken as anything in its account: this "
        "file does not list the account's roles)", None)
    assert escalation(loaded, f"aws:iam::{ACCT}:group/builders", ACCT) is None


def test_users_with_an_email_tag_are_people_and_others_services(tmp_path: Path) -> None:
    path = details(tmp_path, users=[user("kim", tags=[{"Key": "Email", "Value": "kim.jh@example.com"}]),
                                    user("ci-bot", tags=[{"Key": "team", "Value": "platform"}])])
    nodes = by_id(load(path))
    assert (nodes[f"aws:iam::{ACCT}:user/kim"].type, nodes[f"aws:iam::{ACCT}:user/kim"].identifiers) == (
        "user", ("kim", "kim.jh@example.com"))
    assert (nodes[f"aws:iam::{ACCT}:user/ci-bot"].type, nodes[f"aws:iam::{ACCT}:user/ci-bot"].identifiers) == (
        "service", ("ci-bot",))


def test_an_owner_tag_names_who_answers_for_a_machine_user(tmp_path: Path) -> None:
    path = details(tmp_path, users=[user("ci-bot", tags=[{"Key": "Owner", "Value": "lee.sy@example.com"}]),
                                    user("kim", tags=[{"Key": "email", "Value": "kim@example.com"},
                                                      {"Key": "owner", "Value": "lee.sy"}])])
    nodes = by_id(load(path))
    assert nodes[f"aws:iam::{ACCT}:user/ci-bot"].owner == "lee.sy@example.com"  # the join makes it a person
    assert nodes[f"aws:iam::{ACCT}:user/kim"].owner is None  # a person's own account has its person, no owner


def test_a_group_not_in_the_file_is_implied_with_its_members(tmp_path: Path) -> None:
    nodes = by_id(load(details(tmp_path, users=[user("dan", ["elsewhere"])])))
    assert nodes[f"aws:iam::{ACCT}:group/elsewhere"].members == (f"aws:iam::{ACCT}:user/dan",)


def test_root_trust_is_assumable_by_who_may_assume_it(tmp_path: Path) -> None:
    users = [user("eve", inline={"assume": doc(allow("sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/deploy-*"))}),
             user("fay", inline={"other": doc(allow("sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/audit"))})]
    roles = [role("deploy-prod", trust({"AWS": f"arn:aws:iam::{ACCT}:root"})),
             role("partner", trust({"AWS": "arn:aws:iam::999999999999:root"})),
             role("anyone", trust("*"))]
    nodes = by_id(load(details(tmp_path, users=users, roles=roles)))
    assumers = f"aws:iam::{ACCT}:allowed-to-assume:aws:iam::{ACCT}:role/deploy-*"
    assert nodes[f"aws:iam::{ACCT}:role/deploy-prod"].assumable_by == (f"aws:iam::{ACCT}:root", assumers)
    assert nodes[assumers].members == (f"aws:iam::{ACCT}:user/eve",)
    assert nodes[f"aws:iam::{ACCT}:role/partner"].assumable_by == ("aws:iam::999999999999:root",)
    assert nodes["aws:iam::999999999999:root"].type == "external"
    assert nodes[f"aws:iam::{ACCT}:role/anyone"].assumable_by == ("*",)



@pytest.mark.parametrize(("text", "glob", "matches"), [
    ("aws:iam::1:role/app-fn", "aws:iam::1:role/app-*", True),
    ("aws:iam::1:role/admin-fn", "aws:iam::1:role/app-*", False),
    ("aws:iam::1:role/app", "aws:iam::1:role/app*", True),  # `*` may stand for nothing
    ("aws:iam::1:role/a/b", "aws:iam::1:role/*", True),  # and for a `/`
    ("aws:iam::1:role/ab", "aws:iam::1:role/a?", True),
    ("aws:iam::1:role/a", "aws:iam::1:role/a?", False),  # `?` is exactly one character
    ("aws:iam::1:role/App", "aws:iam::1:role/app", False),  # case-sensitive, as ARNs
    ("a.b", "a?b", True),
    ("a[b]", "a[b]", True),  # nothing else is special
    ("aXbXc", "a*b*c", True),
    ("abcbd", "*b?d", False),
    ("abcbxd", "*b?d", True),
    ("xabcabd", "*ab?*a?d", True),
    ("abab", "*ab*ab*", True),
    ("aba", "*ab*ab*", False),
    ("x", "**", True),
    ("", "*", True),
    ("", "?", False),
])
def test_glob_match_reads_iam_wildcards(text: str, glob: str, matches: bool) -> None:
    assert glob_match(text, glob) is matches


def test_a_glob_that_a_regex_would_backtrack_on_is_matched_at_once(tmp_path: Path) -> None:
    # a reviewer's 1.6 KB export: a role named `a` sixty times and sts:AssumeRole on `role/*a*a*a*a*a*a*a*a*a*b`
    # ran past a minute (a backtracking regex: each `*` retried at every place)
    role_id = f"aws:iam::{ACCT}:role/" + "a" * 60
    started = time.perf_counter()
    assert not glob_match(role_id, f"aws:iam::{ACCT}:role/" + "*a" * 9 + "*b")
    assert glob_match(role_id, f"aws:iam::{ACCT}:role/" + "*a" * 9 + "*")
    assert not glob_match("a" * 2000, "*a" * 200 + "*b")
    assert time.perf_counter() - started < 0.1
    glob = f"arn:aws:iam::{ACCT}:role/" + "*a" * 9 + "*b"
    users = [user("dev", inline={"assume": doc(allow("sts:AssumeRole", glob))})]
    roles = [role("a" * 60, trust({"AWS": f"arn:aws:iam::{ACCT}:root"}))]
    started = time.perf_counter()
    nodes = by_id(load(details(tmp_path, users=users, roles=roles)))
    assert time.perf_counter() - started < 5  # the whole load, action data included
    assert nodes[role_id].assumable_by == (f"aws:iam::{ACCT}:root",)  # the glob does not name it

# --- malformed input: located errors, the rest still loads ------------------------------------------------------

def test_broken_json_is_a_located_error(tmp_path: Path) -> None:
    path = write(tmp_path, "details.json", '{"UserDetailList": [\n  {"UserName": "a",}\n]}\n')
    run = run_cli("check", str(path))
    assert run.code == 2
    assert (f"{path}:2:20: error: expected JSON from 'aws iam get-account-authorization-details', found a syntax "
            "error: Expecting property name enclosed in double quotes") in run.err + run.out


def test_invalid_entries_are_located_and_left_out(tmp_path: Path) -> None:
    bad_user = user("gus")
    del bad_user["UserName"]
    bad_arn = user("hal")
    bad_arn["Arn"] = "arn:aws:iam::123456789012:group/hal"
    bad_policy = user("ivy", inline={"broken": doc({"Action": "s3:GetObject", "Resource": "*"},
                                                  allow("s3:GetObject", "arn:aws:s3:::ok/*"))})
    no_default = managed("nodefault", doc(allow("*")), default="v9")
    path = details(tmp_path, users=[bad_user, bad_arn, bad_policy, user("jo")], policies=[no_default])
    loaded = load_paths([str(path)])
    assert [str(e) for e in loaded.errors] == [  # each at the entry's "Arn" (an inline policy: its "PolicyName")
        f"{path}:6:7: error: expected a user in 'UserDetailList' to have a string 'UserName', found null",
        f"{path}:16:7: error: expected user 'hal' to have an ARN 'arn:aws:iam::<account>:user/…', "
        "found 'arn:aws:iam::123456789012:group/hal'",
        f"{path}:31:11: error: policy 'broken (inline)': expected 'Effect' to be 'Allow' or 'Deny', found none",
        f"{path}:66:7: error: expected managed policy 'nodefault' to have its default version in "
        "'PolicyVersionList', found none of 2 marked IsDefaultVersion",
    ]
    assert sorted(p.id for p in loaded.inventory.principals) == [f"aws:iam::{ACCT}:user/ivy",
                                                                 f"aws:iam::{ACCT}:user/jo"]
    assert [(g.to, g.resource) for g in loaded.inventory.grants] == [(f"aws:iam::{ACCT}:user/ivy", "aws:s3:::ok")]


def test_a_section_of_the_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, "details.json", '{"UserDetailList": {"UserName": "a"}, "GroupDetailList": []}')
    loaded = load_paths([str(path)])
    assert [str(e) for e in loaded.errors] == [
        f"{path}:1:2: error: expected 'UserDetailList' to be a list, found an object"]


def test_a_json_document_that_is_not_an_object(tmp_path: Path) -> None:
    path = write(tmp_path, "details.json", '[{"UserDetailList": []}]')
    assert authz.detect(str(path), path.read_text()) is False


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("GroupList", "admins", "expected 'GroupList' of user 'kim' to be a list of group names, found the string "
                                "'admins'"),
        ("GroupList", ["admins", 7], "expected 'GroupList' of user 'kim' to be a list of group names, found a number "
                                     "in it"),
        ("Tags", {"Key": "email"}, "expected 'Tags' to be a list of objects, found an object"),
        ("UserPolicyList", [None], "expected 'UserPolicyList' to be a list of objects, found null in it"),
        ("AttachedManagedPolicies", [{"PolicyName": "x"}],
         "expected an attached managed policy to have a string 'PolicyArn', found null"),
        ("UserPolicyList", [{"PolicyName": "p", "PolicyDocument": 5}],
         "policy 'p (inline)': expected a policy document (a mapping with 'Statement'), found a number 5"),
    ],
    ids=["grouplist-string", "grouplist-number", "tags-object", "inline-null", "attached-no-arn", "document-number"],
)
def test_fields_of_the_wrong_type_are_located_errors(tmp_path: Path, field: str, value: Any, expected: str) -> None:
    line, column = (7, 7) if "(inline)" not in expected else (12, 11)  # the user's "Arn"; the policy's "PolicyName"
    entry = user("kim")
    entry[field] = value
    path = details(tmp_path, users=[entry])
    loaded = load_paths([str(path)])
    assert [str(e) for e in loaded.errors] == [f"{path}:{line}:{column}: error: {expected}"]
    assert [p.id for p in loaded.inventory.principals] == [f"aws:iam::{ACCT}:user/kim"]  # the user still loads


def test_a_role_trusting_another_account_is_assumable_by_who_may_assume_it_there(tmp_path: Path) -> None:
    """Hand-worked: account A's role trusts account B; B's bob may sts:AssumeRole on it; carol of B may not."""
    a, b = "111122223333", "444455556666"
    reader = {"Path": "/", "RoleName": "shared-reader", "RoleId": "AROASHARED",
              "Arn": f"arn:aws:iam::{a}:role/shared-reader",
              "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{b}:root"}, "Action": "sts:AssumeRole"}]},
              "RolePolicyList": [{"PolicyName": "read", "PolicyDocument": doc(
                  allow("s3:GetObject", "arn:aws:s3:::customer-orders/*"))}],
              "AttachedManagedPolicies": [], "InstanceProfileList": [], "Tags": []}
    write(tmp_path, "a.json", json.dumps({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [reader],
                                          "Policies": []}))

    def user_of_b(name: str, statement: dict[str, Any]) -> dict[str, Any]:
        return {"Path": "/", "UserName": name, "UserId": "AIDA" + name.upper(), "Arn": f"arn:aws:iam::{b}:user/{name}",
                "GroupList": [], "AttachedManagedPolicies": [], "Tags": [],
                "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": doc(statement)}]}

    write(tmp_path, "b.json", json.dumps({"UserDetailList": [
        user_of_b("bob", allow("sts:AssumeRole", f"arn:aws:iam::{a}:role/shared-reader")),
        user_of_b("carol", allow("s3:ListAllMyBuckets"))], "GroupDetailList": [], "RoleDetailList": [],
        "Policies": []}))
    write(tmp_path, "data.yaml", """
        policylint: 1
        resources: [{id: "aws:s3:::customer-orders", type: bucket, data: [customer_pii], records: 5}]
    """)
    run = run_cli("reach", str(tmp_path), "--format", "json", "--as-of", "2026-01-01")
    reached = {i["id"]: i["resources"][0]["path"] for i in json.loads(run.out)["identities"]}
    assert reached[f"aws:iam::{b}:user/bob"] == [
        f"aws:iam::{b}:user/bob", f"aws:iam::{b}:allowed-to-assume:aws:iam::{a}:role/shared-reader",
        f"aws:iam::{a}:role/shared-reader", "aws:s3:::customer-orders"]
    assert f"aws:iam::{b}:user/carol" not in reached


def test_a_trust_condition_is_kept_and_shown_on_the_path(tmp_path: Path) -> None:
    org_only = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}
    path = details(tmp_path, roles=[role("org-reader", org_only,
                                         {"read": doc(allow("s3:GetObject", "arn:aws:s3:::customer-orders/*"))})])
    write(tmp_path, "data.yaml", """
        policylint: 1
        people: [{id: ann, status: active}]
        resources: [{id: "aws:s3:::customer-orders", type: bucket, data: [customer_pii], records: 5}]
    """)
    assert by_id(load(path))[f"aws:iam::{ACCT}:role/org-reader"].condition == (
        "aws:PrincipalOrgID=o-a1b2c3d4e5")
    run = run_cli("facts", "ann", str(tmp_path), "--as-of", "2026-01-01")
    assert json.loads(run.out)["reach"]["path"] == [
        "ann", f"aws:iam::{ACCT}:role/org-reader [if aws:PrincipalOrgID=o-a1b2c3d4e5]",
        "aws:s3:::customer-orders"]


def test_a_number_too_long_to_read_is_a_located_error(tmp_path: Path) -> None:
    # found by the fuzz test (tests/fuzz): json.loads raised ValueError past 4,300 digits, an exit 3
    path = write(tmp_path, "details.json", '{\n  "UserDetailList": [],\n  "GroupDetailList": ' + "9" * 5000 + "\n}\n")
    run = run_cli("check", str(path), "--as-of", "2026-01-01")
    assert run.code == 2, run.out + run.err
    assert [line for line in run.out.splitlines() if ": error: " in line] == [
        f"{path}:3:22: error: expected a number of at most 30 digits, found one of 5,000 digits"]
