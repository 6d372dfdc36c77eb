"""The IAM policy lint (`iam/lint.py`) and bare policy documents (`sources/aws/policy_document.py`).

The lint cases are our own, written after Parliament's unit tests (duo-labs/parliament, tests/unit and
community_auditors/tests, BSD-3-Clause): the same situations, our semantics. `aws_policy_lint_vs_parliament.md`
beside this file is the table of what each gives and why they differ.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from policylint.errors import InputError
from policylint.iam import actions
from policylint.iam.lint import CREDENTIAL_ACTIONS, lint
from policylint.iam.statements import globs_overlap, parse_policy
from policylint.inventory import load_paths
from policylint.model import Location, Principal, Role
from policylint.sources.aws import policy_document
from policylint.sources.aws.policy_document import document_id
from policylint.sources.base import Options

from helpers import CORPUS, REPO, git, run_cli, write

AT = Location("p.json", 1, 1)
FINDING = re.compile(r"(?:CRITICAL|HIGH|MEDIUM|LOW|INFO) PL\d+ ")
COMMIT = ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m"]


def flags_of(*statements: dict[str, Any]) -> list[str]:
    parsed, errors = parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, "p", "p.json", AT)
    assert errors == []
    return list(lint(parsed))


def allow(action: str | list[str], resource: str | list[str] = "*", **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


BUCKET = "arn:aws:s3:::examplebucket"

# (case, statements, flags): each after a Parliament unit test of the same name or idea
CASES: list[tuple[str, list[dict[str, Any]], list[str]]] = [
    ("correct-simple", [allow("s3:listallmybuckets")], []),
    ("multiple-statements-one-bad", [allow("s3:listallmybuckets"), allow(["iam:listusers", "iam:list"])],
     ["aws-unknown-action:iam:list"]),
    ("unknown-prefix", [allow("333:listallmybuckets")], ["aws-unknown-action:333:listallmybuckets"]),
    ("unknown-action", [allow("s3:zzz")], ["aws-unknown-action:s3:zzz"]),
    ("wildcard-matching-nothing", [allow("s3:zzz*")], ["aws-unknown-action:s3:zzz*"]),
    ("mixed-case-wildcards", [allow(["iAm:li*sTuS*rs", "ses:Describe*", "logs:GetLogDelivery", "iq:*"])], []),
    ("typo-in-a-deny-widens-access", [allow("s3:*", f"{BUCKET}/*"),
                                      {"Effect": "Deny", "Action": "s3:DeleteObjekt", "Resource": f"{BUCKET}/*"}],
     ["aws-unknown-action:s3:DeleteObjekt"]),
    ("typo-in-not-action", [{"Effect": "Allow", "NotAction": ["iam:*", "organisations:*"], "Resource": "*"}],
     ["aws-allow-not-action", "aws-unknown-action:organisations:*"]),
    ("condition-on-a-known-action", [allow("s3:listbucket", BUCKET, Condition={
        "DateGreaterThan": {"aws:CurrentTime": "2019-07-16T12:00:00Z"}})], []),
    ("redshift-dbuser", [allow("redshift:GetClusterCredentials",
                               "arn:aws:redshift:us-west-2:123456789012:dbuser:the_cluster/the_user")], []),
    ("lambda-layer-wildcards", [allow("lambda:AddLayerVersionPermission",
                                      "arn:aws:lambda:*:123456789012:layer:sol-*:*")], []),
    ("own-mfa-device", [allow(["iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice"],
                              "arn:aws:iam::*:mfa/${aws:username}")], []),
    ("action-without-resource-types-on-star", [allow("guardduty:ListDetectors")], []),
    ("object-action-on-a-bucket", [allow("s3:GetObject", BUCKET)], ["aws-resource-mismatch:s3:GetObject"]),
    ("object-action-on-objects", [allow("s3:getobject", "arn:aws:s3:::my_corporate_bucket/*")], []),
    ("star-resource-only-action-on-an-arn", [allow(["s3:ListAllMyBuckets", "s3:ListBucket"], BUCKET)],
     ["aws-resource-mismatch:s3:ListAllMyBuckets"]),
    ("wildcards-with-some-matching-action", [
        allow(["s3:*Bucket*", "s3:*Object*"], ["arn:aws:s3:::bucket1", "arn:aws:s3:::bucket1/*"]),
        allow("s3:*Object", "arn:aws:s3:::bucket2/*")], []),
    ("service-of-another-arn", [allow("dynamodb:Get*", f"{BUCKET}/*")], ["aws-resource-mismatch:dynamodb:Get*"]),
    ("kms-alias-arn", [allow("kms:Decrypt", "arn:aws:kms:eu-west-1:123456789012:alias/aws/s3")],
     ["aws-resource-mismatch:kms:Decrypt"]),
    ("mismatch-given-by-another-statement", [allow("sns:ListTopics", "arn:aws:sns:*:*:*"), allow("sns:ListTopics")],
     []),
    ("mismatch-in-a-deny-is-not-checked", [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": BUCKET}], []),
    ("short-arn", [allow("s3:GetObject", "arn:aws:s3:*")], []),
    ("credentials-exposure", [allow(["redshift:getclustercredentials", "ecr:getauthorizationtoken"])],
     ["aws-credential-exposure:ecr:GetAuthorizationToken",
      "aws-credential-exposure:redshift:GetClusterCredentials"]),
    ("wildcards-ecr-s3", [allow(["ecr:*", "s3:*"])], ["aws-credential-exposure:ecr:GetAuthorizationToken"]),
    ("own-access-keys-are-scoped", [allow(["iam:CreateAccessKey", "iam:UpdateAccessKey"],
                                          "arn:aws:iam::*:user/${aws:username}")], []),
    ("every-users-access-keys", [allow("iam:CreateAccessKey", "arn:aws:iam::123456789012:user/*")],
     ["aws-credential-exposure:iam:CreateAccessKey"]),
    ("credentials-denied-on-every-resource", [allow("ec2:*"), {"Effect": "Deny", "Action": "ec2:GetPassword*",
                                                                "Resource": "*"}], []),
    ("a-conditional-deny-denies-nothing", [
        allow("sts:AssumeRole"), {"Effect": "Deny", "Action": "sts:*", "Resource": "*",
                                  "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}],
     ["aws-credential-exposure:sts:AssumeRole"]),
    ("not-resource-with-deny", [{"Effect": "Deny", "Action": "s3:*",
                                 "NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"]}],
     []),
    ("not-resource-with-allow", [{"Effect": "Allow", "Action": "s3:*",
                                  "NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"]}],
     ["aws-allow-not-resource"]),
    ("not-principal-with-deny", [{"Effect": "Deny", "NotPrincipal": {"AWS": [
        "arn:aws:iam::444455556666:user/Bob", "arn:aws:iam::444455556666:root"]}, "Action": "s3:*",
        "Resource": ["arn:aws:s3:::BUCKETNAME", "arn:aws:s3:::BUCKETNAME/*"]}], []),
    ("not-principal-with-allow", [
        {"Effect": "Allow", "NotPrincipal": {"AWS": ["arn:aws:iam::444455556666:user/Bob"]}, "Action": "s3:*",
         "Resource": ["arn:aws:s3:::BUCKETNAME", "arn:aws:s3:::BUCKETNAME/*"]}], ["aws-open-principal"]),
    ("public-bucket-policy", [allow("s3:GetObject", f"{BUCKET}/*", Principal="*", Sid="AddPerm")],
     ["aws-open-principal"]),
    ("open-principal-under-a-condition", [allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": "*"}, Condition={
        "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})], []),
    ("named-principals", [allow("s3:GetObject", f"{BUCKET}/*", Principal=principal) for principal in (
        {"AWS": ["arn:aws:iam::000000000000:root", "arn:aws:iam::111111111111:root"]}, {"AWS": "000000000000"},
        {"AWS": "arn:aws:iam::000000000000:user/alice"}, {"Federated": "cognito-identity.amazonaws.com"},
        {"AWS": "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity 00000000000000"})], []),
    ("deny-with-any-principal", [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                  "Resource": "arn:aws:s3:::examplebucket/taxdocuments/*",
                                  "Condition": {"Null": {"aws:MultiFactorAuthAge": True}}}], []),
    ("trust-policy-of-a-service", [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                    "Action": "sts:AssumeRole"}], []),
    ("trust-policy-open-to-all", [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
     ["aws-open-principal"]),
]


@pytest.mark.parametrize(("statements", "expected"), [(s, e) for _, s, e in CASES], ids=[c for c, _, _ in CASES])
def test_lint(statements: list[dict[str, Any]], expected: list[str]) -> None:
    found = flags_of(*statements)
    if "aws-allow-not-action" in expected:  # every credential action outside IAM, which are many: tested below
        found = [f for f in found if not f.startswith("aws-credential-exposure:")]
    assert found == expected


def test_not_action_exposes_every_credential_action_it_does_not_name() -> None:
    found = flags_of({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    exposed = {f.removeprefix("aws-credential-exposure:").lower() for f in found if "credential" in f}
    assert "sts:assumerole" in exposed and "ecr:getauthorizationtoken" in exposed
    assert not any(a.startswith("iam:") for a in exposed)
    # a name of Cloudsplaining's list that is no IAM action (the SSO portal's) is never given by a wildcard
    assert "sso:getrolecredentials" in CREDENTIAL_ACTIONS and "sso:getrolecredentials" not in exposed


def test_a_policy_is_linted_on_its_own_so_a_deny_elsewhere_keeps_the_exposure() -> None:
    """Fail closed: a Deny in another policy of the same identity does not take the finding away."""
    assert flags_of(allow("sts:AssumeRole")) == ["aws-credential-exposure:sts:AssumeRole"]
    assert flags_of({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}) == []


# --- the action data --------------------------------------------------------------------------------------------

def test_known_matches_are_lower_case_and_empty_for_what_the_data_does_not_know() -> None:
    assert actions.known_matches("S3:GetObject") == {"s3:getobject"}
    assert actions.known_matches("s3:GetObjekt") == frozenset()
    assert actions.known_matches("s3:Get*Acl") >= {"s3:getobjectacl", "s3:getbucketacl"}
    assert actions.known_matches("newsvc:*") == frozenset()
    assert actions.known_service("S3") and not actions.known_service("s33")


def test_resource_arns_and_display_names_come_from_the_data() -> None:
    assert "arn:${Partition}:s3:::${BucketName}/${ObjectName}" in actions.resource_arns("s3:getobject")
    assert actions.resource_arns("s3:listallmybuckets") == ()
    assert actions.resource_arns("newsvc:dothing") == ()
    assert actions.display_name("ecr:getauthorizationtoken") == "ecr:GetAuthorizationToken"
    assert actions.display_name("newsvc:dothing") == "newsvc:dothing"


def _brute_overlap(first: str, second: str, alphabet: str = "ab/", longest: int = 5) -> bool:
    def matches(text: str, glob: str) -> bool:
        body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
        return re.fullmatch(body, text, re.DOTALL) is not None
    return any(matches(text, first) and matches(text, second)
               for n in range(longest + 1) for text in map("".join, itertools.product(alphabet, repeat=n)))


def test_globs_overlap_agrees_with_a_brute_force_search() -> None:
    globs = ["", "a", "b", "*", "?", "a*", "*b", "a/*", "*/*", "?b", "a?b", "**", "a*b*", "b/a"]
    for first, second in itertools.product(globs, repeat=2):
        assert globs_overlap(first, second) == _brute_overlap(first, second), (first, second)


# --- bare policy documents --------------------------------------------------------------------------------------

DOCUMENT = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Sid": "Typo", "Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::b/*"}
  ]
}
"""


def test_a_document_is_a_role_nobody_assumes_holding_its_grants(tmp_path: Path) -> None:
    path = write(tmp_path, "iam/admin.json", DOCUMENT)
    fragment = policy_document.load(str(path), path.read_text(), Options(globs_root=str(tmp_path)))
    assert fragment.errors == []
    [role] = fragment.inventory.roles
    assert isinstance(role, Role)
    assert (role.id, role.location, role.assumable_by) == ("aws:policy-document:iam/admin.json",
                                                           Location(str(path), 1, 1), ())
    assert role.flags[:2] == ("aws-allows-star-star", "aws-credential-exposure:airflow:CreateCliToken")
    assert {"aws-policy-document", "aws-unknown-action:s3:GetObjekt"} <= set(role.flags)
    assert {g.resource for g in role.grants} >= {"aws:*", "aws:iam::cfn:access-control"}
    assert [r.id for r in fragment.implied.resources] == ["aws:iam::cfn:access-control"]


def test_its_id_is_its_path_from_the_root_so_a_copy_names_it_alike(tmp_path: Path) -> None:
    tree, copy = tmp_path / "repo", tmp_path / "copy-of-base"
    assert document_id(str(tree / "iam/a.json"), str(tree)) == document_id(str(copy / "iam/a.json"), str(copy)) \
        == "aws:policy-document:iam/a.json"
    outside = tmp_path / "elsewhere" / "b.json"
    assert document_id(str(outside), str(tree)) == f"aws:policy-document:{outside.as_posix()}"


def test_a_bad_statement_is_a_located_error_and_the_rest_is_still_linted(tmp_path: Path) -> None:
    path = write(tmp_path, "p.json", """\
        {
          "Version": "2012-10-17",
          "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::Sub": "arn:aws:s3:::${Bucket}/*"}},
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
          ]
        }
        """)
    loaded = load_paths([str(path)], root=str(tmp_path))
    assert [str(e) for e in loaded.errors] == [
        f"{path}:4:63: error: policy 'p.json': expected 'Resource' to be a string or a non-empty list of strings, "
        "found a mapping"]
    [role] = loaded.inventory.roles
    assert role.flags == ("aws-credential-exposure:ecr:GetAuthorizationToken", "aws-policy-document")


def test_a_document_that_is_no_object_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path, "p.json", '["Statement", {"Effect": "Allow"}]')
    with pytest.raises(InputError, match=r"expected an IAM policy document \(a JSON object with 'Statement'\), "
                                         r"found a list"):
        policy_document.load(str(path), path.read_text(), Options())


def test_the_corpus_documents_check_with_findings_not_errors() -> None:
    result = run_cli("check", str(CORPUS / "aws-iam-policy"), "--as-of", "2026-01-01")
    assert result.code == 1, result.out + result.err
    assert ": error: " not in result.out
    assert result.out.count("HIGH PL215 role aws:policy-document:") == 2


def test_the_readme_section_shows_what_check_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Bare IAM policy documents"):]
    document = re.search(r"```json\n(.*?)```", section, flags=re.S)
    shown = re.search(r"```text\n(iam/deploy-policy\.json.*?)```", section, flags=re.S)
    assert document is not None and shown is not None
    json.loads(document[1])
    write(tmp_path, "iam/deploy-policy.json", document[1])
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "iam/", "--as-of", "2026-03-02")
    assert result.code == 1
    printed = [line for line in result.out.splitlines() if FINDING.search(line)]
    assert printed == shown[1].splitlines()


def test_the_pre_commit_hook_passes_a_commit_that_leaves_the_documents_findings_as_they_were(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 10: every commit of a repository of policy files failed the hook. Now a finding already at HEAD does
    not block (the document's id is the same in HEAD's copy and in the staged one), and a new typo does."""
    write(tmp_path, "iam/deploy-policy.json", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
                                              '"Action": "ecr:GetAuthorizationToken", "Resource": "*"}]}\n')
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, *COMMIT, "policies")
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "README.md", "Policies of the deploy pipeline.\n")
    git(tmp_path, "add", "-A")
    assert run_cli("check", "--changed", "--as-of", "2026-03-02").code == 0
    write(tmp_path, "iam/deploy-policy.json", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
                                              '"Action": ["ecr:GetAuthorizationToken", "ecr:PutImagee"], '
                                              '"Resource": "*"}]}\n')
    git(tmp_path, "add", "-A")
    result = run_cli("check", "--changed", "--as-of", "2026-03-02")
    assert result.code == 1
    assert [line.split(": ", 1)[1] for line in result.out.splitlines() if FINDING.search(line)] == [
        "MEDIUM PL212 role aws:policy-document:iam/deploy-policy.json holds a policy naming actions the AWS action "
        "data does not know: ecr:PutImagee"]


# --- the same lint on CloudFormation templates and authorization details ----------------------------------------

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Deployer:
    Type: AWS::IAM::User
    Properties:
      UserName: deployer
      Groups: [!Ref Ops]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/PowerUserAccess]   # AWS's own NotAction: not linted
  Ops:
    Type: AWS::IAM::Group
    Properties:
      GroupName: ops
  OpsPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: ops
      Groups: [!Ref Ops]
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: "ec2:GetPasswordData", Resource: "*"}
  Shared:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref AppRole]
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: ["s3:GetObject"], Resource: "arn:aws:s3:::acme-app"}
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {AWS: "*"}, Action: "sts:AssumeRole"}
"""


def test_cloudformation_identities_carry_the_flags_of_the_policies_they_hold(tmp_path: Path) -> None:
    path = write(tmp_path, "stack.yaml", TEMPLATE)
    loaded = load_paths([str(path)])
    assert loaded.errors == []
    flags = {n.id: n.flags for n in loaded.inventory.nodes() if isinstance(n, Principal | Role) or ":group/" in n.id}
    assert flags == {
        "aws:iam::cfn:user/deployer": (),
        "aws:iam::cfn:group/ops": ("aws-credential-exposure:ec2:GetPasswordData",),
        "aws:iam::cfn:role/app": ("aws-open-principal", "aws-resource-mismatch:s3:GetObject"),
    }


def test_authorization_details_identities_carry_the_flags_of_their_policies() -> None:
    folder = REPO / "tests" / "rules" / "PL212" / "positive"
    loaded = load_paths([str(folder / "authorization-details.json")])
    flags = {n.id.rsplit(":", 1)[1]: n.flags for n in loaded.inventory.nodes() if ":111122223333:" in n.id
             and isinstance(n, Principal | Role)}
    assert flags == {
        "user/ci-release": ("aws-unknown-action:s3:GetObjectVerison",),  # ReadOnlyAccess (AWS's) is not linted
        "user/svc-metrics": (),
        "role/etl-nightly": ("aws-unknown-action:athena:GetQueryResult",),
    }


def test_the_facts_give_each_prefix_flags_values_for_messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "p.json", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": '
                              '["s3:GetObjekt", "sts:AssumeRole"], "Resource": "*"}]}')
    monkeypatch.chdir(tmp_path)
    result = run_cli("facts", "aws:policy-document:p.json", "p.json", "--as-of", "2026-03-02")
    assert result.code == 0, result.err
    facts = json.loads(result.out)
    assert facts["flag_values"] == {"aws_credential_exposure": ["sts:AssumeRole"],
                                    "aws_unknown_action": ["s3:GetObjekt"]}
    assert "aws-policy-document" in facts["flags"]
